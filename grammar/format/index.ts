/** The `.rag` formatter (pretty printer) and the canonical spellings it writes. */
export { formatRag, type FormatOptions, type FormatResult } from "./format.js";
export { printProgram, type PrintOptions } from "./printer.js";
export { KIND_CANONICAL, REDUCER_CANONICAL, durationText } from "./canonical.js";
