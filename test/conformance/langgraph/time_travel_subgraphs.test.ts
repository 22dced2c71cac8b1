/**
 * Subgraph cases of LangGraph.js `libs/langgraph-core/src/tests/time_travel_extended.test.ts`
 * ("Subgraph without interrupt", "Subgraph with interrupt (additional)"). LangGraph adds a
 * compiled subgraph as a node; here a `kind subgraph graph "sub"` node runs graph `sub` of
 * the same file as a child run in the same thread (its own checkpoint namespace). The
 * subgraph starts from an empty `value` (`input { }`) and its node writes the child's final
 * list back (`writes { value: result.value }`), so the parent's list reads as LangGraph's
 * (which shares the key and re-applies the reducer).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Checkpointer, CompiledGraph } from "../../../runtime/index.js";
import { MemoryCheckpointer, SqliteCheckpointer } from "../../../runtime/index.js";
import { buildGraph } from "../../helpers/run-graph.js";
import { world } from "./helpers.js";

const NO_INTERRUPT = `
graph parent { start parent_node state { value: list<string> append }
  node parent_node { kind push next subgraph }
  node subgraph { kind subgraph graph "sub" input { } writes { value: result.value } next post_process }
  node post_process { kind push next END } }
graph sub { start step_a state { value: list<string> append } output { value: list<string> }
  node step_a { kind push next step_b }
  node step_b { kind push next END } }`;

const WITH_INTERRUPT = `
graph parent { start router state { value: list<string> append }
  node router { kind push next subgraph_node }
  node subgraph_node { kind subgraph graph "sub" input { } writes { value: result.value } next post_process }
  node post_process { kind push next END } }
graph sub { start step_a state { value: list<string> append } output { value: list<string> }
  node step_a { kind push next ask_human }
  node ask_human { kind ask next step_b }
  node step_b { kind push next END } }`;

const dir = mkdtempSync(join(tmpdir(), "rag-lg-tt-sub-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
/** The cases with interrupts run on both checkpointers (the branch a replay starts is saved in checkpoint metadata). */
const savers: [string, () => Checkpointer][] = [
  ["memory", () => new MemoryCheckpointer()],
  ["sqlite", () => new SqliteCheckpointer(join(dir, `c${n++}.db`))],
];

function build(source: string, saver: () => Checkpointer = () => new MemoryCheckpointer()) {
  const { registry, called } = world();
  const { graph } = buildGraph(source, { registry, checkpointer: saver() });
  return { g: graph, called };
}

/** The oldest checkpoint whose next tasks include `node`. */
async function beforeNode(g: CompiledGraph, thread: string, node: string): Promise<string> {
  const h = await g.getStateHistory(thread);
  return h.filter((s) => s.next.some((t) => t.node === node)).at(-1)!.checkpointId;
}

describe("Subgraph without interrupt", () => {
  // upstream: tests/time_travel_extended.test.ts "should replay parent checkpoint before subgraph"
  it("should replay parent checkpoint before subgraph", async () => {
    const { g, called } = build(NO_INTERRUPT);
    const r = await g.invoke({}, { threadId: "t" });
    expect(r.state.value).toEqual(["parent_node", "step_a", "step_b", "post_process"]);
    const before = await beforeNode(g, "t", "subgraph");
    called.length = 0;
    const replay = await g.invoke(null, { threadId: "t", checkpointId: before });
    expect(replay.status).toBe("completed");
    expect(replay.state.value).toEqual(["parent_node", "step_a", "step_b", "post_process"]);
    expect(called).toEqual(["step_a", "step_b", "post_process"]);
    expect(called).not.toContain("parent_node");
  });

  // upstream: tests/time_travel_extended.test.ts "should fork parent checkpoint before subgraph with modified state"
  it("should fork parent checkpoint before subgraph with modified state", async () => {
    const { g, called } = build(NO_INTERRUPT);
    await g.invoke({}, { threadId: "t" });
    const before = await beforeNode(g, "t", "subgraph");
    called.length = 0;
    await g.updateState("t", { value: "forked" }, { checkpointId: before });
    const fork = await g.invoke(null, { threadId: "t" });
    expect(called).toEqual(["step_a", "step_b", "post_process"]);
    expect(fork.state.value).toEqual(["parent_node", "forked", "step_a", "step_b", "post_process"]);
  });
});

