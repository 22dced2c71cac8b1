/**
 * Which lists an append-like reducer built by appending to another list (`append`, and
 * `messages` when no message was replaced in place), so checkpointers can store a grown
 * list as its appended tail without comparing every item (`checkpoint/blobs.ts`); a list
 * not recorded here is compared item by item.
 *
 * Each recorded list carries a chain token and its length. A list's first appended
 * child inherits the token; any later child of the same list (a fork) starts a new chain,
 * so the lists of one token form a single line of appends, in which a shorter list is
 * always a prefix of a longer one. No record refers to another list: recording never
 * keeps an old list alive.
 */

interface Link {
  readonly chain: number;
  readonly length: number;
  /** True once a list was appended to this one (a further child starts a new chain). */
  extended: boolean;
}

const links = new WeakMap<readonly unknown[], Link>();
let chains = 0;

/** Records that `out` starts with every item of `base` (same values, same order); both are frozen. */
export function recordAppend(out: readonly unknown[], base: readonly unknown[]): void {
  if (!Object.isFrozen(base)) return;
  const parent = links.get(base);
  if (!parent) {
    const chain = ++chains;
    links.set(base, { chain, length: base.length, extended: true });
    links.set(out, { chain, length: out.length, extended: false });
  } else if (!parent.extended) {
    parent.extended = true;
    links.set(out, { chain: parent.chain, length: out.length, extended: false });
  } else {
    // A second child of `base` (a fork): a chain of its own, compared item by item against `base`'s line.
    links.set(out, { chain: ++chains, length: out.length, extended: false });
  }
}

/** True when the reducers' records show that `next` starts with every item of `prev`. */
export function appendedFrom(next: readonly unknown[], prev: readonly unknown[]): boolean {
  const a = links.get(prev);
  const b = links.get(next);
  return a !== undefined && b !== undefined && a.chain === b.chain && a.length <= b.length;
}
