/**
 * Ported from LangGraph.js `libs/langgraph-core/src/tests/time_travel.test.ts` (root-graph
 * cases; the subgraph ones are listed in README.md).
 */
import { describe, expect, it } from "vitest";
import { compile, world } from "./helpers.js";

const ASK = `graph g { start node_a state { value: list<string> append } node node_a { kind push next ask_human } node ask_human { kind ask next node_b } node node_b { kind push next END } }`;

describe("time travel", () => {
  // upstream: tests/time_travel.test.ts "should replay from checkpoint before interrupt and strip stale RESUME writes"
  it("should replay from checkpoint before interrupt and strip stale RESUME writes", async () => {
    const { registry } = world();
    const g = compile(ASK, registry);
    await g.invoke({}, { threadId: "t" });
    expect((await g.resume("t", { value: "old" })).state.value).toEqual(["node_a", "human:old", "node_b"]);
    const before = (await g.getStateHistory("t")).filter((s) => s.next.some((t) => t.node === "ask_human")).at(-1)!;
    const replay = await g.invoke(null, { threadId: "t", checkpointId: before.checkpointId });
    expect(replay.status).toBe("interrupted");
    const done = await g.resume("t", { value: "new" });
    expect(done.state.value).toEqual(["node_a", "human:new", "node_b"]);
  });

  // upstream: tests/time_travel.test.ts "should resume with explicit head checkpoint_id without ReplayState"
  it("should resume with explicit head checkpoint_id without ReplayState", async () => {
    const { registry, called } = world();
    const g = compile(ASK, registry);
    const paused = await g.invoke({}, { threadId: "t" });
    const head = (await g.getState("t"))!.checkpointId;
    expect(paused.checkpointId).toBe(head);
    const r = await g.invoke(null, { threadId: "t", checkpointId: head, resume: { value: "yes" } });
    expect(r.state.value).toEqual(["node_a", "human:yes", "node_b"]);
    expect(called.filter((n) => n === "node_a")).toHaveLength(1);
  });

  // upstream: tests/time_travel.test.ts "should create fork checkpoint on replay from before interrupt then resume"
  it("should create fork checkpoint on replay from before interrupt then resume", async () => {
    const { registry } = world();
    const g = compile(ASK, registry);
    await g.invoke({}, { threadId: "t" });
    await g.resume("t", { value: "a1" });
    const before = (await g.getStateHistory("t")).filter((s) => s.next.some((t) => t.node === "ask_human")).at(-1)!;
    await g.invoke(null, { threadId: "t", checkpointId: before.checkpointId });
    const head = (await g.getState("t"))!;
    expect(head.status).toBe("interrupted");
    const forkCk = (await g.getStateHistory("t")).find((s) => s.metadata.replayOf === before.checkpointId)!;
    expect(forkCk.source).toBe("fork");
    expect(forkCk.parentId).toBe(before.checkpointId);
    expect((await g.resume("t", { value: "a2" })).state.value).toEqual(["node_a", "human:a2", "node_b"]);
  });
});