for (const [name, make] of savers) {
  describe(`Subgraph with interrupt (additional) (${name})`, () => {
    // upstream: tests/time_travel_extended.test.ts "should replay from parent checkpoint before subgraph interrupt"
    it("should replay from parent checkpoint before subgraph interrupt", async () => {
      const { g, called } = build(WITH_INTERRUPT, make);
      await g.invoke({}, { threadId: "t" });
      const done = await g.resume("t", { value: "answer" });
      expect(done.state.value).toEqual(["router", "step_a", "human:answer", "step_b", "post_process"]);
      const before = await beforeNode(g, "t", "subgraph_node");
      called.length = 0;
      const replay = await g.invoke(null, { threadId: "t", checkpointId: before });
      expect(replay.status).toBe("interrupted");
      expect(replay.interrupts.map((i) => i.payload)).toEqual(["ask_human?"]);
      expect(called).toContain("step_a");
      expect(called).toContain("ask_human");
      expect(called).not.toContain("step_b");
    });

    // upstream: tests/time_travel_extended.test.ts "should replay from parent interrupt checkpoint"
    it("should replay from parent interrupt checkpoint", async () => {
      const { g, called } = build(WITH_INTERRUPT, make);
      const first = await g.invoke({}, { threadId: "t" });
      expect(first.status).toBe("interrupted");
      // The checkpoint the pause left: its next task is the subgraph node, holding the child's question.
      const paused = (await g.getState("t"))!;
      expect(paused.next.map((t) => t.node)).toEqual(["subgraph_node"]);
      await g.resume("t", { value: "answer" });
      called.length = 0;
      const replay = await g.invoke(null, { threadId: "t", checkpointId: paused.checkpointId });
      expect(replay.status).toBe("interrupted");
      expect(called).toContain("step_a");
      expect(called).toContain("ask_human");
      expect(called).not.toContain("step_b");
    });

    // upstream: tests/time_travel_extended.test.ts "should fork and resume after replay from parent interrupt checkpoint"
    it("should fork and resume after replay from parent interrupt checkpoint", async () => {
      const { g, called } = build(WITH_INTERRUPT, make);
      await g.invoke({}, { threadId: "t" });
      await g.resume("t", { value: "old_answer" });
      const before = await beforeNode(g, "t", "subgraph_node");
      called.length = 0;
      const replay = await g.invoke(null, { threadId: "t", checkpointId: before });
      expect(replay.interrupts.map((i) => i.payload)).toEqual(["ask_human?"]);
      called.length = 0;
      const final = await g.resume("t", { value: "new_answer" });
      expect(final.status).toBe("completed");
      expect(final.state.value).toEqual(["router", "step_a", "human:new_answer", "step_b", "post_process"]);
      expect(called).toEqual(["ask_human", "step_b", "post_process"]);
    });

    // upstream: tests/time_travel_extended.test.ts "should complete flow when subgraph has no checkpointer"
    it("should complete flow when subgraph has no checkpointer", async () => {
      const { g, called } = build(WITH_INTERRUPT, make);
      await g.invoke({}, { threadId: "t" });
      await g.resume("t", { value: "original" });
      const before = await beforeNode(g, "t", "subgraph_node");
      called.length = 0;
      await g.updateState("t", { value: "forked" }, { checkpointId: before });
      const fork = await g.invoke(null, { threadId: "t" });
      expect(fork.status).toBe("interrupted");
      expect(fork.interrupts.map((i) => i.payload)).toEqual(["ask_human?"]);
      called.length = 0;
      const final = await g.resume("t", { value: "new_answer" });
      expect(final.state.value).toEqual(["router", "forked", "step_a", "human:new_answer", "step_b", "post_process"]);
      expect(called).toContain("step_b");
      expect(called).toContain("post_process");
    });
  });
}

