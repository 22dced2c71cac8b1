/**
 * Formatting: the compiler's verified formatter (`formatSource`, the one behind
 * `rag fmt`). A file with syntax errors, or one the formatter cannot verify, is left as
 * it is (no edits): formatting never changes meaning.
 */
import { formatSource } from "../compiler/index.js";
import type { Document } from "./document.js";
import { diffEdits } from "./edits.js";
import type { LsFormattingOptions, LsTextEdit } from "./types.js";

export function formatDocument(doc: Document, options: LsFormattingOptions = {}): LsTextEdit[] {
  const r = formatSource(doc.text, options.width !== undefined ? { width: options.width } : {});
  return r.value === undefined ? [] : diffEdits(doc.lines, r.value);
}
