/**
 * Canonical JSON and the blueprint content hash (`language.md` §7).
 *
 * Canonical JSON: object keys sorted by UTF-16 code unit order, no whitespace, numbers
 * and strings as `JSON.stringify` writes them, `undefined` members omitted (the RFC 8785
 * approach minus its number reformatting, which ECMAScript's shortest round-trip output
 * already satisfies for the finite numbers the IR holds).
 *
 * The hash covers the semantic form: the blueprint without `hash`, `provenance` and
 * `source`, without the source `span` of its IR elements, and without the `origin`
 * spelling markers of edges and barriers. User values — the JSON a file writes as a
 * literal: a field's `default`, a literal expression's `value`, a reducer's `args`, the
 * graph's `defaults` and `metadata`, a node's `metadata` (`memberMode`) — are
 * hashed exactly as the runtime sees them: nothing dropped (a user key named `span`
 * stays, whatever its value) and object keys in their own enumeration order, not sorted
 * (`keys(state.cfg)` sees that order, so two orders are two blueprints). IR objects are
 * the compiler's: their keys are sorted and their spans dropped. SHA-256 comes from
 * @noble/hashes, which runs in browsers too; Node entry points swap in `node:crypto`
 * (`useSha256`) for speed.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import type { Blueprint } from "./blueprint.js";

export function canonicalJson(value: unknown): string {
  return serialize(value, NORMAL, decode);
}

/** What `write` drops: nothing, or the parts outside the hash (see `semanticForm`). */
const NORMAL = 0;
/** The blueprint object itself: drop `hash`, `provenance`, `source`. */
const TOP = 1;
/** Inside the semantic form: drop `span`s. */
const SEMANTIC = 2;
/** An element of `edges`/`barriers`: also drop `origin`. */
const EDGE = 3;
/** The `edges`/`barriers` array itself: its object elements are EDGE. */
const EDGE_LIST = 4;
/**
 * Inside a user value (see `memberMode`): nothing dropped, object keys in enumeration
 * order (what `Object.keys`, `JSON.stringify` and the runtime's `keys()` see).
 */
const VALUE = 5;

/** A ReducerSpec (the value of a FieldSpec's `reducer`): its `args` are a user value. */
const REDUCER = 6;

/**
 * The mode of member `k` (value `v`) of the IR object `obj` written in `mode` (neither
 * NORMAL nor VALUE). User values are Blueprint's `Json` fields (compiler/blueprint.ts):
 * `default` (FieldSpec), `metadata` (Blueprint, NodeSpec), `defaults` (Blueprint), the
 * `value` of a literal expression (`op: "lit"`; an ExprEntrySpec's `value` is an
 * expression) and a ReducerSpec's `args` (a call expression's `args` are expressions, a
 * SendSpec's an InputSpec). Decided by the IR's position and shape, never by what the
 * value looks like, so no user value can pass for IR.
 */
function memberMode(mode: number, obj: Record<string, unknown>, k: string, v: unknown): number {
  switch (k) {
    case "default":
    case "metadata":
    case "defaults":
      return VALUE;
    case "value":
      return obj.op === "lit" ? VALUE : SEMANTIC;
    case "args":
      return mode === REDUCER ? VALUE : SEMANTIC;
    case "reducer":
      return REDUCER;
    case "edges":
    case "barriers":
      return mode === TOP && Array.isArray(v) ? EDGE_LIST : SEMANTIC;
    default:
      return SEMANTIC;
  }
}

/**
 * The UTF-8 bytes being written, `buf[0..pos)`. Canonical JSON is written as UTF-8
 * straight into one growing buffer, which the hash reads as is: building a string with
 * `+=` made a rope node per append (hundreds of thousands for a large blueprint) that
 * the garbage collector copied and promoted until the final flatten, and the hash then
 * encoded the whole text to UTF-8 again (measured: semantic JSON of a 10,000-node
 * blueprint, 2.4 MB, 66 → 12 ms). Serialization is synchronous and never reentrant, so
 * one module-level buffer serves every call; it is kept between calls up to KEEP bytes.
 */
let buf = new Uint8Array(1 << 16);
let pos = 0;
const KEEP = 1 << 22;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Hands `f` the canonical JSON of `value` as UTF-8 bytes: a view of the shared buffer,
 * valid only during the call (no copy of the text is made).
 */
