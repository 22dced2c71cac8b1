/**
 * Ported from LangGraph.js `libs/langgraph-core/src/tests/pregel/retry.test.ts`: the
 * backoff schedule. LangGraph's jitter adds uniform(0, 1 s); ragraph's scales the
 * interval into [0.5, 1]× (`retry { jitter }`; docs/langgraph-differences.md #36), so the
 * jitter case asserts ragraph's range.
 */
import { describe, expect, it } from "vitest";
import type { RetrySpec } from "../../../compiler/index.js";
import { backoff } from "../../../runtime/task.js";

const policy = (o: Partial<RetrySpec>): RetrySpec => ({ maxAttempts: 5, backoff: "exponential", initialMs: 500, maxMs: 128_000, jitter: false, retryOn: ["retryable"], ...o });

describe("retry", () => {
  // upstream: tests/pregel/retry.test.ts "uses backoff: initial * backoff^(attempts - 1)"
  it("uses backoff: initial * backoff^(attempts - 1)", () => {
    const p = policy({});
    expect([1, 2, 3, 4].map((a) => backoff(p, a, undefined, 0))).toEqual([500, 1000, 2000, 4000]);
    expect(backoff(policy({ maxMs: 1500 }), 4, undefined, 0)).toBe(1500);
  });

  // upstream: tests/pregel/retry.test.ts "applies jitter: interval + uniform(0, 1s) in ms"
  // (ragraph differs on purpose: docs/langgraph-differences.md #36)
  it("applies jitter: ragraph scales the interval into [0.5, 1]× (LangGraph adds uniform(0, 1 s))", () => {
    const p = policy({ jitter: true });
    expect(backoff(p, 1, undefined, 0)).toBe(250);
    expect(backoff(p, 1, undefined, 1)).toBe(500);
    // a Retry-After longer than the backoff wins
    expect(backoff(p, 1, 3000, 0.5)).toBe(3000);
  });
});
