/**
 * Names listed in a diagnostic's help or label, bounded: at most `max` of them, in the
 * order given, quoted, then how many more there are. A help that listed every node of
 * the graph was built once per diagnostic — 5,000 nodes and 20,000 route targets that do
 * not exist (a 640 kB file) built gigabytes of help text and ran `rag check` out of heap
 * (red team 13).
 */

/** Names shown at most by `nameList` (the rest are counted). */
export const MAX_LISTED_NAMES = 20;

/**
 * "`a`, `b`, `c`" — or "`a`, …, `t` and 980 more" past `max`. `size` is how many `names`
 * holds (a Set's or Map's `size`, an array's `length`); `names` is read only up to `max`.
 */
export function nameList(names: Iterable<string>, size: number, max = MAX_LISTED_NAMES): string {
  const shown: string[] = [];
  for (const n of names) {
    if (shown.length >= max) break;
    shown.push(`\`${n}\``);
  }
  const more = size - shown.length;
  return shown.join(", ") + (more > 0 ? ` and ${more} more` : "");
}