function serialize<T>(value: unknown, mode: number, f: (bytes: Uint8Array) => T): T {
  pos = 0;
  try {
    write(value, mode, 0);
    return f(buf.subarray(0, pos));
  } finally {
    pos = 0;
    if (buf.length > KEEP) buf = new Uint8Array(1 << 16);
  }
}

const decode = (bytes: Uint8Array): string => decoder.decode(bytes);

/** Makes room for `extra` more bytes. */
function reserve(extra: number): void {
  if (pos + extra <= buf.length) return;
  let size = buf.length * 2;
  while (size < pos + extra) size *= 2;
  const bigger = new Uint8Array(size);
  bigger.set(buf.subarray(0, pos));
  buf = bigger;
}

/** Appends `bytes`. */
function put(bytes: Uint8Array): void {
  const len = bytes.length;
  if (pos + len > buf.length) reserve(len);
  const b = buf;
  let p = pos;
  if (len < 32) for (let i = 0; i < len; i++) b[p++] = bytes[i]!;
  else {
    b.set(bytes, p);
    p += len;
  }
  pos = p;
}

/** Appends one ASCII character (code unit < 0x80). */
function putByte(c: number): void {
  if (pos >= buf.length) reserve(1);
  buf[pos++] = c;
}

/** Appends a string holding only ASCII (numbers, JSON literals). */
function putAscii(s: string): void {
  const len = s.length;
  if (pos + len > buf.length) reserve(len);
  const b = buf;
  let p = pos;
  for (let i = 0; i < len; i++) b[p++] = s.charCodeAt(i);
  pos = p;
}

/**
 * Appends `s` as UTF-8 (surrogate pairs as 4 bytes; `s` holds no lone surrogate: it is
 * JSON.stringify output, which escapes them).
 */
function putUtf8(s: string): void {
  const len = s.length;
  if (pos + len * 3 > buf.length) reserve(len * 3);
  const b = buf;
  let p = pos;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) b[p++] = c;
    else if (c < 0x800) {
      b[p++] = 0xc0 | (c >> 6);
      b[p++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < len) {
      const cp = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      b[p++] = 0xf0 | (cp >> 18);
      b[p++] = 0x80 | ((cp >> 12) & 0x3f);
      b[p++] = 0x80 | ((cp >> 6) & 0x3f);
      b[p++] = 0x80 | (cp & 0x3f);
    } else {
      b[p++] = 0xe0 | (c >> 12);
      b[p++] = 0x80 | ((c >> 6) & 0x3f);
      b[p++] = 0x80 | (c & 0x3f);
    }
  }
  pos = p;
}

const QUOTE = 0x22;

/**
 * Appends the JSON string literal of `s`, exactly as `JSON.stringify` writes it: the
 * code units are copied while none needs an escape (quote, backslash, control
 * character, surrogate); at the first that does, what was copied is dropped and
 * `JSON.stringify`'s text is written instead.
 */
/** Strings from this length (UTF-16 code units) are checked for the encoder's fast path. */
const LONG_STRING = 128;
/** What canonical JSON escapes (`"`, `\\`, control characters) or writes by JSON.stringify (surrogates). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const utf8 = new TextEncoder();

function putString(s: string): void {
  const len = s.length;
  if (pos + len * 3 + 2 > buf.length) reserve(len * 3 + 2);
  const b = buf;
  let p = pos;
  b[p++] = QUOTE;
  // A long string with nothing to escape and no surrogate (most tool arguments, prompts):
  // the platform's UTF-8 encoder, the same bytes as the loop below at a fraction of its
  // time (a 100-call agent loop with 3.6 KB arguments spent ~3 ms per run in this loop).
  if (len >= LONG_STRING && !NEEDS_ESCAPE.test(s)) {
    p += utf8.encodeInto(s, b.subarray(p)).written;
    b[p++] = QUOTE;
    pos = p;
    return;
  }
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c < 0x20 || c === QUOTE || c === 0x5c) return putUtf8(JSON.stringify(s));
      b[p++] = c;
    } else if (c < 0x800) {
      b[p++] = 0xc0 | (c >> 6);
      b[p++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdfff) return putUtf8(JSON.stringify(s));
    else {
      b[p++] = 0xe0 | (c >> 12);
      b[p++] = 0x80 | ((c >> 6) & 0x3f);
      b[p++] = 0x80 | (c & 0x3f);
    }
  }
  b[p++] = QUOTE;
  pos = p;
}

/**
 * Per nesting depth, a scratch list of an object's keys (reused: no key array is
 * allocated per object).
 */
const keyStack: string[][] = [];

