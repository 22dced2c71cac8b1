/**
 * The session boundary (`repl.md` §1, §3): values cross between a script and the host
 * only as copies of plain data, and every copy is bounded — in nesting depth, in size
 * (approximate bytes), and against cycles — and walked with an explicit stack, never by
 * recursion, so no value a script builds (a 50,000-deep list, a structure sharing one
 * list 2^40 times) can overflow the stack or exhaust the heap on its way out.
 *
 * - `toHost` copies a script value out (capability arguments, the cell's value, the
 *   answer, event data);
 * - `fromHost` copies host data in (what a capability returns, the session inputs);
 * - `formatValue` renders a value for people (`print`, previews), cut at `max` chars.
 *
 * Each takes `Bounds`: past a bound it either fails (`overflow: "error"`, the default:
 * arguments, `JSON.stringify`) or cuts the value with a marker and reports where
 * (`overflow: "truncate"`: results and previews, reported as `W-ragsh-value-truncated`).
 */
import { ScriptError } from "./errors.js";
import { isForbiddenKey, isRecord, Namespace, newRecord, ScriptFunction, toStr, type Value } from "./values.js";

/** Deepest nesting a value may have when it crosses the boundary (either way). */
export const MAX_VALUE_DEPTH = 64;
/** Hard ceiling on one copy's size, approximate bytes, when a caller gives none. */
export const MAX_VALUE_BYTES = 64 * 1024 * 1024;

/**
 * Host bytes of one list or object a copy builds (V8: an array grown by `push` or a
 * null-prototype object holds ~186 bytes before its items), charged to `Bounds.charge`
 * for every container copied, besides its items. Charging 8 bytes a container let
 * `JSON.stringify` of a list sharing one sub-list 2^30 times, or `JSON.parse` of
 * `"[[],[],…]"`, build ~1.3 GB of host objects under the 64 MiB cell budget.
 */
export const HOST_CONTAINER_BYTES = 192;

/**
 * Host bytes `JSON.parse(text)` may build before anything is copied: each `[` or `{` of
 * the text (inside strings too: an upper bound) as `HOST_CONTAINER_BYTES`. Counted
 * without allocating; charged before the native parse runs.
 */
export function jsonContainerBytes(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) n++;
  }
  return n * HOST_CONTAINER_BYTES;
}

export interface Bounds {
  /** Deepest nesting copied; default `MAX_VALUE_DEPTH`. */
  readonly maxDepth?: number;
  /** Approximate bytes copied (8 per item, 2 per character of strings and keys); default `MAX_VALUE_BYTES`. */
  readonly maxBytes?: number;
  /** Past a bound: fail (default), or cut with a marker and call `onTruncate` once per cut. */
  readonly overflow?: "error" | "truncate";
  readonly onTruncate?: (path: string, why: string) => void;
  /** Charged with the bytes of each item before it is copied, and `HOST_CONTAINER_BYTES` more for each list or object (the cell's memory budget); may throw. */
  readonly charge?: (bytes: number) => void;
  /** Extra bytes per item and level of depth (`JSON.stringify`'s indentation). */
  readonly indent?: number;
  /**
   * The copy becomes JSON text: strings and keys cost their escaped length (a control
   * character is 6 characters in JSON, `"` and `\\` are 2), so the text `JSON.stringify`
   * builds is charged before it is built, not up to 6× past the budget.
   */
  readonly json?: boolean;
}

/**
 * Characters of `s` written as a JSON string literal by `JSON.stringify`, quotes
 * included: `\b \f \n \r \t \" \\` take 2, other control characters and lone
 * surrogates 6 (`\u001f`, ECMAScript's well-formed JSON.stringify).
 */
export function jsonStringLength(s: string): number {
  let n = s.length + 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c && (c < 0xd800 || c > 0xdfff)) continue;
    if (c === 0x22 || c === 0x5c || c === 8 || c === 9 || c === 10 || c === 12 || c === 13) n += 1;
    else if (c < 0x20) n += 5;
    else if (c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++; // a pair: as is
    else n += 5; // a lone surrogate
  }
  return n;
}

/** `charge` for a cell: bytes to its memory budget, and every 4,096 items the work to its operations and clock. */
export function cellCharge(rt: { alloc(units: number): void; work(units: number): void }): (bytes: number) => void {
  let items = 0;
  return (bytes) => {
    rt.alloc(bytes);
    if ((++items & 4095) === 0) rt.work(4096);
  };
}

