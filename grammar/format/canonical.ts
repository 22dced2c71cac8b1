/**
 * Canonical spellings the formatter writes (`language.md` §6: "both spellings are
 * accepted and the formatter rewrites to the canonical one"). Each rewrite keeps the
 * Blueprint IR, hence its hash, unchanged; `test/grammar/format.test.ts` checks these
 * tables against the compiler's own alias tables (`compiler/resolve/`), which `grammar/`
 * may not import.
 */
import type { StringLiteral } from "../rag/ast.js";

/** Reference kind spellings → canonical kind (§6). */
export const KIND_CANONICAL: Readonly<Record<string, string>> = {
  graph: "subgraph",
  human: "interrupt",
  sub_agent: "subagent",
};

/** Reducer spellings → canonical reducer (§6: `last_write` = `overwrite`; `reducer "fn"` = `aggregate "fn"`). */
export const REDUCER_CANONICAL: Readonly<Record<string, string>> = {
  last_write: "overwrite",
  last_value: "overwrite",
  reducer: "aggregate",
};

export function canonicalKindWord(word: string): string {
  return KIND_CANONICAL[word] ?? word;
}

export function canonicalReducerWord(word: string): string {
  return REDUCER_CANONICAL[word] ?? word;
}

const UNITS: readonly [number, string][] = [
  [3_600_000, "h"],
  [60_000, "m"],
  [1000, "s"],
];

/**
 * A duration literal for `ms` milliseconds in the largest exact unit (`30000` → `30s`,
 * `90000` → `90s`, `120000` → `2m`), or undefined when `ms` is no whole number of ms.
 */
export function durationText(ms: number): string | undefined {
  if (!Number.isSafeInteger(ms) || ms < 0) return undefined;
  if (ms === 0) return "0s";
  for (const [size, unit] of UNITS) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(["START", "END", "true", "false", "null"]);

/** A name as source: bare when it is an identifier, else a quoted string (quoted names in `interrupt`/`join` lists). */
export function nameText(name: string): string {
  return IDENT.test(name) && !RESERVED.has(name) ? name : JSON.stringify(name);
}

/**
 * A string literal as source. The text between the quotes is kept byte for byte, so the
 * value (and a template's `{{ }}` parts) cannot change: `'…'` becomes `"…"` only when
 * its text holds neither `"` nor `\'` (which mean something else between double quotes);
 * `"…"` and `"""…"""` are written as they are.
 */
export function stringText(s: StringLiteral): string {
  if (s.quote !== "'") return s.raw;
  const inner = s.raw.slice(1, -1);
  if (inner.includes('"') || inner.includes("\\'")) return s.raw;
  return `"${inner}"`;
}
