/**
 * The `rag:generated-by` pragma: a generator (an LLM authoring loop, the REPL, a tool)
 * marks the file it writes, so every later `compile` records who wrote it in the
 * blueprint's `provenance` (outside the hash) and policy can treat it as untrusted:
 *
 *     // rag:generated-by model author=gpt-4o-mini at=2026-05-01T10:00:00Z note="first draft"
 *
 * The first word is `generatedBy` (`model`, `repl`, `builder`, `human`, …); `author`,
 * `at` (ISO-8601, recorded as `createdAt`) and `note` are optional `key=value` pairs
 * (values may be double-quoted). Only line comments before the first declaration count.
 * An explicit `compile(source, { provenance })` takes precedence over the pragma.
 */
import type { Comment } from "../grammar/rag/ast.js";
import type { Provenance } from "./blueprint.js";

const PRAGMA = /^\/\/\s*rag:generated-by\s+([A-Za-z0-9_.-]+)(.*)$/;
const PAIR = /([a-z]+)=("(?:[^"\\]|\\.)*"|\S+)/g;

/** Provenance from the pragma among `comments` that precede offset `before`, if any. */
export function provenanceFromComments(comments: readonly Comment[], before: number): Provenance | undefined {
  for (const c of comments) {
    if (c.start >= before) break;
    if (c.kind !== "line") continue;
    const m = PRAGMA.exec(c.text.trim());
    if (!m) continue;
    const out: { generatedBy: string; author?: string; createdAt?: string; note?: string } = { generatedBy: m[1] };
    for (const [, key, raw] of m[2].matchAll(PAIR)) {
      const value = raw.startsWith('"') ? unquote(raw) : raw;
      if (key === "author") out.author = value;
      else if (key === "at") out.createdAt = value;
      else if (key === "note") out.note = value;
    }
    return out;
  }
  return undefined;
}

/**
 * Provenance from the pragma in the leading comment lines of a text whose comments are
 * `//` lines (a `.ragsh` script): blank lines and `//` lines are read until the first
 * other line (at most the first 64 lines). For files the `.rag` parser does not read.
 */
export function provenanceFromText(text: string): Provenance | undefined {
  const comments: Comment[] = [];
  let at = 0;
  for (let line = 0; line < 64 && at < text.length; line++) {
    const nl = text.indexOf("\n", at);
    const end = nl < 0 ? text.length : nl;
    const t = text.slice(at, end).trim();
    if (t !== "" && !t.startsWith("//")) break;
    if (t.startsWith("//")) comments.push({ kind: "line", text: t, start: at, end });
    at = end + 1;
  }
  return provenanceFromComments(comments, Infinity);
}

function unquote(raw: string): string {
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw.slice(1, -1);
  }
}

/** The pragma line for `p` (what a generator writes at the top of its file). */
export function provenancePragma(p: Provenance): string {
  const q = (v: string) => (/^[^\s"]+$/.test(v) ? v : JSON.stringify(v));
  return `// rag:generated-by ${p.generatedBy}${p.author ? ` author=${q(p.author)}` : ""}${p.createdAt ? ` at=${q(p.createdAt)}` : ""}${p.note ? ` note=${q(p.note)}` : ""}`;
}
