/**
 * What the crash bench (`npm run bench:crash`, bench/scale-crash.ts) counts as a committed
 * branch when it SIGKILLs a worker: a task of the fan-out whose record (its `__task__` write
 * and its `out` write, saved in one statement) is in Postgres. The `split` task's record
 * (`1.0`, or `1.0/1.0` inside a subgraph) and the `reduce` task's are not branches.
 *
 * The bench used to take the branches to be the tasks of the step most records shared; with
 * one branch committed beside the `split`'s record the tie picked the `split`'s step and
 * mapped `1.0` to `items[0]`, so branch 0 — killed mid-flight and rightly run again — was
 * reported as "a committed task ran again" (a false failure), and the branch that had
 * committed was not checked at all. The real store's rows are exercised by
 * distribute-crash.test.ts (committed at the kill ≥ 1).
 */
import { describe, expect, it } from "vitest";
import { committedBranches, type WriteRow } from "../../bench/scale-crash.js";

const items = Array.from({ length: 12 }, (_, i) => 100 + i + 1);
const row = (ns: string, checkpoint_id: string, task_id: string, channel: string): WriteRow => ({ ns, checkpoint_id, task_id, channel });

describe("crash bench: committed branches at the kill", () => {
  it("one branch committed beside the split's record: that branch, not items[0]", () => {
    const rows = [row("", "c1", "1.0", "__task__"), row("", "c2", "2.4", "out"), row("", "c2", "2.4", "__task__")];
    expect(committedBranches(rows, items)).toEqual([105]);
  });

  it("inside a subgraph (`1.0/1.0` is the child's split, `1.0/2.i` its branches)", () => {
    const ns = "1.0:inner";
    const rows = [row(ns, "k1", "1.0/1.0", "__task__"), row(ns, "k2", "1.0/2.1", "__task__"), row(ns, "k2", "1.0/2.1", "out")];
    expect(committedBranches(rows, items)).toEqual([102]);
  });

  it("only the split's record: no branch committed", () => {
    expect(committedBranches([row("", "c1", "1.0", "__task__")], items)).toEqual([]);
  });

  it("the reduce task's record and a write without its `__task__` row are not committed branches", () => {
    const rows = [row("", "c1", "1.0", "__task__"), row("", "c2", "2.3", "out"), row("", "c2", "2.0", "__task__"), row("", "c2", "2.0", "out"), row("", "c3", "3.0", "__task__")];
    expect(committedBranches(rows, items)).toEqual([101]);
  });
});
