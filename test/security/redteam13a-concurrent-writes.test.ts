/**
 * Red team 13A: an `overwrite` field written by every branch of a wide fan-out. The
 * refusal (`InvalidConcurrentUpdateError`) named the writing tasks after removing repeats
 * with `filter(indexOf)`, quadratic in the writes: at the 100,000 packets a step allows it
 * held the process for minutes before the run failed, and the message listed them all.
 */
import { describe, expect, it } from "vitest";
import type { FieldSpec } from "../../compiler/index.js";
import { overwrite } from "../../runtime/channels/overwrite.js";
import { InvalidConcurrentUpdateError } from "../../runtime/index.js";
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
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(err).toBeInstanceOf(InvalidConcurrentUpdateError);
    const e = err as InvalidConcurrentUpdateError;
    expect(e.tasks).toHaveLength(100_000);
    expect(e.message).toContain("received writes from 100000 tasks in one superstep: worker (task-000000000000), ");
    expect(e.message).toContain(" and 99980 more; use an aggregate reducer");
    expect(e.message.length).toBeLessThan(2_000);
  }, 60_000);
});
