/**
 * Long source lines in a human report: a bounded slice around the span, with `…` where
 * the line was cut, and the caret's column counted in terminal cells (tabs expand to 4
 * spaces; wide characters — CJK, emoji — count two, via `string-width`). After rustc,
 * which also trims long lines around the annotated span.
 *
 * Without this a 15,000-character line under 50 diagnostics × 21 labels made a 750 KB
 * report (fuzz seed 7); with it every drawn source line is at most
 * {@link MAX_DRAWN_LINE_CELLS} cells plus two ellipses, whatever the file. The work is
 * proportional to the window, not the line.
 */
import stringWidth from "string-width";

/** Lines up to this many terminal cells are drawn whole. */
export const MAX_WHOLE_LINE_CELLS = 160;
/** Cells of context kept before the span in a windowed line. */
export const WINDOW_BEFORE_CELLS = 60;
/** Cells of the span itself kept in a windowed line (a longer span is cut). */
export const WINDOW_SPAN_CELLS = 60;
/** Cells of context kept after the span in a windowed line. */
export const WINDOW_AFTER_CELLS = 40;
/** The most cells of source drawn for one line (two ellipses aside). */
export const MAX_DRAWN_LINE_CELLS = Math.max(MAX_WHOLE_LINE_CELLS, WINDOW_BEFORE_CELLS + WINDOW_SPAN_CELLS + WINDOW_AFTER_CELLS);

const TAB = "    ";
const ELLIPSIS = "…";

/** One source line as drawn: `text` to print, and where the span's marks go (terminal cells). */
export interface DrawnLine {
  /** The slice of the line shown, tabs expanded, `…` at a cut end. */
  readonly text: string;
  /** Code-unit range `[from, to)` of the line that `text` shows. */
  readonly from: number;
  readonly to: number;
  /** Cells before the first mark. */
  readonly pad: number;
  /** Cells the marks cover (at least 1). */
  readonly marks: number;
}

const expand = (s: string) => s.replace(/\t/g, TAB);
const cells = (s: string) => stringWidth(expand(s));

/** One character's cells (a tab counts 4). */
function charCells(ch: string): number {
  return ch === "\t" ? TAB.length : stringWidth(ch);
}

/**
 * The code-unit index reached walking from `i` by whole characters in `direction`
 * until `budget` cells are covered (or the line ends); never splits a surrogate pair.
 */
function walk(line: string, i: number, direction: 1 | -1, budget: number): number {
  let used = 0;
  while (direction === 1 ? i < line.length : i > 0) {
    const cp = direction === 1 ? line.codePointAt(i)! : line.codePointAt(i - 1)!;
    let size = cp > 0xffff ? 2 : 1;
    if (direction === -1 && size === 1 && i >= 2) {
      const pair = line.codePointAt(i - 2)!;
      if (pair > 0xffff) size = 2;
    }
    const ch = direction === 1 ? line.slice(i, i + size) : line.slice(i - size, i);
    used += charCells(ch);
    if (used > budget) break;
    i += direction * size;
  }
  return i;
}

/** Whether `line` fits in `n` cells, looking at no more than about `n` characters. */
function fits(line: string, n: number): boolean {
  return line.length <= n && cells(line) <= n;
}

/**
 * The window of `line` around the span `[start, end)` (0-based code units within the
 * line; `end` may pass the line's end for a span that continues on later lines).
 * With `within`, that window is kept if it shows the span's start (several labels on
 * one line share one drawn line when they fit).
 */
export function windowLine(line: string, start: number, end: number, within?: { from: number; to: number }): DrawnLine {
  const s = Math.max(0, Math.min(start, line.length));
  const e = Math.max(s, Math.min(end, line.length));
  let from = 0;
  let to = line.length;
  if (within && within.from <= s && s <= within.to) ({ from, to } = within);
  else if (!fits(line, MAX_WHOLE_LINE_CELLS)) {
    from = walk(line, s, -1, WINDOW_BEFORE_CELLS);
    const spanEnd = Math.min(e, walk(line, s, 1, WINDOW_SPAN_CELLS));
    to = walk(line, spanEnd, 1, WINDOW_AFTER_CELLS);
  }
  const head = from > 0 ? ELLIPSIS : "";
  const tail = to < line.length ? ELLIPSIS : "";
  const pad = stringWidth(head) + cells(line.slice(from, Math.min(s, to)));
  const marks = Math.max(1, cells(line.slice(Math.min(s, to), Math.min(e, to))));
  return { text: head + expand(line.slice(from, to)) + tail, from, to, pad, marks };
}
