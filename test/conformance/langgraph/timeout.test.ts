/**
 * Ported from LangGraph.js `libs/langgraph-core/src/tests/timeout.test.ts`: a node's
 * per-attempt timeout. LangGraph's `addNode(…, { timeout: ms })` is `timeout 50ms` on the
 * node; its `NodeTimeoutError` is a `NodeError` of class `timeout` naming the node. The
 * unit cases of `_runWithRetry` are re-expressed end to end (a node kind in a graph);
 * idle timeouts and heartbeats, `Send(…, { timeout })` and the functional API have no
 * counterpart (README.md).
 */
import { describe, expect, it } from "vitest";
import { NodeError } from "../../../runtime/index.js";
import { failure, sleep } from "../../helpers/run-graph.js";
import { compile, world } from "./helpers.js";

/** Blocks the event loop for about `ms` (a CPU-bound node). */
function busyWait(ms: number): void {
  for (const end = Date.now() + ms; Date.now() < end; );
}

/** One node of `kind` with a per-attempt `timeout`: 50 ms where it must fire, longer where an attempt must finish in time on a loaded machine. */
const ONE = (kind: string, extra = "", timeout = "50ms") => `graph g { start n state { x: number = 0  value: list<string> append } node n { kind ${kind} timeout ${timeout} ${extra} next END } }`;

