/**
 * Ported from LangGraph.js `libs/langgraph-core/src/tests/node_error_handler.test.ts`:
 * LangGraph's per-node error handler is ragraph's `on_error -> node` (the handler task
 * sees the error as `args.error`; the failure is recorded in the run's `errors`).
 */
import { describe, expect, it } from "vitest";
import { NodeError } from "../../../runtime/index.js";
import { failure } from "../../helpers/run-graph.js";
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
});
