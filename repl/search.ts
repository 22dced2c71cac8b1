/**
 * Substring search for the string methods of a session, with its cost charged before
 * the work and the deadline honoured during it. V8's `indexOf` is Boyer–Moore based
 * (about linear), but its `lastIndexOf` compares naively: a 5,000,000-character
 * haystack and a 2,500,000-character needle take O(n·m) steps in one native call that
 * no deadline can interrupt. `lastIndexOf` here is Knuth–Morris–Pratt run backwards
 * (O(n + m), "Fast pattern matching in strings", SIAM J. Comput. 6(2), 1977), in slices
 * of `SLICE` characters between which the runtime checks its budgets and clock.
 */
import type { MethodRuntime } from "./method-runtime.js";
import type { Value } from "./values.js";

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

/** Below this many characters or items, native work (a comparison, a copy) is covered by the operation that started it. */
export const LONG = 256;

/**
 * The index of `x` in list `a`, first (`last`: the last) by strict equality, or by
 * SameValueZero with `zero` (what `includes` uses: `NaN` finds `NaN`); -1 when absent.
 * Charged as it goes: one unit per item before the scan, and — when `x` is a string of
 * more than 256 characters — its length before each comparison with a string of the same
 * length (the comparisons that read characters: strings of different lengths differ at
 * once). A list of long strings sharing a prefix cost one operation per 256 items before,
 * whatever their length.
 */
export function listIndexOf(rt: MethodRuntime, a: readonly Value[], x: Value, options: { readonly last?: boolean; readonly zero?: boolean } = {}): number {
  const n = a.length;
  rt.work(n);
  const long = typeof x === "string" && x.length > LONG ? x.length : 0;
  const nan = options.zero === true && typeof x === "number" && Number.isNaN(x);
  for (let k = 0; k < n; k++) {
    const i = options.last ? n - 1 - k : k;
    const v = a[i];
    if (long && typeof v === "string" && v.length === long) rt.work(long);
    if (v === x || (nan && typeof v === "number" && Number.isNaN(v))) return i;
  }
  return -1;
}

/**
 * Compares two sort keys (`<` order), charging the characters a comparison of two long
 * strings reads (the shorter one's length) before it compares them, and checking the
 * heap's headroom for a long key that may be a rope (`MethodRuntime.readChars`).
 */
export function compareKeys(rt: MethodRuntime, x: string, y: string): number {
  // A long key may be a rope the comparison copies flat (`MethodRuntime.readChars`).
  rt.readChars?.(x);
  rt.readChars?.(y);
  chargeCompare(rt, x, y);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Charges `n` characters or items of native work (a scan, a copy, a conversion) before it
 * runs, when it is longer than an operation covers (`LONG`).
 */
export function chargeLong(rt: MethodRuntime, n: number): void {
  if (n > LONG) rt.work(n);
}

/** Charges, as work, the characters a comparison of two strings reads when both are longer than `LONG` (the shorter one's length). */
export function chargeCompare(rt: MethodRuntime, x: string, y: string): void {
  if (x.length > LONG && y.length > LONG) rt.work(Math.min(x.length, y.length));
}
