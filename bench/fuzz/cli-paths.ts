/**
 * Properties of the CLI's paths for any input text (issue 10 §3), checked in-process on
 * the same functions the commands call (spawning 100,000 processes would measure Node's
 * start-up, not ragraph):
 *
 * - `rag check` (human): the report renders, and is bounded (≤ MAX_REPORT_CHARS);
 *   `--format json`: every diagnostic serialises.
 * - `rag check --fix`: settles — fixing the fixed text again changes nothing.
 * - `rag fmt`: formatting a formatted file changes nothing.
 * - `rag graph`: every blueprint renders as Mermaid and DOT.
 * - `--input`/`--context` JSON (mutated, see `mutantJson`): parses or fails with
 *   UnsafeJsonError only; what parses has null-prototype objects and prints (boundedJson).
 * - ids and names printed by `rag runs`: `printableId` leaves no control character.
 */
import { diagnosticToJson, exportGraph, fixAll, formatSource, renderDiagnostics, type Blueprint, type CompileOptions } from "../../compiler/index.js";
import type { Diagnostic } from "../../grammar/index.js";
import { LineIndex } from "../../grammar/span.js";
import { parseUntrustedJson, UnsafeJsonError } from "../../runtime/safe-json.js";
import { boundedJson, hasControlChars, printableId } from "../../stdlib/printable.js";
import type { Problem, ProblemKind } from "./problem.js";
import { rng } from "./mutate.js";

/** Largest human report accepted for one input (characters). */
export const MAX_REPORT_CHARS = 512 * 1024;

const fail = (kind: ProblemKind, e: unknown): Problem => ({ kind, detail: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ""}` : String(e) });

/** The CLI paths' properties for one `.rag` text; `ds`/`blueprints` are its compile result. */
export function checkCliPaths(src: string, ds: readonly Diagnostic[], blueprints: readonly Blueprint[], options: CompileOptions, index: number): Problem | undefined {
  try {
    const report = renderDiagnostics(ds, { lines: new LineIndex(src), file: "fuzz.rag" });
    if (report.length > MAX_REPORT_CHARS) return { kind: "report-size", detail: `${report.length} characters for ${ds.length} diagnostics` };
  } catch (e) {
    return fail("render", e);
  }
  try {
    JSON.stringify(ds.map((d) => diagnosticToJson(d, "fuzz.rag")));
  } catch (e) {
    return fail("json", e);
  }
  const graphs = new Map(blueprints.map((b) => [b.id, b] as const));
  try {
    for (const bp of blueprints.slice(0, 4)) {
      exportGraph(bp, "mermaid", { graphs });
      exportGraph(bp, "dot", { graphs });
    }
  } catch (e) {
    return fail("graph", e);
  }
  // --fix and fmt are costlier: every 5th input.
  if (index % 5 === 0 && ds.some((d) => d.fixes.length)) {
    try {
      const once = fixAll(src, options);
      const twice = fixAll(once.text, options);
      if (twice.text !== once.text) return { kind: "fix-unsettled", detail: `a second --fix changed the text again (${twice.applied.map((a) => a.code).join(", ")})` };
    } catch (e) {
      return fail("fix-unsettled", e);
    }
  }
  if (index % 5 === 1) {
    try {
      const once = formatSource(src);
      if (once.value !== undefined) {
        const twice = formatSource(once.value);
        if (twice.value !== once.value) return { kind: "fmt-unstable", detail: "formatting the formatted text changed it" };
      }
    } catch (e) {
      return fail("fmt-unstable", e);
    }
  }
  return checkInputJson(mutantJson(index), index) ?? checkPrintable(src);
}

/** `--input` text: parses (null-prototype objects) or is refused with UnsafeJsonError; what parses prints. */
function checkInputJson(text: string, index: number): Problem | undefined {
  let value: unknown;
  try {
    value = parseUntrustedJson(text);
  } catch (e) {
    return e instanceof UnsafeJsonError ? undefined : fail("input-json", e);
  }
  try {
    const stack: unknown[] = [value];
    let seen = 0;
    while (stack.length && seen++ < 100_000) {
      const v = stack.pop();
      if (v === null || typeof v !== "object") continue;
      if (!Array.isArray(v) && Object.getPrototypeOf(v) !== null) return { kind: "input-json", detail: `input #${index}: an object with a prototype came out of parseUntrustedJson` };
      for (const x of Object.values(v)) stack.push(x);
    }
    boundedJson(value, 2);
  } catch (e) {
    return fail("input-json", e);
  }
  return undefined;
}

function checkPrintable(src: string): Problem | undefined {
  const id = printableId(src.slice(0, 200));
  return hasControlChars(id) ? { kind: "printable", detail: JSON.stringify(id) } : undefined;
}

const JSON_PIECES = ['{"a":', "[", "]", "}", '"__proto__"', '"constructor":', '{"prototype":{}}', '"\\u0000"', '"\\u001b[2J"', "1e999", "-0", "9".repeat(400), '"x', "\\", ",", ":", "null", "true", '"é"', '"\\ud800"'];

/** The `index`-th mutated `--input` text: a valid object, then nested, spliced and broken pieces. */
export function mutantJson(index: number): string {
  const r = rng(index * 7919 + 13);
  let s = JSON.stringify({ request: "hello", items: [1, 2, 3], nested: { k: ["v"] } });
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * (s.length + 1));
    const piece = JSON_PIECES[Math.floor(r() * JSON_PIECES.length)]!;
    const times = r() < 0.05 ? 1 + Math.floor(r() * 20_000) : 1 + Math.floor(r() * 4);
    if (r() < 0.3) {
      // Deep but balanced nesting around the value.
      const open = piece === "[" ? "[" : '{"a":';
      const close = piece === "[" ? "]" : "}";
      s = open.repeat(times) + s + close.repeat(times);
    } else s = s.slice(0, at) + piece.repeat(times) + s.slice(at);
  }
  return s;
}
