/**
 * The one-pass hash serializer (`semanticJson`) writes exactly what the two-pass form
 * (`semanticPartJson(semanticForm(bp))`) and a reference written from the rule write: IR
 * objects with sorted keys and no spans, user values (defaults, metadata, literal
 * values, reducer args) exactly as written. Checked on every blueprint of the
 * compatibility corpus and the examples, and on random JSON with spans, `origin` and
 * user-value keys anywhere.
 */
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, compile, semanticForm, semanticJson, semanticPartJson, type Blueprint } from "../../compiler/index.js";
import { HAS_SHARED, readSharedJson } from "../helpers/shared.js";

const examples = new URL("../../examples/", import.meta.url);
const sources = [
  ...readSharedJson<{ source: string }[]>("compat/tinyagents/corpus.json", []).map((c) => c.source),
  ...readdirSync(examples, { withFileTypes: true }).filter((f) => f.isFile() && f.name.endsWith(".rag")).map((f) => readFileSync(new URL(f.name, examples), "utf8")),
];

describe("semanticJson", () => {
  it("equals the two-pass form and the reference for every compat-corpus and example blueprint", () => {
    let n = 0;
    for (const src of sources) {
      for (const bp of compile(src).value.blueprints) {
        expect(semanticJson(bp)).toBe(semanticPartJson(semanticForm(bp)));
        expect(semanticJson(bp)).toBe(referenceSemantic(bp));
        n++;
      }
    }
    expect(n).toBeGreaterThan(HAS_SHARED ? 50 : 3); // the examples alone on a fresh clone
  });

  it("property: equals the two-pass form and the reference on random blueprint-shaped JSON", () => {
    const pos = fc.record({ line: fc.nat(9), column: fc.nat(9), offset: fc.nat(99) });
    const span = fc.record({ start: pos, end: pos });
    const leaf = fc.oneof(fc.string({ maxLength: 3 }), fc.constant("lit"), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), span);
    const keys = fc.constantFrom("span", "origin", "a", "b", "hash", "z", "op", "value", "default", "metadata", "defaults", "args", "reducer");
    const tree = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("value"), { maxLength: 3 }), fc.dictionary(keys, tie("value"), { maxKeys: 5 })),
    })).value;
    const item = fc.dictionary(fc.constantFrom("span", "origin", "from", "to", "x"), tree, { maxKeys: 4 });
    const bp = fc.record({
      id: fc.string({ maxLength: 3 }),
      hash: fc.string(),
      provenance: tree,
      source: tree,
      span,
      nodes: fc.array(item, { maxLength: 3 }),
      edges: fc.array(item, { maxLength: 3 }),
      barriers: fc.array(item, { maxLength: 3 }),
      extra: tree,
    });
    fc.assert(
      fc.property(bp, (b) => {
        const x = b as unknown as Blueprint;
        expect(semanticJson(x)).toBe(semanticPartJson(semanticForm(x)));
        expect(semanticJson(x)).toBe(referenceSemantic(x));
      }),
      { numRuns: 500 },
    );
  });
});

/**
 * Reference semantic JSON, from the rule: a copy of the blueprint's IR objects with keys
 * sorted, span-shaped `span`s dropped, `hash`/`provenance`/`source` dropped at the top and
 * `origin` in `edges`/`barriers` elements; user values (`default`, `metadata`,
 * `defaults`, a `lit`'s `value`, a `reducer`'s `args`) kept as the same objects, so
 * `JSON.stringify` writes them in their own key order with nothing dropped.
 */
function referenceSemantic(bp: unknown): string {
  type Where = "top" | "edges" | "edge" | "reducer" | "ir";
  const isSpanShaped = (v: unknown): boolean => {
    const o = v as { start?: { offset?: unknown }; end?: { offset?: unknown } } | null;
    return !!o && typeof o === "object" && o.start != null && o.end != null && typeof o.start.offset === "number" && typeof o.end.offset === "number";
  };
  const strip = (x: unknown, where: Where): unknown => {
    if (x === null || typeof x !== "object") return x;
    if (Array.isArray(x)) return x.map((e) => strip(e, where === "edges" && e !== null && typeof e === "object" && !Array.isArray(e) ? "edge" : "ir"));
    const o = x as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) {
      const v = o[k];
      if (k === "span" && isSpanShaped(v)) continue;
      if (where === "top" && (k === "hash" || k === "provenance" || k === "source")) continue;
      if (where === "edge" && k === "origin") continue;
      const user = k === "default" || k === "metadata" || k === "defaults" || (k === "value" && o.op === "lit") || (k === "args" && where === "reducer");
      const next: Where = k === "reducer" ? "reducer" : where === "top" && (k === "edges" || k === "barriers") && Array.isArray(v) ? "edges" : "ir";
      Object.defineProperty(out, k, { value: user ? v : strip(v, next), enumerable: true });
    }
    return out;
  };
  return JSON.stringify(strip(bp, "top"));
}

