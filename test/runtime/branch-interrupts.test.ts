/**
 * `branchInterrupts`: the pause a branch runner reports comes back over the queue
 * (`distribute: branches`), so the run accepts it only as interrupts of the very task it
 * handed over, in its namespace, with payloads copied null-prototype.
 */
import { describe, expect, it } from "vitest";
import { branchInterrupts } from "../../runtime/index.js";

const task = { id: "2.3", node: "r" };
const good = { id: "2.3#0", kind: "node", node: "r", taskId: "2.3", namespace: "", payload: { type: "tool_approval", tool: "refund" } };

describe("branchInterrupts", () => {
  it("accepts the task's own interrupts, copying payloads without prototypes", () => {
    const got = branchInterrupts({ interrupts: [good] }, task, "");
    expect(got).toEqual([good]);
    expect(Object.getPrototypeOf(got![0].payload)).toBe(null);
  });

  it("refuses interrupts of another task, node or namespace, an empty or malformed list, and forbidden payload keys", () => {
    for (const bad of [
      { interrupts: [{ ...good, id: "2.4#0" }] },
      { interrupts: [{ ...good, taskId: "2.4" }] },
      { interrupts: [{ ...good, node: "w" }] },
      { interrupts: [{ ...good, namespace: "1.0:child" }] },
      { interrupts: [{ ...good, kind: "other" }] },
      { interrupts: [] },
      { interrupts: "2.3#0" },
      { interrupts: [null] },
      { interrupts: [{ ...good, payload: JSON.parse('{"__proto__": {"polluted": true}}') }] },
      { record: { writes: [] } },
    ]) expect(branchInterrupts(bad, task, "")).toBeUndefined();
  });
});