/** Options for copying script values out to the host. */
export interface ToHostOptions extends Bounds {
  /** What to do with functions: fail (arguments to capabilities) or describe them (results, events). */
  readonly functions: "error" | "describe";
  /** Where the value goes, for messages (`the arguments of tool_call`). */
  readonly what: string;
}

/** A value waiting to be copied: where it goes (`into[key]`) and how it was reached (for messages). */
interface Item<T> {
  readonly x: T;
  readonly depth: number;
  readonly parent: Item<T> | undefined;
  readonly key: string | number;
  readonly into: unknown[] | Record<string, unknown> | undefined;
}
/** Marks the end of a container's items: it leaves the current path (cycle detection). */
interface Exit {
  readonly exit: object;
}

function pathOf(item: Item<unknown> | undefined): string {
  const keys: (string | number)[] = [];
  for (let i = item; i?.parent; i = i.parent) keys.push(i.key);
  let out = "";
  for (let k = keys.length - 1; k >= 0; k--) out += typeof keys[k] === "number" ? `[${keys[k]}]` : out ? `.${keys[k]}` : String(keys[k]);
  return out || ".";
}

function place(into: Item<unknown>["into"], key: string | number, v: unknown, keepUndefined: boolean): void {
  if (Array.isArray(into)) into.push(v);
  else if (into && (v !== undefined || keepUndefined)) Object.defineProperty(into, key, { value: v, enumerable: true, writable: true, configurable: true });
}

const limitError = (what: string, path: string, why: string) =>
  new ScriptError("E-ragsh-value-limit", `${what} ${why} at \`${path}\`; values crossing the session boundary are bounded`, undefined, {
    help: "pass smaller or flatter data (a slice, a summary, `JSON.stringify` of a part), or raise the session's `maxValueBytes` policy",
  });

/**
 * Copies a script value to plain host data (normal objects and arrays; `undefined`
 * inside objects is dropped, as JSON does). Iterative; bounded by `o` (see `Bounds`).
 *
 * @throws ScriptError `E-ragsh-invalid-arguments` for a function (when `functions` is
 *   `error`) or a cycle, `E-ragsh-value-limit` past the depth or size bound (when
 *   `overflow` is `error`), or whatever `charge` throws (`E-ragsh-memory-limit`).
 */
export function toHost(v: Value, o: ToHostOptions): unknown {
  const maxDepth = o.maxDepth ?? MAX_VALUE_DEPTH;
  const maxBytes = o.maxBytes ?? MAX_VALUE_BYTES;
  const truncate = o.overflow === "truncate";
  const onPath = new Set<object>();
  const root: { v?: unknown } = {};
  let bytes = 0;
  const stack: (Item<Value> | Exit)[] = [{ x: v, depth: 0, parent: undefined, key: "", into: undefined }];
  const put = (it: Item<Value>, out: unknown) => (it.into ? place(it.into, it.key, out, false) : (root.v = out));
  const cut = (it: Item<Value>, why: string, marker: string) => {
    o.onTruncate?.(pathOf(it), why);
    put(it, marker);
  };
  while (stack.length) {
    const top = stack.pop()!;
    if ("exit" in top) {
      onPath.delete(top.exit);
      continue;
    }
    const { x, depth } = top;
    const chars = o.json ? (typeof x === "string" ? jsonStringLength(x) : 0) + (typeof top.key === "string" ? jsonStringLength(top.key) : 0) : (typeof x === "string" ? x.length : 0) + (typeof top.key === "string" ? top.key.length : 0);
    const cost = 8 + chars * 2 + (o.indent ? 2 * o.indent * depth : 0);
    if ((bytes += cost) > maxBytes) {
      if (!truncate) throw limitError(o.what, pathOf(top), `are larger than ${maxBytes} bytes`);
      cut(top, `larger than ${maxBytes} bytes`, "[… cut]");
      break;
    }
    o.charge?.(cost);
    if (x === undefined || x === null || typeof x !== "object") {
      put(top, x);
      continue;
    }
    if (x instanceof ScriptFunction || x instanceof Namespace) {
      if (o.functions === "describe") put(top, toStr(x));
      else throw new ScriptError("E-ragsh-invalid-arguments", `${o.what} hold a function at \`${pathOf(top)}\`; only plain data can leave the session`);
      continue;
    }
    if (onPath.has(x)) {
      if (!truncate) throw new ScriptError("E-ragsh-invalid-arguments", `${o.what} are circular at \`${pathOf(top)}\`; only plain data can leave the session`);
      cut(top, "circular", "[circular]");
      continue;
    }
    if (depth >= maxDepth) {
      if (!truncate) throw limitError(o.what, pathOf(top), `are nested deeper than ${maxDepth} levels`);
      cut(top, `nested deeper than ${maxDepth} levels`, "[… deeper]");
      continue;
    }
    o.charge?.(HOST_CONTAINER_BYTES);
    onPath.add(x);
    stack.push({ exit: x });
    if (Array.isArray(x)) {
      const out: unknown[] = [];
      put(top, out);
      for (let i = x.length - 1; i >= 0; i--) stack.push({ x: x[i], depth: depth + 1, parent: top, key: i, into: out });
    } else {
      const out: Record<string, unknown> = {};
      put(top, out);
      const keys = Object.keys(x);
      for (let i = keys.length - 1; i >= 0; i--) stack.push({ x: (x as Record<string, Value>)[keys[i]], depth: depth + 1, parent: top, key: keys[i], into: out });
    }
  }
  return root.v;
}