describe("Stateful subgraph replay", () => {
  // upstream: tests/time_travel_extended.test.ts "should start stateless subgraph fresh on parent replay"
  // (The sibling case "should retain accumulated subgraph state on parent replay" needs a
  // subgraph compiled with `checkpointer: true`, whose state outlives its invocations; a
  // ragraph child run's state lives only as long as its task: see README.md.)
  it("should start stateless subgraph fresh on parent replay", async () => {
    const { registry } = world();
    const started: [string, unknown][] = [];
    const observed: [string, unknown][] = [];
    for (const [kind, q, prefix] of [["step_a", "question_a", "a"], ["step_b", "question_b", "b"]] as const) {
      registry.registerNodeKind(kind, async (t) => {
        started.push([kind, [...(t.state.value as string[])]]);
        const answer = t.interrupt<string>(q);
        observed.push([kind, [...(t.state.value as string[])]]);
        return { writes: [["value", `${prefix}:${answer}`]] };
      });
    }
    const { graph: g } = buildGraph(
      `graph parent { start parent_node state { results: list<string> append }
         node parent_node { kind set set { results: ["p"] } next sub_node }
         node sub_node { kind subgraph graph "sub" input { } next END } }
       graph sub { start step_a state { value: list<string> append }
         node step_a { kind step_a next step_b }
         node step_b { kind step_b next END } }`,
      { registry, checkpointer: new MemoryCheckpointer() },
    );
    await g.invoke({ results: [] }, { threadId: "t" });
    await g.resume("t", { value: "a1" });
    await g.resume("t", { value: "b1" });
    expect(observed).toEqual([["step_a", []], ["step_b", ["a:a1"]]]);
    observed.length = 0;
    await g.invoke({ results: [] }, { threadId: "t" });
    await g.resume("t", { value: "a2" });
    const done = await g.resume("t", { value: "b2" });
    expect(done.status).toBe("completed");
    expect(observed).toEqual([["step_a", []], ["step_b", ["a:a2"]]]);
    // The newest checkpoint about to run the subgraph (the second invocation's).
    const h = await g.getStateHistory("t");
    const before2nd = h.filter((s) => s.next.some((t) => t.node === "sub_node"))[0]!;
    started.length = 0;
    const replay = await g.invoke(null, { threadId: "t", checkpointId: before2nd.checkpointId });
    expect(replay.status).toBe("interrupted");
    expect(started[0]).toEqual(["step_a", []]);
  });
});

describe("Append-only checkpoint history", () => {
  /** parent_start → sub_graph (one node appending `sub<N>`, N counting its calls) → parent_end. */
  function branchGraph() {
    const { registry } = world();
    let subCalls = 0;
    registry.registerNodeKind("sub_step", async () => ({ writes: [["subValue", `sub${++subCalls}`]] }));
    const { graph } = buildGraph(
      `graph parent { start parent_start state { value: list<string> append  subValue: list<string> append }
         node parent_start { kind set set { value: ["p_start"] } next sub_graph }
         node sub_graph { kind subgraph graph "sub" input { } writes { subValue: result.subValue } next parent_end }
         node parent_end { kind set set { value: ["p_end"] } next END } }
       graph sub { start sub_step state { subValue: list<string> append } output { subValue: list<string> }
         node sub_step { kind sub_step next END } }`,
      { registry, checkpointer: new MemoryCheckpointer() },
    );
    return graph;
  }

  // upstream: tests/time_travel_extended.test.ts "should preserve original checkpoints when replay creates subgraph branch"
  it("should preserve original checkpoints when replay creates subgraph branch", async () => {
    const g = branchGraph();
    const r = await g.invoke({ value: [], subValue: [] }, { threadId: "t" });
    expect(r.state).toEqual({ value: ["p_start", "p_end"], subValue: ["sub1"] });
    const original = new Set((await g.getStateHistory("t")).map((s) => s.checkpointId));
    const before = await beforeNode(g, "t", "sub_graph");
    const replay = await g.invoke(null, { threadId: "t", checkpointId: before });
    expect(replay.state).toEqual({ value: ["p_start", "p_end"], subValue: ["sub2"] });
    const post = await g.getStateHistory("t");
    const postIds = new Set(post.map((s) => s.checkpointId));
    for (const id of original) expect(postIds.has(id)).toBe(true);
    const added = [...postIds].filter((id) => !original.has(id));
    expect(added.length).toBeGreaterThanOrEqual(2);
    const fork = post.find((s) => s.source === "fork" && added.includes(s.checkpointId));
    expect(fork?.parentId).toBe(before);
    const latest = (await g.getState("t"))!;
    expect(added).toContain(latest.checkpointId);
    expect(latest.values).toEqual({ value: ["p_start", "p_end"], subValue: ["sub2"] });
  });

  // upstream: tests/time_travel_extended.test.ts "should preserve original checkpoints when fork creates subgraph branch"
  it("should preserve original checkpoints when fork creates subgraph branch", async () => {
    const g = branchGraph();
    await g.invoke({ value: [], subValue: [] }, { threadId: "t" });
    const original = new Set((await g.getStateHistory("t")).map((s) => s.checkpointId));
    const before = await beforeNode(g, "t", "sub_graph");
    await g.updateState("t", { value: ["extra"] }, { checkpointId: before });
    const fork = await g.invoke(null, { threadId: "t" });
    expect(fork.state).toEqual({ value: ["p_start", "extra", "p_end"], subValue: ["sub2"] });
    const post = await g.getStateHistory("t");
    const postIds = new Set(post.map((s) => s.checkpointId));
    for (const id of original) expect(postIds.has(id)).toBe(true);
    const added = [...postIds].filter((id) => !original.has(id));
    expect(added.length).toBeGreaterThanOrEqual(3);
    const update = post.find((s) => s.source === "update" && added.includes(s.checkpointId));
    expect(update?.parentId).toBe(before);
    const latest = (await g.getState("t"))!;
    expect(added).toContain(latest.checkpointId);
    expect(latest.values).toEqual({ value: ["p_start", "extra", "p_end"], subValue: ["sub2"] });
  });
});

