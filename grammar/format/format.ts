/**
 * `formatRag`: `.rag` source → canonical source (`rag fmt`). A file with syntax errors is
 * refused: the result carries the parser's diagnostics and no text, because a printer
 * working from a recovered tree could drop or invent code. The compiler's
 * `formatSource` adds the semantic check (same blueprint hashes, same comments).
 */
import type { Diagnostic } from "../diagnostic.js";
import { parseRag } from "../rag/parse.js";
import { printProgram, type PrintOptions } from "./printer.js";

export interface FormatOptions extends PrintOptions {
  /** File name used in diagnostics. */
  readonly file?: string;
}

export interface FormatResult {
  /** The formatted text; undefined when the source was refused. */
  readonly value: string | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

export function formatRag(source: string, options: FormatOptions = {}): FormatResult {
  const parsed = parseRag(source, options.file !== undefined ? { file: options.file } : {});
  const errors = parsed.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) return { value: undefined, diagnostics: errors };
  return { value: printProgram(parsed.value, source, options), diagnostics: [] };
}
