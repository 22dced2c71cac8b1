/**
 * The fixed safe list of methods on strings, lists, objects and numbers (`repl.md` §1),
 * and the standard namespaces (`Math`, `JSON`, `Object`, `Array`) and conversion
 * functions. Each is written here against script values; none hands a host object to a
 * script. Methods that call script functions (`map`, `filter`, `reduce` …) are
 * generators driven by the interpreter, so a callback may call capabilities.
 * Every string or list a method builds is charged to the cell's memory budget.
 */
import { KEY_WRITE_WORK } from "./costs.js";
import { ScriptError } from "./errors.js";
import type { MethodRuntime } from "./method-runtime.js";
import { chargeLong, compareKeys, countOccurrences, indexOf, lastIndexOf, listIndexOf } from "./search.js";
import { cellCharge, fromHost, jsonContainerBytes, toHost } from "./boundary.js";
import { recordKeys } from "./record-keys.js";
import { describeType, isForbiddenKey, isRecord, Namespace, NativeFunction, newRecord, toInteger, toNum, toStr, truthy, type CallBack, isSuspended, type ScriptRecord, type Value } from "./values.js";

type Sync = (self: never, args: Value[], rt: MethodRuntime) => Value;
type Gen = (self: never, args: Value[], rt: MethodRuntime, call: CallBack) => Generator<Promise<unknown>, Value, unknown>;
export interface Method {
  readonly sync?: Sync;
  readonly gen?: Gen;
}

const str = (a: Value, what: string): string => {
  if (typeof a !== "string") throw new ScriptError("E-ragsh-type-error", `${what} must be a string, not ${describeType(a)}`);
  return a;
};
/** An integer argument (no host conversion, charged, clamped to ±2^53); the default when missing. */
const int = toInteger;
const fn = (a: Value, what: string): Value => {
  if (!(a instanceof NativeFunction) && !(typeof a === "object" && a !== null && "params" in a)) throw new ScriptError("E-ragsh-type-error", `${what} needs a function, not ${describeType(a)}`);
  return a;
};
/** Scratch slot for a callback's result (read right after it is written, before any yield). */
let R: Value | Generator<Promise<unknown>, Value, unknown>;
const grow = (rt: MethodRuntime, s: string) => (rt.alloc(s.length * 2), s);
/** A string a native parser scans (`parseInt`, `parseFloat`): a long one is charged as work first. */
const scanned = (rt: MethodRuntime, s: string) => (chargeLong(rt, s.length), s);
const list = (rt: MethodRuntime, xs: Value[]) => (rt.alloc(xs.length * 8), xs);

/** `[from, to)` of `slice(a, b)` on a string or list of length `len` (negative from the end, clamped), as JavaScript takes them. */
function sliceBounds(rt: MethodRuntime, len: number, a: Value, b: Value): [number, number] {
  const at = (x: number) => (x < 0 ? Math.max(len + x, 0) : Math.min(x, len));
  const from = at(int(a, 0, rt));
  const to = b === undefined ? len : at(int(b, 0, rt));
  return [from, Math.max(from, to)];
}

/** `[from, to)` of `substring(a, b)` (clamped to the string, swapped when reversed), as JavaScript takes them. */
function substringBounds(rt: MethodRuntime, len: number, a: Value, b: Value): [number, number] {
  const at = (x: number) => Math.max(0, Math.min(x, len));
  const x = at(int(a, 0, rt));
  const y = b === undefined ? len : at(int(b, 0, rt));
  return x <= y ? [x, y] : [y, x];
}

/**
 * A record's values, or its `[key, value]` pairs (`pairs`): the listing charged
 * (`recordKeys`), the list's slots (and the pairs) before they are built.
 */
function recordItems(rt: MethodRuntime, o: ScriptRecord, pairs: boolean): Value[] {
  const keys = recordKeys(rt, o);
  rt.alloc(keys.length * (pairs ? 32 : 8));
  chargeLong(rt, keys.length);
  return pairs ? keys.map((k) => [k, o[k]]) : keys.map((k) => o[k]);
}

/**
 * `padStart`/`padEnd`: the length and the filler are converted (and charged) first, then
 * the padded string's bytes are charged before it is built. A length at or below the
 * string's (negative, NaN, -Infinity) returns the string unchanged and charges nothing.
 */
