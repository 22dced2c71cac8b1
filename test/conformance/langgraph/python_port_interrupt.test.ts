/**
 * Ported from LangGraph.js `libs/langgraph-core/src/tests/python_port/interrupt.test.ts`:
 * cancellation of sibling tasks, error propagation, dynamic interrupts.
 */
import { describe, expect, it } from "vitest";
import { CancelledError, NodeError } from "../../../runtime/index.js";
import { failure, sleep } from "../../helpers/run-graph.js";
import { compile, world } from "./helpers.js";

describe("python_port/interrupt.test.ts", () => {
  // upstream: tests/python_port/interrupt.test.ts "should cancel node task when another node throws an exception"
  it("should cancel node task when another node throws an exception", async () => {
    const { registry } = world();
    let aborted = false;
    let wrote = false;
    registry.registerNodeKind("slow", async (t) => {
      t.signal.addEventListener("abort", () => (aborted = true));
      await sleep(60_000, t.signal); // ends only by the abort
      wrote = true;
      return { writes: [["value", "slow"]] };
    });
    registry.registerNodeKind("boom", async () => {
      await sleep(5);
      throw new NodeError("boom", "permanent");
    });
    const g = compile(`graph g { start s state { value: list<string> append } node s { kind push next [a, b] } node a { kind slow next END } node b { kind boom next END } }`, registry);
    const t0 = Date.now();
    const err = await failure(g.invoke({}, { threadId: "t" }));
    expect(err.message).toBe("boom");
    expect(Date.now() - t0).toBeLessThan(10_000); // far below the minute `slow` would sleep
    expect(aborted).toBe(true);
    expect(wrote).toBe(false);
    expect((await g.getState("t"))!.values.value).toEqual(["s"]);
  });

  // upstream: tests/python_port/interrupt.test.ts "should properly propagate error from one node to graph invoke"
  it("should properly propagate error from one node to graph invoke", async () => {
    const { registry } = world();
    registry.registerNodeKind("boom", async () => {
      throw new NodeError("Test error", "permanent");
    });
    const g = compile(`graph g { start a state { value: list<string> append } node a { kind boom next END } }`, registry);
    const err = await failure(g.invoke({}));
    expect(err).toBeInstanceOf(NodeError);
    expect(err.message).toBe("Test error");
    expect((err as NodeError).node).toBe("a");
  });

  // upstream: tests/python_port/interrupt.test.ts "should cancel inner node task on external timeout"
  it("should cancel inner node task on external timeout", async () => {
    const { registry } = world();
    let aborted = false;
    registry.registerNodeKind("slow", async (t) => {
      t.signal.addEventListener("abort", () => (aborted = true));
      await sleep(60_000, t.signal); // ends only by the abort
      return {};
    });
    const g = compile(`graph g { start a state { value: list<string> append } node a { kind slow next END } }`, registry);
    const err = await failure(g.invoke({}, { signal: AbortSignal.timeout(20) }));
    expect(err).toBeInstanceOf(CancelledError);
    expect(aborted).toBe(true);
  });

  // upstream: tests/python_port/interrupt.test.ts "should not cancel node task when another node is interrupted"
  it("should not cancel node task when another node is interrupted", async () => {
    const { registry } = world();
    let completed = false;
    registry.registerNodeKind("slow", async (t) => {
      await sleep(20, t.signal);
      completed = true;
      return { writes: [["value", "slow"]] };
    });
    const g = compile(`graph g { start s state { value: list<string> append } node s { kind push next [a, b] } node a { kind ask next END } node b { kind slow next END } }`, registry);
    const r = await g.invoke({}, { threadId: "t" });
    expect(r.status).toBe("interrupted");
    expect(completed).toBe(true);
  });

  // upstream: tests/python_port/interrupt.test.ts "should handle dynamic interrupts with state graphs"
  it("should handle dynamic interrupts with state graphs", async () => {
    const { registry, called } = world();
    const g = compile(`graph g { start a state { value: list<string> append } node a { kind push next ask } node ask { kind ask next b } node b { kind push next END } }`, registry);
    const r = await g.invoke({}, { threadId: "t" });
    expect(r.interrupts.map((i) => i.payload)).toEqual(["ask?"]);
    expect((await g.getState("t"))!.next.map((t) => t.node)).toEqual(["ask"]);
    // continued without an answer, the node runs again and asks again
    expect((await g.resume("t")).interrupts.map((i) => i.payload)).toEqual(["ask?"]);
    const done = await g.resume("t", { value: "v" });
    expect(done.state.value).toEqual(["a", "human:v", "b"]);
    expect(called.filter((n) => n === "a")).toHaveLength(1);
  });
});
