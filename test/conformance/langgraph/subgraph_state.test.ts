/**
 * Child-run state by checkpoint namespace, and time travel straight to a subgraph
 * checkpoint. Ported from LangGraph.js (`libs/langgraph-core/src/tests/`):
 * `time_travel.test.ts` ("PR #7115: Direct-to-subgraph time travel", the subgraph cases of
 * "PR #7498: Eager fork checkpoint on time travel"), `time_travel_extended.test.ts`
 * ("should replay from subgraph checkpoint via getState subgraphs", "Observability") and
 * `pregel.test.ts` ("nested graph state", "doubly nested graph state").
 *
 * LangGraph's `getState(config, { subgraphs: true })` puts a child's snapshot in
 * `tasks[i].state` and addresses it by `config.configurable.checkpoint_ns`; ragraph puts it
 * in `snapshot.subgraphs[taskId]` and takes `{ namespace }` (the full namespace the runtime
 * writes, `1.0:executor_graph`, or a node path like `"executor"`). Travelling to a child
 * checkpoint is `invoke(null, { threadId, checkpointId, checkpointNs })` (LangGraph:
 * `invoke(null, subConfig)`). LangGraph's `checkpointer: true` subgraphs keep their state
 * between invocations; these cases use one invocation per thread, where the two agree.
 * Differences: docs/langgraph-differences.md 19–21.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MemoryCheckpointer, NamespaceError, SqliteCheckpointer, type Checkpointer, type CompiledGraph, type StateSnapshot } from "../../../runtime/index.js";
import { standardRegistry } from "../../../stdlib/index.js";
import { buildGraph } from "../../helpers/run-graph.js";

const dir = mkdtempSync(join(tmpdir(), "rag-lg-sub-ns-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const savers: [string, () => Checkpointer][] = [
  ["memory", () => new MemoryCheckpointer()],
  ["sqlite", () => new SqliteCheckpointer(join(dir, `c${n++}.db`))],
];

/** `work` appends `<node>_done`; `ask` asks `<node>?` and appends `<node>:<answer>`; both log the node. */
function build(source: string, saver: Checkpointer = new MemoryCheckpointer()): { g: CompiledGraph; called: string[] } {
  const registry = standardRegistry();
  const called: string[] = [];
  registry.registerNodeKind("work", async (t) => {
    called.push(t.node.name);
    return { writes: [["value", `${t.node.name}_done`]] };
  });
  registry.registerNodeKind("ask", async (t) => {
    called.push(t.node.name);
    const answer = t.interrupt<string>(`${t.node.name}?`);
    return { writes: [["value", `${t.node.name}:${answer}`]] };
  });
  const { graph } = buildGraph(source, { registry, checkpointer: saver });
  return { g: graph, called };
}

const SUB = `input { } writes { value: result.value }`;
const STATE = `state { value: list<string> append }`;
const OUT = `output { value: list<string> }`;

/** executor (subgraph): step_a → ask_1 → ask_2 (upstream's executor graph). */
const EXECUTOR = `
graph parent { start executor ${STATE}
  node executor { kind subgraph graph "executor_graph" ${SUB} next END } }
graph executor_graph { start step_a ${STATE} ${OUT}
  node step_a { kind work next ask_1 }
  node ask_1 { kind ask next ask_2 }
  node ask_2 { kind ask next END } }`;

/** outer (middle) → inner: step_a → ask_1 → ask_2. */
const THREE_LEVELS = `
graph parent { start outer ${STATE}
  node outer { kind subgraph graph "middle" ${SUB} next END } }
graph middle { start inner ${STATE} ${OUT}
  node inner { kind subgraph graph "inner_graph" ${SUB} next END } }
graph inner_graph { start step_a ${STATE} ${OUT}
  node step_a { kind work next ask_1 }
  node ask_1 { kind ask next ask_2 }
  node ask_2 { kind ask next END } }`;

