/**
 * Parsing JSON that came from outside the program (`--input`, `--context` files, resume
 * values, a model's tool-call arguments, blueprint JSON files) into values that cannot
 * pollute or change a prototype (issue 10 §1 and §3).
 *
 * `JSON.parse` keeps `"__proto__"` as an own key, but the first `Object.assign`, `merge`
 * or `obj[key] = v` copy of it sets a prototype, and a read through `obj.constructor`
 * reaches `Object`. So: every object of the result has a null prototype, a key
 * `__proto__`, `constructor` or `prototype` is refused (UnsafeJsonError names its path),
 * and nesting is bounded (`maxDepth`, default 256) — a deeper value would overflow the
 * stack of whatever walks it later (printers, hashing, checkpoints). The walk itself
 * uses an explicit stack, never recursion.
 */

/** Keys refused in untrusted objects. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Default maximum nesting of arrays and objects in untrusted JSON. */
export const DEFAULT_JSON_DEPTH = 256;

/**
 * Untrusted JSON was refused: `code` is `unsafe_key`, `too_deep`, `too_large` (past
 * `maxBytes`), `cyclic` (a value that contains itself: no JSON text has one) or `syntax`;
 * `path` is where (`$.a[0].b`).
 */
export class UnsafeJsonError extends Error {
  override readonly name = "UnsafeJsonError";
  constructor(
    readonly code: "unsafe_key" | "too_deep" | "too_large" | "cyclic" | "syntax",
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

export interface SafeJsonOptions {
  /** Maximum nesting of arrays/objects (the top-level value is depth 1). Default 256. */
  readonly maxDepth?: number;
  /**
   * Maximum size of the value, in characters of its JSON text (strings and keys by their
   * length plus quotes, numbers by their decimal text, separators one each). Charged as
   * the walk goes, so a value past it — including a shared-reference structure that would
   * expand exponentially — is refused after at most `maxBytes` of work. Default: no bound.
   */
  readonly maxBytes?: number;
}

/**
 * `JSON.parse(text)`, then `neutralizeJson` of the result.
 * @throws UnsafeJsonError (`syntax` for text that is not JSON, with the parser's message).
 */
export function parseUntrustedJson(text: string, options: SafeJsonOptions = {}): unknown {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UnsafeJsonError("syntax", (e as Error).message, "$");
  }
  return neutralizeJson(v, options);
}

/**
 * A copy of a JSON value (as `JSON.parse` returns it: plain objects, arrays, strings,
 * numbers, booleans, null) in which every object has a null prototype.
 * @throws UnsafeJsonError on a forbidden key or nesting deeper than `maxDepth`.
 */
export function neutralizeJson(value: unknown, options: SafeJsonOptions = {}): unknown {
  const maxDepth = options.maxDepth ?? DEFAULT_JSON_DEPTH;
  const maxBytes = options.maxBytes ?? Infinity;
  // Fast path (every model reply's tool-call arguments come here): a recursive copy that
  // makes no closure per item; on anything it refuses it gives up, and the walk below
  // runs to report the refusal with its path.
  if (maxBytes === Infinity && maxDepth <= FAST_DEPTH) {
    const copy = copyPlain(value, 1, maxDepth);
    if (copy !== REFUSED) return copy;
  }
  let bytes = 0;
  const charge = (n: number, path: () => string): void => {
    bytes += n;
    if (bytes > maxBytes) throw new UnsafeJsonError("too_large", `is larger than ${maxBytes} bytes of JSON (at ${path()})`, path());
  };
  if (value === null || typeof value !== "object") {
    if (maxBytes !== Infinity) charge(scalarSize(value), () => "$");
    return value;
  }
  const root = { v: undefined as unknown };
  // Each entry copies `src` into the container slot `set`; `path` is built lazily on error only.
  const stack: { src: unknown; set: (v: unknown) => void; depth: number; path: () => string }[] = [{ src: value, set: (v) => (root.v = v), depth: 1, path: () => "$" }];
  while (stack.length) {
    const { src, set, depth, path } = stack.pop()!;
    if (src === null || typeof src !== "object") {
      if (maxBytes !== Infinity) charge(scalarSize(src), path);
      set(src);
      continue;
    }
    if (depth > maxDepth) throw new UnsafeJsonError("too_deep", `nests deeper than ${maxDepth} levels (at ${path()})`, path());
    if (Array.isArray(src)) {
      // Brackets and separators, before anything is allocated for the elements.
      if (maxBytes !== Infinity) charge(2 + src.length, path);
      const out: unknown[] = new Array(src.length);
      set(out);
      for (let i = 0; i < src.length; i++) stack.push({ src: src[i], set: (v) => (out[i] = v), depth: depth + 1, path: () => `${path()}[${i}]` });
      continue;
    }
    const out = Object.create(null) as Record<string, unknown>;
    set(out);
    const keys = Object.keys(src);
    if (maxBytes !== Infinity) charge(2 + keys.length, path);
    // Pushed last-first so they are popped, and inserted into `out`, in source order.
    for (let k = keys.length - 1; k >= 0; k--) {
      const key = keys[k];
      if (maxBytes !== Infinity) charge(key.length + 3, path);
      if (FORBIDDEN_KEYS.has(key)) throw new UnsafeJsonError("unsafe_key", `the key ${JSON.stringify(key)} is not allowed (at ${path()})`, path());
      stack.push({ src: (src as Record<string, unknown>)[key], set: (v) => (out[key] = v), depth: depth + 1, path: () => `${path()}${/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}` });
    }
  }
  return root.v;
}

/** Deepest `maxDepth` the recursive fast path of `neutralizeJson` takes (its recursion is bounded by it). */
const FAST_DEPTH = 1024;
const REFUSED: unique symbol = Symbol("refused");

/**
 * `neutralizeJson`'s copy without a byte bound, recursive (depth at most `maxDepth`):
 * null-prototype records, arrays with every slot, scalars as they are; `REFUSED` at a
 * forbidden key or past `maxDepth` (the caller then walks again to say where).
 */
function copyPlain(src: unknown, depth: number, maxDepth: number): unknown {
  if (src === null || typeof src !== "object") return src;
  if (depth > maxDepth) return REFUSED;
  if (Array.isArray(src)) {
    const out: unknown[] = new Array(src.length);
    for (let i = 0; i < src.length; i++) {
      const v = copyPlain(src[i], depth + 1, maxDepth);
      if (v === REFUSED) return REFUSED;
      out[i] = v;
    }
    return out;
  }
  const out = Object.create(null) as Record<string, unknown>;
  const keys = Object.keys(src);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (FORBIDDEN_KEYS.has(k)) return REFUSED;
    const v = copyPlain((src as Record<string, unknown>)[k], depth + 1, maxDepth);
    if (v === REFUSED) return REFUSED;
    out[k] = v;
  }
  return out;
}