function pad(rt: MethodRuntime, s: string, n: Value, p: Value, end: boolean): string {
  const len = int(n, 0, rt);
  const filler = p === undefined ? " " : toStr(p, rt);
  if (len <= s.length || filler === "") return s;
  rt.alloc(len * 2);
  return end ? s.padEnd(len, filler) : s.padStart(len, filler);
}

const STRING: Readonly<Record<string, Method>> = {
  split: {
    sync: (s: string, [sep, limit], rt) => {
      if (sep === undefined) return list(rt, [s]);
      const p = str(sep, "the separator of `split`");
      // Charged before splitting: one list slot per piece, and the pieces' characters.
      const pieces = countOccurrences(rt, s, p) + 1;
      rt.alloc(pieces * 8 + s.length * 2);
      return s.split(p, limit === undefined ? undefined : int(limit, 0, rt));
    },
  },
  trim: { sync: (s: string, _a, rt) => (rt.work(s.length), s.trim()) },
  trimStart: { sync: (s: string, _a, rt) => (rt.work(s.length), s.trimStart()) },
  trimEnd: { sync: (s: string, _a, rt) => (rt.work(s.length), s.trimEnd()) },
  // The piece's size is known from its bounds: charged before it is cut.
  slice: { sync: (s: string, [a, b], rt) => { const [from, to] = sliceBounds(rt, s.length, a, b); rt.alloc((to - from) * 2); return s.slice(from, to); } },
  substring: { sync: (s: string, [a, b], rt) => { const [from, to] = substringBounds(rt, s.length, a, b); rt.alloc((to - from) * 2); return s.slice(from, to); } },
  includes: { sync: (s: string, [x], rt) => indexOf(rt, s, toStr(x, rt)) >= 0 },
  contains: { sync: (s: string, [x], rt) => indexOf(rt, s, toStr(x, rt)) >= 0 },
  startsWith: { sync: (s: string, [x], rt) => { const n = toStr(x, rt); rt.work(n.length); return s.startsWith(n); } },
  endsWith: { sync: (s: string, [x], rt) => { const n = toStr(x, rt); rt.work(n.length); return s.endsWith(n); } },
  indexOf: { sync: (s: string, [x, from], rt) => indexOf(rt, s, toStr(x, rt), int(from, 0, rt)) },
  lastIndexOf: { sync: (s: string, [x], rt) => lastIndexOf(rt, s, toStr(x, rt)) },
  toUpperCase: { sync: (s: string, _a, rt) => (chargeLong(rt, s.length), rt.alloc(s.length * 2), grow(rt, s.toUpperCase())) },
  toLowerCase: { sync: (s: string, _a, rt) => (chargeLong(rt, s.length), rt.alloc(s.length * 2), grow(rt, s.toLowerCase())) },
  replace: {
    sync: (s: string, [a, b], rt) => {
      const p = str(a, "the pattern of `replace`");
      const r = toStr(b, rt);
      rt.alloc((s.length + r.length) * 2);
      return indexOf(rt, s, p) < 0 ? s : s.replace(p, () => r);
    },
  },
  replaceAll: {
    sync: (s: string, [a, b], rt) => {
      const p = str(a, "the pattern of `replaceAll`");
      const r = toStr(b, rt);
      // The result's size is known before it is built: every occurrence becomes `r`.
      const n = countOccurrences(rt, s, p);
      rt.alloc((s.length + n * Math.max(0, r.length - p.length)) * 2);
      return s.replaceAll(p, () => r);
    },
  },
  repeat: {
    sync: (s: string, [n], rt) => {
      const k = int(n, 0, rt);
      if (k < 0) throw new ScriptError("E-ragsh-type-error", "`repeat` needs a count of 0 or more");
      rt.alloc(s.length * k * 2);
      return s.repeat(k);
    },
  },
  padStart: { sync: (s: string, [n, p], rt) => pad(rt, s, n, p, false) },
  padEnd: { sync: (s: string, [n, p], rt) => pad(rt, s, n, p, true) },
  charAt: { sync: (s: string, [i], rt) => s.charAt(int(i, 0, rt)) },
  charCodeAt: { sync: (s: string, [i], rt) => s.charCodeAt(int(i, 0, rt)) },
  at: { sync: (s: string, [i], rt) => s.at(int(i, 0, rt)) },
  concat: {
    sync: (s: string, args, rt) => {
      const parts = args.map((x) => toStr(x, rt));
      rt.alloc((s.length + parts.reduce((n, p) => n + p.length, 0)) * 2);
      return s + parts.join("");
    },
  },
  len: { sync: (s: string) => s.length },
  toString: { sync: (s: string) => s },
};