describe("PR #7038: Replay behavior for parent + subgraphs", () => {
  // upstream: tests/time_travel.test.ts "should replay with subgraph and strip stale RESUME writes"
  it("should replay with subgraph and strip stale RESUME writes", async () => {
    const { registry, called } = world();
    const { graph: g } = buildGraph(
      `graph parent { start executor state { value: list<string> append }
         node executor { kind subgraph graph "executor_graph" input { } writes { value: result.value } next END } }
       graph executor_graph { start step_a state { value: list<string> append } output { value: list<string> }
         node step_a { kind push next ask_1 }
         node ask_1 { kind ask next ask_2 }
         node ask_2 { kind ask next END } }`,
      { registry, checkpointer: new MemoryCheckpointer() },
    );
    let r = await g.invoke({ value: [] }, { threadId: "1" });
    expect(r.interrupts.map((i) => i.payload)).toEqual(["ask_1?"]);
    r = await g.resume("1", { value: "answer_1" });
    expect(r.interrupts.map((i) => i.payload)).toEqual(["ask_2?"]);
    r = await g.resume("1", { value: "answer_2" });
    expect(r.status).toBe("completed");
    expect(r.state.value).toEqual(["step_a", "human:answer_1", "human:answer_2"]);
    const before = (await g.getStateHistory("1")).find((s) => s.next.some((t) => t.node === "executor"))!;
    called.length = 0;
    const replay = await g.invoke(null, { threadId: "1", checkpointId: before.checkpointId });
    // The saved answers of the old branch are not reused: the first question is asked again.
    expect(replay.status).toBe("interrupted");
    expect(replay.interrupts.map((i) => i.payload)).toEqual(["ask_1?"]);
    expect(called).toContain("step_a");
    expect(called).toContain("ask_1");
    expect(called).not.toContain("ask_2");
  });
});

describe("PR #7498: Eager fork checkpoint on time travel", () => {
  // upstream: tests/time_travel.test.ts "should replay from parent checkpoint with subgraph interrupt then resume"
  // LangGraph's history ends with a `__start__` checkpoint (source `input`) below the
  // `router` one (source `loop`); ragraph's input checkpoint is that `router` one
  // (difference 3, docs/langgraph-differences.md): the shapes are otherwise the same.
  it("should replay from parent checkpoint with subgraph interrupt then resume", async () => {
    const { g, called } = build(WITH_INTERRUPT);
    await g.invoke({ value: [] }, { threadId: "1" });
    await g.resume("1", { value: "old_answer" });
    const shape = async () => (await g.getStateHistory("1")).map((s) => [s.next.map((t) => t.node), s.source]);
    expect(await shape()).toEqual([[[], "loop"], [["post_process"], "loop"], [["subgraph_node"], "loop"], [["router"], "input"]]);
    const paused = (await g.getStateHistory("1")).find((s) => s.next.some((t) => t.node === "subgraph_node"))!;
    called.length = 0;
    const replay = await g.invoke(null, { threadId: "1", checkpointId: paused.checkpointId });
    expect(replay.interrupts.map((i) => i.payload)).toEqual(["ask_human?"]);
    expect(called).toEqual(["step_a", "ask_human"]);
    expect(await shape()).toEqual([[["subgraph_node"], "fork"], [[], "loop"], [["post_process"], "loop"], [["subgraph_node"], "loop"], [["router"], "input"]]);
    called.length = 0;
    const final = await g.resume("1", { value: "new_answer" });
    expect(final.status).toBe("completed");
    expect(final.state.value).toEqual(["router", "step_a", "human:new_answer", "step_b", "post_process"]);
    expect(called).toEqual(["ask_human", "step_b", "post_process"]);
    expect(await shape()).toEqual([
      [[], "loop"], [["post_process"], "loop"], [["subgraph_node"], "fork"],
      [[], "loop"], [["post_process"], "loop"], [["subgraph_node"], "loop"], [["router"], "input"],
    ]);
  });
});
