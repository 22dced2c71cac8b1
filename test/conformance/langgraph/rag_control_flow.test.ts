/**
 * LangGraph control flow spelled in `.rag`: a conditional entry (`start routes { … }`,
 * LangGraph's `addConditionalEdges(START, …)`), `defer true` (LangGraph's `defer`), and
 * `command { goto parent.NODE }` (LangGraph's `Command.PARENT`). Ported from LangGraph.js
 * `libs/langgraph-core/src/tests/pregel.test.ts`.
 */
import { describe, expect, it } from "vitest";
import { MemoryCheckpointer, type RunEvent } from "../../../runtime/index.js";
import { standardRegistry } from "../../../stdlib/index.js";
import { buildGraph, eventsOf, nodesPerStep, sleep } from "../../helpers/run-graph.js";

describe("conditional entry (start routes)", () => {
  const source = `graph tool_two {
    start routes { when state.market == "DE" -> tool_two_slow  else -> tool_two_fast }
    state { my_key: string  market: string }
    node tool_two_slow { kind set set { my_key: state.my_key + " slow" } next END }
    node tool_two_fast { kind set set { my_key: state.my_key + " fast" } next END }
  }`;

  // upstream: tests/pregel.test.ts "should handle start branch then end"
  it("should handle start branch then end", async () => {
    const { graph } = buildGraph(source);
    expect((await graph.invoke({ my_key: "value", market: "DE" })).state).toEqual({ my_key: "value slow", market: "DE" });
    expect((await graph.invoke({ my_key: "value", market: "US" })).state).toEqual({ my_key: "value fast", market: "US" });
  });

  // upstream: tests/pregel.test.ts "should handle start branch then end" (with interruptBefore: the chosen entry is `next`)
  it("should handle start branch then end (interrupt before the chosen entry)", async () => {
    const { graph } = buildGraph(source.replace("state {", "interrupt before [tool_two_slow, tool_two_fast]\n    state {"), { checkpointer: new MemoryCheckpointer() });
    const r = await graph.invoke({ my_key: "value ⛰️", market: "DE" }, { threadId: "1" });
    expect(r.status).toBe("interrupted");
    const s = await graph.getState("1");
    expect(s?.values).toEqual({ my_key: "value ⛰️", market: "DE" });
    expect(s?.next.map((t) => t.node)).toEqual(["tool_two_slow"]);
    expect((await graph.resume("1")).state).toEqual({ my_key: "value ⛰️ slow", market: "DE" });
  });

  // upstream: tests/pregel.test.ts "should handle start branch then end" (no condition holds, no else: LangGraph's
  // path function always names a node; here the run simply has nothing to do)
  it("a conditional entry with no condition holding and no else runs nothing", async () => {
    const { graph } = buildGraph(`graph g { start routes { when state.go -> a } state { go: boolean = false  v: string = "" } node a { kind set set { v: "ran" } next END } }`);
    expect((await graph.invoke({})).state.v).toBe("");
    expect((await graph.invoke({ go: true })).state.v).toBe("ran");
    // The events say which entry was taken, or that none was (the run had nothing to do).
    const routes = async (input: Record<string, unknown>) => (await eventsOf(graph, input)).filter((e): e is Extract<RunEvent, { type: "route_selected" }> => e.type === "route_selected");
    expect(await routes({})).toEqual([expect.objectContaining({ from: "start", via: "none", targets: [] })]);
    expect(await routes({ go: true })).toEqual([expect.objectContaining({ from: "start", via: "when", targets: ["a"] })]);
  });

  it("the entry taken is a route_selected event from `start`", async () => {
    const { graph } = buildGraph(source);
    const ev = await eventsOf(graph, { my_key: "v", market: "US" });
    const i = ev.findIndex((e) => e.type === "route_selected");
    expect(ev[i]).toMatchObject({ type: "route_selected", from: "start", via: "else", targets: ["tool_two_fast"] });
    expect(ev.findIndex((e) => e.type === "run_started")).toBeLessThan(i);
  });
});

describe("defer", () => {
  for (const waitingEdge of [true, false]) {
    // upstream: tests/pregel.test.ts "in_one_fan_out_state_graph_defer_node (waiting edge: %s)"
    it(`in_one_fan_out_state_graph_defer_node (waiting edge: ${waitingEdge})`, async () => {
      const registry = standardRegistry();
      registry.registerNodeKind("slow_docs", async (t) => (await sleep(20, t.signal), { writes: [["docs", ["doc3", "doc4"]]] }));
      const edges = waitingEdge ? "join [retriever_one, retriever_two] -> qa" : "retriever_one -> qa\n          retriever_two -> qa";
      const { graph } = buildGraph(
        `graph g {
          start rewrite_query
          state { query: string  answer: string?  docs: list<string> append }
          node rewrite_query { kind set set { query: "query: " + state.query } next [retriever_one, retriever_two] }
          node analyzer_one { kind set set { query: "analyzed: " + state.query } next END }
          node retriever_one { kind set set { docs: ["doc1", "doc2"] } }
          retriever_one -> analyzer_one
          node retriever_two { kind slow_docs }
          node qa { kind set set { answer: join(state.docs, ",") } defer true next END }
          ${edges}
        }`,
        { registry },
      );
      const events = await eventsOf(graph, { query: "what is weather in sf" });
      const done = events.at(-1) as Extract<RunEvent, { type: "run_completed" }>;
      expect(done.state).toEqual({ query: "analyzed: query: what is weather in sf", docs: ["doc1", "doc2", "doc3", "doc4"], answer: "doc1,doc2,doc3,doc4" });
      // qa waits until analyzer_one (activated in the same step) has run
      expect(nodesPerStep(events)).toEqual([["rewrite_query"], ["retriever_one", "retriever_two"], ["analyzer_one"], ["qa"]]);
    });
  }

  // upstream: tests/pregel.test.ts "in_one_fan_out_state_graph_defer_node" (a deferred node activated twice runs once)
  it("a deferred node activated in two steps runs once, after the other work", async () => {
    const registry = standardRegistry();
    const ran: string[] = [];
    registry.registerNodeKind("log", async (t) => (ran.push(t.node.name), {}));
    const { graph } = buildGraph(
      `graph g { start a state { v: any }
         node a { kind log next [b, last] } node b { kind log next [c, last] } node c { kind log next END }
         node last { kind log defer true next END } }`,
      { registry },
    );
    await graph.invoke({});
    expect(ran).toEqual(["a", "b", "c", "last"]);
  });
});

describe("command goto parent", () => {
  // upstream: tests/pregel.test.ts "test_parent_command with goto with double updates" (in .rag)
  it("test_parent_command with goto with double updates (.rag)", async () => {
    const { graph } = buildGraph(
      `graph parent { start alice state { user_name: string?  log: list<string> append }
         node alice { kind subgraph graph "child" next bob }
         node bob { kind set set { log: "bob saw " + state.user_name } next END } }
       graph child { start init state { user_name: string? }
         node init { kind set set { user_name: "Woof" } next tool }
         node tool { kind set command { goto parent.bob update { user_name: "Meow" } } } }`,
    );
    const r = await graph.invoke({});
    expect(r.state).toEqual({ user_name: "Meow", log: ["bob saw Meow"] });
  });
});
