/**
 * Which lists an append-like reducer built by appending to another list (`append`, and
 * `messages` when no message was replaced in place): `appendedTo(out)` is the list `out`
 * starts with, item for item. Checkpointers use it to store a grown list as its appended
 * tail without comparing every item (`checkpoint/blobs.ts`); a list not recorded here is
 * compared item by item as before.
 */

const bases = new WeakMap<readonly unknown[], readonly unknown[]>();

/** Records that `out` starts with every item of `base` (same values, same order). */
export function recordAppend(out: readonly unknown[], base: readonly unknown[]): void {
  bases.set(out, base);
}

/**
 * True when `next` was built from `prev` by appending, following at most `maxLinks`
 * recorded appends (a channel written in several steps between two stored checkpoints).
 */
export function appendedFrom(next: readonly unknown[], prev: readonly unknown[], maxLinks = 16): boolean {
  let at: readonly unknown[] | undefined = next;
  for (let i = 0; i < maxLinks && at; i++) {
    at = bases.get(at);
    if (at === prev) return true;
  }
  return false;
}