/** outer (middle: pre → inner) → inner: step_a → ask_1. */
const MIDDLE_ASKS = `
graph parent { start outer ${STATE}
  node outer { kind subgraph graph "middle" ${SUB} next END } }
graph middle { start pre ${STATE} ${OUT}
  node pre { kind ask next inner }
  node inner { kind subgraph graph "inner_graph" ${SUB} next END } }
graph inner_graph { start step_a ${STATE} ${OUT}
  node step_a { kind work next ask_1 }
  node ask_1 { kind ask next END } }`;

/** router → subgraph_node (step_a → ask_human → step_b) → post_process. */
const ROUTER = `
graph parent { start router ${STATE}
  node router { kind work next subgraph_node }
  node subgraph_node { kind subgraph graph "sub" ${SUB} next post_process }
  node post_process { kind work next END } }
graph sub { start step_a ${STATE} ${OUT}
  node step_a { kind work next ask_human }
  node ask_human { kind ask next step_b }
  node step_b { kind work next END } }`;

const payloads = (r: { interrupts: readonly { payload?: unknown }[] }) => r.interrupts.map((i) => i.payload);
const sub = async (g: CompiledGraph, thread: string, ns: string): Promise<StateSnapshot> => (await g.getState(thread, undefined, { namespace: ns }))!;
const travel = (g: CompiledGraph, thread: string, s: Pick<StateSnapshot, "checkpointId" | "namespace">) => g.invoke(null, { threadId: thread, checkpointId: s.checkpointId, checkpointNs: s.namespace });
const shape = async (g: CompiledGraph, thread: string) => (await g.getStateHistory(thread)).map((s) => [s.source, s.next.map((t) => t.node), s.values]);

