/**
 * The fast parser's token positions (fast-expr.ts): a Position made once per token start
 * (or end) and shared by the spans that begin (or end) there — spans are immutable, and
 * the Chevrotain path's `joinSpans` shares positions too. Halves the objects of a large
 * AST, and so the collector's work.
 *
 * A direct-mapped cache of the last POSITION_CACHE tokens (slot `i & mask`, tagged with the
 * token index), not one slot per token: a span's tokens lie close together (an item, a
 * node), and two arrays as long as the token list (400k slots for a 10,000-node graph)
 * cost their allocation plus a remembered-set entry per store of a young position into
 * them. A span wider than the cache may get a second, equal Position for its first token;
 * the AST is the same.
 */
import type { Position } from "../span.js";

/** Most tokens a cache holds; a power of two. */
export const POSITION_CACHE = 1024;

/**
 * Where a PositionCache gets a Position it does not hold: an object with a method, not a
 * closure (a closure made per parse is a new call target each time, and code optimized
 * for the first parse's was thrown away at the second).
 */
export interface PositionSource {
  /** The Position of text offset `offset`. */
  positionAt(offset: number): Position;
}

export class PositionCache {
  private readonly positions: (Position | undefined)[];
  private readonly tags: Int32Array;
  /** The size minus one (a power of two minus one: a `{{ }}` fragment of few tokens gets a small cache). */
  private readonly mask: number;

  /**
   * @param offsets text offset of each token's start (or end)
   * @param tokens how many tokens there are (sizes the cache, at most POSITION_CACHE)
   * @param source gives the Position of a text offset
   */
  constructor(
    private readonly offsets: Int32Array,
    tokens: number,
    private readonly source: PositionSource,
  ) {
    let size = 8;
    while (size < tokens && size < POSITION_CACHE) size *= 2;
    this.mask = size - 1;
    this.positions = new Array<Position | undefined>(size).fill(undefined);
    this.tags = new Int32Array(size).fill(-1);
  }

  /** The Position of token `i`'s offset. */
  of(i: number): Position {
    const slot = i & this.mask;
    if (this.tags[slot] === i) return this.positions[slot]!;
    const p = this.source.positionAt(this.offsets[i]);
    this.tags[slot] = i;
    this.positions[slot] = p;
    return p;
  }
}