/**
 * Appends the canonical JSON of `value`, leaving out what `mode` says, in one pass with
 * no intermediate copy. Strings and numbers are written exactly as `JSON.stringify`
 * writes them.
 */
function write(value: unknown, mode: number, depth: number): void {
  switch (typeof value) {
    case "string":
      putString(value);
      return;
    case "number":
      putAscii(Number.isFinite(value) ? String(value) : "null");
      return;
    case "boolean":
      putAscii(value ? "true" : "false");
      return;
    case "object":
      break;
    case "bigint":
      // JSON has no bigints, and writing one as null would give two different values one hash.
      throw new TypeError("canonical JSON cannot hold a bigint; use a number or a string");
    default:
      putAscii("null");
      return;
  }
  if (value === null) {
    putAscii("null");
    return;
  }
  if (Array.isArray(value)) {
    putByte(0x5b); // [
    for (let i = 0; i < value.length; i++) {
      if (i) putByte(0x2c); // ,
      const v: unknown = value[i];
      if (v === undefined) putAscii("null");
      else write(v, mode === NORMAL || mode === VALUE ? mode : mode === EDGE_LIST && v !== null && typeof v === "object" && !Array.isArray(v) ? EDGE : SEMANTIC, depth + 1);
    }
    putByte(0x5d); // ]
    return;
  }
  const obj = value as Record<string, unknown>;
  let keys = keyStack[depth];
  if (!keys) keys = keyStack[depth] = [];
  const count = ownKeys(obj, keys);
  let first = true;
  if (mode === VALUE) {
    // a user value: enumeration order, nothing dropped
    for (let i = 0; i < count; i++) {
      const k = keys[i]!;
      const v = obj[k];
      if (v === undefined) continue;
      putByte(first ? 0x7b : 0x2c); // { or ,
      first = false;
      put(quoteKey(k));
      write(v, VALUE, depth + 1);
    }
  } else {
    // Only the IR's own layouts are kept (`shapeOf`): NORMAL is any value (`canonicalJson` of
    // state, model output, tool arguments at run time), whose layouts are not to be remembered.
    const shape = shapeOf(keys, count, mode !== NORMAL && count <= MAX_SHAPE_KEYS);
    const sorted = shape.sorted;
    const quoted = shape.quoted;
    for (let i = 0; i < count; i++) {
      const k = sorted[i]!;
      const v = obj[k];
      if (v === undefined) continue;
      let child = mode;
      if (mode !== NORMAL) {
        if (k === "span" && isSpan(v)) continue;
        if (mode === TOP && (k === "hash" || k === "provenance" || k === "source")) continue;
        if (mode === EDGE && k === "origin") continue;
        child = memberMode(mode, obj, k, v);
      }
      putByte(first ? 0x7b : 0x2c); // { or ,
      first = false;
      put(quoted[i]!);
      write(v, child, depth + 1);
    }
  }
  if (first) putByte(0x7b);
  putByte(0x7d); // }
}

/**
 * The keys of an object in UTF-16 code unit order, with each key's `"key":` bytes. The IR
 * has a few dozen object layouts, each seen thousands of times in a large blueprint, so
 * the sorted order and the encoded keys are kept per layout (the list of keys in
 * enumeration order) instead of being sorted and looked up again for every object:
 * hashing the 10,000-node benchmark blueprint spent much of its time in the key
 * comparisons of the insertion sort and a map lookup per key.
 */
interface Shape {
  /** The keys in enumeration order (what identifies the layout). */
  readonly keys: readonly string[];
  readonly sorted: readonly string[];
  readonly quoted: readonly Uint8Array[];
  /** Another layout whose first key is the same. */
  readonly next: Shape | undefined;
}

/** Known layouts by their first key (chained through `next`); at most MAX_SHAPES in all. */
const SHAPES = new Map<string, Shape>();
let shapeCount = 0;
const MAX_SHAPES = 2048;
/**
 * Keys of the largest layout kept: IR objects have at most a few dozen (a blueprint 18–24);
 * a record keyed by user names may have any number and is sorted afresh. With MAX_SHAPES,
 * this bounds what the table holds for the life of the process (a `rag serve` compiling
 * many files): at most 2048 × 64 keys.
 */
const MAX_SHAPE_KEYS = 64;
/** Layouts kept so far (for tests: values hashed at run time must not add to it). */
export function keptLayouts(): number {
  return shapeCount;
}

/** The layout of an object with no keys. */
const NO_KEYS: Shape = { keys: [], sorted: [], quoted: [], next: undefined };