for (const [name, make] of savers) {
  describe(`PR #7115: Direct-to-subgraph time travel (${name})`, () => {
    // upstream: tests/time_travel.test.ts "should time travel to subgraph checkpoint at first interrupt"
    it("should time travel to subgraph checkpoint at first interrupt", async () => {
      const { g, called } = build(EXECUTOR, make());
      await g.invoke({ value: [] }, { threadId: "1" });
      const atFirst = await sub(g, "1", "executor");
      expect(atFirst.next.map((t) => t.node)).toEqual(["ask_1"]);
      await g.resume("1", { value: "answer_1" });
      await g.resume("1", { value: "answer_2" });

      called.length = 0;
      const replay = await travel(g, "1", atFirst);
      expect(payloads(replay)).toEqual(["ask_1?"]);
      expect(called).not.toContain("step_a");
      expect(called).toContain("ask_1");

      called.length = 0;
      const fork = await g.updateState("1", { value: ["forked"] }, { namespace: atFirst.namespace, checkpointId: atFirst.checkpointId });
      expect(fork.namespace).toBe(atFirst.namespace);
      expect(fork.source).toBe("update");
      expect(fork.values).toEqual({ value: ["step_a_done", "forked"] });
      const forked = await travel(g, "1", fork);
      expect(payloads(forked)).toEqual(["ask_1?"]);
      expect(called).not.toContain("step_a");
      expect(called).toContain("ask_1");
      const done = await g.resume("1", { value: "x" });
      expect(done.interrupts.map((i) => i.payload)).toEqual(["ask_2?"]);
      expect((await g.resume("1", { value: "y" })).state.value).toEqual(["step_a_done", "forked", "ask_1:x", "ask_2:y"]);
    });

    // upstream: tests/time_travel.test.ts "should time travel to subgraph checkpoint at second interrupt"
    it("should time travel to subgraph checkpoint at second interrupt", async () => {
      const { g, called } = build(EXECUTOR, make());
      await g.invoke({ value: [] }, { threadId: "1" });
      await g.resume("1", { value: "answer_1" });
      const atSecond = await sub(g, "1", "executor");
      await g.resume("1", { value: "answer_2" });

      called.length = 0;
      const replay = await travel(g, "1", atSecond);
      expect(payloads(replay)).toEqual(["ask_2?"]);
      expect(called).not.toContain("step_a");
      expect(called).not.toContain("ask_1");

      called.length = 0;
      const fork = await g.updateState("1", { value: ["forked"] }, { namespace: atSecond.namespace, checkpointId: atSecond.checkpointId });
      const forked = await travel(g, "1", fork);
      expect(payloads(forked)).toEqual(["ask_2?"]);
      expect(called).not.toContain("step_a");
      expect(called).not.toContain("ask_1");
    });

    // upstream: tests/time_travel.test.ts "should time travel to subgraph checkpoint after completion"
    it("should time travel to subgraph checkpoint after completion", async () => {
      const { g, called } = build(EXECUTOR, make());
      await g.invoke({ value: [] }, { threadId: "1" });
      await g.resume("1", { value: "answer_1" });
      await g.resume("1", { value: "answer_2" });
      const final = (await g.getState("1", undefined, { subgraphs: true }))!;
      expect(final.next).toEqual([]);
      expect(final.subgraphs).toEqual({});
      called.length = 0;
      const replay = await g.invoke(null, { threadId: "1", checkpointId: final.checkpointId });
      expect(replay.status).toBe("completed");
      expect(called).toEqual([]);
      expect(replay.state.value).toEqual(["step_a_done", "ask_1:answer_1", "ask_2:answer_2"]);
    });

    // upstream: tests/time_travel.test.ts "should time travel to middle subgraph in 3-level graph"
    it("should time travel to middle subgraph in 3-level graph", async () => {
      const { g, called } = build(THREE_LEVELS, make());
      await g.invoke({ value: [] }, { threadId: "1" });
      await g.resume("1", { value: "answer_1" });
      const mid = await sub(g, "1", "outer");
      expect(mid.graph).toBe("middle");
      expect(mid.next.map((t) => t.node)).toEqual(["inner"]);
      await g.resume("1", { value: "answer_2" });

      called.length = 0;
      const replay = await travel(g, "1", mid);
      expect(replay.status).toBe("interrupted");
      // Below the target the inner run starts afresh (difference 21).
      expect(payloads(replay)).toEqual(["ask_1?"]);

      const fork = await g.updateState("1", { value: ["forked"] }, { namespace: mid.namespace, checkpointId: mid.checkpointId });
      const forked = await travel(g, "1", fork);
      expect(forked.status).toBe("interrupted");
    });

    // upstream: tests/time_travel.test.ts "should time travel when middle subgraph has interrupts"
    it("should time travel when middle subgraph has interrupts", async () => {
      const { g, called } = build(MIDDLE_ASKS, make());
      let r = await g.invoke({ value: [] }, { threadId: "1" });
      expect(payloads(r)).toEqual(["pre?"]);
      const atPre = await sub(g, "1", "outer");
      r = await g.resume("1", { value: "pre_answer" });
      expect(payloads(r)).toEqual(["ask_1?"]);
      const atAsk1 = await sub(g, "1", "outer");
      r = await g.resume("1", { value: "answer_1" });
      expect(r.status).toBe("completed");

      called.length = 0;
      expect(payloads(await travel(g, "1", atPre))).toEqual(["pre?"]);
      expect(called).toContain("pre");
      expect(called).not.toContain("step_a");
      expect(called).not.toContain("ask_1");

      called.length = 0;
      const forkPre = await g.updateState("1", { value: ["forked"] }, { namespace: atPre.namespace, checkpointId: atPre.checkpointId });
      expect(payloads(await travel(g, "1", forkPre))).toEqual(["pre?"]);
      expect(called).toContain("pre");
      expect(called).not.toContain("step_a");

      called.length = 0;
      expect(payloads(await travel(g, "1", atAsk1))).toEqual(["ask_1?"]);
      expect(called).not.toContain("pre");
      expect(called).toContain("ask_1");

      called.length = 0;
      const forkAsk1 = await g.updateState("1", { value: ["forked"] }, { namespace: atAsk1.namespace, checkpointId: atAsk1.checkpointId });
      expect(payloads(await travel(g, "1", forkAsk1))).toEqual(["ask_1?"]);
      expect(called).not.toContain("pre");
      expect(called).toContain("ask_1");
    });
  });

  describe(`PR #7498: Eager fork checkpoint on subgraph time travel (${name})`, () => {
    /** The parent's history (source, next nodes, values), newest first, once a run that ended with `before` was forked back to its subgraph and resumed to `after`. */
    const forkedHistory = (after: string[], before: string[]) => [
      ["loop", [], { value: after }],
      ["fork", ["executor"], { value: [] }],
      ["loop", [], { value: before }],
      ["input", ["executor"], { value: [] }],
    ];
    /** The parent's history (source, next nodes), newest first, right after the fork. */
    const FORKED = [["fork", ["executor"]], ["loop", []], ["input", ["executor"]]];

    // upstream: tests/time_travel.test.ts "should create fork on subgraph time travel and resume from first interrupt"
    // (ragraph's history has no `__start__` checkpoint below the input one: difference 3.)
    it("should create fork on subgraph time travel and resume from first interrupt", async () => {
      const { g, called } = build(EXECUTOR, make());
      await g.invoke({ value: [] }, { threadId: "1" });
      const atFirst = await sub(g, "1", "executor");
      await g.resume("1", { value: "answer_1" });
      await g.resume("1", { value: "answer_2" });
      expect(await shape(g, "1")).toEqual([
        ["loop", [], { value: ["step_a_done", "ask_1:answer_1", "ask_2:answer_2"] }],
        ["input", ["executor"], { value: [] }],
      ]);

      called.length = 0;
      expect(payloads(await travel(g, "1", atFirst))).toEqual(["ask_1?"]);
      expect(called).not.toContain("step_a");
      expect((await shape(g, "1")).map(([s, next]) => [s, next])).toEqual(FORKED);

      called.length = 0;
      const r1 = await g.resume("1", { value: "new_answer_1" });
      expect(payloads(r1)).toEqual(["ask_2?"]);
      expect(called).toContain("ask_1");
      const r2 = await g.resume("1", { value: "new_answer_2" });
      expect(r2.state.value).toEqual(["step_a_done", "ask_1:new_answer_1", "ask_2:new_answer_2"]);
      expect(await shape(g, "1")).toEqual(forkedHistory(["step_a_done", "ask_1:new_answer_1", "ask_2:new_answer_2"], ["step_a_done", "ask_1:answer_1", "ask_2:answer_2"]));
    });

    // upstream: tests/time_travel.test.ts "should create fork on subgraph time travel and resume from second interrupt"
    it("should create fork on subgraph time travel and resume from second interrupt", async () => {
      const { g, called } = build(EXECUTOR, make());
      await g.invoke({ value: [] }, { threadId: "1" });
      await g.resume("1", { value: "answer_1" });
      const atSecond = await sub(g, "1", "executor");
      await g.resume("1", { value: "answer_2" });

      called.length = 0;
      expect(payloads(await travel(g, "1", atSecond))).toEqual(["ask_2?"]);
      expect(called).not.toContain("step_a");
      expect(called).not.toContain("ask_1");
      expect((await shape(g, "1")).map(([s, next]) => [s, next])).toEqual(FORKED);

      const r = await g.resume("1", { value: "new_answer_2" });
      expect(r.state.value).toEqual(["step_a_done", "ask_1:answer_1", "ask_2:new_answer_2"]);
      expect(await shape(g, "1")).toEqual(forkedHistory(["step_a_done", "ask_1:answer_1", "ask_2:new_answer_2"], ["step_a_done", "ask_1:answer_1", "ask_2:answer_2"]));
    });

    // upstream: tests/time_travel.test.ts "should verify checkpoint pattern on subgraph time travel"
    it("should verify checkpoint pattern on subgraph time travel", async () => {
      const { g } = build(
        `graph parent { start executor ${STATE}
           node executor { kind subgraph graph "executor_graph" ${SUB} next END } }
         graph executor_graph { start ask ${STATE} ${OUT} node ask { kind ask next END } }`,
        make(),
      );
      await g.invoke({ value: [] }, { threadId: "1" });
      const subState = await sub(g, "1", "executor");
      await g.resume("1", { value: "first" });
      expect(await shape(g, "1")).toEqual([
        ["loop", [], { value: ["ask:first"] }],
        ["input", ["executor"], { value: [] }],
      ]);

      await travel(g, "1", subState);
      const post = await g.getStateHistory("1");
      expect(post.map((s) => [s.source, s.next.map((t) => t.node)])).toEqual(FORKED);
      // The fork's parent is the root checkpoint the child ran from (LangGraph's `checkpoint_map[""]`).
      expect(post[0].parentId).toBe(subState.metadata.parents?.[""]);

      const r = await g.resume("1", { value: "second" });
      expect(r.state.value).toEqual(["ask:second"]);
      expect(await shape(g, "1")).toEqual(forkedHistory(["ask:second"], ["ask:first"]));
    });
  });
}

