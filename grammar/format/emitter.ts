/**
 * The formatter's output buffer: committed lines, the line being built, indentation
 * (two spaces per level), and the placement of the comments the lexer kept
 * (`Program.comments`, 0-based UTF-16 offsets).
 *
 * Comment placement follows the usual printer convention (Prettier, gofmt): a comment
 * that shares its source line with the end of the previous printed element stays at the
 * end of that line (a *trailing* comment); any other comment gets a line of its own
 * before the next element (a *leading* comment), or before the closing brace of the
 * group it sits in (a *dangling* comment). A comment inside an element that is printed
 * on one line (an expression, a type) moves to its own line just before that element.
 * Comments are emitted strictly in source order and never dropped.
 */
import type { Comment } from "../rag/lexer.js";

/** Two spaces per nesting level. */
const INDENT = "  ";

export class Emitter {
  private readonly out: string[] = [];
  private cur = "";
  private level = 0;
  /** Source offset where the content of the last committed line ends (for trailing comments). */
  private lastEnd = -1;
  /** Source offset of the end of the last emitted element or comment (for blank lines). */
  private prevEnd = 0;
  /** True right after an opening brace: no blank line may follow. */
  private groupStart = true;
  /** True when the next emission must be preceded by a blank line (between declarations). */
  private forceBlank = false;
  private next = 0;

  constructor(
    private readonly source: string,
    private readonly comments: readonly Comment[],
    /** Preferred maximum line width, in UTF-16 code units. */
    readonly width: number,
  ) {}

  /** Appends text to the line being built. */
  write(text: string): void {
    this.cur += text;
  }

  /** Current column of the line being built (0-based). */
  column(): number {
    const nl = this.cur.lastIndexOf("\n");
    return nl >= 0 ? this.cur.length - nl - 1 : this.level * INDENT.length + this.cur.length;
  }

  /** Commits the line being built; `srcEnd` is where its last element ends in the source. */
  newline(srcEnd: number): void {
    this.out.push(INDENT.repeat(this.level) + this.cur);
    this.cur = "";
    this.lastEnd = srcEnd;
    this.prevEnd = Math.max(this.prevEnd, srcEnd);
    this.groupStart = false;
  }

  /** Opens a broken group: the opening text ends the current line. */
  open(srcEnd: number): void {
    this.newline(srcEnd);
    this.level++;
    this.groupStart = true;
  }

  /** Closes a broken group: dangling comments before `closeOffset`, then `close` on its own line. */
  close(text: string, closeOffset: number): void {
    this.flush(closeOffset);
    this.level--;
    this.cur += text;
    this.prevEnd = Math.max(this.prevEnd, closeOffset + text.length);
  }

  /** Requests a blank line before the next emission (between top-level declarations). */
  blankBeforeNext(): void {
    this.forceBlank = true;
  }

  /** Before an element starting at `start`: keeps one blank line where the source had one or more. */
  separate(start: number): void {
    this.maybeBlank(start);
    this.groupStart = false;
    this.prevEnd = Math.max(this.prevEnd, start);
  }

  /** True when a comment lies in `[from, to)`. */
  hasCommentIn(from: number, to: number): boolean {
    for (let i = this.next; i < this.comments.length; i++) {
      const c = this.comments[i];
      if (c.start >= to) return false;
      if (c.start >= from) return true;
    }
    return false;
  }

  /** Emits every pending comment that starts before `upTo`. */
  flush(upTo: number): void {
    while (this.next < this.comments.length && this.comments[this.next].start < upTo) {
      const c = this.comments[this.next++];
      const trailing = this.cur === "" && this.out.length > 0 && this.out[this.out.length - 1] !== "" && this.lastEnd >= 0 && this.lastEnd <= c.start && /^[ \t,;]*$/.test(this.source.slice(this.lastEnd, c.start));
      if (trailing) {
        this.out[this.out.length - 1] += " " + c.text;
      } else {
        this.maybeBlank(c.start);
        this.out.push(INDENT.repeat(this.level) + c.text);
        this.groupStart = false;
      }
      this.lastEnd = c.end;
      this.prevEnd = Math.max(this.prevEnd, c.end);
    }
  }

  /** The formatted text: lines joined by `\n`, one final newline unless empty. */
  finish(): string {
    this.flush(Infinity);
    if (this.cur !== "") this.newline(this.source.length);
    while (this.out.length && this.out[this.out.length - 1] === "") this.out.pop();
    return this.out.length ? this.out.join("\n") + "\n" : "";
  }

  private maybeBlank(start: number): void {
    if (this.out.length === 0 || this.cur !== "") {
      this.forceBlank = false;
      return;
    }
    // Only a gap of pure whitespace counts: a comment hoisted out of an element has the
    // element's own text before it, and its line breaks are no blank line.
    const gap = this.source.slice(Math.min(this.prevEnd, start), start);
    const blank = this.forceBlank || (!this.groupStart && /^[\s,;]*$/.test(gap) && (gap.match(/\n/g)?.length ?? 0) >= 2);
    if (blank && this.out[this.out.length - 1] !== "") this.out.push("");
    this.forceBlank = false;
  }
}
