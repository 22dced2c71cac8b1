/**
 * The keys of a session record, with the native pass that lists them charged as work
 * (`KEY_LIST_WORK` units a key).
 * `Object.keys` of a record is one native call, O(keys), that no deadline interrupts;
 * V8 keeps no key count, so the size is known only by listing the keys. A record of more
 * than `CHARGED_KEYS` keys is remembered with its count (weakly: a record no one holds is
 * forgotten): a later listing of the same record is charged that count before it runs,
 * and any growth since right after. Only the first listing of a large record is charged
 * after it runs — one pass, bounded by what the session built it with — and
 * `MethodRuntime.work` reads the clock as it charges, so a loop of listings stops at the
 * operation budget or the deadline, not every 1,024 operations (a loop of `len()` on a
 * 510,000-key record ran 58 s past a 20 s deadline when nothing was charged).
 */
import { KEY_LIST_WORK } from "./costs.js";
import type { MethodRuntime } from "./method-runtime.js";
import { LONG } from "./search.js";

/** Most keys listed without a charge: the operation that started the listing covers them. */
const CHARGED_KEYS = LONG / KEY_LIST_WORK;

/** Key counts of the large records listed so far. */
const counts = new WeakMap<object, number>();

/**
 * `Object.keys(o)` of a record (or any plain object a script holds), charged:
 * `KEY_LIST_WORK` units of work a key, before the pass for a record listed before (its
 * last count).
 *
 * @throws LimitError `E-ragsh-operation-limit` / `E-ragsh-timeout` (from `rt.work`).
 */
export function recordKeys(rt: MethodRuntime, o: object): string[] {
  const before = counts.get(o);
  if (before !== undefined) rt.work(before * KEY_LIST_WORK);
  const keys = Object.keys(o);
  const n = keys.length;
  if (n > CHARGED_KEYS) {
    if (before === undefined || n > before) rt.work((n - (before ?? 0)) * KEY_LIST_WORK);
    counts.set(o, n);
  } else if (before !== undefined) counts.delete(o);
  return keys;
}