/** JSON text length of a scalar (`undefined` and functions count as `null`). */
function scalarSize(v: unknown): number {
  if (typeof v === "string") return v.length + 2;
  if (typeof v === "number" || typeof v === "bigint") return String(v).length;
  if (typeof v === "boolean") return v ? 4 : 5;
  return 4;
}

/**
 * The length of `value` as JSON text, estimated without building it (as
 * `SafeJsonOptions.maxBytes` counts: each reference counted where it appears), with an
 * explicit stack. The walk stops once the count passes `cap` (the result is then over
 * `cap`, not exact), so a shared-reference structure or a cycle costs at most `cap`
 * steps; it returns -1 at the first list or record nested deeper than `maxDepth` (the
 * root is depth 1).
 */
function measureJson(value: unknown, cap: number, maxDepth: number): number {
  let bytes = 0;
  const stack: unknown[] = [value];
  const depths: number[] = [1];
  while (stack.length && bytes <= cap) {
    const v = stack.pop();
    const depth = depths.pop()!;
    if (v === null || typeof v !== "object") {
      bytes += scalarSize(v);
      continue;
    }
    if (depth > maxDepth) return -1;
    if (Array.isArray(v)) {
      bytes += 2 + v.length;
      for (let i = 0; i < v.length && bytes <= cap; i++) {
        const x: unknown = v[i];
        if (x !== null && typeof x === "object") {
          stack.push(x);
          depths.push(depth + 1);
        } else bytes += scalarSize(x);
      }
      continue;
    }
    bytes += 2;
    for (const k of Object.keys(v)) {
      bytes += k.length + 4;
      stack.push((v as Record<string, unknown>)[k]);
      depths.push(depth + 1);
      if (bytes > cap) break;
    }
  }
  return bytes;
}

