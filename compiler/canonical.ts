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
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) return "null";
    return JSON.stringify(value) ?? "null";
  }
  if (Array.isArray(value)) return "[" + value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",") + "]";
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonicalJson(obj[k])).join(",") + "}";
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
  return "sha256:" + sha256Hex(canonicalJson(semanticForm(bp)));
}