describe("Subgraph with interrupt (additional)", () => {
  // upstream: tests/time_travel_extended.test.ts "should replay from subgraph checkpoint via getState subgraphs"
  it("should replay from subgraph checkpoint via getState subgraphs", async () => {
    const { g, called } = build(ROUTER);
    await g.invoke({ value: [] }, { threadId: "t" });
    const parent = (await g.getState("t", undefined, { subgraphs: true }))!;
    const [taskId] = parent.next.map((t) => t.id);
    const child = parent.subgraphs![taskId];
    expect(child).toBeDefined();

    called.length = 0;
    const replay = await travel(g, "t", child);
    expect(payloads(replay)).toEqual(["ask_human?"]);

    // Travelling again with an answer answers the child checkpoint's question at once.
    called.length = 0;
    const final = await g.resume("t", { value: "replayed_answer" }, { checkpointId: child.checkpointId, checkpointNs: child.namespace });
    expect(final.status).toBe("completed");
    expect(called).toEqual(["ask_human", "step_b", "post_process"]);
    expect(final.state.value).toEqual(["router_done", "step_a_done", "ask_human:replayed_answer", "step_b_done", "post_process_done"]);
  });
});

describe("Observability", () => {
  // upstream: tests/time_travel_extended.test.ts "should return subgraph state from getState with subgraphs option"
  it("should return subgraph state from getState with subgraphs option", async () => {
    const registry = standardRegistry();
    registry.registerNodeKind("process", async (t) => {
      t.interrupt("Continue?");
      return { writes: [["data", "processed"]] };
    });
    const { graph: g } = buildGraph(
      `graph parent { start sub state { data: string }
         node sub { kind subgraph graph "child" input { data: state.data } next END } }
       graph child { start process state { data: string } node process { kind process next END } }`,
      { registry, checkpointer: new MemoryCheckpointer() },
    );
    await g.invoke({ data: "input" }, { threadId: "tt-obs-1" });
    const state = (await g.getState("tt-obs-1", undefined, { subgraphs: true }))!;
    expect(state.next.length).toBeGreaterThan(0);
    const child = state.subgraphs![state.next[0].id];
    expect(child).toBeDefined();
    expect(child.threadId).toBe("tt-obs-1");
    expect(child.values).toEqual({ data: "input" });
    expect(child.interrupts.map((i) => i.payload)).toEqual(["Continue?"]);
  });

  // upstream: tests/time_travel_extended.test.ts "should expose checkpoint_ns and thread_id inside subgraph nodes"
  it("should expose checkpoint_ns and thread_id inside subgraph nodes", async () => {
    const registry = standardRegistry();
    const captured: { checkpointNs?: string; threadId?: string } = {};
    registry.registerNodeKind("inner", async (t) => {
      captured.checkpointNs = t.run.checkpointNs;
      captured.threadId = t.run.threadId;
      return { writes: [["data", "done"]] };
    });
    const { graph: g } = buildGraph(
      `graph parent { start outer state { data: string }
         node outer { kind subgraph graph "child" input { data: state.data } writes { data: result.data } next END } }
       graph child { start inner state { data: string } output { data: string } node inner { kind inner next END } }`,
      { registry, checkpointer: new MemoryCheckpointer() },
    );
    await g.invoke({ data: "test" }, { threadId: "tt-obs-2" });
    expect(captured.checkpointNs).toBeTruthy();
    expect(captured.threadId).toBe("tt-obs-2");
    // the namespace a node sees is the one getStateHistory takes (ragraph's form, difference 19)
    const history = await g.getStateHistory("tt-obs-2", { namespace: captured.checkpointNs });
    expect(history[0].values).toEqual({ data: "done" });
  });
});