/**
 * Copies host data into the sandbox: primitives, arrays and plain objects (prototype
 * `Object.prototype` or null) with data properties; a `Date` becomes its ISO string.
 * Iterative; bounded by `bounds` (depth past the bound: refused, or cut when `overflow`
 * is `truncate`).
 *
 * @throws ScriptError `E-ragsh-host-value` for anything else (a getter, a function, a
 *   class instance, a symbol, a bigint, a cycle, data too deep or too large), naming
 *   where it was found; or whatever `bounds.charge` throws.
 */
export function fromHost(v: unknown, what: string, bounds: Bounds = {}): Value {
  const maxDepth = bounds.maxDepth ?? MAX_VALUE_DEPTH;
  const maxBytes = bounds.maxBytes ?? MAX_VALUE_BYTES;
  const truncate = bounds.overflow === "truncate";
  const fail = (it: Item<unknown>, why: string): never => {
    throw new ScriptError("E-ragsh-host-value", `${what} returned ${why} at \`${pathOf(it)}\`; only plain data enters a session`, undefined, {
      help: "a capability must return JSON-like data: strings, numbers, booleans, null, arrays and plain objects",
    });
  };
  const onPath = new Set<object>();
  const root: { v?: Value } = {};
  let bytes = 0;
  const stack: (Item<unknown> | Exit)[] = [{ x: v, depth: 0, parent: undefined, key: "", into: undefined }];
  const put = (it: Item<unknown>, out: Value) => (it.into ? place(it.into, it.key, out, true) : (root.v = out));
  while (stack.length) {
    const top = stack.pop()!;
    if ("exit" in top) {
      onPath.delete(top.exit);
      continue;
    }
    const x = top.x;
    const cost = 8 + (typeof x === "string" ? x.length * 2 : 0) + (typeof top.key === "string" ? top.key.length * 2 : 0);
    if ((bytes += cost) > maxBytes) {
      if (!truncate) fail(top, `more than ${maxBytes} bytes of data`);
      bounds.onTruncate?.(pathOf(top), `larger than ${maxBytes} bytes`);
      put(top, "[… cut]");
      break;
    }
    bounds.charge?.(cost);
    if (x === null || x === undefined || typeof x === "string" || typeof x === "boolean" || typeof x === "number") {
      put(top, x);
      continue;
    }
    if (typeof x === "function") fail(top, "a function");
    if (typeof x !== "object") fail(top, `a ${typeof x}`);
    if (x instanceof Date) {
      put(top, Number.isFinite(x.getTime()) ? x.toISOString() : null);
      continue;
    }
    if (onPath.has(x as object)) fail(top, "a circular structure");
    if (top.depth >= maxDepth) {
      if (!truncate) fail(top, `data nested deeper than ${maxDepth} levels`);
      bounds.onTruncate?.(pathOf(top), `nested deeper than ${maxDepth} levels`);
      put(top, "[… deeper]");
      continue;
    }
    bounds.charge?.(HOST_CONTAINER_BYTES);
    onPath.add(x as object);
    stack.push({ exit: x as object });
    const depth = top.depth + 1;
    if (Array.isArray(x)) {
      if (Object.getPrototypeOf(x) !== Array.prototype) fail(top, "an array subclass");
      const arr: Value[] = [];
      put(top, arr);
      for (let i = x.length - 1; i >= 0; i--) {
        const d = Object.getOwnPropertyDescriptor(x, i);
        const item: Item<unknown> = { x: d?.value, depth, parent: top, key: i, into: arr };
        if (d && !("value" in d)) fail(item, "a getter");
        stack.push(item);
      }
    } else {
      const proto: unknown = Object.getPrototypeOf(x);
      if (proto !== Object.prototype && proto !== null) fail(top, `an instance of \`${((proto as { constructor?: { name?: string } } | null)?.constructor?.name) ?? "an unknown class"}\``);
      const rec = newRecord();
      put(top, rec);
      const entries = Object.entries(Object.getOwnPropertyDescriptors(x));
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, d] = entries[i];
        if (!d.enumerable) continue;
        const item: Item<unknown> = { x: d.value, depth, parent: top, key: k, into: rec as Record<string, unknown> };
        if (!("value" in d)) fail(item, "a getter");
        if (isForbiddenKey(k)) fail(item, `the reserved key \`${k}\``);
        stack.push(item);
      }
    }
  }
  return root.v;
}