const ARRAY: Readonly<Record<string, Method>> = {
  // No native spread of `args` (`a.push(...args)`): a call with a spread of a long list has
  // more arguments than a native call takes (RangeError); items are appended in a loop.
  push: { sync: (a: Value[], args, rt) => (chargeLong(rt, args.length), rt.alloc(args.length * 8), append(a, args), a.length) },
  pop: { sync: (a: Value[]) => a.pop() },
  // Moves every remaining item down one slot (O(n) native work on a long list): charged
  // before. Uncharged, a loop shifting a 4,000,000-item list held the event loop ~60 s,
  // reading the clock only every 1,024 operations.
  shift: { sync: (a: Value[], _args, rt) => (rt.work(a.length), a.shift()) },
  unshift: { sync: (a: Value[], args, rt) => (rt.work(a.length + args.length), rt.alloc(args.length * 8), insertAt(a, 0, args), a.length) },
  slice: { sync: (a: Value[], [x, y], rt) => { rt.work(a.length); const [from, to] = sliceBounds(rt, a.length, x, y); rt.alloc((to - from) * 8); return a.slice(from, to); } },
  splice: {
    sync: (a: Value[], [x, y, ...items], rt) => {
      rt.work(a.length + items.length);
      rt.alloc(items.length * 8);
      const len = a.length;
      const x0 = int(x, 0, rt);
      const start = x0 < 0 ? Math.max(len + x0, 0) : Math.min(x0, len);
      // The removed items' list is charged before it is cut out.
      const count = Math.max(0, Math.min(y === undefined ? len : int(y, 0, rt), len - start));
      rt.alloc(count * 8);
      const removed = a.splice(start, count);
      insertAt(a, start, items);
      return removed;
    },
  },
  concat: {
    sync: (a: Value[], args, rt) => {
      const n = args.reduce<number>((k, x) => k + (Array.isArray(x) ? x.length : 1), a.length);
      rt.work(n);
      rt.alloc(n * 8);
      const out = a.slice();
      for (const x of args) {
        if (Array.isArray(x)) append(out, x);
        else out.push(x);
      }
      return out;
    },
  },
  join: {
    sync: (a: Value[], [sep], rt) => {
      rt.work(a.length);
      const s = sep === undefined ? "," : toStr(sep, rt);
      // Each element is measured and charged as it is converted; the joined string is charged before it is built.
      const parts = a.map((x) => (x === null || x === undefined ? "" : toStr(x, rt)));
      rt.alloc((parts.reduce((n, p) => n + p.length, 0) + s.length * Math.max(0, a.length - 1)) * 2);
      return parts.join(s);
    },
  },
  // Charged per item and, for a long string, per character compared (`search.ts`).
  indexOf: { sync: (a: Value[], [x], rt) => listIndexOf(rt, a, x) },
  lastIndexOf: { sync: (a: Value[], [x], rt) => listIndexOf(rt, a, x, { last: true }) },
  includes: { sync: (a: Value[], [x], rt) => listIndexOf(rt, a, x, { zero: true }) >= 0 },
  contains: { sync: (a: Value[], [x], rt) => listIndexOf(rt, a, x, { zero: true }) >= 0 },
  reverse: { sync: (a: Value[], _args, rt) => (rt.work(a.length), a.reverse()) },
  at: { sync: (a: Value[], [i], rt) => a.at(int(i, 0, rt)) },
  flat: {
    // JavaScript's `flat(depth = 1)`, one level at a time: each level's count is a pass over
    // the list (charged before it), then that level's items are charged before it is built,
    // so lists that share their parts (2^n leaves in n levels) stop at the session's budget.
    sync: (a: Value[], [d], rt) => {
      const depth = int(d, 1, rt);
      let out = a;
      for (let level = 0; level < depth; level++) {
        chargeLong(rt, out.length);
        let n = 0;
        let nested = false;
        for (let i = 0; i < out.length; i++) {
          const x = out[i];
          if (Array.isArray(x)) (n += x.length), (nested = true);
          else n++;
        }
        if (!nested) break;
        rt.work(n);
        rt.alloc(n * 8);
        out = out.flatMap((x) => (Array.isArray(x) ? x : [x]));
      }
      if (out === a) rt.work(a.length), rt.alloc(a.length * 8), (out = a.slice());
      return out;
    },
  },
  len: { sync: (a: Value[]) => a.length },
  // Each slot of the list `map` and `filter` build is charged before it is added (a callback may grow `a` as it runs).
  map: { *gen(a: Value[], [f], rt, call) { fn(f, "`map`"); const out: Value[] = []; for (let i = 0; i < a.length; i++) { const v = (R = call(f, [a[i], i]), isSuspended(R) ? yield* R : R); rt.alloc(8); out.push(v); } return out; } },
  forEach: { *gen(a: Value[], [f], _rt, call) { fn(f, "`forEach`"); for (let i = 0; i < a.length; i++) (R = call(f, [a[i], i]), isSuspended(R) ? yield* R : R); return undefined; } },
  filter: { *gen(a: Value[], [f], rt, call) { fn(f, "`filter`"); const out: Value[] = []; for (let i = 0; i < a.length; i++) if (truthy((R = call(f, [a[i], i]), isSuspended(R) ? yield* R : R))) rt.alloc(8), out.push(a[i]); return out; } },
  find: { *gen(a: Value[], [f], _rt, call) { fn(f, "`find`"); for (let i = 0; i < a.length; i++) if (truthy((R = call(f, [a[i], i]), isSuspended(R) ? yield* R : R))) return a[i]; return undefined; } },
  findIndex: { *gen(a: Value[], [f], _rt, call) { fn(f, "`findIndex`"); for (let i = 0; i < a.length; i++) if (truthy((R = call(f, [a[i], i]), isSuspended(R) ? yield* R : R))) return i; return -1; } },
  some: { *gen(a: Value[], [f], _rt, call) { fn(f, "`some`"); for (let i = 0; i < a.length; i++) if (truthy((R = call(f, [a[i], i]), isSuspended(R) ? yield* R : R))) return true; return false; } },
  every: { *gen(a: Value[], [f], _rt, call) { fn(f, "`every`"); for (let i = 0; i < a.length; i++) if (!truthy((R = call(f, [a[i], i]), isSuspended(R) ? yield* R : R))) return false; return true; } },
  // Each callback's list is charged before it is appended: one long list returned for every item stops at the budget.
  flatMap: { *gen(a: Value[], [f], rt, call) { fn(f, "`flatMap`"); const out: Value[] = []; for (let i = 0; i < a.length; i++) { const r = (R = call(f, [a[i], i]), isSuspended(R) ? yield* R : R); if (Array.isArray(r)) { rt.work(r.length); rt.alloc(r.length * 8); for (let j = 0; j < r.length; j++) out.push(r[j]); } else rt.alloc(8), out.push(r); } return out; } },
  reduce: {
    *gen(a: Value[], [f, init], _rt, call) {
      fn(f, "`reduce`");
      let i = 0;
      let acc = init;
      if (init === undefined) {
        if (!a.length) throw new ScriptError("E-ragsh-type-error", "`reduce` of an empty list needs an initial value");
        acc = a[i++];
      }
      for (; i < a.length; i++) acc = (R = call(f, [acc, a[i], i]), isSuspended(R) ? yield* R : R);
      return acc;
    },
  },
  sort: {
    *gen(a: Value[], [f], rt, call) {
      if (f === undefined) {
        // Sorted by string form, each computed once and charged (not once per comparison);
        // a comparison of two long keys is charged by the characters it reads, as it runs.
        rt.work(a.length * Math.max(1, Math.ceil(Math.log2(a.length + 1))));
        // One [key, item] pair per item, charged as an entry is (`entries`) before they are built.
        rt.alloc(a.length * 24);
        const keyed = a.map((x) => [toStr(x, rt), x] as const);
        keyed.sort(([x], [y]) => compareKeys(rt, x, y));
        for (let i = 0; i < keyed.length; i++) a[i] = keyed[i][1];
        return a;
      }
      fn(f, "`sort`");
      // Merge sort, so the comparator (a script function) runs through the interpreter; its copy of the list is charged first.
      rt.work(a.length);
      rt.alloc(a.length * 8);
      const sorted = yield* mergeSort(a.slice(), f, call, rt);
      for (let i = 0; i < sorted.length; i++) a[i] = sorted[i];
      return a;
    },
  },
};