describe("nested graph state (pregel.test.ts)", () => {
  function nested() {
    const registry = standardRegistry();
    registry.registerNodeKind("inner1", async (t) => ({ writes: [["myKey", `${String(t.state.myKey)} here`], ["myOtherKey", t.state.myKey]] }));
    registry.registerNodeKind("inner2", async (t) => ({ writes: [["myKey", `${String(t.state.myKey)} and there`], ["myOtherKey", t.state.myKey]] }));
    return buildGraph(
      `graph app { start outer1 state { myKey: string  otherParentKey: string }
         node outer1 { kind set set { myKey: "hi " + state.myKey } next inner }
         node inner { kind subgraph graph "inner_graph" input { myKey: state.myKey } writes { myKey: result.myKey } next outer2 }
         node outer2 { kind set set { myKey: state.myKey + " and back again" } next END } }
       graph inner_graph { start inner1 state { myKey: string  myOtherKey: string } output { myKey: string }
         node inner1 { kind inner1 next inner2 }
         node inner2 { kind inner2 next END }
         interrupt before [inner2] }`,
      { registry, checkpointer: new MemoryCheckpointer() },
    ).graph;
  }

  // upstream: tests/pregel.test.ts "nested graph state"
  it("nested graph state", async () => {
    const app = nested();
    await app.invoke({ myKey: "my value" }, { threadId: "1" });
    const plain = (await app.getState("1"))!;
    expect(plain.values).toEqual({ myKey: "hi my value", otherParentKey: null });
    expect(plain.next.map((t) => t.node)).toEqual(["inner"]);
    expect(plain.subgraphs).toBeUndefined();

    const withSubs = (await app.getState("1", undefined, { subgraphs: true }))!;
    const inner = withSubs.subgraphs![plain.next[0].id];
    expect(inner.namespace).toBe(`${plain.next[0].id}:inner_graph`);
    expect(inner.values).toEqual({ myKey: "hi my value here", myOtherKey: "hi my value" });
    expect(inner.next.map((t) => t.node)).toEqual(["inner2"]);
    expect(inner.source).toBe("loop");
    expect(inner.step).toBe(1);
    expect(inner.metadata.parents).toEqual({ "": plain.checkpointId });
    expect(inner.subgraphs).toEqual({});

    // History of the child run by its namespace, newest first.
    const history = await app.getStateHistory("1", { namespace: inner.namespace });
    expect(history.map((s) => [s.step, s.next.map((t) => t.node), s.values.myKey])).toEqual([
      [1, ["inner2"], "hi my value here"],
      [0, ["inner1"], "hi my value"],
    ]);
    expect(history.every((s) => s.namespace === inner.namespace)).toBe(true);

    // Resume: the child continues past its `before` interrupt; nothing is pending then.
    const done = await app.resume("1");
    expect(done.state.myKey).toBe("hi my value here and there and back again");
    const after = (await app.getState("1", undefined, { subgraphs: true }))!;
    expect(after.next).toEqual([]);
    expect(after.subgraphs).toEqual({});
  });

  // upstream: tests/pregel.test.ts "doubly nested graph state"
  it("doubly nested graph state", async () => {
    const registry = standardRegistry();
    const { graph: app } = buildGraph(
      `graph app { start parent1 state { myKey: string }
         node parent1 { kind set set { myKey: "hi " + state.myKey } next child }
         node child { kind subgraph graph "child_graph" input { myKey: state.myKey } writes { myKey: result.myKey } next parent2 }
         node parent2 { kind set set { myKey: state.myKey + " and back again" } next END } }
       graph child_graph { start child1 state { myKey: string } output { myKey: string }
         node child1 { kind subgraph graph "grandchild" input { myKey: state.myKey } writes { myKey: result.myKey } next END } }
       graph grandchild { start grandchild1 state { myKey: string } output { myKey: string }
         node grandchild1 { kind set set { myKey: state.myKey + " here" } next grandchild2 }
         node grandchild2 { kind set set { myKey: state.myKey + " and there" } next END }
         interrupt before [grandchild2] }`,
      { registry, checkpointer: new MemoryCheckpointer() },
    );
    await app.invoke({ myKey: "my value" }, { threadId: "1" });
    const outer = (await app.getState("1", undefined, { subgraphs: true }))!;
    expect(outer.values).toEqual({ myKey: "hi my value" });
    expect(outer.next.map((t) => t.node)).toEqual(["child"]);
    const child = outer.subgraphs![outer.next[0].id];
    expect(child.values).toEqual({ myKey: "hi my value" });
    expect(child.next.map((t) => t.node)).toEqual(["child1"]);
    expect(child.step).toBe(0);
    const grandchild = child.subgraphs![child.next[0].id];
    expect(grandchild.values).toEqual({ myKey: "hi my value here" });
    expect(grandchild.next.map((t) => t.node)).toEqual(["grandchild2"]);
    expect(grandchild.interrupts.map((i) => i.kind)).toEqual(["before"]);
    expect(grandchild.metadata.parents).toEqual({ "": outer.checkpointId, [child.namespace]: child.checkpointId });

    // Each level read directly by its namespace, full or as a node path.
    expect((await app.getState("1", undefined, { namespace: child.namespace }))!.checkpointId).toBe(child.checkpointId);
    expect((await app.getState("1", undefined, { namespace: grandchild.namespace }))!.checkpointId).toBe(grandchild.checkpointId);
    expect((await app.getState("1", undefined, { namespace: "child|child1" }))!.checkpointId).toBe(grandchild.checkpointId);

    const done = await app.resume("1");
    expect(done.state.myKey).toBe("hi my value here and there and back again");
    const plain = (await app.getState("1"))!;
    expect((await app.getState("1", undefined, { subgraphs: true }))!.subgraphs).toEqual({});
    expect(plain.next).toEqual([]);
  });
});

