/**
 * Ported from LangGraph.js `libs/langgraph-core/src/tests/channels.test.ts`: LangGraph's
 * channel classes map onto ragraph reducers (LastValue → `overwrite`, Topic → `topic` /
 * `append`, BinaryOperatorAggregate → `sum`/`aggregate`, EphemeralValue → `ephemeral`,
 * UntrackedValue → `untracked`). Several writes to an `overwrite` channel in one step
 * are refused, as LastValue refuses them.
 */
import { describe, expect, it } from "vitest";
import { InvalidConcurrentUpdateError } from "../../../runtime/index.js";
import { reduce } from "./helpers.js";

describe("LastValue", () => {
  // upstream: tests/channels.test.ts "should handle last value correctly"
  it("should handle last value correctly", () => {
    expect(reduce("overwrite", null, [5])).toBe(5);
    expect(() => reduce("overwrite", null, [5, 6])).toThrow(InvalidConcurrentUpdateError);
  });
  for (const value of [0, "", false, null]) {
    // upstream: tests/channels.test.ts "should handle '%s'" (LastValue, falsy values)
    it(`should handle '${String(value)}'`, () => {
      expect(reduce("overwrite", "x", [value])).toBe(value);
    });
  }
});

describe("Topic", () => {
  // upstream: tests/channels.test.ts "should handle updates and get operations"
  it("should handle updates and get operations", () => {
    expect(reduce("topic", undefined, ["a", "b"])).toEqual(["a", "b"]);
  });
  // upstream: tests/channels.test.ts "should accumulate updates and get operations" (Topic accumulate: true)
  it("should accumulate updates and get operations", () => {
    const one = reduce("append", [], ["a", "b"]);
    expect(reduce("append", one, ["c"])).toEqual(["a", "b", "c"]);
  });
  // upstream: tests/channels.test.ts "should de-dupe updates and get the last unique value" (Topic unique: true)
  it("should de-dupe updates and get the last unique value", () => {
    expect(reduce("union", [], ["a", "b", "a"])).toEqual(["a", "b"]);
  });
});

describe("BinaryOperatorAggregate", () => {
  // upstream: tests/channels.test.ts "should handle binary operator aggregation correctly"
  it("should handle binary operator aggregation correctly", () => {
    expect(reduce("sum", 0, [1, 2])).toBe(3);
    expect(reduce("sum", 3, [4])).toBe(7);
  });
});

describe("EphemeralValue", () => {
  // upstream: tests/channels.test.ts "should handle ephemeral value correctly"
  it("should handle ephemeral value correctly", () => {
    expect(reduce("ephemeral", undefined, ["v"])).toBe("v");
  });
});
