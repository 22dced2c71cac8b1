/**
 * A run's per-channel scratch (`ReduceContext.scratch`, `ChannelTable.apply(…, run)`):
 * the messages reducer keeps its last list's index there instead of in a weak map. The
 * results must be the ones it gives without scratch — along a line of supersteps, after
 * a replacement, and when `current` is not the list it returned last (a fork) — and a
 * run without a checkpointer records no appends (nothing reads them).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FieldSpec } from "../../compiler/index.js";
import { REDUCERS, type ChannelScratch, type Write } from "../../runtime/channels/index.js";
import { appendedFrom } from "../../runtime/channels/lineage.js";
import { Registry } from "../../registry/index.js";

const SPAN = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
const field: FieldSpec = { name: "messages", type: { type: "messages" }, reducer: { name: "messages", args: [] }, span: SPAN };
const registry = new Registry();
const writesOf = (values: readonly unknown[]): Write[] => values.map((value, i) => ({ value, taskId: `t${i}`, node: "n" }));

const message = fc.record({ id: fc.option(fc.constantFrom("a", "b", "c", "d", "msg-1", "msg-2"), { nil: undefined }), role: fc.constantFrom("user", "assistant"), content: fc.string({ maxLength: 3 }) }, { requiredKeys: ["role", "content"] });
/** A step: writes, and whether it applies to an older list of the line (a fork) instead of the last one. */
const step = fc.record({ writes: fc.array(fc.oneof(message, fc.array(message, { maxLength: 2 })), { minLength: 1, maxLength: 3 }), forkBack: fc.nat({ max: 3 }) });

describe("channel scratch (messages)", () => {
  it("gives the results the reducer gives without scratch, forks included", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 8 }), (steps) => {
        const scratch: ChannelScratch = { memo: undefined, recordAppends: true };
        const withScratch: unknown[] = [Object.freeze([])];
        const without: unknown[] = [Object.freeze([])];
        steps.forEach((s, k) => {
          const from = Math.max(0, withScratch.length - 1 - s.forkBack);
          const ws = writesOf(s.writes);
          withScratch.push(REDUCERS.messages.apply(withScratch[from], ws, { field, registry, graph: "g", step: k + 1, scratch }));
          without.push(REDUCERS.messages.apply(without[from], ws, { field, registry, graph: "g", step: k + 1 }));
        });
        expect(withScratch).toEqual(without);
      }),
      { numRuns: 300 },
    );
  });

  it("records appends for a checkpointer only when the run has one", () => {
    // Two separate lines (a second child of one list would be a fork, never recorded as its append).
    const first = () => REDUCERS.messages.apply(Object.freeze([]), writesOf([{ id: "a", role: "user", content: "q" }]), { field, registry, graph: "g", step: 1 }) as unknown[];
    const ctx = (recordAppends: boolean) => ({ field, registry, graph: "g", step: 2, scratch: { memo: undefined, recordAppends } });
    const base1 = first();
    const base2 = first();
    const recorded = REDUCERS.messages.apply(base1, writesOf([{ id: "b", role: "assistant", content: "r" }]), ctx(true)) as unknown[];
    const unrecorded = REDUCERS.messages.apply(base2, writesOf([{ id: "c", role: "assistant", content: "r" }]), ctx(false)) as unknown[];
    expect(appendedFrom(recorded, base1)).toBe(true);
    expect(appendedFrom(unrecorded, base2)).toBe(false);
    expect(unrecorded.map((m) => (m as { id: string }).id)).toEqual(["a", "c"]);
  });
});