describe("node timeout", () => {
  // upstream: tests/timeout.test.ts "raises NodeTimeoutError when a node exceeds its run timeout"
  it("raises NodeTimeoutError when a node exceeds its run timeout", async () => {
    const { registry } = world();
    registry.registerNodeKind("slow", async (t) => {
      await sleep(1000, t.signal);
      return { writes: [["x", 2]] };
    });
    const err = await failure(compile(ONE("slow"), registry).invoke({ x: 1 }));
    expect(err).toBeInstanceOf(NodeError);
    expect(err).toMatchObject({ errorClass: "timeout", node: "n" });
  });

  // upstream: tests/timeout.test.ts "composes with a retry policy: retries then succeeds"
  it("composes with a retry policy: retries then succeeds", async () => {
    const { registry } = world();
    let attempts = 0;
    registry.registerNodeKind("flaky", async (t) => {
      if (++attempts < 2) await sleep(10_000, t.signal);
      return { writes: [["x", t.state.x as number + 1]] };
    });
    const r = await compile(ONE("flaky", "retry { max_attempts: 3, initial: 1ms }", "500ms"), registry).invoke({ x: 0 });
    expect(r.state.x).toBe(1);
    expect(attempts).toBe(2);
  });

  // upstream: tests/timeout.test.ts "succeeds when the node finishes within its timeout"
  it("succeeds when the node finishes within its timeout", async () => {
    const { registry } = world();
    registry.registerNodeKind("quick", async () => {
      await sleep(5);
      return { writes: [["x", 1]] };
    });
    expect((await compile(ONE("quick", "", "2s"), registry).invoke({})).state.x).toBe(1);
  });

  // upstream: tests/timeout.test.ts "aborts the node's signal when the timeout fires (combined with an external signal)"
  it("aborts the node's signal when the timeout fires (combined with an external signal)", async () => {
    const { registry } = world();
    let sawAbort: boolean | undefined;
    registry.registerNodeKind("abortme", async (t) => {
      try {
        await sleep(1000, t.signal);
      } catch {
        sawAbort = t.signal.aborted;
        throw new Error("node observed abort");
      }
      return {};
    });
    const external = new AbortController();
    const err = await failure(compile(ONE("abortme"), registry).invoke({}, { signal: external.signal }));
    expect(err).toMatchObject({ errorClass: "timeout" });
    await sleep(10);
    expect(sawAbort).toBe(true);
    expect(external.signal.aborted).toBe(false);
  });

  // upstream: tests/timeout.test.ts "does not surface an unhandled rejection when the abandoned attempt rejects after timeout"
  it("does not surface an unhandled rejection when the abandoned attempt rejects after timeout", async () => {
    const { registry } = world();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    let rejectedLate = false;
    try {
      registry.registerNodeKind("late_reject", async () => {
        await sleep(100); // ignores its signal: still running when the timeout fires
        rejectedLate = true;
        throw new Error("post-timeout rejection");
      });
      const err = await failure(compile(ONE("late_reject"), registry).invoke({}));
      expect(err).toMatchObject({ errorClass: "timeout", node: "n" });
      await sleep(120);
      expect(rejectedLate).toBe(true);
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  // upstream: tests/timeout.test.ts "drops buffered writes from the timed-out attempt"
  it("drops buffered writes from the timed-out attempt", async () => {
    const { registry } = world();
    let attempts = 0;
    registry.registerNodeKind("writer", async () => {
      // the first attempt returns its writes after the timeout (it ignores its signal)
      if (++attempts === 1) await sleep(600);
      return { writes: [["value", attempts === 1 ? "stale" : "fresh"]] };
    });
    const r = await compile(ONE("writer", "retry { max_attempts: 2, initial: 1ms }", "300ms"), registry).invoke({});
    await sleep(400);
    expect(r.state.value).toEqual(["fresh"]);
  });

  // upstream: tests/timeout.test.ts "enforces the run timeout for a synchronous CPU-bound node that blocks the event loop"
  it("enforces the run timeout for a synchronous CPU-bound node that blocks the event loop", async () => {
    const { registry } = world();
    registry.registerNodeKind("cpu_bound", async () => {
      busyWait(150);
      return { writes: [["x", 1]] };
    });
    const err = await failure(compile(ONE("cpu_bound"), registry).invoke({}));
    expect(err).toMatchObject({ errorClass: "timeout", node: "n" });
    expect(err.message).toMatch(/50 ms/);
  });

  // upstream: tests/timeout.test.ts "discards writes from a synchronous node that blew its run budget"
  it("discards writes from a synchronous node that blew its run budget", async () => {
    const { registry } = world();
    registry.registerNodeKind("cpu_writer", async () => {
      busyWait(150);
      return { writes: [["value", "stale"]] };
    });
    const g = compile(ONE("cpu_writer"), registry);
    await failure(g.invoke({}, { threadId: "t" }));
    expect((await g.getState("t"))!.values.value).toEqual([]);
  });

  // upstream: tests/timeout.test.ts "does not falsely time out a fast synchronous node"
  it("does not falsely time out a fast synchronous node", async () => {
    const { registry } = world();
    registry.registerNodeKind("cpu_fast", async () => {
      busyWait(10);
      return { writes: [["x", 1]] };
    });
    const g = compile(`graph g { start n state { x: number = 0 } node n { kind cpu_fast timeout 1s next END } }`, registry);
    expect((await g.invoke({})).state.x).toBe(1);
  });

  // upstream: tests/timeout.test.ts "is retryable under the default retry policy and resets the timer per attempt"
  it("is retryable under the default retry policy and resets the timer per attempt", async () => {
    const { registry } = world();
    let calls = 0;
    registry.registerNodeKind("flaky", async (t) => {
      // the second attempt takes 150 ms of its own 400: the timer started again
      await sleep(++calls < 2 ? 10_000 : 150, t.signal);
      return { writes: [["value", "ok"]] };
    });
    // `retry { }` with no `retry_on`: the default classes include `timeout`
    const r = await compile(ONE("flaky", "retry { max_attempts: 3, initial: 1ms }", "400ms"), registry).invoke({});
    expect(r.state.value).toEqual(["ok"]);
    expect(calls).toBe(2);
  });

  // ragraph: LangGraph times the whole attempt after its race, so a node waiting on I/O is
  // failed when a sibling blocks the event loop past its timeout; here only the node's own
  // synchronous run is held to it (a completed attempt is not thrown away, nor re-run).
  it("ragraph: a node waiting on I/O is not blamed for a sibling that blocks the event loop", async () => {
    const { registry } = world();
    registry.registerNodeKind("io", async () => {
      await sleep(20);
      return { writes: [["value", "io"]] };
    });
    registry.registerNodeKind("cpu", async () => {
      busyWait(400);
      return { writes: [["value", "cpu"]] };
    });
    const g = compile(`graph g { start s state { value: list<string> append } node s { kind set next [io, cpu] } node io { kind io timeout 200ms next END } node cpu { kind cpu next END } }`, registry);
    expect((await g.invoke({})).state.value).toEqual(expect.arrayContaining(["io", "cpu"]));
  });
});
