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
  const sink = new StringSink();
  write(value, NORMAL, sink);
  return sink.text;
}

/** Where canonical JSON goes: appended to a string, or fed to a hash in chunks. */
interface Sink {
  push(s: string): void;
}

class StringSink implements Sink {
  text = "";
  push(s: string): void {
    this.text += s;
  }
}

/**
 * Feeds SHA-256 in 16 KiB chunks as the JSON is written, so the multi-megabyte JSON of a
 * large blueprint is never built and flattened as one string.
 */
class HashSink implements Sink {
  private readonly hash = sha256.create();
  private buf = "";
  push(s: string): void {
    this.buf += s;
    if (this.buf.length > 16_384) this.flush();
  }
  private flush(): void {
    this.hash.update(utf8ToBytes(this.buf));
    this.buf = "";
  }
  hex(): string {
    this.flush();
    return bytesToHex(this.hash.digest());
  }
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
 * Writes the canonical JSON of `value` to `out`, leaving out what `mode` says, in one
 * pass with no intermediate copy (the copy made by `semanticForm` cost more than the
 * hash itself on a 10,000-node graph).
 */
function write(value: unknown, mode: number, out: Sink): void {
  if (value === null || typeof value !== "object") {
    out.push(typeof value === "number" && !Number.isFinite(value) ? "null" : (JSON.stringify(value) ?? "null"));
    return;
  }
  if (Array.isArray(value)) {
    out.push("[");
    for (let i = 0; i < value.length; i++) {
      if (i) out.push(",");
      const v = value[i];
      if (v === undefined) out.push("null");
      else write(v, mode === NORMAL ? NORMAL : mode === EDGE_LIST && v !== null && typeof v === "object" && !Array.isArray(v) ? EDGE : SEMANTIC, out);
    }
    out.push("]");
    return;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let sep = "{";
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    if (mode !== NORMAL) {
      if (k === "span" && isSpan(v)) continue;
      if (mode === TOP && (k === "hash" || k === "provenance" || k === "source")) continue;
      if (mode === EDGE && k === "origin") continue;
    }
    out.push(sep + quoteKey(k) + ":");
    sep = ",";
    write(v, mode === NORMAL ? NORMAL : mode === TOP && (k === "edges" || k === "barriers") && Array.isArray(v) ? EDGE_LIST : SEMANTIC, out);
  }
  out.push(sep === "{" ? "{}" : "}");
}

/** `"key"` for an object key; the IR repeats a few hundred keys, so they are quoted once. */
const QUOTED = new Map<string, string>();
function quoteKey(k: string): string {
  let q = QUOTED.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
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

/** `sha256:<hex>` over the semantic form's canonical JSON (streamed into the hash). */
export function blueprintHash(bp: Omit<Blueprint, "hash"> & { hash?: string }): string {
  const sink = new HashSink();
  write(bp, TOP, sink);
  return "sha256:" + sink.hex();
}

/** Canonical JSON of `semanticForm(bp)`, computed without building the copy. */
export function semanticJson(bp: Omit<Blueprint, "hash"> & { hash?: string }): string {
  const sink = new StringSink();
  write(bp, TOP, sink);
  return sink.text;
}
