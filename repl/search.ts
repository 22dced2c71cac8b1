/**
 * Substring search for the string methods of a session, with its cost charged before
 * the work and the deadline honoured during it. V8's `indexOf` is Boyer–Moore based
 * (about linear), but its `lastIndexOf` compares naively: a 5,000,000-character
 * haystack and a 2,500,000-character needle take O(n·m) steps in one native call that
 * no deadline can interrupt. `lastIndexOf` here is Knuth–Morris–Pratt run backwards
 * (O(n + m), "Fast pattern matching in strings", SIAM J. Comput. 6(2), 1977), in slices
 * of `SLICE` characters between which the runtime checks its budgets and clock.
 */
import type { MethodRuntime } from "./methods.js";

/** Characters scanned between two checks of the clock. */
const SLICE = 1 << 16;
/** Below this haystack × needle product, the native search is fast enough to run in one go. */
const NATIVE_PRODUCT = 1 << 22;

/** `h.indexOf(n, from)`, charged for a scan of the haystack. */
export function indexOf(rt: MethodRuntime, h: string, n: string, from = 0): number {
  rt.work(h.length - Math.max(0, from) + n.length);
  return h.indexOf(n, from);
}

/** `h.lastIndexOf(n)`: native for small inputs, else backward KMP with the clock checked every `SLICE` characters. */
export function lastIndexOf(rt: MethodRuntime, h: string, n: string): number {
  const len = h.length;
  const m = n.length;
  rt.work(len + m);
  if (m === 0) return len;
  if (m > len) return -1;
  if (len * m <= NATIVE_PRODUCT) return h.lastIndexOf(n);
  // The failure table of the reversed needle: 4 bytes per needle character.
  rt.alloc(m * 4);
  const fail = new Int32Array(m);
  const rn = (j: number) => n.charCodeAt(m - 1 - j);
  for (let i = 1, k = 0; i < m; i++) {
    if ((i & (SLICE - 1)) === 0) rt.work(SLICE);
    while (k > 0 && rn(i) !== rn(k)) k = fail[k - 1];
    if (rn(i) === rn(k)) k++;
    fail[i] = k;
  }
  for (let i = 0, k = 0; i < len; i++) {
    if ((i & (SLICE - 1)) === 0 && i) rt.work(SLICE);
    const c = h.charCodeAt(len - 1 - i);
    while (k > 0 && c !== rn(k)) k = fail[k - 1];
    if (c === rn(k)) k++;
    if (k === m) return len - 1 - i;
  }
  return -1;
}

/** Non-overlapping occurrences of `n` in `h` (what `split` and `replaceAll` see); an empty `n` occurs `h.length + 1` times. */
export function countOccurrences(rt: MethodRuntime, h: string, n: string): number {
  rt.work(h.length + n.length);
  if (n === "") return h.length + 1;
  let count = 0;
  for (let i = h.indexOf(n); i >= 0; i = h.indexOf(n, i + n.length)) count++;
  return count;
}