/**
 * Readable rendering for `print`, results and summaries: strings raw at the top level
 * and quoted inside structures; objects as `{k: v}`; cycles as `[circular]`, levels past
 * `MAX_VALUE_DEPTH` as `…`. Cuts off past `max` characters; never builds more than that.
 * `keys` lists a record's keys (default `Object.keys`, one native pass over all of them):
 * inside a cell, the charged listing (`recordKeys`); for the previews after a cell, one
 * listing per record (`keyCache`). `read` is called with each string before it is cut
 * (a cut reads the characters, and copies a rope flat: `heap-headroom.ts`) and may throw
 * to stop the rendering.
 */
export function formatValue(v: Value, max = 10_000, keys: (o: object) => string[] = Object.keys, read?: (s: string) => void): string {
  const out: string[] = [];
  let size = 0;
  const onPath = new Set<object>();
  const push = (s: string) => {
    const room = max + 1 - size;
    const t = s.length > room ? s.slice(0, Math.max(0, room)) : s;
    out.push(t);
    size += t.length;
  };
  type Job = { x: Value; top: boolean; depth: number } | { text: string } | Exit;
  const stack: Job[] = [{ x: v, top: true, depth: 0 }];
  while (stack.length && size <= max) {
    const j = stack.pop()!;
    if ("text" in j) {
      push(j.text);
      continue;
    }
    if ("exit" in j) {
      onPath.delete(j.exit);
      continue;
    }
    const x = j.x;
    if (typeof x === "string") {
      read?.(x);
      push(j.top ? x.slice(0, max + 1) : JSON.stringify(x.slice(0, max + 1)));
    }
    else if (Array.isArray(x) || isRecord(x)) {
      if (onPath.has(x)) {
        push("[circular]");
        continue;
      }
      if (j.depth >= MAX_VALUE_DEPTH) {
        push(Array.isArray(x) ? "[…]" : "{…}");
        continue;
      }
      onPath.add(x);
      const list = Array.isArray(x);
      push(list ? "[" : "{");
      stack.push({ exit: x }, { text: list ? "]" : "}" });
      // Only as many items as could still fit (each takes at least one character).
      // A record's keys are listed whole (V8 cannot list the first few): `keys` charges
      // or shares the listing (`show_vars()` beside a 200,000-key record held the event
      // loop ~40 s past a 300 ms deadline, red team 12).
      const names = list ? null : keys(x);
      const n = Math.min(list ? x.length : names!.length, max - size + 1);
      for (let i = n - 1; i >= 0; i--) {
        const item = list ? x[i] : (x as Record<string, Value>)[names![i]];
        stack.push({ x: item, top: false, depth: j.depth + 1 });
        if (!list) stack.push({ text: `${/^[A-Za-z_$][\w$]*$/.test(names![i]) ? names![i] : JSON.stringify(names![i].slice(0, max + 1))}: ` });
        if (i) stack.push({ text: ", " });
      }
    } else push(toStr(x));
  }
  const s = out.join("");
  return s.length > max ? s.slice(0, max) + "…" : s;
}

/**
 * A key lister for `formatValue` that lists each record once and reuses its keys: the
 * previews of the variables a cell changed share one, so many names of one record (or
 * many small records holding it) cost one listing, not one each (2,000 names of a
 * 50,000-key record took 92 s after a 4,000-operation cell, red team 12).
 */
export function keyCache(): (o: object) => string[] {
  const seen = new WeakMap<object, string[]>();
  return (o) => {
    let k = seen.get(o);
    if (!k) seen.set(o, (k = Object.keys(o)));
    return k;
  };
}
