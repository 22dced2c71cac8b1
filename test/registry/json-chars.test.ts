/**
 * `jsonChars` (registry/json-chars.ts): the length of a value's JSON without building it,
 * for model output that may nest deeper than `JSON.stringify` can recurse.
 */
import { describe, expect, it } from "vitest";
import { jsonChars } from "../../registry/json-chars.js";

/** A random JSON-like value (no escapes needed in strings), depth ≤ `d`. */
function randomValue(seed: { s: number }, d: number): unknown {
  const r = () => ((seed.s = (seed.s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const k = Math.floor(r() * (d > 0 ? 7 : 5));
  if (k === 0) return null;
  if (k === 1) return r() < 0.5;
  if (k === 2) return Math.floor(r() * 2000 - 1000) / (r() < 0.5 ? 1 : 8);
  if (k === 3) return "s".repeat(Math.floor(r() * 12));
  if (k === 4) return undefined;
  if (k === 5) return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(seed, d - 1));
  const o: Record<string, unknown> = {};
  for (let i = 0; i < Math.floor(r() * 4); i++) o[`k${i}${"x".repeat(Math.floor(r() * 3))}`] = randomValue(seed, d - 1);
  return o;
}

describe("jsonChars", () => {
  it("equals JSON.stringify's length on 2,000 random values (property)", () => {
    const seed = { s: 7 };
    for (let i = 0; i < 2000; i++) {
      const v = { root: randomValue(seed, 4) };
      expect(jsonChars(v)).toBe(JSON.stringify(v).length);
    }
  });

  it("counts 50,000 levels of nesting without overflowing the stack, and stops at its cap", () => {
    const deep = JSON.parse("[".repeat(50_000) + "]".repeat(50_000)) as unknown;
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(jsonChars(deep)).toBe(100_000);
    expect(jsonChars({ a: "x".repeat(1000) }, 100)).toBe(100);
  });
});
