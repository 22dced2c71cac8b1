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
 * and barriers. SHA-256 comes from @noble/hashes, which runs in browsers too.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import type { Blueprint } from "./blueprint.js";

export function canonicalJson(value: unknown): string {
  return write(value, NORMAL);
}

/** What `write` drops: nothing, or the parts outside the hash (see `semanticForm`). */
const NORMAL = 0;
/** The blueprint object itself: drop `hash`, `provenance`, `source`. */
const TOP = 1;
/** Inside the semantic form: drop `span`s. */
const SEMANTIC = 2;
/** An element of `edges`/`barriers`: also drop `origin`. */
const EDGE = 3;

/**
 * Canonical JSON of `value`, leaving out what `mode` says, in one pass with no
 * intermediate copy (the copy made by `semanticForm` cost more than the hash itself on
 * a 10,000-node graph).
 */
function write(value: unknown, mode: number): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) return "null";
    return JSON.stringify(value) ?? "null";
  }
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i) out += ",";
      const v = value[i];
      out += v === undefined ? "null" : write(v, mode === NORMAL ? NORMAL : SEMANTIC);
    }
    return out + "]";
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = "{";
  let firstKey = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    if (mode !== NORMAL) {
      if (k === "span" && isSpan(v)) continue;
      if (mode === TOP && (k === "hash" || k === "provenance" || k === "source")) continue;
      if (mode === EDGE && k === "origin") continue;
    }
    if (!firstKey) out += ",";
    firstKey = false;
    const childMode = mode === NORMAL ? NORMAL : mode === TOP && (k === "edges" || k === "barriers") && Array.isArray(v) ? -1 : SEMANTIC;
    out += JSON.stringify(k) + ":" + (childMode === -1 ? writeEdges(v as unknown[]) : write(v, childMode));
  }
  return out + "}";
}

function writeEdges(list: readonly unknown[]): string {
  let out = "[";
  for (let i = 0; i < list.length; i++) {
    if (i) out += ",";
    const v = list[i];
    out += v === undefined ? "null" : write(v, v !== null && typeof v === "object" && !Array.isArray(v) ? EDGE : SEMANTIC);
  }
  return out + "]";
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
    out[k] = stripSpans(v);
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

/** SHA-256 of a string, as lowercase hex. */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** `sha256:<hex>` over the semantic form's canonical JSON. */
export function blueprintHash(bp: Omit<Blueprint, "hash"> & { hash?: string }): string {
  return "sha256:" + sha256Hex(semanticJson(bp));
}

/** Canonical JSON of `semanticForm(bp)`, computed without building the copy. */
export function semanticJson(bp: Omit<Blueprint, "hash"> & { hash?: string }): string {
  return write(bp, TOP);
}
