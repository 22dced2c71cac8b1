/**
 * A `values` property read on first access (checkpoints and snapshots of a history
 * listing: their values are loaded only when read), made so that every object keeps
 * V8's fast properties. A getter made per object (`{ get values() { … } }` closing over
 * the loader) gives every object its own hidden class, and V8 keeps such objects as
 * property dictionaries: a 10,000-checkpoint history held 27 MB of them, which the
 * garbage collector copied again and again. Here the getter is one function for all, and
 * each object's loader is in a non-enumerable symbol property (spreads, `Object.keys`,
 * JSON and equality checks see `values` only).
 */

type Values = Readonly<Record<string, unknown>>;

/** The loader of an object's values, then (once called) what it returned. */
interface Lazy {
  load: (() => Values) | undefined;
  value: Values | undefined;
}

const LAZY = Symbol("lazy values");

function getValues(this: { readonly [LAZY]: Lazy }): Values {
  const s = this[LAZY];
  if (s.load !== undefined) {
    const load = s.load;
    s.value = load();
    s.load = undefined; // what it closes over (blob readers, rows) can go
  }
  return s.value!;
}

const VALUES: PropertyDescriptor = { get: getValues, enumerable: true, configurable: true };

/**
 * Adds to `o` an enumerable `values` accessor that calls `load` on its first read and
 * returns what it returned from then on; returns `o`. Add it at the same point of every
 * object's construction (objects built alike then share one hidden class). A `load` that
 * throws is called again at the next read.
 */
export function defineLazyValues<T extends object>(o: T, load: () => Values): T & { readonly values: Values } {
  Object.defineProperty(o, LAZY, { value: { load, value: undefined } satisfies Lazy });
  return Object.defineProperty(o, "values", VALUES) as T & { readonly values: Values };
}
