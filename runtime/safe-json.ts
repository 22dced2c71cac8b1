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

/** Untrusted JSON was refused: `code` is `unsafe_key`, `too_deep` or `syntax`; `path` is where (`$.a[0].b`). */
export class UnsafeJsonError extends Error {
  override readonly name = "UnsafeJsonError";
  constructor(
    readonly code: "unsafe_key" | "too_deep" | "syntax",
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

export interface SafeJsonOptions {
  /** Maximum nesting of arrays/objects (the top-level value is depth 1). Default 256. */
  readonly maxDepth?: number;
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
  if (value === null || typeof value !== "object") return value;
  const root = { v: undefined as unknown };
  // Each entry copies `src` into the container slot `set`; `path` is built lazily on error only.
  const stack: { src: unknown; set: (v: unknown) => void; depth: number; path: () => string }[] = [{ src: value, set: (v) => (root.v = v), depth: 1, path: () => "$" }];
  while (stack.length) {
    const { src, set, depth, path } = stack.pop()!;
    if (src === null || typeof src !== "object") {
      set(src);
      continue;
    }
    if (depth > maxDepth) throw new UnsafeJsonError("too_deep", `nests deeper than ${maxDepth} levels (at ${path()})`, path());
    if (Array.isArray(src)) {
      const out: unknown[] = new Array(src.length);
      set(out);
      for (let i = 0; i < src.length; i++) stack.push({ src: src[i], set: (v) => (out[i] = v), depth: depth + 1, path: () => `${path()}[${i}]` });
      continue;
    }
    const out = Object.create(null) as Record<string, unknown>;
    set(out);
    const keys = Object.keys(src);
    // Pushed last-first so they are popped, and inserted into `out`, in source order.
    for (let k = keys.length - 1; k >= 0; k--) {
      const key = keys[k];
      if (FORBIDDEN_KEYS.has(key)) throw new UnsafeJsonError("unsafe_key", `the key ${JSON.stringify(key)} is not allowed (at ${path()})`, path());
      stack.push({ src: (src as Record<string, unknown>)[key], set: (v) => (out[key] = v), depth: depth + 1, path: () => `${path()}${/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}` });
    }
  }
  return root.v;
}
