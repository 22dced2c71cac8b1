/**
 * `formatSource`: the formatter behind `rag fmt`, with its safety net. It prints with
 * `formatRag` (grammar/), then checks the result before anyone writes it:
 * the output parses without errors, holds the same comments in the same order, reports
 * the same error codes, and every graph lowers to the same blueprint hash (`language.md`
 * §7: reformatting never changes the hash). If any check fails, the source is refused
 * with `E-rag-fmt-unverified` instead of emitting code whose meaning changed.
 */
import { diagnostic, type Diagnostic } from "../grammar/diagnostic.js";
import { formatRag, type FormatOptions, type FormatResult } from "../grammar/format/index.js";
import { parseRag } from "../grammar/rag/parse.js";
import { pointSpan } from "../grammar/span.js";
import { compile } from "./compile.js";

export interface FormatSourceOptions extends FormatOptions {
  /** The printer to verify (tests inject a faulty one); default `formatRag`. */
  readonly printer?: (source: string, options: FormatOptions) => FormatResult;
}

/** Formats `.rag` source; `value` is undefined (with diagnostics) when the source is refused. */
export function formatSource(source: string, options: FormatSourceOptions = {}): FormatResult {
  const { printer = formatRag, ...opts } = options;
  const printed = printer(source, opts);
  if (printed.value === undefined) return printed;
  const problem = verify(source, printed.value);
  if (problem === undefined) return printed;
  const at = pointSpan({ line: 1, column: 1, offset: 0 });
  const d: Diagnostic = diagnostic("E-rag-fmt-unverified", `formatting was not applied: ${problem}`, at, {
    ...(options.file !== undefined ? { file: options.file } : {}),
    label: "file left unchanged",
    help: "this is a formatter bug; please report it with this file",
  });
  return { value: undefined, diagnostics: [d] };
}

/** Why `out` is not a faithful reformatting of `source`, or undefined when it is. */
function verify(source: string, out: string): string | undefined {
  const before = compile(source);
  const after = compile(out);
  const syntax = parseRag(out).diagnostics.filter((d) => d.severity === "error");
  if (syntax.length) return `the output does not parse (${syntax[0].code} at ${syntax[0].span.start.line}:${syntax[0].span.start.column})`;
  const c1 = before.value.program.comments.map((c) => c.text);
  const c2 = after.value.program.comments.map((c) => c.text);
  if (c1.length !== c2.length || c1.some((t, i) => t !== c2[i])) return "a comment would be lost or changed";
  const codes = (ds: readonly Diagnostic[]) => ds.filter((d) => d.severity === "error").map((d) => d.code).sort().join(",");
  if (codes(before.diagnostics) !== codes(after.diagnostics)) return "the diagnostics would change";
  const hashes = (bps: readonly { id: string; hash: string }[]) => bps.map((b) => `${b.id}=${b.hash}`).join(",");
  if (hashes(before.value.blueprints) !== hashes(after.value.blueprints)) return "a blueprint hash would change";
  return undefined;
}
