/**
 * Stateful subgraphs: the cases of LangGraph.js (`libs/langgraph-core/src/tests/`) whose
 * subgraph is compiled with `checkpointer: true`, so its state outlives one call of its
 * node. In `.rag` that is `persistent true` on the subgraph node (`docs/language.md`,
 * `docs/runtime.md` "Persistent subgraphs"). LangGraph hands the subgraph the parent's
 * state (keys it lacks are ignored); here the subgraph node's `input { }` passes nothing
 * and nothing is written back unless the upstream parent reads the subgraph's keys.
 *
 * Each case runs on the memory and the SQLite checkpointer.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { NodeTask, Registry } from "../../../registry/index.js";
import { MemoryCheckpointer, SqliteCheckpointer, type Checkpointer, type CompiledGraph, type StateSnapshot } from "../../../runtime/index.js";
import { standardRegistry } from "../../../stdlib/index.js";
import { buildGraph } from "../../helpers/run-graph.js";

const dir = mkdtempSync(join(tmpdir(), "rag-lg-stateful-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const savers: [string, () => Checkpointer][] = [
  ["memory", () => new MemoryCheckpointer()],
  ["sqlite", () => new SqliteCheckpointer(join(dir, `c${n++}.db`))],
];

type Seen = [string, Record<string, unknown>];

/**
 * A registry whose kinds record the state a node starts from (`started`) and the state
 * it saw once it got its answer (`observed`): `mark` appends `LABEL` to the list field
 * `FIELD` (both from the node's metadata); `ask` asks `question_<letter>` first and
 * appends `<letter>:<answer>` to `value`.
 */
function world(): { registry: Registry; started: Seen[]; observed: Seen[] } {
  const registry = standardRegistry();
  const started: Seen[] = [];
  const observed: Seen[] = [];
  const copy = (t: NodeTask, field: string) => ({ [field]: [...((t.state[field] as string[] | null) ?? [])] });
  registry.registerNodeKind("mark", async (t) => {
    const { field, label, as } = t.node.metadata as { field: string; label: string; as?: string };
    observed.push([as ?? t.node.name, copy(t, field)]);
    return { writes: [[field, label]] };
  });
  registry.registerNodeKind("ask", async (t) => {
    const letter = t.node.name.slice(-1);
    started.push([t.node.name, copy(t, "value")]);
    const answer = t.interrupt<string>(`question_${letter}`);
    observed.push([t.node.name, copy(t, "value")]);
    return { writes: [["value", `${letter}:${answer}`]] };
  });
  registry.reducers.set("concat", (a, b) => `${(a as string | null) ?? ""}${b as string}`);
  return { registry, started, observed };
}

function build(source: string, make: () => Checkpointer) {
  const w = world();
  const { graph } = buildGraph(source, { registry: w.registry, checkpointer: make() });
  return { g: graph, ...w };
}

/** Checkpoints (newest first) whose next tasks include `node`. */
async function withNext(g: CompiledGraph, thread: string, node: string): Promise<StateSnapshot[]> {
  return (await g.getStateHistory(thread)).filter((s) => s.next.some((t) => t.node === node));
}

const PARENT_SUB = (sub: string) => `
graph parent { start parent_node state { results: list<string> append }
  node parent_node { kind set set { results: ["p"] } next sub_node }
  node sub_node { kind subgraph graph "sub" persistent true input { } next END } }
graph sub { start ${sub} }`;

const ASK_TWICE = PARENT_SUB(`step_a state { value: list<string> append }
  node step_a { kind ask next step_b }
  node step_b { kind ask next END }`);

const ONE_STEP = PARENT_SUB(`sub_step state { value: list<string> append }
  node sub_step { kind mark metadata { field: "value", label: "s" } next END }`);

const NESTED = `
graph parent { start parent_step state { results: list<string> append }
  node parent_step { kind set set { results: ["p"] } next mid_node }
  node mid_node { kind subgraph graph "mid" persistent true input { } next END } }
graph mid { start mid_step state { midTrail: list<string> append }
  node mid_step { kind mark metadata { field: "midTrail", label: "mid" } next inner_node }
  node inner_node { kind subgraph graph "inner" persistent true input { } next END } }
graph inner { start inner_step state { innerTrail: list<string> append }
  node inner_step { kind mark metadata { field: "innerTrail", label: "inner" } next END } }`;

