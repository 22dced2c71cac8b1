/**
 * More cases of LangGraph.js `libs/langgraph-core/src/tests/python_port/graph_structure.test.ts`
 * (Python's `test_pregel_async_graph_structure.py` / `test_pregel_async_streaming.py`):
 * conditional entry points, waiting edges (`addEdge([a, b], c)`, `join [a, b] -> c` here)
 * in a fan-out that loops or is also reached by a plain edge, a topic written by two
 * nodes of one step, nested graphs and their interrupts, several updates from one node.
 * Upstream's `sortedAdd` reducer is the registry reducer `sorted_add`; a node that sleeps
 * upstream is the kind `slow_docs`/`slow_analyze` here.
 */
import { describe, expect, it } from "vitest";
import type { Registry } from "../../../registry/index.js";
import { MemoryCheckpointer, type CompiledGraph } from "../../../runtime/index.js";
import { buildGraph, sleep } from "../../helpers/run-graph.js";
import { compile, world } from "./helpers.js";

/** Each `updates` event as upstream's stream chunk: `{ node: { field: value } }` (a list of them for several writes). */
async function updates(g: CompiledGraph, input: Record<string, unknown> | null, options: { threadId?: string } = {}): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const e of g.stream(input, { ...options, mode: "updates" })) {
    if (e.type === "updates") out.push({ [e.node!]: e.writes.length > 1 ? e.writes.map((w) => ({ [w.channel]: w.value })) : Object.fromEntries(e.writes.map((w) => [w.channel, w.value])) });
    if (e.type === "run_interrupted") out.push({ __interrupt__: [] });
  }
  return out;
}

/** A registry with upstream's `sortedAdd` (`sorted_add`) and retrievers: `slow_docs` writes a retriever's docs (retriever_two after `ms.two`), `slow_analyze` waits `ms.analyzer`. */
function retrievers(ms: { analyzer?: number; two?: number } = {}): Registry {
  const { registry } = world();
  registry.reducers.set("sorted_add", (a, b) => [...((a as string[] | null) ?? []), ...(b as string[])].sort());
  registry.registerNodeKind("slow_analyze", async (t) => {
    await sleep(ms.analyzer ?? 0);
    return { writes: [["query", `analyzed: ${t.state.query as string}`]] };
  });
  registry.registerNodeKind("slow_docs", async (t) => {
    if (t.node.name === "retriever_two") await sleep(ms.two ?? 100);
    return { writes: [["docs", t.node.name === "retriever_two" ? ["doc3", "doc4"] : ["doc1", "doc2"]]] };
  });
  registry.registerNodeKind("nothing", async () => ({}));
  return registry;
}

const STATE = `state { query: string = ""  answer: string = ""  docs: list<string> aggregate "sorted_add" = [] }`;
const QA = `node qa { kind set set { answer: join(state.docs, ",") } next END }`;
const RETRIEVERS = `node analyzer_one { kind slow_analyze next retriever_one } node retriever_one { kind slow_docs } node retriever_two { kind slow_docs }`;
const DECIDER = `join [retriever_one, retriever_two] -> decider
  node decider { kind nothing routes { when len(split(state.query, "analyzed")) - 1 > 1 -> qa  else -> rewrite_query } }`;
const TWICE = ["doc1", "doc1", "doc2", "doc2", "doc3", "doc3", "doc4", "doc4"];
const LOOPED = [
  { rewrite_query: { query: "query: what is weather in sf" } },
  { analyzer_one: { query: "analyzed: query: what is weather in sf" } },
  { retriever_two: { docs: ["doc3", "doc4"] } },
  { retriever_one: { docs: ["doc1", "doc2"] } },
  { decider: {} },
  { rewrite_query: { query: "query: analyzed: query: what is weather in sf" } },
  { analyzer_one: { query: "analyzed: query: analyzed: query: what is weather in sf" } },
  { retriever_two: { docs: ["doc3", "doc4"] } },
  { retriever_one: { docs: ["doc1", "doc2"] } },
  { decider: {} },
  { qa: { answer: TWICE.join(",") } },
];

