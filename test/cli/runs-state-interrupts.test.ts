/**
 * `rag runs state THREAD CHECKPOINT` of the checkpoint a run paused at shows the pending
 * interrupts, as `getState(thread, checkpointId)` does (not `interrupts: []`): a node's own
 * question, a question asked inside a subgraph (on the parent's checkpoint), and the same
 * when the checkpoint is named although it is the latest. In-process, scratch projects.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ragIn as rag, root, scratchProject } from "../helpers/cli.js";
import { NESTED } from "../helpers/subgraph-source.js";

/** The checkpoint ids `rag runs show THREAD --json` lists, newest first. */
async function checkpoints(thread: string, dir: string): Promise<string[]> {
  return (JSON.parse((await rag(["runs", "show", thread, "--json"], dir)).stdout) as { checkpointId: string }[]).map((c) => c.checkpointId);
}

describe("rag runs state THREAD CHECKPOINT at a pause", () => {
  it("a node's interrupt: the paused checkpoint, named by id, lists it with its payload", async () => {
    const dir = scratchProject({});
    expect((await rag(["run", join(root, "examples/approval.rag"), "--thread", "t"], dir)).code).toBe(3);
    const [paused] = await checkpoints("t", dir);
    const latest = JSON.parse((await rag(["runs", "state", "t"], dir)).stdout);
    const byId = JSON.parse((await rag(["runs", "state", "t", paused!], dir)).stdout);
    expect(byId).toMatchObject({ checkpointId: paused, status: "interrupted", interrupts: [{ id: "2.0#0", kind: "node", node: "review", taskId: "2.0", payload: { options: ["approve", "revise", "reject"] } }] });
    expect(byId.interrupts).toEqual(latest.interrupts);
  });

  it("a question asked inside a subgraph is pending on the parent's checkpoint", async () => {
    const dir = scratchProject({ "nested.rag": NESTED });
    expect((await rag(["run", "nested.rag", "--thread", "t1"], dir)).code).toBe(3);
    const [paused] = await checkpoints("t1", dir);
    const s = JSON.parse((await rag(["runs", "state", "t1", paused!], dir)).stdout);
    expect(s).toMatchObject({ checkpointId: paused, status: "interrupted" });
    expect(s.interrupts.map((i: { id: string }) => i.id)).toEqual(["2.0/2.0#0"]);
  });
});