/** Appends `items` to `a` one by one (a native `a.push(...items)` overflows the stack on a long list). */
function append(a: Value[], items: readonly Value[]): void {
  for (let i = 0; i < items.length; i++) a.push(items[i]);
}

/** Most items inserted with one native `splice` (its arguments are spread: a long list would overflow the stack). */
const NATIVE_INSERT_MAX = 1024;

/**
 * Inserts `items` into `a` before index `at` (0 ≤ at ≤ a.length). A few items (a call's
 * arguments) go in with one native `splice`, which moves the tail in place; a long list is
 * appended piecewise without a native spread of it. (Pushing the tail back item by item
 * for every call made 256 unshifts on a 100,000-item list take 5 s.)
 */
function insertAt(a: Value[], at: number, items: readonly Value[]): void {
  if (!items.length) return;
  if (items.length <= NATIVE_INSERT_MAX) {
    a.splice(at, 0, ...items);
    return;
  }
  const tail = a.splice(at);
  append(a, items);
  append(a, tail);
}

function* mergeSort(xs: Value[], f: Value, call: CallBack, rt: MethodRuntime): Generator<Promise<unknown>, Value[], unknown> {
  if (xs.length < 2) return xs;
  const mid = xs.length >> 1;
  const left = yield* mergeSort(xs.slice(0, mid), f, call, rt);
  const right = yield* mergeSort(xs.slice(mid), f, call, rt);
  const out: Value[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const c = toNum((R = call(f, [left[i], right[j]]), isSuspended(R) ? yield* R : R), rt);
    out.push(c > 0 ? right[j++] : left[i++]);
  }
  return out.concat(left.slice(i), right.slice(j));
}