/**
 * The length of `value` as JSON text, estimated without building it (as
 * `SafeJsonOptions.maxBytes` counts: each reference counted where it appears); the walk
 * stops once the count passes `cap` (the result is then over `cap`, not exact), so a
 * shared-reference structure or a cycle costs at most `cap` steps.
 */
export function jsonSizeAtMost(value: unknown, cap: number): number {
  return measureJson(value, cap, Infinity);
}

/**
 * Charges an untrusted value against a size and depth bound without copying it (the
 * keys are not judged: `neutralizeJson` does that where the value is used). Sizes as in
 * `SafeJsonOptions.maxBytes`; the walk stops as soon as a bound is passed, so a
 * shared-reference structure costs at most `maxBytes` steps.
 * @throws UnsafeJsonError `too_large` or `too_deep`.
 */
export function checkJsonBounds(value: unknown, options: { readonly maxBytes: number; readonly maxDepth: number }): void {
  const bytes = measureJson(value, options.maxBytes, options.maxDepth);
  if (bytes < 0) throw new UnsafeJsonError("too_deep", `nests deeper than ${options.maxDepth} levels`, "$");
  if (bytes > options.maxBytes) throw new UnsafeJsonError("too_large", `is larger than ${options.maxBytes} bytes of JSON`, "$");
}

/**
 * Judges an untrusted value in place, without copying it: no own `__proto__`,
 * `constructor` or `prototype` key at any depth, nesting at most `maxDepth` (default
 * {@link DEFAULT_JSON_DEPTH}), and no cycle (an object inside itself, which no checkpoint
 * can store: it failed the first checkpoint write with a TypeError). Walked depth first
 * with an explicit stack, each object entered once (a shared reference is not walked
 * again), so the work is linear in the distinct objects. For values a host hands the
 * runtime API (a run input, an `updateState` value) that the HTTP API and the CLI already
 * parse with `parseUntrustedJson`, and for what a tool returns (`NodeTask.callTool`).
 * @throws UnsafeJsonError `unsafe_key`, `too_deep` or `cyclic`, with the path.
 */
export function checkUntrustedValue(value: unknown, options: { readonly maxDepth?: number } = {}): void {
  const maxDepth = options.maxDepth ?? DEFAULT_JSON_DEPTH;
  if (value === null || typeof value !== "object") return;
  /** 1: entered and on the path from the root (met again: a cycle); 2: walked. */
  const state = new Map<object, 1 | 2>();
  type Entry = { v: object; depth: number; path: () => string; exit?: true };
  const stack: Entry[] = [{ v: value, depth: 1, path: () => "$" }];
  while (stack.length) {
    const e = stack.pop()!;
    const { v, depth, path } = e;
    if (e.exit) {
      state.set(v, 2);
      continue;
    }
    const seen = state.get(v);
    if (seen === 2) continue;
    if (seen === 1) throw new UnsafeJsonError("cyclic", `contains itself (at ${path()})`, path());
    if (depth > maxDepth) throw new UnsafeJsonError("too_deep", `nests deeper than ${maxDepth} levels (at ${path()})`, path());
    state.set(v, 1);
    stack.push({ v, depth, path, exit: true });
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (x !== null && typeof x === "object") stack.push({ v: x, depth: depth + 1, path: () => `${path()}[${i}]` });
      }
      continue;
    }
    for (const key of Object.keys(v)) {
      if (FORBIDDEN_KEYS.has(key)) throw new UnsafeJsonError("unsafe_key", `the key ${JSON.stringify(key)} is not allowed (at ${path()})`, path());
      const x = (v as Record<string, unknown>)[key];
      if (x !== null && typeof x === "object") stack.push({ v: x, depth: depth + 1, path: () => `${path()}${/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}` });
    }
  }
}
