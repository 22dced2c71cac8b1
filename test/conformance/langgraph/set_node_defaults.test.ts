/**
 * Ported from LangGraph.js `libs/langgraph-core/src/tests/set_node_defaults.test.ts`:
 * LangGraph's `StateGraph.setNodeDefaults({ retryPolicy })` is a graph's
 * `defaults { retry: { … } }`; a node's own `retry { … }` replaces it. The nodes throw a
 * `NodeError` of class `retryable` where upstream throws a plain `Error` (which ragraph's
 * default `retry_on` does not retry: difference 5). Builder-state cases (chaining, repeated
 * compiles), `cachePolicy` defaults and a default error handler have no counterpart
 * (README.md).
 */
import { describe, expect, it } from "vitest";
import { NodeError } from "../../../runtime/index.js";
import { buildGraph, failure } from "../../helpers/run-graph.js";
import { compile, world } from "./helpers.js";

const FAST = `retry: { max_attempts: 3, initial: 1ms, jitter: false }`;

/** A kind `flaky` that fails (retryable) until its node's attempt `succeedAt`; attempts are counted per node. */
function flaky(succeedAt: Record<string, number>) {
  const w = world();
  const attempts: Record<string, number> = {};
  w.registry.registerNodeKind("flaky", async (t) => {
    const n = (attempts[t.node.name] = (attempts[t.node.name] ?? 0) + 1);
    if (n < (succeedAt[t.node.name] ?? 1)) throw new NodeError("not yet", "retryable");
    return { writes: [["value", t.node.name]] };
  });
  return { registry: w.registry, attempts };
}

describe("StateGraph.setNodeDefaults", () => {
  // upstream: tests/set_node_defaults.test.ts "applies the default retryPolicy to nodes without their own"
  it("applies the default retryPolicy to nodes without their own", async () => {
    const { registry, attempts } = flaky({ flaky: 3 });
    const g = compile(`graph g { start flaky state { value: list<string> append } defaults { ${FAST} } node flaky { kind flaky next END } }`, registry);
    expect((await g.invoke({})).state.value).toEqual(["flaky"]);
    expect(attempts.flaky).toBe(3);
  });

  // upstream: tests/set_node_defaults.test.ts "lets a per-node retryPolicy override the default"
  it("lets a per-node retryPolicy override the default", async () => {
    const { registry, attempts } = flaky({ flaky: 4 });
    const g = compile(`graph g { start flaky state { value: list<string> append } defaults { retry: { max_attempts: 1 } }
      node flaky { kind flaky retry { max_attempts: 5, initial: 1ms, jitter: false } next END } }`, registry);
    expect((await g.invoke({})).state.value).toEqual(["flaky"]);
    expect(attempts.flaky).toBe(4);
  });

  // upstream: tests/set_node_defaults.test.ts "applies defaults to all nodes that lack their own value"
  it("applies defaults to all nodes that lack their own value", async () => {
    // a and c take the default (3 attempts), b its own (1 attempt): b's second failure fails the run
    const { registry, attempts } = flaky({ a: 3, b: 2, c: 3 });
    const g = compile(`graph g { start a state { value: list<string> append } defaults { ${FAST} }
      node a { kind flaky next b } node b { kind flaky retry { max_attempts: 1 } next c } node c { kind flaky next END } }`, registry);
    const err = await failure(g.invoke({}));
    expect(err).toMatchObject({ node: "b" });
    expect(attempts).toEqual({ a: 3, b: 1 });
    const ok = flaky({ a: 3, c: 3 });
    const r = await compile(`graph g { start a state { value: list<string> append } defaults { ${FAST} }
      node a { kind flaky next b } node b { kind flaky retry { max_attempts: 1 } next c } node c { kind flaky next END } }`, ok.registry).invoke({});
    expect(r.state.value).toEqual(["a", "b", "c"]);
    expect(ok.attempts).toEqual({ a: 3, b: 1, c: 3 });
  });

  // upstream: tests/set_node_defaults.test.ts "does not inherit defaults into subgraphs"
  it("does not inherit defaults into subgraphs", async () => {
    // the outer graph's default applies to its subgraph node (the whole child run is
    // retried), not to the nodes of the inner graph, which has no default of its own
    const { registry, attempts } = flaky({ inner_node: 2 });
    const { graph } = buildGraph(
      `graph outer { start sub state { value: list<string> append } defaults { ${FAST} }
         node sub { kind subgraph graph "inner" input { } writes { value: result.value } next END } }
       graph inner { start inner_node state { value: list<string> append } output { value: list<string> }
         node inner_node { kind flaky next END } }`,
      { registry },
    );
    const r = await graph.invoke({});
    expect(r.state.value).toEqual(["inner_node"]);
    // one attempt per child run: the inner node was not retried inside its run; the outer default ran the child again
    expect(attempts.inner_node).toBe(2);
    const events: string[] = [];
    attempts.inner_node = 0;
    for await (const e of graph.stream({}, { mode: "events" })) if (e.type === "task_retried") events.push(`${e.namespace}:${e.node}`);
    expect(events).toEqual(["outer:sub"]);
  });
});
