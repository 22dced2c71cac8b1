/**
 * Time travel (`runtime.md` §3): getState and getStateHistory read any checkpoint;
 * updateState writes through the reducers as a new checkpoint (source `update`); fork
 * copies a checkpoint into a new thread (source `fork`). History is never mutated.
 */
import { describe, expect, it } from "vitest";
import { BlueprintMismatchError, CheckpointError, InvalidUpdateError, MemoryCheckpointer } from "../../runtime/index.js";
import { standardRegistry } from "../../stdlib/index.js";
import { buildGraph, registerProbe } from "../helpers/run-graph.js";

const src = `graph steps {
  start a
  input { topic: string }
  state { log: list<string> append  score: number = 0 }
  node a { kind set set { log: "a:" + input.topic, score: 1 } next b }
  node b { kind set set { log: "b", score: state.score * 10 } next c }
  node c { kind set set { log: "c" } next END }
}`;

async function ran() {
  const saver = new MemoryCheckpointer();
  const { graph } = buildGraph(src, { checkpointer: saver });
  await graph.invoke({ topic: "x" }, { threadId: "t" });
  return { saver, graph };
}

describe("getState / getStateHistory", () => {
  it("the latest state, any checkpoint by id, and the whole history newest first", async () => {
    const { graph } = await ran();
    const latest = (await graph.getState("t"))!;
    expect(latest).toMatchObject({ threadId: "t", step: 3, source: "loop", status: "completed", next: [], values: { log: ["a:x", "b", "c"], score: 10 }, interrupts: [] });
    const history = await graph.getStateHistory("t");
    expect(history.map((h) => [h.step, h.source, h.next.map((n) => n.node), h.values.score])).toEqual([
      [3, "loop", [], 10],
      [2, "loop", ["c"], 10],
      [1, "loop", ["b"], 1],
      [0, "input", ["a"], 0],
    ]);
    const atOne = (await graph.getState("t", history[2].checkpointId))!;
    expect(atOne.values).toEqual({ log: ["a:x"], score: 1 });
    expect(atOne.status).toBe("resumable");
    expect(await graph.getState("none")).toBeUndefined();
    expect(await graph.getStateHistory("t", { limit: 1 })).toHaveLength(1);
  });
});

describe("updateState", () => {
  it("writes through the reducers as a new checkpoint with source update; earlier checkpoints are unchanged", async () => {
    const { graph } = await ran();
    const before = await graph.getStateHistory("t");
    const u = await graph.updateState("t", { log: "edited", score: 99 });
    expect(u).toMatchObject({ source: "update", step: 4, values: { log: ["a:x", "b", "c", "edited"], score: 99 }, parentId: before[0].checkpointId });
    expect(u.metadata.changed).toEqual(["log", "score"]);
    const after = await graph.getStateHistory("t");
    expect(after.slice(1)).toEqual(before);
  });

  it("a write that does not fit its field is an InvalidUpdateError naming it; nothing is saved", async () => {
    const { graph } = await ran();
    const err = await graph.updateState("t", { score: "high" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidUpdateError);
    expect((err as Error).message).toContain("field `score`");
    await expect(graph.updateState("t", { nope: 1 })).rejects.toThrow("not a state field");
    expect(await graph.getStateHistory("t")).toHaveLength(4);
  });

  it("a misspelt key is named as the update's, with a did-you-mean, not as a write of an internal node", async () => {
    const { graph } = await ran();
    const err = await graph.updateState("t", { scroe: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidUpdateError);
    expect((err as Error).message).toMatch(/^updateState: `scroe` is not a state field of graph `\w+` — did you mean `score`\?/);
    expect((err as Error).message).not.toContain("__update__");
    expect(await graph.getStateHistory("t")).toHaveLength(4);
  });

  it("with asNode, the next tasks are that node's successors, and resuming runs them on the edited state", async () => {
    const registry = standardRegistry();
    const calls = registerProbe(registry, "probe");
    const saver = new MemoryCheckpointer();
    const { graph } = buildGraph(src.replace("node c { kind set", "node c { kind probe"), { registry, checkpointer: saver });
    await graph.invoke({ topic: "x" }, { threadId: "t" });
    const u = await graph.updateState("t", { score: 5 }, { asNode: "b" });
    expect(u.next.map((n) => n.node)).toEqual(["c"]);
    expect(u.status).toBe("resumable");
    const r = await graph.resume("t");
    expect(calls).toHaveLength(2);
    expect(calls[1].state.score).toBe(5);
    expect(r.state.log).toEqual(["a:x", "b", "c", "c"]);
    await expect(graph.updateState("t", {}, { asNode: "zzz" })).rejects.toThrow(CheckpointError);
  });

  it("is refused under a changed blueprint unless allowed", async () => {
    const { saver } = await ran();
    const { graph: changed } = buildGraph(src.replace('log: "c"', 'log: "C"'), { checkpointer: saver });
    await expect(changed.updateState("t", { score: 1 })).rejects.toBeInstanceOf(BlueprintMismatchError);
    await expect(changed.updateState("t", { score: 1 }, { allowBlueprintChange: true })).resolves.toMatchObject({ source: "update" });
  });
});

describe("fork", () => {
  it("copies a checkpoint into a new thread (source fork); resuming the fork re-runs from there; the original is untouched", async () => {
    const { graph } = await ran();
    const original = await graph.getStateHistory("t");
    const atOne = original.find((h) => h.step === 1)!;
    const f = await graph.fork("t", atOne.checkpointId, "t-fork");
    expect(f).toMatchObject({ threadId: "t-fork", source: "fork", step: 1, values: atOne.values, metadata: { forkedFrom: { threadId: "t", checkpointId: atOne.checkpointId } } });
    expect(f.parentId).toBeUndefined();
    await graph.updateState("t-fork", { score: 7 });
    const r = await graph.resume("t-fork");
    expect(r.state).toEqual({ log: ["a:x", "b", "c"], score: 70 });
    expect(await graph.getStateHistory("t")).toEqual(original);
    expect((await graph.getStateHistory("t-fork")).map((h) => h.source)).toEqual(["loop", "loop", "update", "fork"]);
  });

  it("a fork gets a new thread id when none is given; unknown checkpoints and existing threads are refused", async () => {
    const { graph } = await ran();
    const latest = (await graph.getState("t"))!;
    const f = await graph.fork("t", latest.checkpointId);
    expect(f.threadId).toMatch(/^thread-/);
    await expect(graph.fork("t", "nope")).rejects.toThrow(CheckpointError);
    await expect(graph.fork("t", latest.checkpointId, "t")).rejects.toThrow("already exists");
  });
});