/**
 * The Shape of the `count` keys in `keys` (enumeration order); made on first sight, and
 * kept when `keep` (an IR layout, at most MAX_SHAPE_KEYS keys) and the table has room.
 */
function shapeOf(keys: string[], count: number, keep: boolean): Shape {
  if (count === 0) return NO_KEYS;
  const head = keys[0]!;
  const chain = keep ? SHAPES.get(head) : undefined;
  for (let s = chain; s !== undefined; s = s.next) {
    const ks = s.keys;
    if (ks.length !== count) continue;
    let i = 1;
    while (i < count && ks[i] === keys[i]) i++;
    if (i === count) return s;
  }
  const own = keys.slice(0, count);
  const sorted = keys.slice(0, count);
  sortKeys(sorted, count);
  const quoted = new Array<Uint8Array>(count);
  for (let i = 0; i < count; i++) quoted[i] = quoteKey(sorted[i]!);
  const shape: Shape = { keys: own, sorted, quoted, next: chain };
  // A hand-made value with ever new keys must not grow the table without bound.
  if (keep && shapeCount < MAX_SHAPES) {
    SHAPES.set(head, shape);
    shapeCount++;
  }
  return shape;
}

/**
 * Fills `keys` with `obj`'s own enumerable string keys in enumeration order (IR objects
 * are then sorted once per layout, `shapeOf`) and returns how many there are.
 * A for-in loop (V8 reads it from the object's
 * enumeration cache, allocating nothing) lists the same keys as `Object.keys` plus
 * inherited enumerable ones, so only objects whose prototype is Object.prototype or
 * null (which have none) take it. IR objects have a handful of keys, where an insertion
 * sort beats `Array.prototype.sort` (measured: serialization of a 1000-node blueprint
 * 0.94 → 0.7 ms); keys already in order cost one comparison each. The blueprint object
 * itself has some 18–24 keys: sorting it with `slice().sort()` allocated about 1 KB per
 * blueprint (a file of 20,000 small graphs: 23 MB), so objects up to INSERTION_SORT_MAX
 * keys are sorted in place; larger ones (only a hand-made IR object can have that many)
 * go to `Array.prototype.sort`, whose time does not grow with the square of the count.
 */
const INSERTION_SORT_MAX = 48;

function ownKeys(obj: object, keys: string[]): number {
  let count = 0;
  const proto: unknown = Object.getPrototypeOf(obj);
  if (proto === Object.prototype || proto === null) {
    for (const k in obj) keys[count++] = k;
  } else {
    const own = Object.keys(obj);
    for (; count < own.length; count++) keys[count] = own[count]!;
  }
  return count;
}

/**
 * Sorts `keys[0..count)` in UTF-16 code unit order, in place: an insertion sort up to
 * INSERTION_SORT_MAX keys, `Array.prototype.sort` beyond (see `ownKeys`).
 */
function sortKeys(keys: string[], count: number): void {
  if (count > INSERTION_SORT_MAX) {
    const sorted = keys.slice(0, count).sort();
    for (let i = 0; i < count; i++) keys[i] = sorted[i]!;
    return;
  }
  for (let i = 1; i < count; i++) {
    const k = keys[i]!;
    if (keys[i - 1]! <= k) continue;
    let j = i - 1;
    while (j >= 0 && keys[j]! > k) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = k;
  }
}

/** `"key":` for an object key, as UTF-8; the IR repeats a few hundred keys, so they are encoded once. */
const QUOTED = new Map<string, Uint8Array>();
function quoteKey(k: string): Uint8Array {
  let q = QUOTED.get(k);
  if (q === undefined) {
    q = encoder.encode(JSON.stringify(k) + ":");
    if (QUOTED.size < 4096) QUOTED.set(k, q);
  }
  return q;
}

function isSpan(v: unknown): boolean {
  if (!v || typeof v !== "object") return false;
  const start = (v as { start?: { offset?: unknown } }).start;
  const end = (v as { end?: { offset?: unknown } }).end;
  return start != null && end != null && typeof start.offset === "number" && typeof end.offset === "number";
}

/**
 * Deep copy of a part of the IR without the spans of its IR elements. User values in it
 * (`memberMode`) are copied as they are, key order included. `field`/`parent`: the IR
 * key `value` sits under and the object holding it (`stripSpans(node.metadata,
 * "metadata", node)` is a user value); without `field`, `value` is an IR element.
 */
