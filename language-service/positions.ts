/**
 * Conversions between the compiler's spans (1-based line/column, 0-based offsets) and
 * LSP-shaped ranges (0-based line/character). Both count UTF-16 code units.
 */
import type { LineIndex, Span } from "../grammar/index.js";
import type { LsPosition, LsRange } from "./types.js";

/** The LSP range of a compiler span. */
export function toRange(span: Span): LsRange {
  return { start: { line: span.start.line - 1, character: span.start.column - 1 }, end: { line: span.end.line - 1, character: span.end.column - 1 } };
}

/** The range `[start, end)` of offsets. */
export function offsetsToRange(lines: LineIndex, start: number, end: number): LsRange {
  return toRange(lines.span(start, end));
}

/** The offset of an LSP position, clamped to the line and the text. */
export function toOffset(lines: LineIndex, p: LsPosition): number {
  const line = Math.max(0, Math.min(p.line, lines.lineCount - 1));
  const start = lineStart(lines, line);
  const len = lines.lineText(line + 1).length;
  return start + Math.max(0, Math.min(p.character, len));
}

/** Offset where 0-based `line` starts. */
function lineStart(lines: LineIndex, line: number): number {
  // LineIndex keeps its line starts private: binary-search the first offset on `line`
  // (O(log² n), no copy of the table).
  let lo = 0;
  let hi = lines.text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lines.position(mid).line - 1 < line) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The whole text as one range. */
export function fullRange(lines: LineIndex): LsRange {
  return offsetsToRange(lines, 0, lines.text.length);
}

/** True when `offset` lies in `span`, ends included (a cursor right after a name is on it). */
export function spanContains(span: Span, offset: number): boolean {
  return span.start.offset <= offset && offset <= span.end.offset;
}