describe("ragraph: editing a paused subgraph", () => {
  it("updateState with a namespace edits the paused child; resuming the parent continues with it", async () => {
    const { g, called } = build(ROUTER);
    await g.invoke({ value: [] }, { threadId: "t" });
    const before = await sub(g, "t", "subgraph_node");
    expect(before.values).toEqual({ value: ["step_a_done"] });
    const edited = await g.updateState("t", { value: ["edited"] }, { namespace: "subgraph_node" });
    expect(edited.namespace).toBe(before.namespace);
    expect(edited.parentId).toBe(before.checkpointId);
    expect(edited.values).toEqual({ value: ["step_a_done", "edited"] });
    // Still paused on the same question, in the child and in the parent.
    expect(edited.interrupts.map((i) => i.payload)).toEqual(["ask_human?"]);
    expect((await g.getState("t"))!.interrupts.map((i) => i.payload)).toEqual(["ask_human?"]);
    const root = (await g.getState("t", undefined, { subgraphs: true }))!;
    expect(root.subgraphs![root.next[0].id].checkpointId).toBe(edited.checkpointId);

    called.length = 0;
    const done = await g.resume("t", { value: "ok" });
    expect(done.status).toBe("completed");
    expect(called).toEqual(["ask_human", "step_b", "post_process"]);
    expect(done.state.value).toEqual(["router_done", "step_a_done", "edited", "ask_human:ok", "step_b_done", "post_process_done"]);
  });

  it("updateState with a namespace and asNode routes inside the child (its task ids keep the child's prefix)", async () => {
    const { g, called } = build(ROUTER);
    await g.invoke({ value: [] }, { threadId: "t" });
    const at = await sub(g, "t", "subgraph_node");
    const edited = await g.updateState("t", { value: ["by hand"] }, { namespace: at.namespace, asNode: "ask_human" });
    expect(edited.next.map((t) => t.node)).toEqual(["step_b"]);
    expect(edited.next[0].id.startsWith(`${at.next[0].id.split("/")[0]}/`)).toBe(true);
    expect(edited.interrupts).toEqual([]);
    called.length = 0;
    const done = await g.invoke(null, { threadId: "t" });
    expect(done.status).toBe("completed");
    expect(called).toEqual(["step_b", "post_process"]);
    expect(done.state.value).toEqual(["router_done", "step_a_done", "by hand", "step_b_done", "post_process_done"]);
  });

  it("travel leaves the original child run's history as it was", async () => {
    const { g } = build(EXECUTOR);
    await g.invoke({ value: [] }, { threadId: "1" });
    const atFirst = await sub(g, "1", "executor");
    await g.resume("1", { value: "a1" });
    await g.resume("1", { value: "a2" });
    const original = (await g.getStateHistory("1", { namespace: atFirst.namespace })).map((s) => s.checkpointId);
    await travel(g, "1", atFirst);
    expect((await g.getStateHistory("1", { namespace: atFirst.namespace })).map((s) => s.checkpointId)).toEqual(original);
    // The node path now resolves to the new branch's child run, which starts with a copy of the target.
    const now = await sub(g, "1", "executor");
    expect(now.namespace).not.toBe(atFirst.namespace);
    expect(now.namespace.startsWith(`${atFirst.namespace}@`)).toBe(true);
    expect(now.source).toBe("fork");
    expect(now.metadata.travelFrom).toEqual({ namespace: atFirst.namespace, checkpointId: atFirst.checkpointId });
    expect(now.values).toEqual(atFirst.values);
  });

  it("refuses malformed or unknown namespaces with NamespaceError", async () => {
    const { g } = build(EXECUTOR);
    await g.invoke({ value: [] }, { threadId: "1" });
    await expect(g.getState("1", undefined, { namespace: "nope" })).rejects.toBeInstanceOf(NamespaceError);
    await expect(g.getState("1", undefined, { namespace: "1.0:no_such_graph" })).rejects.toMatchObject({ code: "checkpoint_namespace" });
    await expect(g.getState("1", undefined, { namespace: "1.0:executor_graph||x" })).rejects.toBeInstanceOf(NamespaceError);
    await expect(g.getStateHistory("1", { namespace: ":executor_graph" })).rejects.toBeInstanceOf(NamespaceError);
    await expect(g.updateState("1", { value: ["x"] }, { namespace: "ghost" })).rejects.toBeInstanceOf(NamespaceError);
    await expect(g.invoke({ value: [] }, { threadId: "1", checkpointNs: "executor" })).rejects.toBeInstanceOf(NamespaceError);
    // A well-formed namespace of a task the parent never ran names no child run (deny by default).
    await expect(g.getState("1", undefined, { namespace: "9.9:executor_graph" })).rejects.toMatchObject({ code: "checkpoint_namespace", reason: "not_found" });
  });
});