export function stripSpans(value: unknown, field?: string, parent: object = EMPTY): unknown {
  return copy(value, partMode(value, field, parent));
}

const EMPTY: object = Object.freeze(Object.create(null) as object);

/** The mode of a part of the IR: SEMANTIC, or the mode of member `field` of `parent`. */
function partMode(value: unknown, field: string | undefined, parent: object): number {
  return field === undefined ? SEMANTIC : memberMode(SEMANTIC, parent as Record<string, unknown>, field, value);
}

/** `stripSpans` in `mode` (VALUE: copied whole; otherwise without spans). */
function copy(value: unknown, mode: number): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => copy(v, mode === VALUE ? VALUE : SEMANTIC));
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (mode !== VALUE && k === "span" && isSpan(v)) continue;
    // Defined, not assigned: a `__proto__` key stays data (and in the hash).
    Object.defineProperty(out, k, { value: copy(v, mode === VALUE ? VALUE : memberMode(mode, obj, k, v)), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Canonical JSON of a part of a blueprint's semantic form, as the hash writes it: IR
 * objects with sorted keys and no spans, user values exactly as written (see the module
 * comment). `field`/`parent` as for `stripSpans`: `semanticPartJson(node.metadata,
 * "metadata", node)` is a user value; without `field`, `value` is an IR element (a node,
 * a channel, an expression). Used by `rag diff`: two parts differ here exactly when they
 * differ in the hashed form.
 */
export function semanticPartJson(value: unknown, field?: string, parent: object = EMPTY): string {
  return serialize(value, partMode(value, field, parent), decode);
}

/** The part of a blueprint the hash covers. */
export function semanticForm(bp: Omit<Blueprint, "hash"> & { hash?: string }): unknown {
  const { hash: _h, provenance: _p, source: _s, ...rest } = bp;
  const noOrigin = {
    ...rest,
    edges: rest.edges.map(({ ...e }) => {
      delete (e as { origin?: string }).origin;
      return e;
    }),
    barriers: rest.barriers.map(({ origin: _o, ...b }) => b),
  };
  return stripSpans(noOrigin);
}

/** A SHA-256 implementation: UTF-8 of `text` → lowercase hex digest. */
export type Sha256 = (text: string) => string;
/** A SHA-256 implementation over bytes → lowercase hex digest. */
export type Sha256Bytes = (bytes: Uint8Array) => string;

const nobleSha256: Sha256 = (text) => bytesToHex(sha256(utf8ToBytes(text)));
const nobleSha256Bytes: Sha256Bytes = (bytes) => bytesToHex(sha256(bytes));
let sha256Impl: Sha256 = nobleSha256;
let sha256BytesImpl: Sha256Bytes | undefined = nobleSha256Bytes;

/**
 * Replaces the SHA-256 implementation (default: @noble/hashes, pure JavaScript, runs in
 * browsers). Node entry points install `node:crypto`'s, which is ~15× faster; the
 * digest is the same, so hashes never depend on where they were computed. `bytes`, when
 * given, hashes bytes directly (blueprint hashes are computed over UTF-8 written
 * straight into a buffer); without it those bytes are decoded and passed to `impl`.
 */
export function useSha256(impl: Sha256, bytes?: Sha256Bytes): void {
  sha256Impl = impl;
  sha256BytesImpl = bytes;
}

/** SHA-256 of a string (UTF-8), as lowercase hex. */
export function sha256Hex(text: string): string {
  return sha256Impl(text);
}

/** SHA-256 of UTF-8 bytes, as lowercase hex, with whichever implementation is installed. */
function sha256Bytes(bytes: Uint8Array): string {
  return sha256BytesImpl ? sha256BytesImpl(bytes) : sha256Impl(decoder.decode(bytes));
}

/**
 * SHA-256 (lowercase hex) of `canonicalJson(value)`'s UTF-8, hashed as written: no string
 * of the JSON is made (tool-call fingerprints of kilobytes of arguments).
 */
export function canonicalSha256(value: unknown): string {
  return serialize(value, NORMAL, sha256Bytes);
}

/** `sha256:<hex>` over the semantic form's canonical JSON. */
export function blueprintHash(bp: Omit<Blueprint, "hash"> & { hash?: string }): string {
  return "sha256:" + serialize(bp, TOP, sha256Bytes);
}

/** Canonical JSON of `semanticForm(bp)`, computed without building the copy. */
export function semanticJson(bp: Omit<Blueprint, "hash"> & { hash?: string }): string {
  return serialize(bp, TOP, decode);
}
