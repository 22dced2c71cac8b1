/** Deep freezing of state values (snapshots are immutable, `runtime.md` §1 step 3). */
import { freeze } from "immer";

/**
 * Freezes `v` and everything reachable from it, stopping at values that are already
 * frozen, and touching only what immer would freeze (`freeze(v, true)`: plain objects,
 * arrays, Maps and Sets; class instances such as Dates or typed arrays are left as they
 * are). A channel value that grows by a few items per superstep costs one
 * `Object.isFrozen` check per old item. Maps and Sets go to immer, which also makes
 * their mutators throw.
 */
export function deepFreeze<T>(v: T): T {
  if (v === null || typeof v !== "object" || Object.isFrozen(v)) return v;
  if (v instanceof Map || v instanceof Set) return freeze(v, true);
  if (!Array.isArray(v)) {
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null && (proto as { constructor?: unknown }).constructor !== Object) return v;
  }
  Object.freeze(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) deepFreeze(v[i]);
  } else {
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}