/** Reference canonical JSON: JSON.stringify of a copy with keys sorted, undefined members dropped. */
function reference(v: unknown): string {
  const sort = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map((e) => (e === undefined ? null : sort(e)));
    if (x === null || typeof x !== "object") return x;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(x).sort()) Object.defineProperty(out, k, { value: sort((x as Record<string, unknown>)[k]), enumerable: true });
    return out;
  };
  return JSON.stringify(sort(v));
}

describe("canonicalJson bytes", () => {
  it("property: equals JSON.stringify with sorted keys for any JSON, strings in every UTF-16 code unit (escapes, non-ASCII, pairs, lone surrogates)", () => {
    const str = fc.string({ unit: "binary", maxLength: 80 });
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: "small" }, str, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie("v"), { maxLength: 4 }), fc.dictionary(str, tie("v"), { maxKeys: 20 })),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(reference(v));
      }),
      { numRuns: 500 },
    );
  });

  it("sorts objects with many keys (in place up to 48, by Array.prototype.sort beyond) and class instances' own keys; a long string needing escapes", () => {
    const many: Record<string, number> = {};
    for (let i = 40; i > 0; i--) many[`k${i}`] = i;
    const more: Record<string, number> = {};
    for (let i = 60; i > 0; i--) more[`m${i % 7}${i}`] = i;
    class Thing {
      b = 1;
      a = "x";
    }
    const long = "é".repeat(50) + '"' + "\n".repeat(40) + "\u0001😀\ud800";
    const v = { many, more, thing: new Thing(), long, nested: [many, { long, more }] };
    expect(canonicalJson(v)).toBe(reference(v));
  });

  it("objects whose key lists share a first key, a prefix or the same keys in another order are each sorted by their own keys (the per-layout cache)", () => {
    const layouts = [{ b: 1, a: 2 }, { b: 1, a: 2, c: 3 }, { b: 1 }, { b: 1, c: 2, a: 3 }, { b: 1, a: 2 }, { a: 1, b: 2 }, { b: 1, c: 2, a: 3 }];
    const bp = { nodes: layouts.map((l) => ({ ...l, span: { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 2, offset: 1 } } })) };
    for (let round = 0; round < 2; round++) {
      expect(canonicalJson(layouts)).toBe(reference(layouts));
      expect(semanticPartJson(bp)).toBe(`{"nodes":${reference(layouts)}}`); // spans dropped, keys sorted
    }
  });

  it("the blueprint hash is SHA-256 of the semantic JSON text's UTF-8, with the default (noble) and the node:crypto implementations", async () => {
    const { sha256 } = await import("@noble/hashes/sha2.js");
    const { bytesToHex, utf8ToBytes } = await import("@noble/hashes/utils.js");
    const { blueprintHash, useSha256 } = await import("../../compiler/canonical.js");
    const bps = sources.flatMap((src) => compile(src).value.blueprints).slice(0, 40);
    const check = () => {
      for (const bp of bps) expect(blueprintHash(bp)).toBe(`sha256:${bytesToHex(sha256(utf8ToBytes(semanticJson(bp))))}`);
    };
    await import("../../stdlib/node-sha256.js");
    check();
    // a string-only implementation (no bytes variant) is handed the decoded text
    useSha256((text) => bytesToHex(sha256(utf8ToBytes(text))));
    check();
    // reinstall node:crypto's (the module installs it once, on first import)
    const crypto = await import("node:crypto");
    useSha256(
      (text) => crypto.createHash("sha256").update(text, "utf8").digest("hex"),
      (bytes) => crypto.createHash("sha256").update(bytes).digest("hex"),
    );
    check();
  });
});

describe("SHA-256 implementations", () => {
  it("refuses a bigint instead of writing it as null (two values, one hash), and recovers", () => {
    expect(() => canonicalJson({ a: [1, 2n] })).toThrow("canonical JSON cannot hold a bigint");
    expect(canonicalJson({ b: 1, a: [true, null] })).toBe('{"a":[true,null],"b":1}');
  });

  it("node:crypto and the browser-safe default give the same digests (hashes never depend on the host)", async () => {
    const { sha256 } = await import("@noble/hashes/sha2.js");
    const { bytesToHex, utf8ToBytes } = await import("@noble/hashes/utils.js");
    const { createHash } = await import("node:crypto");
    // what Node entry points install (one-shot crypto.hash), as the compiler calls it
    await import("../../stdlib/node-sha256.js");
    const { sha256Hex } = await import("../../compiler/canonical.js");
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (s) => {
        const text = canonicalJson({ s });
        const noble = bytesToHex(sha256(utf8ToBytes(text)));
        expect(createHash("sha256").update(text, "utf8").digest("hex")).toBe(noble);
        expect(sha256Hex(text)).toBe(noble);
      }),
      { numRuns: 300 },
    );
    // lone surrogates (not JSON-escaped here) encode to U+FFFD on every path
    for (const text of ["", "\ud800", "a\udfffb", "é€😀"]) expect(sha256Hex(text)).toBe(bytesToHex(sha256(utf8ToBytes(text))));
  });
});