for (const [name, make] of savers) {
  describe(`stateful subgraphs (${name})`, () => {
    // upstream: tests/pregel.test.ts "checkpointer: true"
    it("checkpointer: true", async () => {
      const { g } = build(
        `
graph parent { start inner state { myKey: string = "" }
  node inner { kind subgraph graph "inner" persistent true input { myKey: state.myKey } writes { myKey: result.myKey }
    routes { when len(split(state.myKey, "there")) - 1 < 2 -> inner  else -> END } } }
graph inner { start inner_1 state { myKey: string aggregate "concat" = "", myOtherKey: string = "" } output { myKey: string }
  node inner_1 { kind set set { myKey: " got here", myOtherKey: state.myKey } next inner_2 }
  node inner_2 { kind set set { myKey: " and there" } next END } }`,
        make,
      );
      const r = await g.invoke({ myKey: "" }, { threadId: "1" });
      // The second call starts on top of the first call's state: its input is concatenated to it.
      expect(r.state.myKey).toBe(" got here and there got here and there got here and there");
      const inner = await g.getStateHistory("1", { namespace: "inner" });
      expect(inner[0].values).toEqual({ myKey: " got here and there got here and there got here and there", myOtherKey: " got here and there got here and there" });
      expect(inner.map((s) => s.next.map((t) => t.node))).toEqual([[], ["inner_2"], ["inner_1"], [], ["inner_2"], ["inner_1"]]);
      expect(inner.map((s) => s.metadata.source)).toEqual(["loop", "loop", "input", "loop", "loop", "input"]);
      // The second call's input checkpoint continues the first call's last one.
      expect(inner[2].values).toEqual({ myKey: " got here and there got here and there", myOtherKey: "" });
      expect(inner[2].parentId).toBe(inner[3].checkpointId);
    });

    // upstream: tests/time_travel.test.ts "should replay with subgraph and strip stale RESUME writes"
    it("should replay with subgraph and strip stale RESUME writes", async () => {
      const { g, started } = build(
        `
graph parent { start executor state { value: list<string> append }
  node executor { kind subgraph graph "executor" persistent true input { } next END } }
graph executor { start step_a state { value: list<string> append }
  node step_a { kind mark metadata { field: "value", label: "step_a_done" } next ask_1 }
  node ask_1 { kind ask next ask_2 }
  node ask_2 { kind ask next END } }`,
        make,
      );
      expect((await g.invoke({}, { threadId: "1" })).interrupts.map((i) => i.payload)).toEqual(["question_1"]);
      expect((await g.resume("1", { value: "answer_1" })).interrupts.map((i) => i.payload)).toEqual(["question_2"]);
      expect((await g.resume("1", { value: "answer_2" })).status).toBe("completed");
      const before = (await withNext(g, "1", "executor")).at(-1)!;
      started.length = 0;
      const replay = await g.invoke(null, { threadId: "1", checkpointId: before.checkpointId });
      expect(replay.interrupts.map((i) => i.payload)).toEqual(["question_1"]);
      // The replay point is before the subgraph's first call: it starts from nothing, asks again.
      expect(started).toEqual([["ask_1", { value: ["step_a_done"] }]]);
    });

    // upstream: tests/time_travel.test.ts "should resume with explicit head checkpoint_id without ReplayState"
    it("should resume with explicit head checkpoint_id without ReplayState", async () => {
      const { g, observed } = build(
        `
graph parent { start subgraph_node state { value: list<string> append }
  node subgraph_node { kind subgraph graph "sub" persistent true input { } writes { value: result.value } next END } }
graph sub { start step_a state { value: list<string> append } output { value: list<string> }
  node step_a { kind mark metadata { field: "value", label: "sub_a" } next ask_human }
  node ask_human { kind ask next step_b }
  node step_b { kind mark metadata { field: "value", label: "sub_b" } next END } }`,
        make,
      );
      await g.invoke({}, { threadId: "1" });
      expect(observed.map((o) => o[0])).toEqual(["step_a"]);
      const head = (await g.getState("1"))!.checkpointId;
      observed.length = 0;
      const r = await g.resume("1", { value: "answer" }, { checkpointId: head });
      expect(observed.map((o) => o[0])).toEqual(["ask_human", "step_b"]);
      expect(r.status).toBe("completed");
      expect(r.state.value).toEqual(["sub_a", "n:answer", "sub_b"]);
    });

    // upstream: tests/time_travel.test.ts "should load accumulated subgraph state on replay then resume"
    it("should load accumulated subgraph state on replay then resume", async () => {
      const { g, started } = build(PARENT_SUB(`step_a state { value: list<string> append }
  node step_a { kind ask next END }`), make);
      await g.invoke({}, { threadId: "1" });
      await g.resume("1", { value: "a1" });
      expect(started[0]).toEqual(["step_a", { value: [] }]);
      started.length = 0;
      await g.invoke({}, { threadId: "1" });
      await g.resume("1", { value: "a2" });
      expect(started[0]).toEqual(["step_a", { value: ["a:a1"] }]);
      const history = await g.getStateHistory("1");
      // ragraph has no `__start__` checkpoint (differences doc, row 3): input, parent_node, sub_node, done — twice.
      expect(history.map((s) => s.next.map((t) => t.node))).toEqual([[], ["sub_node"], ["parent_node"], [], ["sub_node"], ["parent_node"]]);
      const beforeSub2nd = (await withNext(g, "1", "sub_node"))[0];
      started.length = 0;
      const replay = await g.invoke(null, { threadId: "1", checkpointId: beforeSub2nd.checkpointId });
      expect(replay.interrupts.map((i) => i.payload)).toEqual(["question_a"]);
      expect(started[0]).toEqual(["step_a", { value: ["a:a1"] }]);
      const after = await g.getStateHistory("1");
      expect(after.map((s) => s.metadata.source)).toEqual(["fork", "loop", "loop", "input", "loop", "loop", "input"]);
      const final = await g.resume("1", { value: "a3" });
      expect(final.status).toBe("completed");
      expect(final.state.results).toEqual(["p", "p"]);
      expect((await g.getState("1", undefined, { namespace: "sub_node" }))!.values).toEqual({ value: ["a:a1", "a:a3"] });
      expect((await g.getStateHistory("1")).map((s) => s.metadata.source)).toEqual(["loop", "fork", "loop", "loop", "input", "loop", "loop", "input"]);
    });

    // upstream: tests/time_travel_extended.test.ts "should retain accumulated subgraph state on parent replay"
    it("should retain accumulated subgraph state on parent replay", async () => {
      const { g, started, observed } = build(ASK_TWICE, make);
      await g.invoke({}, { threadId: "t" });
      await g.resume("t", { value: "a1" });
      await g.resume("t", { value: "b1" });
      expect(observed[0]).toEqual(["step_a", { value: [] }]);
      expect(observed[1]).toEqual(["step_b", { value: ["a:a1"] }]);
      observed.length = 0;
      await g.invoke({}, { threadId: "t" });
      await g.resume("t", { value: "a2" });
      await g.resume("t", { value: "b2" });
      expect(observed[0]).toEqual(["step_a", { value: ["a:a1", "b:b1"] }]);
      expect(observed[1]).toEqual(["step_b", { value: ["a:a1", "b:b1", "a:a2"] }]);
      const beforeSub2nd = (await withNext(g, "t", "sub_node"))[0];
      started.length = 0;
      const replay = await g.invoke(null, { threadId: "t", checkpointId: beforeSub2nd.checkpointId });
      expect(replay.status).toBe("interrupted");
      expect(started[0]).toEqual(["step_a", { value: ["a:a1", "b:b1"] }]);
    });

    // upstream: tests/time_travel_extended.test.ts "should start stateless subgraph fresh on parent replay"
    it("should start stateless subgraph fresh on parent replay", async () => {
      const { g, started, observed } = build(ASK_TWICE.replace(" persistent true", ""), make);
      await g.invoke({}, { threadId: "t" });
      await g.resume("t", { value: "a1" });
      await g.resume("t", { value: "b1" });
      observed.length = 0;
      await g.invoke({}, { threadId: "t" });
      await g.resume("t", { value: "a2" });
      await g.resume("t", { value: "b2" });
      expect(observed[0]).toEqual(["step_a", { value: [] }]);
      expect(observed[1]).toEqual(["step_b", { value: ["a:a2"] }]);
      const beforeSub2nd = (await withNext(g, "t", "sub_node"))[0];
      started.length = 0;
      await g.invoke(null, { threadId: "t", checkpointId: beforeSub2nd.checkpointId });
      expect(started[0]).toEqual(["step_a", { value: [] }]);
    });

    // upstream: tests/time_travel_extended.test.ts "should load subgraph state from first invocation on replay"
    it("should load subgraph state from first invocation on replay", async () => {
      const { g, observed } = build(ONE_STEP, make);
      await g.invoke({}, { threadId: "t" });
      await g.invoke({}, { threadId: "t" });
      const beforeSub1st = (await withNext(g, "t", "sub_node")).at(-1)!;
      observed.length = 0;
      await g.invoke(null, { threadId: "t", checkpointId: beforeSub1st.checkpointId });
      expect(observed[0]).toEqual(["sub_step", { value: [] }]);
    });

    // upstream: tests/time_travel_extended.test.ts "should load latest subgraph state after parent replay on next invoke"
    it("should load latest subgraph state after parent replay on next invoke", async () => {
      const { g, observed } = build(ONE_STEP, make);
      await g.invoke({}, { threadId: "t" });
      expect(observed.at(-1)).toEqual(["sub_step", { value: [] }]);
      await g.invoke({}, { threadId: "t" });
      expect(observed.at(-1)).toEqual(["sub_step", { value: ["s"] }]);
      const beforeParent2nd = (await withNext(g, "t", "parent_node"))[0];
      observed.length = 0;
      await g.invoke(null, { threadId: "t", checkpointId: beforeParent2nd.checkpointId });
      expect(observed[0]).toEqual(["sub_step", { value: ["s"] }]);
      observed.length = 0;
      await g.invoke({}, { threadId: "t" });
      expect(observed[0]).toEqual(["sub_step", { value: ["s", "s"] }]);
    });

    // upstream: tests/time_travel_extended.test.ts "should load correct state at all three nesting levels on replay"
    it("should load correct state at all three nesting levels on replay", async () => {
      const { g, observed } = build(NESTED, make);
      await g.invoke({}, { threadId: "t" });
      expect(observed).toEqual([["mid_step", { midTrail: [] }], ["inner_step", { innerTrail: [] }]]);
      observed.length = 0;
      await g.invoke({}, { threadId: "t" });
      expect(observed).toEqual([["mid_step", { midTrail: ["mid"] }], ["inner_step", { innerTrail: ["inner"] }]]);
      const beforeParent2nd = (await withNext(g, "t", "parent_step"))[0];
      observed.length = 0;
      await g.invoke(null, { threadId: "t", checkpointId: beforeParent2nd.checkpointId });
      expect(observed).toEqual([["mid_step", { midTrail: ["mid"] }], ["inner_step", { innerTrail: ["inner"] }]]);
      observed.length = 0;
      await g.invoke({}, { threadId: "t" });
      expect(observed).toEqual([["mid_step", { midTrail: ["mid", "mid"] }], ["inner_step", { innerTrail: ["inner", "inner"] }]]);
    });

    // upstream: tests/time_travel_extended.test.ts "should load correct nested state on fork"
    it("should load correct nested state on fork", async () => {
      const { g, observed } = build(NESTED, make);
      await g.invoke({}, { threadId: "t" });
      await g.invoke({}, { threadId: "t" });
      const beforeParent2nd = (await withNext(g, "t", "parent_step"))[0];
      const fork = await g.updateState("t", { results: ["forked"] }, { checkpointId: beforeParent2nd.checkpointId });
      observed.length = 0;
      await g.invoke(null, { threadId: "t", checkpointId: fork.checkpointId });
      expect(observed).toEqual([["mid_step", { midTrail: ["mid"] }], ["inner_step", { innerTrail: ["inner"] }]]);
    });

    // upstream: tests/time_travel_extended.test.ts "should load correct state for parallel sibling subgraphs on replay"
    it("should load correct state for parallel sibling subgraphs on replay", async () => {
      const { g, observed } = build(
        `
graph parent { start parent_step state { results: list<string> append }
  node parent_step { kind set set { results: ["p"] } next [sub_a_node, sub_b_node] }
  node sub_a_node { kind subgraph graph "sub_a" persistent true input { } next END }
  node sub_b_node { kind subgraph graph "sub_b" persistent true input { } next END } }
graph sub_a { start sub_a_step state { aTrail: list<string> append }
  node sub_a_step { kind mark metadata { field: "aTrail", label: "a", as: "sub_a" } next END } }
graph sub_b { start sub_b_step state { bTrail: list<string> append }
  node sub_b_step { kind mark metadata { field: "bTrail", label: "b", as: "sub_b" } next END } }`,
        make,
      );
      const first = (who: string) => observed.find((o) => o[0] === who);
      await g.invoke({}, { threadId: "t" });
      expect([first("sub_a"), first("sub_b")]).toEqual([["sub_a", { aTrail: [] }], ["sub_b", { bTrail: [] }]]);
      observed.length = 0;
      await g.invoke({}, { threadId: "t" });
      expect([first("sub_a"), first("sub_b")]).toEqual([["sub_a", { aTrail: ["a"] }], ["sub_b", { bTrail: ["b"] }]]);
      const beforeParent2nd = (await withNext(g, "t", "parent_step"))[0];
      observed.length = 0;
      await g.invoke(null, { threadId: "t", checkpointId: beforeParent2nd.checkpointId });
      expect([first("sub_a"), first("sub_b")]).toEqual([["sub_a", { aTrail: ["a"] }], ["sub_b", { bTrail: ["b"] }]]);
      observed.length = 0;
      await g.invoke({}, { threadId: "t" });
      expect([first("sub_a"), first("sub_b")]).toEqual([["sub_a", { aTrail: ["a", "a"] }], ["sub_b", { bTrail: ["b", "b"] }]]);
    });

    // upstream: tests/time_travel_extended.test.ts "should load subgraph state correctly when subgraph runs in a loop"
    it("should load subgraph state correctly when subgraph runs in a loop", async () => {
      const { g, observed } = build(
        `
graph parent { start inc state { counter: integer = 0, results: list<string> append }
  node inc { kind set set { counter: state.counter + 1, results: ["inc"] } next sub_node }
  node sub_node { kind subgraph graph "sub" persistent true input { } routes { when state.counter < 2 -> inc  else -> END } } }
graph sub { start sub_step state { subTrail: list<string> append }
  node sub_step { kind mark metadata { field: "subTrail", label: "s" } next END } }`,
        make,
      );
      await g.invoke({ counter: 0 }, { threadId: "t" });
      expect(observed).toEqual([["sub_step", { subTrail: [] }], ["sub_step", { subTrail: ["s"] }]]);
      observed.length = 0;
      await g.invoke({ counter: 0 }, { threadId: "t" });
      expect(observed).toEqual([["sub_step", { subTrail: ["s", "s"] }], ["sub_step", { subTrail: ["s", "s", "s"] }]]);
      const history = await g.getStateHistory("t");
      const loopAt = (counter: number) => history.find((s) => s.next.some((t) => t.node === "inc") && s.values.counter === counter)!;
      observed.length = 0;
      await g.invoke(null, { threadId: "t", checkpointId: loopAt(0).checkpointId });
      expect(observed).toEqual([["sub_step", { subTrail: ["s", "s"] }], ["sub_step", { subTrail: ["s", "s", "s"] }]]);
      observed.length = 0;
      await g.invoke(null, { threadId: "t", checkpointId: loopAt(1).checkpointId });
      expect(observed).toEqual([["sub_step", { subTrail: ["s", "s", "s"] }]]);
    });
  });
}
