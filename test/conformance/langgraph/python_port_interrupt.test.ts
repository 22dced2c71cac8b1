/**
 * Ported from LangGraph.js `libs/langgraph-core/src/tests/python_port/interrupt.test.ts`:
 * cancellation of sibling tasks, error propagation, dynamic interrupts.
 */
import { describe, expect, it } from "vitest";
import { CancelledError, InterruptError, MemoryCheckpointer, NodeError } from "../../../runtime/index.js";
import { buildGraph, failure, sleep } from "../../helpers/run-graph.js";
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

  // upstream: tests/python_port/interrupt.test.ts "should handle cancellation with proper cleanup"
  // (upstream exercises an abortable helper outside a graph; here the same cleanup runs in a node whose run is cancelled)
  it("should handle cancellation with proper cleanup", async () => {
    const { registry } = world();
    const logs: string[] = [];
    let cleaned!: () => void;
    const cleanedUp = new Promise<void>((r) => (cleaned = r));
    registry.registerNodeKind("managed", async (t) => {
      logs.push("Entering", "In context");
      try {
        await sleep(1000, t.signal);
        logs.push("This won't print if cancelled");
      } catch (e) {
        logs.push("Context was cancelled", "Starting exit");
        await sleep(20);
        logs.push("Cleanup completed", "Exit finished");
        cleaned();
        throw e;
      }
      return {};
    });
    const g = compile(`graph g { start a state { value: list<string> append } node a { kind managed next END } }`, registry);
    const controller = new AbortController();
    const run = failure(g.invoke({}, { signal: controller.signal }));
    await sleep(20);
    controller.abort();
    expect(logs).toEqual(["Entering", "In context"]);
    expect(await run).toBeInstanceOf(CancelledError);
    await cleanedUp;
    expect(logs).toEqual(["Entering", "In context", "Context was cancelled", "Starting exit", "Cleanup completed", "Exit finished"]);
  });

  // upstream: tests/python_port/interrupt.test.ts "should handle dynamic interrupts with nested subgraphs"
  it("should handle dynamic interrupts with nested subgraphs", async () => {
    const { registry } = world();
    let count = 0;
    registry.registerNodeKind("tool_two_node", async (t) => {
      count++;
      const myKey = t.state.market === "DE" ? t.interrupt<string>("Just because...") : " all good";
      return { writes: [["my_key", myKey]] };
    });
    // upstream's parent reducer `(a, b) => a + b` on my_key is the subgraph node's `writes` here
    const source = `graph tool_two_graph { start tool_two state { my_key: string  market: string }
        node tool_two { kind subgraph graph "sub" input { my_key: state.my_key, market: state.market } writes { my_key: state.my_key + result.my_key } next END } }
      graph sub { start do state { my_key: string  market: string } output { my_key: string } node do { kind tool_two_node next END } }`;
    const bare = buildGraph(source, { registry }).graph;
    await expect(bare.invoke({ my_key: "value", market: "DE" })).rejects.toBeInstanceOf(InterruptError);
    expect(count).toBe(1);
    expect((await bare.invoke({ my_key: "value", market: "US" })).state).toEqual({ my_key: "value all good", market: "US" });

    const g = buildGraph(source, { registry, checkpointer: new MemoryCheckpointer() }).graph;
    // ragraph: a run without a thread id gets a fresh one (LangGraph fails without thread_id), and pauses on it
    const fresh = await g.invoke({ my_key: "value", market: "DE" });
    expect(fresh.status).toBe("interrupted");
    expect((await g.getState(fresh.threadId))!.interrupts).toHaveLength(1);

    const first: unknown[] = [];
    for await (const e of g.stream({ my_key: "value ⛰️", market: "DE" }, { threadId: "2", mode: "updates" })) if (e.type === "interrupt" || e.type === "updates") first.push(e.type === "interrupt" ? { interrupt: e.payload } : { [e.node!]: e.writes });
    expect(first).toEqual([{ interrupt: "Just because..." }]);
    const second: unknown[] = [];
    for await (const e of g.stream(null, { threadId: "2", mode: "updates", resume: { value: " my answer" } })) if (e.type === "updates" && e.depth === 0) second.push({ [e.node!]: Object.fromEntries(e.writes.map((w) => [w.channel, w.value])) });
    expect(second).toEqual([{ tool_two: { my_key: "value ⛰️ my answer" } }]);

    const paused = await g.invoke({ my_key: "value ⛰️", market: "DE" }, { threadId: "1" });
    expect(paused.interrupts.map((i) => i.payload)).toEqual(["Just because..."]);
    const cleared = await g.updateState("1", null, { asNode: "END" });
    expect(cleared.next).toEqual([]);
    expect(cleared.status).toBe("completed");
  });

  // upstream: tests/python_port/interrupt.test.ts "should handle cancellation of stream"
  it("should handle cancellation of stream", async () => {
    const { registry } = world();
    const probe = { awhile: { started: false, cancelled: false }, aparallelwhile: { started: false, cancelled: false } };
    registry.registerNodeKind("awhile", async (t) => {
      const p = probe[t.node.name as keyof typeof probe];
      p.started = true;
      try {
        await sleep(1500, t.signal);
      } catch (e) {
        p.cancelled = true;
        throw e;
      }
      return {};
    });
    registry.registerNodeKind("alittlewhile", async () => {
      await sleep(100);
      return { writes: [["value", 2]] };
    });
    const g = compile(`graph g { start s state { value: number sum }
      node s { kind set set { } next [alittlewhile, aparallelwhile] } node alittlewhile { kind alittlewhile next awhile } node aparallelwhile { kind awhile next END } node awhile { kind awhile next END } }`, registry);
    const stream = g.stream({ value: 1 }, { threadId: "1", mode: "updates" });
    for await (const e of stream) {
      if (e.type !== "updates" || e.node === "s") continue;
      expect([e.node, e.writes]).toEqual(["alittlewhile", [{ channel: "value", value: 2 }]]);
      break; // cancels the run
    }
    await sleep(100);
    expect(probe.aparallelwhile).toEqual({ started: true, cancelled: true });
    expect(probe.awhile.started).toBe(false);
    const s = (await g.getState("1"))!;
    expect(s.values.value).toBe(3);
    expect(s.next.map((t) => t.node)).toEqual(["aparallelwhile"]);
    // the checkpoint the cancelled step ran from (ragraph has a start node here: upstream's is the `__start__` step's)
    expect(s.source).toBe("loop");
  });
});
