/**
 * Canonical JSON writes long strings through the platform's UTF-8 encoder when they need
 * no escape (compiler/canonical.ts `putString`): the bytes must be exactly those of the
 * code-unit loop and of JSON.stringify for every kind of long string — ASCII, 2- and
 * 3-byte characters, quotes, backslashes, control characters, paired and lone surrogates.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../compiler/canonical.js";

describe("canonicalJson of long strings", () => {
  it("equals JSON.stringify for any string, short or long, escaped or not", () => {
    const piece = fc.oneof(fc.string(), fc.constantFrom("é", "€", "\"", "\\", "\n", "\u0001", "😀", "\ud800", "\udfff", "a".repeat(200)));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
        const s = parts.join("");
        expect(canonicalJson({ s })).toBe(JSON.stringify({ s }));
      }),
      { numRuns: 400 },
    );
  });

  it("a 3.6 KB ASCII argument and one with a quote at its end", () => {
    const long = "0123456789abcdef-".repeat(212);
    expect(canonicalJson({ query: long })).toBe(JSON.stringify({ query: long }));
    expect(canonicalJson({ query: long + '"' })).toBe(JSON.stringify({ query: long + '"' }));
    expect(canonicalJson({ query: "ü".repeat(300) })).toBe(JSON.stringify({ query: "ü".repeat(300) }));
  });
});