const RECORD: Readonly<Record<string, Method>> = {
  // Listing a record's keys is native work over all of them: charged by `recordKeys`.
  keys: { sync: (o: ScriptRecord, _a, rt) => list(rt, recordKeys(rt, o)) },
  values: { sync: (o: ScriptRecord, _a, rt) => recordItems(rt, o, false) },
  entries: { sync: (o: ScriptRecord, _a, rt) => recordItems(rt, o, true) },
  len: { sync: (o: ScriptRecord, _a, rt) => recordKeys(rt, o).length },
  has: { sync: (o: ScriptRecord, [k], rt) => Object.hasOwn(o, toStr(k, rt)) },
  contains: { sync: (o: ScriptRecord, [k], rt) => Object.hasOwn(o, toStr(k, rt)) },
};

const NUMBER: Readonly<Record<string, Method>> = {
  toFixed: { sync: (n: number, [d], rt) => n.toFixed(Math.max(0, Math.min(20, int(d, 0, rt)))) },
  toString: { sync: (n: number) => String(n) },
};

const BOOLEAN: Readonly<Record<string, Method>> = { toString: { sync: (b: boolean) => String(b) } };

/** The method `name` of `self`'s type, if the safe list has it. */
export function methodOf(self: Value, name: string): Method | undefined {
  const table = typeof self === "string" ? STRING : Array.isArray(self) ? ARRAY : isRecord(self) ? RECORD : typeof self === "number" ? NUMBER : typeof self === "boolean" ? BOOLEAN : undefined;
  return table && Object.hasOwn(table, name) ? table[name] : undefined;
}

/** Method names of a value's type (for did-you-mean and completion). */
export function methodNames(self: Value): string[] {
  const table = typeof self === "string" ? STRING : Array.isArray(self) ? ARRAY : isRecord(self) ? RECORD : typeof self === "number" ? NUMBER : typeof self === "boolean" ? BOOLEAN : {};
  return Object.keys(table);
}

/**
 * Method names whose calls never run script code: a call of one of these is evaluated
 * on the interpreter's synchronous fast path (see purity.ts).
 */
