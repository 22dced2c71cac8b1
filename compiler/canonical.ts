/**
 * Canonical JSON and the blueprint content hash (`language.md` §7).
 *
 * Canonical JSON: object keys sorted by UTF-16 code unit order, no whitespace, numbers
 * and strings as `JSON.stringify` writes them, `undefined` members omitted (the RFC 8785
 * approach minus its number reformatting, which ECMAScript's shortest round-trip output
 * already satisfies for the finite numbers the IR holds).
 *
 * The hash covers the semantic form: the blueprint without `hash`, `provenance` and
 * `source`, without any source `span`, and without the `origin` spelling markers of edges
 * and barriers. SHA-256 comes from @noble/hashes, which runs in browsers too; Node entry
 * points swap in `node:crypto` (`useSha256`) for speed.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import type { Blueprint } from "./blueprint.js";

export function canonicalJson(value: unknown): string {
  return serialize(value, NORMAL);
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
 * The text being written. One module-level accumulator (serialization is synchronous
 * and never reentrant) appended with `+=` is several times faster than passing a sink
 * object or collecting parts, and canonical JSON of a blueprint is small enough to hold.
 */
let out = "";

function serialize(value: unknown, mode: number): string {
  out = "";
  write(value, mode);
  const text = out;
  out = "";
  return text;
}

/** Strings needing JSON escapes (quotes, backslash, control characters, surrogates). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * Appends the canonical JSON of `value`, leaving out what `mode` says, in one pass with
 * no intermediate copy. Strings and numbers are written exactly as `JSON.stringify`
 * writes them (fast paths for strings without escapes and for finite numbers).
 */
function write(value: unknown, mode: number): void {
  switch (typeof value) {
    case "string":
      out += NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : '"' + value + '"';
      return;
    case "number":
      out += Number.isFinite(value) ? String(value) : "null";
      return;
    case "boolean":
      out += value ? "true" : "false";
      return;
    case "object":
      break;
    case "bigint":
      // JSON has no bigints, and writing one as null would give two different values one hash.
      out = "";
      throw new TypeError("canonical JSON cannot hold a bigint; use a number or a string");
    default:
      out += "null";
      return;
  }
  if (value === null) {
    out += "null";
    return;
  }
  if (Array.isArray(value)) {
    out += "[";
    for (let i = 0; i < value.length; i++) {
      if (i) out += ",";
      const v: unknown = value[i];
      if (v === undefined) out += "null";
      else write(v, mode === NORMAL ? NORMAL : mode === EDGE_LIST && v !== null && typeof v === "object" && !Array.isArray(v) ? EDGE : SEMANTIC);
    }
    out += "]";
    return;
  }
  const obj = value as Record<string, unknown>;
  const keys = sortedKeys(obj);
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const v = obj[k];
    if (v === undefined) continue;
    if (mode !== NORMAL) {
      if (k === "span" && isSpan(v)) continue;
      if (mode === TOP && (k === "hash" || k === "provenance" || k === "source")) continue;
      if (mode === EDGE && k === "origin") continue;
    }
    out += first ? "{" : ",";
    first = false;
    out += quoteKey(k);
    write(v, mode === NORMAL ? NORMAL : mode === TOP && (k === "edges" || k === "barriers") && Array.isArray(v) ? EDGE_LIST : SEMANTIC);
  }
  out += first ? "{}" : "}";
}

/**
 * An object's keys in UTF-16 code unit order. IR objects have a handful of keys, where
 * an insertion sort beats `Array.prototype.sort` (measured: serialization of a
 * 1000-node blueprint 0.94 → 0.7 ms).
 */
function sortedKeys(obj: object): string[] {
  const keys = Object.keys(obj);
  const n = keys.length;
  if (n > 16) return keys.sort();
  for (let i = 1; i < n; i++) {
    const k = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > k) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

/** `"key":` for an object key; the IR repeats a few hundred keys, so they are quoted once. */
const QUOTED = new Map<string, string>();
function quoteKey(k: string): string {
  let q = QUOTED.get(k);
  if (q === undefined) {
    q = JSON.stringify(k) + ":";
    if (QUOTED.size < 4096) QUOTED.set(k, q);
  }
  return q;
}

function isSpan(v: unknown): boolean {
  if (!v || typeof v !== "object") return false;
  const s = v as { start?: { offset?: unknown }; end?: { offset?: unknown } };
  return typeof s.start?.offset === "number" && typeof s.end?.offset === "number";
}

/** Deep copy without spans. */
export function stripSpans(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(stripSpans);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === "span" && isSpan(v)) continue;
    // Defined, not assigned: a `__proto__` key stays data (and in the hash).
    Object.defineProperty(out, k, { value: stripSpans(v), enumerable: true, writable: true, configurable: true });
  }
  return out;
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

const nobleSha256: Sha256 = (text) => bytesToHex(sha256(utf8ToBytes(text)));
let sha256Impl: Sha256 = nobleSha256;

/**
 * Replaces the SHA-256 implementation (default: @noble/hashes, pure JavaScript, runs in
 * browsers). Node entry points install `node:crypto`'s, which is ~15× faster; the
 * digest is the same, so hashes never depend on where they were computed.
 */
export function useSha256(impl: Sha256): void {
  sha256Impl = impl;
}

/** SHA-256 of a string (UTF-8), as lowercase hex. */
export function sha256Hex(text: string): string {
  return sha256Impl(text);
}

/** `sha256:<hex>` over the semantic form's canonical JSON. */
export function blueprintHash(bp: Omit<Blueprint, "hash"> & { hash?: string }): string {
  return "sha256:" + sha256Impl(serialize(bp, TOP));
}

/** Canonical JSON of `semanticForm(bp)`, computed without building the copy. */
export function semanticJson(bp: Omit<Blueprint, "hash"> & { hash?: string }): string {
  return serialize(bp, TOP);
}
