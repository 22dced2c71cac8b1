/**
 * Red team 13A: an `overwrite` field written by every branch of a wide fan-out. The
 * refusal (`InvalidConcurrentUpdateError`) named the writing tasks after removing repeats
 * with `filter(indexOf)`, quadratic in the writes: at the 100,000 packets a step allows it
 * held the process for minutes before the run failed, and the message listed them all.
 * The same shape in two reducers that accept many writes a step: `named_barrier` searched
 * its list for every arrival (`includes`), and `merge` copied the whole merged object for
 * every write (a spread per write) — quadratic when each branch adds keys of its own.
 */
import { describe, expect, it } from "vitest";
import type { FieldSpec } from "../../compiler/index.js";
import { namedBarrier } from "../../runtime/channels/barrier.js";
import { merge } from "../../runtime/channels/merge.js";
import { overwrite } from "../../runtime/channels/overwrite.js";
import { errorToJson, InvalidConcurrentUpdateError } from "../../runtime/index.js";
import { standardRegistry } from "../../stdlib/index.js";

describe("red team 13A: concurrent overwrite writes from a wide fan-out", () => {
  it("are refused in linear time, naming 20 tasks and counting the rest", () => {
    const writes = Array.from({ length: 100_000 }, (_, i) => ({ node: "worker", taskId: `task-${i.toString(36).padStart(12, "0")}`, value: i }));
    const field = { name: "o" } as unknown as FieldSpec;
    const t0 = Date.now();
    let err: unknown;
    try {
      overwrite.apply(null, writes, { field, registry: standardRegistry(), graph: "g", step: 3 });
    } catch (e) {
      err = e;
    }
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(err).toBeInstanceOf(InvalidConcurrentUpdateError);
    const e = err as InvalidConcurrentUpdateError;
    expect(e.tasks).toHaveLength(100_000);
    expect(e.message).toContain("received writes from 100000 tasks in one superstep: worker (task-000000000000), ");
    expect(e.message).toContain(" and 99980 more; use an aggregate reducer");
    expect(e.message.length).toBeLessThan(2_000);
    // The error as events and checkpoints record it: 20 tasks named and the rest counted, not 100,000 ids.
    expect(JSON.stringify(errorToJson(e)).length).toBeLessThan(5_000);
    expect(errorToJson(e)).toMatchObject({ moreTasks: 99_980 });
  }, 60_000);

  const ctx = (name: string) => ({ field: { name } as unknown as FieldSpec, registry: standardRegistry(), graph: "g", step: 3 });

  it("named_barrier takes 100,000 arrivals in linear time, each name once", () => {
    const writes = Array.from({ length: 100_000 }, (_, i) => ({ node: "worker", taskId: `t${i}`, value: `branch-${i}` }));
    writes.push({ node: "worker", taskId: "again", value: "branch-7" });
    const t0 = Date.now();
    const out = namedBarrier.apply(["branch-3"], writes, ctx("arrived")) as string[];
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(out).toHaveLength(100_000);
    expect(out.slice(0, 3)).toEqual(["branch-3", "branch-0", "branch-1"]);
  }, 60_000);

  it("merge takes 30,000 writes of keys of their own in linear time, in spread order", () => {
    const writes = Array.from({ length: 30_000 }, (_, i) => ({ node: "worker", taskId: `t${i}`, value: { [`k${i}`]: i, shared: i } as Record<string, unknown> }));
    const t0 = Date.now();
    const out = merge.apply(Object.freeze({ first: 0, k5: "old" }), writes, ctx("found")) as Record<string, unknown>;
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(Object.keys(out).slice(0, 4)).toEqual(["first", "k5", "k0", "shared"]);
    expect([out.k5, out.shared, Object.keys(out).length]).toEqual([5, 29_999, 30_002]);
    // An own `__proto__` key stays data, as a spread keeps it.
    const own = JSON.parse('{"__proto__": {"admin": true}}') as Record<string, unknown>;
    const m = merge.apply({}, [{ node: "a", taskId: "1", value: { x: 1 } }, { node: "b", taskId: "2", value: own }], ctx("found")) as Record<string, unknown>;
    expect(Object.getPrototypeOf(m)).toBe(Object.prototype);
    expect((m as { admin?: unknown }).admin).toBeUndefined();
  }, 60_000);
});
