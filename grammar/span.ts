/**
 * Source positions and spans shared by every stage.
 *
 * Units: `line` and `column` are 1-based; `column` and `offset` count UTF-16 code
 * units (the unit of JavaScript strings and of the Language Server Protocol's default
 * position encoding). `offset` is 0-based. A span's `end` is exclusive.
 */

/** A point in a source file. */
export interface Position {
  /** 1-based line number. */
  readonly line: number;
  /** 1-based column, in UTF-16 code units. */
  readonly column: number;
  /** 0-based offset from the start of the source, in UTF-16 code units. */
  readonly offset: number;
}

/** A half-open range `[start, end)` of a source file. */
export interface Span {
  readonly start: Position;
  readonly end: Position;
}

/**
 * Maps offsets to line/column positions for one source text. Building it is O(n) once;
 * each lookup is O(log lines).
 */
export class LineIndex {
  /** Offsets at which each line starts; `lineStarts[0] === 0`. */
  private readonly lineStarts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    if (text.indexOf("\r") < 0) {
      // No carriage return (most files): the line feeds, found by indexOf, which scans
      // far faster than a loop over every code unit.
      for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
      this.lineStarts = starts;
      return;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 /* \n */) starts.push(i + 1);
      else if (c === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.lineStarts = starts;
  }

  /** The line (0-based) of the last lookup: the front end asks in source order, mostly on the same or the next line. */
  private hint = 0;

  /** Position of `offset` (clamped to the text). */
  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    const starts = this.lineStarts;
    const h = this.hint;
    if (starts[h] <= o) {
      // the hinted line or the next one: no search
      if (h + 1 >= starts.length || o < starts[h + 1]) return { line: h + 1, column: o - starts[h] + 1, offset: o };
      if (h + 2 >= starts.length || o < starts[h + 2]) {
        this.hint = h + 1;
        return { line: h + 2, column: o - starts[h + 1] + 1, offset: o };
      }
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    this.hint = lo;
    return { line: lo + 1, column: o - starts[lo] + 1, offset: o };
  }

  /** Span covering `[start, end)`. */
  span(start: number, end: number): Span {
    return { start: this.position(start), end: this.position(Math.max(start, end)) };
  }

  /** The text of 1-based `line`, without its line terminator. */
  lineText(line: number): string {
    const start = this.lineStarts[line - 1];
    if (start === undefined) return "";
    const next = this.lineStarts[line];
    let end = next === undefined ? this.text.length : next;
    while (end > start && (this.text[end - 1] === "\n" || this.text[end - 1] === "\r")) end--;
    return this.text.slice(start, end);
  }

  /** Number of lines (a trailing newline starts one more, empty line). */
  get lineCount(): number {
    return this.lineStarts.length;
  }
}

/** The smallest span covering both `a` and `b`. */
export function joinSpans(a: Span, b: Span): Span {
  return {
    start: a.start.offset <= b.start.offset ? a.start : b.start,
    end: a.end.offset >= b.end.offset ? a.end : b.end,
  };
}

/** A zero-width span at `p`. */
export function pointSpan(p: Position): Span {
  return { start: p, end: p };
}