describe("Graph Structure Tests (Python port, more)", () => {
  // upstream: tests/python_port/graph_structure.test.ts "should handle conditional entrypoint graphs"
  it("should handle conditional entrypoint graphs", async () => {
    const { registry } = world();
    const g = compile(`graph g { start routes { when len(state.value) > 10 -> right  else -> left } state { value: string = "" }
      node left { kind set set { value: state.value + "->left" } routes { else -> END } }
      node right { kind set set { value: state.value + "->right" } next END } }`, registry);
    expect((await g.invoke({ value: "what is weather in sf" })).state.value).toBe("what is weather in sf->right");
    expect(await updates(g, { value: "what is weather in sf" })).toEqual([{ right: { value: "what is weather in sf->right" } }]);
    expect((await g.invoke({ value: "short" })).state.value).toBe("short->left");
  });

  // upstream: tests/python_port/graph_structure.test.ts "should handle conditional entrypoint graphs with state"
  // (the entry condition sees the input already written: `steps` is still [])
  it("should handle conditional entrypoint graphs with state", async () => {
    const { registry } = world();
    const g = compile(`graph g { start routes { when len(state.steps) == 0 and len(state.input) > 10 -> right  else -> left }
      state { input: string = ""  output: string = ""  steps: list<string> append = [] }
      node left { kind set set { output: state.input + "->left" } routes { else -> END } }
      node right { kind set set { output: state.input + "->right" } next END } }`, registry);
    const input = { input: "what is weather in sf", output: "", steps: [] };
    expect((await g.invoke(input)).state).toEqual({ input: "what is weather in sf", output: "what is weather in sf->right", steps: [] });
    expect(await updates(g, input)).toEqual([{ right: { output: "what is weather in sf->right" } }]);
  });

  // upstream: tests/python_port/graph_structure.test.ts "should test in-one-fan-out with waiting edge"
  it("should test in-one-fan-out with waiting edge", async () => {
    const source = (extra: string) => `graph g { start rewrite_query ${STATE}
      node rewrite_query { kind set set { query: "query: " + state.query } next [analyzer_one, retriever_two] }
      ${RETRIEVERS} join [retriever_one, retriever_two] -> qa ${QA} ${extra} }`;
    const g = compile(source(""), retrievers());
    expect((await g.invoke({ query: "what is weather in sf" })).state).toEqual({ query: "analyzed: query: what is weather in sf", docs: ["doc1", "doc2", "doc3", "doc4"], answer: "doc1,doc2,doc3,doc4" });
    const run = [
      { rewrite_query: { query: "query: what is weather in sf" } },
      { analyzer_one: { query: "analyzed: query: what is weather in sf" } },
      { retriever_two: { docs: ["doc3", "doc4"] } },
      { retriever_one: { docs: ["doc1", "doc2"] } },
    ];
    expect(await updates(g, { query: "what is weather in sf" })).toEqual([...run, { qa: { answer: "doc1,doc2,doc3,doc4" } }]);
    const paused = compile(source("interrupt after [retriever_one]"), retrievers());
    expect(await updates(paused, { query: "what is weather in sf" }, { threadId: "1" })).toEqual([...run, { __interrupt__: [] }]);
    expect(await updates(paused, null, { threadId: "1" })).toEqual([{ qa: { answer: "doc1,doc2,doc3,doc4" } }]);
  });

  // upstream: tests/python_port/graph_structure.test.ts "should test in-one-fan-out with waiting edge plus regular edge"
  // (qa is also reached by a plain edge from rewrite_query: it runs then, with no docs, and its
  // earlier run does not disturb the waiting edge, which runs it again once both retrievers ended)
  it("should test in-one-fan-out with waiting edge plus regular edge", async () => {
    const source = (extra: string) => `graph g { start rewrite_query ${STATE}
      node rewrite_query { kind set set { query: "query: " + state.query } next [analyzer_one, retriever_two, qa] }
      ${RETRIEVERS} join [retriever_one, retriever_two] -> qa ${QA} ${extra} }`;
    const g = compile(source(""), retrievers({ analyzer: 100, two: 200 }));
    expect((await g.invoke({ query: "what is weather in sf" })).state).toEqual({ query: "analyzed: query: what is weather in sf", docs: ["doc1", "doc2", "doc3", "doc4"], answer: "doc1,doc2,doc3,doc4" });
    const run = [
      { rewrite_query: { query: "query: what is weather in sf" } },
      { qa: { answer: "" } },
      { analyzer_one: { query: "analyzed: query: what is weather in sf" } },
      { retriever_two: { docs: ["doc3", "doc4"] } },
      { retriever_one: { docs: ["doc1", "doc2"] } },
    ];
    expect(await updates(g, { query: "what is weather in sf" })).toEqual([...run, { qa: { answer: "doc1,doc2,doc3,doc4" } }]);
    const paused = compile(source("interrupt after [retriever_one]"), retrievers({ analyzer: 100, two: 200 }));
    expect(await updates(paused, { query: "what is weather in sf" }, { threadId: "1" })).toEqual([...run, { __interrupt__: [] }]);
    expect(await updates(paused, null, { threadId: "1" })).toEqual([{ qa: { answer: "doc1,doc2,doc3,doc4" } }]);
  });

  // upstream: tests/python_port/graph_structure.test.ts "should test in-one-fan-out with waiting edge and multiple iterations"
  // (the waiting edge fires once per round: the loop back to rewrite_query arms it again)
  it("should test in-one-fan-out with waiting edge and multiple iterations", async () => {
    const g = compile(`graph g { start rewrite_query ${STATE}
      node rewrite_query { kind set set { query: "query: " + state.query } next [analyzer_one, retriever_two] }
      ${RETRIEVERS} ${DECIDER} ${QA} }`, retrievers());
    expect((await g.invoke({ query: "what is weather in sf" })).state).toEqual({ query: "analyzed: query: analyzed: query: what is weather in sf", docs: TWICE, answer: TWICE.join(",") });
    expect(await updates(g, { query: "what is weather in sf" })).toEqual(LOOPED);
  });

  // upstream: tests/python_port/graph_structure.test.ts "should test in-one-fan-out with waiting edge and multiple conditional edges"
  // (rewrite_query's conditional edge returns two nodes: a `when` route picks one node, so the
  // two are two Send packets here, whose branches the waiting edge counts like any run of its sources)
  it("should test in-one-fan-out with waiting edge and multiple conditional edges", async () => {
    const g = compile(`graph g { start rewrite_query ${STATE}
      node rewrite_query { kind set set { query: "query: " + state.query } send [analyzer_one { }, retriever_two { }] }
      ${RETRIEVERS} ${DECIDER} ${QA} }`, retrievers());
    expect((await g.invoke({ query: "what is weather in sf" })).state).toEqual({ query: "analyzed: query: analyzed: query: what is weather in sf", docs: TWICE, answer: TWICE.join(",") });
    expect(await updates(g, { query: "what is weather in sf" })).toEqual(LOOPED);
  });

  // upstream: tests/python_port/graph_structure.test.ts "should process two inputs joined into one topic and produce two outputs"
  // (two nodes of one step publish to a topic; the node both lead to runs once and reads both values)
  it("should process two inputs joined into one topic and produce two outputs", async () => {
    const { registry } = world();
    const g = compile(`graph g { START -> one  START -> three
      state { input: number  inbox: list<number> topic  output: list<number> } output { output: list<number> }
      node one { kind set set { inbox: state.input + 1 } next four }
      node three { kind set set { inbox: state.input + 1 } next four }
      node four { kind set set { output: [x + 10 for x in state.inbox] } next END } }`, registry);
    for (let i = 0; i < 10; i++) expect((await g.invoke({ input: 2 })).output).toEqual({ output: [13, 13] });
    const results = await Promise.all(Array.from({ length: 10 }, () => g.invoke({ input: 2 })));
    for (const r of results) expect(r.output).toEqual({ output: [13, 13] });
  });

  // upstream: tests/python_port/graph_structure.test.ts "should handle nested graphs"
  it("should handle nested graphs", async () => {
    const { registry } = world();
    const { graph: app } = buildGraph(
      `graph outer { start inner state { my_key: string = ""  never_called: string = "untouched" }
         node inner { kind subgraph graph "inner_graph" input { my_key: state.my_key } writes { my_key: result.my_key } next side }
         node side { kind set set { my_key: state.my_key + " and back again" } next END } }
       graph inner_graph { start up state { my_key: string = ""  my_other_key: string = "" } output { my_key: string }
         node up { kind set set { my_key: state.my_key + " there", my_other_key: state.my_key } next END } }`,
      { registry },
    );
    const input = { my_key: "my value", never_called: "untouched" };
    expect((await app.invoke(input)).state).toEqual({ my_key: "my value there and back again", never_called: "untouched" });
    expect(await updates(app, input)).toEqual([{ inner: { my_key: "my value there" } }, { side: { my_key: "my value there and back again" } }]);
    const values: unknown[] = [];
    for await (const e of app.stream(input, { mode: "values" })) if (e.type === "values") values.push(e.values);
    expect(values).toEqual([input, { my_key: "my value there", never_called: "untouched" }, { my_key: "my value there and back again", never_called: "untouched" }]);
  });

  // upstream: tests/python_port/graph_structure.test.ts "should handle interruptions in doubly nested graphs"
  // (upstream's CONFIG_KEY_NODE_FINISHED callback: the `task_completed` events of every depth)
  it("should handle interruptions in doubly nested graphs", async () => {
    const { registry } = world();
    const { graph: app } = buildGraph(
      `graph parent { start parent_1 state { my_key: string = "" }
         node parent_1 { kind set set { my_key: "hi " + state.my_key } next child }
         node child { kind subgraph graph "child" input { my_key: state.my_key } writes { my_key: result.my_key } next parent_2 }
         node parent_2 { kind set set { my_key: state.my_key + " and back again" } next END } }
       graph child { start child_1 state { my_key: string = "" } output { my_key: string }
         node child_1 { kind subgraph graph "grandchild" input { my_key: state.my_key } writes { my_key: result.my_key } next END } }
       graph grandchild { start grandchild_1 state { my_key: string = "" } output { my_key: string }
         node grandchild_1 { kind set set { my_key: state.my_key + " here" } next grandchild_2 }
         node grandchild_2 { kind set set { my_key: state.my_key + " and there" } next END }
         interrupt before [grandchild_2] }`,
      { registry, checkpointer: new MemoryCheckpointer() },
    );
    const first = await app.invoke({ my_key: "my value" }, { threadId: "1" });
    expect([first.status, first.state]).toEqual(["interrupted", { my_key: "hi my value" }]);
    expect((await app.invoke(null, { threadId: "1" })).state).toEqual({ my_key: "hi my value here and there and back again" });

    const finished: string[] = [];
    const run = async (input: Record<string, unknown> | null) => {
      for await (const e of app.stream(input, { threadId: "2" })) if (e.type === "task_completed" && !e.restored) finished.push(e.node!);
    };
    await run({ my_key: "my value" });
    expect(finished).toEqual(["parent_1", "grandchild_1"]);
    await run(null);
    expect(finished).toEqual(["parent_1", "grandchild_1", "grandchild_2", "child_1", "child", "parent_2"]);
  });

  for (const [title, field] of [["should handle multiple updates from root node", "value"], ["should handle multiple updates", "foo"]] as const) {
    // upstream: tests/python_port/graph_structure.test.ts "should handle multiple updates from root node" / "should handle multiple updates"
    // (node_a returns two Commands updating one field: two writes of one task, both reduced, both streamed)
    it(title, async () => {
      const { registry } = world();
      registry.reducers.set("concat", (a, b) => `${(a as string | null) ?? ""}${b as string}`);
      registry.registerNodeKind("two_updates", async () => ({ writes: [[field, "a1"], [field, "a2"]] }));
      const g = compile(`graph g { start node_a state { ${field}: string aggregate "concat" = "" }
        node node_a { kind two_updates next node_b } node node_b { kind set set { ${field}: "b" } next END } }`, registry);
      expect((await g.invoke({ [field]: "" })).state).toEqual({ [field]: "a1a2b" });
      expect(await updates(g, { [field]: "" })).toEqual([{ node_a: [{ [field]: "a1" }, { [field]: "a2" }] }, { node_b: { [field]: "b" } }]);
    });
  }
});
