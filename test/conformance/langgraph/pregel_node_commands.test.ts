/**
 * Further ported cases of LangGraph.js `libs/langgraph-core/src/tests/pregel.test.ts`: an
 * "edgeless" graph whose node returns a Command (`update` + `goto`), and the waiting edge
 * in a loop with and without a node `cachePolicy`. A node returning `Command({ update,
 * goto })` is a node kind returning `writes` and `goto` here.
 */
import { describe, expect, it } from "vitest";
import type { CompiledGraph, RunEvent } from "../../../runtime/index.js";
import { sleep } from "../../helpers/run-graph.js";
import { compile, world } from "./helpers.js";

/** Upstream's waiting-edge loop; `rewrite_query` counts its runs in `runs`, with `policy` among its items. */
function loop(policy: string) {
  const { registry } = world();
  const runs = { rewrite_query: 0 };
  registry.reducers.set("sorted_add", (a, b) => [...((a as string[] | null) ?? []), ...(b as string[])].sort());
  registry.registerNodeKind("rewrite", async (t) => {
    runs.rewrite_query++;
    return { writes: [["query", `query: ${t.state.query as string}`]] };
  });
  registry.registerNodeKind("retrieve", async (t) => {
    if (t.node.name === "retriever_two") await sleep(100);
    return { writes: [["docs", t.node.name === "retriever_two" ? ["doc3", "doc4"] : ["doc1", "doc2"]]] };
  });
  registry.registerNodeKind("nothing", async () => ({}));
  const g = compile(`graph g { start rewrite_query state { query: string  answer: string  docs: list<string> aggregate "sorted_add" = [] }
    node rewrite_query { kind rewrite ${policy} next [analyzer_one, retriever_two] }
    node analyzer_one { kind set set { query: "analyzed: " + state.query } next retriever_one }
    node retriever_one { kind retrieve } node retriever_two { kind retrieve }
    join [retriever_one, retriever_two] -> decider
    node decider { kind nothing routes { when len(split(state.query, "analyzed")) - 1 > 1 -> qa  else -> rewrite_query } }
    node qa { kind set set { answer: join(state.docs, ",") } next END } }`, registry);
  return { g, runs };
}

const DOCS = ["doc1", "doc1", "doc2", "doc2", "doc3", "doc3", "doc4", "doc4"];
const FINAL = { query: "analyzed: query: analyzed: query: what is weather in sf", answer: DOCS.join(","), docs: DOCS };

async function updates(g: CompiledGraph, input: Record<string, unknown>): Promise<{ chunks: unknown[]; events: RunEvent[] }> {
  const chunks: unknown[] = [];
  const events: RunEvent[] = [];
  for await (const e of g.stream(input, { mode: "events" })) {
    events.push(e);
    if (e.type === "task_completed" && e.depth === 0) chunks.push(e.node);
  }
  return { chunks, events };
}

describe("StateGraph (pregel.test.ts, node commands and caching)", () => {
  // upstream: tests/pregel.test.ts "should support a simple edgeless graph" (first of two: a node
  // returns Command({ update, goto }); upstream's `ends` only draws the edges)
  it("should support a simple edgeless graph", async () => {
    const { registry } = world();
    registry.registerNodeKind("node_a", async (t) => ({ writes: [["foo", "a"]], goto: [t.state.foo === "foo" ? "node_b" : "node_c"] }));
    const g = compile(`graph g { start node_a state { foo: string }
      node node_a { kind node_a }
      node node_b { kind set set { foo: state.foo + "|b" } next END }
      node node_c { kind set set { foo: state.foo + "|c" } next END } }`, registry);
    expect((await g.invoke({ foo: "foo" })).state).toEqual({ foo: "a|b" });
    expect((await g.invoke({ foo: "" })).state).toEqual({ foo: "a|c" });
  });

  // upstream: tests/pregel.test.ts "should support a simple edgeless graph" (second: nodes return
  // lists of updates and Commands; node_b's partial state and its Command's update both apply.
  // `bar` unset reads null here: difference 2)
  it("should support a simple edgeless graph (a list of updates and Commands)", async () => {
    const { registry } = world();
    registry.registerNodeKind("node_a", async (t) => ({ writes: [["foo", "a"]], goto: [t.state.foo === "foo" ? "node_b" : "node_c"] }));
    registry.registerNodeKind("node_b", async (t) => ({ writes: [["foo", `${t.state.foo as string}|b`], ["bar", "test"]] }));
    const g = compile(`graph g { start node_a state { foo: string  bar: string }
      node node_a { kind node_a }
      node node_b { kind node_b next END }
      node node_c { kind set set { foo: state.foo + "|c" } next END } }`, registry);
    expect((await g.invoke({ foo: "foo" })).state).toEqual({ foo: "a|b", bar: "test" });
    expect((await g.invoke({ foo: "" })).state).toEqual({ foo: "a|c", bar: null });
  });

  // upstream: tests/pregel.test.ts "in one fan out state graph waiting edge multiple (%s)" with
  // { cachePolicy: false }: every round re-runs rewrite_query (2 runs per invocation)
  it('in one fan out state graph waiting edge multiple ({"cachePolicy":false,"slowCache":false})', async () => {
    const { g, runs } = loop("");
    expect((await g.invoke({ query: "what is weather in sf" })).state).toEqual(FINAL);
    const { chunks } = await updates(g, { query: "what is weather in sf" });
    const round = ["rewrite_query", "analyzer_one", "retriever_two", "retriever_one", "decider"];
    expect(chunks).toEqual([...round, ...round, "qa"]);
    expect(runs.rewrite_query).toBe(4);
  });

  // upstream: tests/pregel.test.ts "in one fan out state graph waiting edge multiple (%s)" with
  // { cachePolicy: true } (differs: LangGraph caches a node's writes by its input, so the second
  // invocation's rewrite_query calls are answered from the cache (2 runs in all, updates marked
  // `__metadata__: { cached: true }`); ragraph's `cache` caches model replies (`task_cached`), so a
  // node kind without model calls runs every time: 4 runs, and the state is the same)
  it('in one fan out state graph waiting edge multiple ({"cachePolicy":true}) (differs: `cache` caches model replies, not a node\'s writes)', async () => {
    const { g, runs } = loop("cache true");
    expect((await g.invoke({ query: "what is weather in sf" })).state).toEqual(FINAL);
    const { events } = await updates(g, { query: "what is weather in sf" });
    expect(events.some((e) => e.type === "task_cached")).toBe(false);
    expect((events.at(-1) as Extract<RunEvent, { type: "run_completed" }>).state).toEqual(FINAL);
    expect(runs.rewrite_query).toBe(4);
  });
});
