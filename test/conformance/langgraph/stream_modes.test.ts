/**
 * Stream modes, ported from LangGraph.js `libs/langgraph-core/src/tests/pregel.test.ts`
 * ("streamMode should be respected": its `custom` part; the `values` part is in
 * `pregel_more.test.ts`). LangGraph's `config.writer(data)` is a node kind's
 * `task.emit(name, data)` here, streamed as `custom` events. LangGraph's `debug`, `tasks`
 * and `checkpoints` modes are the `events` mode here.
 */
import { describe, expect, it } from "vitest";
import { InvalidInputError, type RunEvent } from "../../../runtime/index.js";
import { buildGraph } from "../../helpers/run-graph.js";
import { world } from "./helpers.js";

function graph() {
  const { registry } = world();
  registry.registerNodeKind("say", async (t) => {
    t.emit("progress", t.run.depth === 0 ? { from: "parent" } : { from: "subgraph", content: "1" });
    return { writes: [["value", t.node.name]] };
  });
  return buildGraph(
    `graph p { start p_one state { value: list<string> append }
       node p_one { kind say next p_two }
       node p_two { kind subgraph graph "c" next END } }
     graph c { start c_one state { value: list<string> append } node c_one { kind say next END } }`,
    { registry },
  ).graph;
}

async function collect(stream: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

describe("stream modes (pregel.test.ts)", () => {
  // upstream: tests/pregel.test.ts "streamMode should be respected" (streamMode "custom",
  // with and without `subgraphs: true`: the writer output of the parent's node and of the
  // subgraph's node, the subgraph's under its namespace)
  it("streamMode should be respected (custom: a parent's and a subgraph's writer output)", async () => {
    const g = graph();
    const custom = (events: RunEvent[]) => events.flatMap((e) => (e.type === "custom" ? [[e.depth === 0 ? [] : [e.namespace], e.data]] : []));
    const flat = await collect(g.stream({}, { mode: "custom" }));
    expect(custom(flat)).toEqual([[[], { from: "parent" }], [["p/c"], { from: "subgraph", content: "1" }]]);
    expect(new Set(flat.map((e) => e.type))).toEqual(new Set(["custom", "run_completed"]));
    const nested = await collect(g.stream({}, { mode: "custom", subgraphs: true }));
    expect(custom(nested)).toEqual(custom(flat));
    // several modes: the union, in run order
    const both = await collect(g.stream({}, { mode: ["custom", "updates"] }));
    expect(both.filter((e) => e.type !== "run_completed").map((e) => (e.type === "custom" ? `custom:${(e.data as { from: string }).from}` : `updates:${e.node}`))).toEqual(["custom:parent", "updates:p_one", "custom:subgraph", "updates:p_two"]);
  });

  // ragraph: a mode with no counterpart (LangGraph's `debug`) or a typo used to yield an
  // empty stream, not even the run's end; it is refused before anything runs
  it("an unknown stream mode is refused before the run starts", () => {
    const g = graph();
    expect(() => g.stream({}, { mode: "debug" as never })).toThrow(InvalidInputError);
    expect(() => g.stream({}, { mode: ["values", "tasks" as never] })).toThrow(/stream mode `tasks` is not one of .*`events`/);
  });
});