export const SYNC_METHOD_NAMES: ReadonlySet<string> = new Set(
  [...Object.entries(STRING), ...Object.entries(ARRAY), ...Object.entries(NUMBER)].filter(([, m]) => m.sync).map(([k]) => k).filter((k) => !(k in RECORD) && k !== "sort"),
);

// ─────────────────────────────── namespaces and conversions ───────────────────────────────

const native = (name: string, impl: (args: Value[]) => Value) => new NativeFunction(name, (args) => impl(args), undefined);

/** Items `range` builds between two reads of the clock. */
const RANGE_SLICE = 1 << 16;

/** Builds the standard namespaces and conversion functions for one session. */
export function standardGlobals(rt: MethodRuntime): Map<string, Value> {
  const num = (a: Value) => toNum(a, rt);
  /** `Math.min`/`Math.max` of the arguments, or of one list argument: a loop (no native spread of a long list), charged per item. */
  const extreme = (a: Value[], max: boolean) => {
    const xs = a.length === 1 && Array.isArray(a[0]) ? a[0] : a;
    chargeLong(rt, xs.length);
    let best = max ? -Infinity : Infinity;
    for (const x of xs) {
      const n = num(x);
      if (Number.isNaN(n)) return NaN;
      if (max ? n > best || (n === 0 && best === 0 && Object.is(best, -0)) : n < best || (n === 0 && best === 0 && Object.is(n, -0))) best = n;
    }
    return best;
  };
  const math = new Map<string, Value>([
    ["PI", Math.PI],
    ["E", Math.E],
    ...(["floor", "ceil", "round", "abs", "sqrt", "trunc", "sign", "log", "exp", "log10", "log2"] as const).map((k) => [k, native(`Math.${k}`, (a) => Math[k](num(a[0])))] as [string, Value]),
    ["min", native("Math.min", (a) => extreme(a, false))],
    ["max", native("Math.max", (a) => extreme(a, true))],
    ["pow", native("Math.pow", (a) => Math.pow(num(a[0]), num(a[1])))],
    ["random", native("Math.random", () => Math.random())],
  ]);
  const json = new Map<string, Value>([
    [
      "stringify",
      native("JSON.stringify", ([v, , indent]) => {
        const space = typeof indent === "number" && indent > 0 ? Math.min(Math.floor(indent), 10) : undefined;
        // Copied with a bound on depth and size, each item charged (with its indentation)
        // before anything is built: a list shared 2^40 times stops at the budget, not the heap.
        const charge = cellCharge(rt);
        let bytes = 0;
        const plain = toHost(v, { functions: "describe", what: "the value of `JSON.stringify`", charge: (b) => ((bytes += b), charge(b)), json: true, ...(space ? { indent: space } : {}) });
        // The native stringify reads every character the copy was charged for: charged as work before it runs.
        chargeLong(rt, bytes / 2);
        return grow(rt, JSON.stringify(plain, null, space) ?? "undefined");
      }),
    ],
    [
      "parse",
      native("JSON.parse", ([s]) => {
        let parsed: unknown;
        const text = str(s, "the argument of `JSON.parse`");
        rt.work(text.length);
        // The host objects the native parse builds are charged before it runs (and the copy's as it is made).
        rt.alloc(text.length * 2 + jsonContainerBytes(text));
        try {
          parsed = JSON.parse(text);
        } catch (e) {
          throw new ScriptError("E-ragsh-type-error", `JSON.parse: ${(e as Error).message}`);
        }
        return fromHost(parsed, "JSON.parse", { charge: cellCharge(rt) });
      }),
    ],
  ]);
  const record = (x: Value, what: string): ScriptRecord => {
    if (!isRecord(x)) throw new ScriptError("E-ragsh-type-error", `${what} needs an object, not ${describeType(x)}`);
    return x;
  };
  const object = new Map<string, Value>([
    // A list's keys, values and entries are charged before they are built; an object's as soon as its keys are known.
    // An object's listing is charged by `recordKeys` (native work over every key).
    ["keys", native("Object.keys", ([o]) => (Array.isArray(o) ? (chargeLong(rt, o.length), list(rt, o), o.map((_, i) => String(i))) : list(rt, recordKeys(rt, record(o, "`Object.keys`")))))],
    ["values", native("Object.values", ([o]) => (Array.isArray(o) ? (chargeLong(rt, o.length), list(rt, o), o.slice()) : recordItems(rt, record(o, "`Object.values`"), false)))],
    ["entries", native("Object.entries", ([o]) => (Array.isArray(o) ? (chargeLong(rt, o.length), rt.alloc(o.length * 24), list(rt, o), o.map((v, i) => [String(i), v])) : recordItems(rt, record(o, "`Object.entries`"), true)))],
    [
      "fromEntries",
      native("Object.fromEntries", ([xs]) => {
        if (!Array.isArray(xs)) throw new ScriptError("E-ragsh-type-error", "`Object.fromEntries` needs a list of [key, value] pairs");
        rt.work(xs.length * KEY_WRITE_WORK);
        rt.alloc(xs.length * 16);
        const out = newRecord();
        for (const p of xs) {
          const k = toStr(Array.isArray(p) ? p[0] : undefined, rt);
          if (isForbiddenKey(k)) throw new ScriptError("E-ragsh-forbidden-property", `\`${k}\` cannot be an object key in a session`);
          out[k] = Array.isArray(p) ? p[1] : undefined;
        }
        return out;
      }),
    ],
    [
      "assign",
      native("Object.assign", ([target, ...sources]) => {
        const t = record(target, "`Object.assign`");
        for (const s of sources) {
          if (!isRecord(s)) continue;
          // Each source's keys are charged (work and memory) before they are copied; listing them, by `recordKeys`.
          const keys = recordKeys(rt, s);
          rt.work(keys.length * KEY_WRITE_WORK);
          rt.alloc(keys.length * 16);
          for (const k of keys) t[k] = s[k];
        }
        return t;
      }),
    ],
  ]);
  const array = new Map<string, Value>([["isArray", native("Array.isArray", ([x]) => Array.isArray(x))]]);
  return new Map<string, Value>([
    ["Math", new Namespace("Math", math)],
    ["JSON", new Namespace("JSON", json)],
    ["Object", new Namespace("Object", object)],
    ["Array", new Namespace("Array", array)],
    ["String", native("String", ([x]) => toStr(x, rt))],
    ["Number", native("Number", ([x]) => toNum(x, rt))],
    ["Boolean", native("Boolean", ([x]) => truthy(x))],
    ["parseInt", native("parseInt", ([x, r]) => parseInt(scanned(rt, toStr(x, rt)), r === undefined ? 10 : toNum(r, rt)))],
    ["parseFloat", native("parseFloat", ([x]) => parseFloat(scanned(rt, toStr(x, rt))))],
    ["isNaN", native("isNaN", ([x]) => Number.isNaN(toNum(x, rt)))],
    [
      "range",
      native("range", ([a, b, step]) => {
        const [from, to] = b === undefined ? [0, toNum(a, rt)] : [toNum(a, rt), toNum(b, rt)];
        const s = step === undefined ? 1 : toNum(step, rt);
        if (!Number.isFinite(from) || !Number.isFinite(to) || !Number.isFinite(s) || s === 0) throw new ScriptError("E-ragsh-type-error", "`range` needs finite numbers and a non-zero step");
        const n = Math.max(0, Math.ceil((to - from) / s));
        // Charged before it is built, and the clock read every `RANGE_SLICE` items while it
        // is: one native call building 4,000,000 numbers took ~1 s on a loaded machine.
        rt.alloc(n * 8);
        chargeLong(rt, n);
        const out: number[] = [];
        for (let i = 0; i < n; i++) {
          if ((i & (RANGE_SLICE - 1)) === 0 && i) rt.work(1);
          out.push(from + i * s);
        }
        return out;
      }),
    ],
    ["undefined", undefined],
    ["NaN", NaN],
    ["Infinity", Infinity],
  ]);
}

/** Namespace members and global functions whose calls never run script code (all of standardGlobals). */
export const SYNC_GLOBAL_NAMES: ReadonlySet<string> = new Set(["String", "Number", "Boolean", "parseInt", "parseFloat", "isNaN", "range"]);
export const SYNC_NAMESPACES: ReadonlySet<string> = new Set(["Math", "JSON", "Object", "Array"]);
