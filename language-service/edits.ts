/**
 * A whole-text change as one small edit: the range between the common prefix and the
 * common suffix of the old and new text. Editors keep the cursor and folds outside it.
 */
import type { LineIndex } from "../grammar/index.js";
import { offsetsToRange } from "./positions.js";
import type { LsTextEdit } from "./types.js";

/** Edits turning `lines.text` into `next` (none when equal). */
export function diffEdits(lines: LineIndex, next: string): LsTextEdit[] {
  const prev = lines.text;
  if (prev === next) return [];
  let start = 0;
  const max = Math.min(prev.length, next.length);
  while (start < max && prev.charCodeAt(start) === next.charCodeAt(start)) start++;
  let endPrev = prev.length;
  let endNext = next.length;
  while (endPrev > start && endNext > start && prev.charCodeAt(endPrev - 1) === next.charCodeAt(endNext - 1)) {
    endPrev--;
    endNext--;
  }
  // Keep surrogate pairs whole: never split between a high and a low surrogate.
  if (start > 0 && isHigh(prev.charCodeAt(start - 1))) start--;
  if (endPrev < prev.length && isLow(prev.charCodeAt(endPrev))) {
    endPrev++;
    endNext++;
  }
  return [{ range: offsetsToRange(lines, start, endPrev), newText: next.slice(start, endNext) }];
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;
