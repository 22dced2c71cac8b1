/**
 * Ported from LangGraph.js `libs/langgraph-core/src/tests/python_port/graph_structure.test.ts`
 * (itself a port of Python's `test_pregel_async_graph_structure.py`): Send fan-out and
 * fan-in, Sends carrying Commands, pending writes kept after a failure, and the
 * per-step concurrency limit (LangGraph's `maxConcurrency`, ragraph's `concurrency`).
 * Node names `1`, `2`, `3.1` upstream are `n1`, `n2`, `n3_1` here (`.rag` identifiers).
 */
import { describe, expect, it } from "vitest";
import type { NodeTask, Registry } from "../../../registry/index.js";
import { MemoryCheckpointer, NodeError, type RunEvent } from "../../../runtime/index.js";
import { standardRegistry } from "../../../stdlib/index.js";
import { buildGraph, eventsOf, failure, nodesPerStep, sleep } from "../../helpers/run-graph.js";

const build = (source: string, registry: Registry) => buildGraph(source, { registry, checkpointer: new MemoryCheckpointer() }).graph;
/** Upstream's `getNode(name)`: `name`, or `name|arg` for a Send's argument. */
const label = (t: NodeTask) => {
  const name = t.node.name.slice(1).replace("_", ".");
  return t.args === undefined ? name : `${name}|${typeof t.args === "number" ? t.args : JSON.stringify(t.args)}`;
};
const hundred = Array.from({ length: 100 }, (_, i) => i);

/** A registry whose kind `item` appends `label(task)` to `items`, and kind `tracked` does the same after 1 ms, counting how many run at once. */
function world() {
  const registry = standardRegistry();
  const live = { now: 0, max: 0 };
  registry.registerNodeKind("item", async (t) => ({ writes: [["items", [label(t)]]] }));
  registry.registerNodeKind("tracked", async (t) => {
    live.now++;
    live.max = Math.max(live.max, live.now);
    await sleep(1);
    live.now--;
    return { writes: [["items", [t.args]]] };
  });
  return { registry, live };
}

describe("Graph Structure Tests (Python port)", () => {
  // upstream: tests/python_port/graph_structure.test.ts "should handle conditional edges after send"
  it("should handle conditional edges after send", async () => {
    const { registry } = world();
    const g = build(
      `graph g { start n1 state { items: list<string> append }
         node n1 { kind item send [n2 { }, n2 { }] }
         node n2 { kind set set { items: ["2"] } routes { when true -> n3 } }
         node n3 { kind item next END } }`,
      registry,
    );
    // both branches route to n3 in one step: it runs once
    expect((await g.invoke({ items: ["0"] })).state).toEqual({ items: ["0", "1", "2", "2", "3"] });
  });

  // upstream: tests/python_port/graph_structure.test.ts "should handle concurrent emit sends"
  // (upstream: ["0", "1", "1.1", "3.1", "2|1", "2|2", "2|3", "2|4", "3"] — the same writes per step;
  // LangGraph applies edge-triggered tasks' writes before Send tasks'; ragraph applies a step's writes
  // in task order: each sending node's targets in the order it named them, Sends and names alike)
  it("should handle concurrent emit sends", async () => {
    const { registry } = world();
    registry.registerNodeKind("fun", async (t) => ({ writes: [["items", [label(t)]]], goto: [{ node: "n2", args: 1 }, { node: "n2", args: 2 }, "n3_1"] }));
    registry.registerNodeKind("profit", async (t) => ({ writes: [["items", [label(t)]]], goto: [{ node: "n2", args: 3 }, { node: "n2", args: 4 }] }));
    const g = build(
      `graph g { start s state { items: list<string> append }
         node s { kind set set { } next [n1, n1_1] } node n1 { kind fun } node n1_1 { kind profit }
         node n2 { kind item next n3 } node n3 { kind item next END } node n3_1 { kind item next END } }`,
      registry,
    );
    const events = await eventsOf(g, { items: ["0"] });
    // START -> [1, 1.1] is a no-op start node `s` fanning out (one step more)
    expect(nodesPerStep(events)).toEqual([["s"], ["n1", "n1_1"], ["n2", "n2", "n3_1", "n2", "n2"], ["n3"]]);
    const done = events.at(-1) as Extract<RunEvent, { type: "run_completed" }>;
    expect([...done.state.items as string[]].sort()).toEqual(["0", "1", "1.1", "3.1", "2|1", "2|2", "2|3", "2|4", "3"].sort());
    expect(done.state.items).toEqual(["0", "1", "1.1", "2|1", "2|2", "3.1", "2|3", "2|4", "3"]);
  });
});
