/**
 * Ported from LangGraph.js `libs/langgraph-core/src/tests/node_error_handler.test.ts`:
 * LangGraph's per-node error handler is ragraph's `on_error -> node` (the handler task
 * sees the error as `args.error`; the failure is recorded in the run's `errors`).
 */
import { describe, expect, it } from "vitest";
import { NodeError } from "../../../runtime/index.js";
import { buildGraph, failure } from "../../helpers/run-graph.js";
import { compile, world } from "./helpers.js";

function failing(times: number) {
  const w = world();
  let attempts = 0;
  w.registry.registerNodeKind("fails", async () => {
    attempts++;
    if (attempts <= times) throw new NodeError(`failure ${attempts}`, "retryable");
    return { writes: [["value", "recovered-by-retry"]] };
  });
  w.registry.registerNodeKind("handler", async (t) => ({ writes: [["value", `handled:${String((t.args as { error: { message: string } }).error.message)}`]] }));
  return { ...w, attempts: () => attempts };
}

describe("node error handler", () => {
  // upstream: tests/node_error_handler.test.ts "runs the error handler only after the retry policy is exhausted"
  it("runs the error handler only after the retry policy is exhausted", async () => {
    const w = failing(5);
    const g = compile(`graph g { start a state { value: list<string> append }
      node a { kind fails retry { max_attempts: 3, initial: 1ms, backoff: fixed, jitter: false } on_error -> h next END }
      node h { kind handler next END } }`, w.registry);
    const r = await g.invoke({});
    expect(w.attempts()).toBe(3);
    expect(r.state.value).toEqual(["handled:failure 3"]);
    expect(r.errors.map((e) => [e.node, e.handledBy])).toEqual([["a", "on_error"]]);
  });

  // upstream: tests/node_error_handler.test.ts "lets the handler route to a recovery branch via Command(goto)"
  it("lets the handler route to a recovery branch via Command(goto)", async () => {
    const w = failing(1);
    const g = compile(`graph g { start a state { value: list<string> append }
      node a { kind fails on_error -> h next END }
      node h { kind handler command { goto recovery } }
      node recovery { kind push next END } }`, w.registry);
    const r = await g.invoke({});
    expect(r.state.value).toEqual(["handled:failure 1", "recovery"]);
  });

  // upstream: tests/node_error_handler.test.ts "fails the run when the error handler itself throws"
  it("fails the run when the error handler itself throws", async () => {
    const w = failing(1);
    w.registry.registerNodeKind("bad_handler", async () => {
      throw new NodeError("handler broke", "permanent");
    });
    const g = compile(`graph g { start a state { value: list<string> append } node a { kind fails on_error -> h next END } node h { kind bad_handler next END } }`, w.registry);
    const err = await failure(g.invoke({}));
    expect(err.message).toBe("handler broke");
  });

  // upstream: tests/node_error_handler.test.ts "still fails the run for a node without an error handler"
  it("still fails the run for a node without an error handler", async () => {
    const w = failing(1);
    const g = compile(`graph g { start a state { value: list<string> append } node a { kind fails next END } }`, w.registry);
    const err = await failure(g.invoke({}, { threadId: "t" }));
    expect(err.message).toBe("failure 1");
    const s = (await g.getState("t"))!;
    expect(s.status).toBe("failed");
    expect(s.error?.error).toMatchObject({ message: "failure 1", node: "a" });
  });

  // upstream: tests/node_error_handler.test.ts "preserves the failure context across a checkpoint resume"
  it("preserves the failure context across a checkpoint resume", async () => {
    const w = failing(1);
    const g = compile(`graph g { start a state { value: list<string> append } node a { kind fails next END } }`, w.registry);
    await failure(g.invoke({}, { threadId: "t" }));
    expect((await g.getState("t"))!.error?.taskId).toBe("1.0");
    const r = await g.resume("t");
    expect(r.status).toBe("completed");
    expect(r.state.value).toEqual(["recovered-by-retry"]);
    const s = (await g.getState("t"))!;
    expect(s.status).toBe("completed");
    expect(s.error).toBeUndefined();
  });

  // upstream: tests/node_error_handler.test.ts "routes a failure to the matching node's handler"
  it("routes a failure to the matching node's handler", async () => {
    const w = failing(1);
    w.registry.registerNodeKind("handler2", async () => ({ writes: [["value", "h2"]] }));
    const g = compile(`graph g { start s state { value: list<string> append }
      node s { kind push next [a, b] }
      node a { kind fails on_error -> h1 next END }
      node b { kind push on_error -> h2 next END }
      node h1 { kind handler next END } node h2 { kind handler2 next END } }`, w.registry);
    const r = await g.invoke({});
    expect(r.state.value).toEqual(["s", "b", "handled:failure 1"]);
  });

  // upstream: tests/node_error_handler.test.ts "handles a failure that occurs inside a subgraph node"
  it("handles a failure that occurs inside a subgraph node", async () => {
    const w = failing(0);
    w.registry.registerNodeKind("sub_fail", async () => {
      throw new Error("subgraph boom");
    });
    const seen: { node?: string; message?: string }[] = [];
    w.registry.registerNodeKind("capture", async (t) => {
      seen.push((t.args as { error: { node?: string; message?: string } }).error);
      return { writes: [["foo", "handled_by_parent"]] };
    });
    const { graph } = buildGraph(
      `graph parent { start subgraph_node state { foo: string }
         node subgraph_node { kind subgraph graph "sub" input { foo: state.foo } writes { foo: result.foo } on_error -> h next END }
         node h { kind capture next END } }
       graph sub { start sub_fail state { foo: string } output { foo: string } node sub_fail { kind sub_fail next END } }`,
      { registry: w.registry },
    );
    const r = await graph.invoke({ foo: "" });
    expect(r.state.foo).toBe("handled_by_parent");
    expect(seen).toHaveLength(1);
    // ragraph names where the failure happened (graph `sub`, node `sub_fail`, a task id under
    // the subgraph node's task), LangGraph the node whose handler caught it (difference 22)
    expect(seen[0]).toMatchObject({ graph: "sub", node: "sub_fail", taskId: "1.0/1.0" });
    expect(seen[0].message).toMatch(/subgraph boom/);
  });

  // upstream: tests/node_error_handler.test.ts "does not swallow a concurrent interrupt()"
  it("does not swallow a concurrent interrupt()", async () => {
    const w = failing(0);
    const g = compile(`graph g { start s state { value: list<string> append }
      node s { kind set set { } next [node_a, node_b] }
      node node_a { kind ask on_error -> h next END }
      node node_b { kind set set { } next END }
      node h { kind handler next END } }`, w.registry);
    const r = await g.invoke({}, { threadId: "test-interrupt-concurrent" });
    expect(r.status).toBe("interrupted");
    expect(r.errors).toEqual([]);
    const s = (await g.getState("test-interrupt-concurrent"))!;
    expect(s.next.map((t) => t.node)).toEqual(["node_a"]);
    expect(s.interrupts).toMatchObject([{ node: "node_a", payload: "node_a?" }]);
  });

  // upstream: tests/node_error_handler.test.ts "exposes the NodeError to handlers registered as plain functions"
  it("exposes the NodeError to handlers registered as plain functions", async () => {
    const w = world();
    let attempts = 0;
    w.registry.registerNodeKind("always_failing", async () => {
      attempts++;
      throw new Error("Always fails async");
    });
    const seen: { node?: string; message?: string }[] = [];
    w.registry.registerNodeKind("capture", async (t) => {
      seen.push((t.args as { error: { node?: string; message?: string } }).error);
      return { writes: [["foo", "handled_async"]] };
    });
    // retryOn: () => true is every class, `permanent` (a plain Error) included (difference 5)
    const g = compile(`graph g { start always_failing state { foo: string }
      node always_failing { kind always_failing retry { max_attempts: 2, initial: 1ms, jitter: false, retry_on: [retryable, rate_limited, timeout, permanent] } on_error -> h next END }
      node h { kind capture next END } }`, w.registry);
    const r = await g.invoke({ foo: "" });
    expect(attempts).toBe(2);
    expect(r.state.foo).toBe("handled_async");
    expect(seen[0]).toMatchObject({ node: "always_failing" });
    expect(seen[0].message).toMatch(/Always fails async/);
  });
});
