/** `withKey`: the copy `{ ...o, [key]: value }` makes, without its per-call hidden class. */
import { describe, expect, it } from "vitest";
import { withKey } from "../../registry/index.js";

describe("withKey", () => {
  it("copies own properties in order, a new key last and an existing one in place", () => {
    const o = { a: 1, b: 2 };
    expect(Object.keys(withKey(o, "c", 3))).toEqual(["a", "b", "c"]);
    expect(Object.entries(withKey(o, "a", 9))).toEqual([["a", 9], ["b", 2]]);
    expect(o).toEqual({ a: 1, b: 2 });
  });

  it("keeps an own `__proto__` key a data property, as the spread does (the prototype is untouched)", () => {
    const o = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as Record<string, unknown>;
    const c = withKey(o, "y", 2) as Record<string, unknown>;
    expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
    expect(c.polluted).toBeUndefined();
    expect(Object.hasOwn(c, "__proto__")).toBe(true);
    expect(c).toEqual({ ...o, y: 2 });
  });
});
