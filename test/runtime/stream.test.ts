/**
 * Events and streaming (`runtime.md` §6): the event envelope, event order, send/join
 * events, `run_failed` ending a failed run's stream, child-run identities, the bounded
 * event stream (backpressure) and cancellation when the consumer stops or the caller's
 * AbortSignal fires.
 */
import { describe, expect, it } from "vitest";
import { BoundedStream, CancelledError, type RunEvent } from "../../runtime/index.js";
import { standardRegistry } from "../../stdlib/index.js";
import { buildGraph, eventsOf, registerProbe, sleep } from "../helpers/run-graph.js";

type Ev<T extends RunEvent["type"]> = Extract<RunEvent, { type: T }>;
const ofType = <T extends RunEvent["type"]>(events: readonly RunEvent[], type: T) => events.filter((e): e is Ev<T> => e.type === type);
const TASK_EVENTS = new Set(["task_started", "task_completed", "task_failed", "task_retried"]);

/** A clock that advances by 1 ms every time it is read. */
function tickingClock(start = 1_000_000) {
  let t = start;
  return { now: () => t++ };
}

/** Resolves once `cond()` is true (polling), or rejects after `ms` (generous: a loaded CI machine may stall for seconds). */
async function until(cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await sleep(2);
  }
}

const mapReduce = `graph mr {
  start split
  input { items: list<string> }
  state { out: list<string> append }
  node split { kind set send [worker { item: x } for x in input.items] join reduce }
  node worker { kind set set { out: args.item } }
  node reduce { kind set next END }
}`;

describe("event envelope and order", () => {
  it("every event carries runId, rootRunId, threadId, step, namespace, depth and timestamp; task events carry taskId and node", async () => {
    const { graph, blueprint } = buildGraph(mapReduce);
    const events = await eventsOf(graph, { items: ["a", "b"] }, { runId: "run-fixed", threadId: "thread-fixed", clock: tickingClock() });
    expect(events.length).toBeGreaterThan(10);
    let lastTs = 0;
    for (const e of events) {
      expect(e.runId).toBe("run-fixed");
      expect(e.rootRunId).toBe("run-fixed");
      expect(e.parentRunId).toBeUndefined();
      expect(e.threadId).toBe("thread-fixed");
      expect(e.namespace).toBe("mr");
      expect(e.depth).toBe(0);
      expect(Number.isInteger(e.step)).toBe(true);
      expect(typeof e.timestamp).toBe("number");
      expect(e.timestamp).toBeGreaterThanOrEqual(lastTs);
      lastTs = e.timestamp;
      if (TASK_EVENTS.has(e.type)) {
        expect(typeof e.taskId).toBe("string");
        expect(e.taskId!.length).toBeGreaterThan(0);
        expect(typeof e.node).toBe("string");
      }
    }
    const started = events[0] as Ev<"run_started">;
    expect(started.type).toBe("run_started");
    expect(started).toMatchObject({ graph: "mr", hash: blueprint.hash, input: { items: ["a", "b"] }, step: 0 });
    const done = events.at(-1) as Ev<"run_completed">;
    expect(done.type).toBe("run_completed");
    expect(done.steps).toBe(3);
    expect(done.state.out).toEqual(["a", "b"]);
    expect(ofType(events, "run_completed")).toHaveLength(1);
  });

  it("a new run gets fresh run and thread ids; invoke returns the same ids the events carry", async () => {
    const { graph } = buildGraph(mapReduce);
    const e1 = await eventsOf(graph, { items: [] });
    const e2 = await eventsOf(graph, { items: [] });
    expect(e1[0].runId).not.toBe(e2[0].runId);
    expect(e1[0].threadId).not.toBe(e2[0].threadId);
    const r = await graph.invoke({ items: [] }, { threadId: "t1" });
    expect(r.threadId).toBe("t1");
    expect(typeof r.runId).toBe("string");
  });

  it("steps are numbered 1..N, each step_started precedes its tasks and step_completed follows them", async () => {
    const { graph } = buildGraph(mapReduce);
    const events = await eventsOf(graph, { items: ["a", "b", "c"] });
    expect(ofType(events, "step_started").map((e) => e.step)).toEqual([1, 2, 3]);
    expect(ofType(events, "step_completed").map((e) => e.step)).toEqual([1, 2, 3]);
    for (const step of [1, 2, 3]) {
      const idx = events.map((e, i) => (e.step === step && !e.type.startsWith("run_") ? i : -1)).filter((i) => i >= 0);
      expect(events[idx[0]].type).toBe("step_started");
      expect(events[idx.at(-1)!].type).toBe("step_completed");
      const tasks = (events[idx[0]] as Ev<"step_started">).tasks;
      const startedIds = idx.map((i) => events[i]).filter((e) => e.type === "task_started").map((e) => e.taskId);
      const completedIds = idx.map((i) => events[i]).filter((e) => e.type === "task_completed").map((e) => e.taskId);
      expect(new Set(startedIds)).toEqual(new Set(tasks.map((t) => t.taskId)));
      expect(new Set(completedIds)).toEqual(new Set(tasks.map((t) => t.taskId)));
      for (const id of startedIds) {
        const s = events.findIndex((e) => e.type === "task_started" && e.taskId === id);
        const c = events.findIndex((e) => e.type === "task_completed" && e.taskId === id);
        expect(s).toBeLessThan(c);
      }
    }
    // task ids are unique across the run
    const ids = ofType(events, "task_started").map((e) => e.taskId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("send_dispatched and join_released carry the fan-out id, targets and join; branch tasks carry fanoutId and branch", async () => {
    const { graph } = buildGraph(mapReduce);
    const events = await eventsOf(graph, { items: ["a", "b"] });
    const [sent] = ofType(events, "send_dispatched");
    expect(sent).toMatchObject({ step: 1, join: "reduce", wait: "all", targets: [{ node: "worker", args: { item: "a" } }, { node: "worker", args: { item: "b" } }] });
    const [released] = ofType(events, "join_released");
    expect(released).toMatchObject({ step: 2, fanoutId: sent.fanoutId, target: "reduce", branches: 2, succeeded: 2 });
    const branchTasks = ofType(events, "task_started").filter((e) => e.node === "worker");
    expect(branchTasks.map((e) => [e.trigger, e.fanoutId, e.branch, e.args])).toEqual([
      ["send", sent.fanoutId, 0, { item: "a" }],
      ["send", sent.fanoutId, 1, { item: "b" }],
    ]);
    expect(ofType(events, "task_started").find((e) => e.node === "reduce")?.trigger).toBe("join");
    // send_dispatched comes before the branch tasks start, join_released before the join task starts
    const at = (pred: (e: RunEvent) => boolean) => events.findIndex(pred);
    expect(at((e) => e.type === "send_dispatched")).toBeLessThan(at((e) => e.type === "task_started" && e.node === "worker"));
    expect(at((e) => e.type === "join_released")).toBeLessThan(at((e) => e.type === "task_started" && e.node === "reduce"));
  });

  it("state_updated lists the channels a step changed with their new values", async () => {
    const { graph } = buildGraph(`graph g {
      start a
      state { x: number = 0  y: number = 0 }
      node a { kind set set { x: 1 } next b }
      node b { kind set set { y: 2, x: 1 } next END }
    }`);
    const events = await eventsOf(graph);
    const updates = ofType(events, "state_updated");
    expect(updates.map((e) => [e.step, e.channels, e.values])).toEqual([
      [1, ["x"], { x: 1 }],
      [2, ["y"], { y: 2 }],
    ]);
  });

  it("a failed run ends with run_failed as its last event and the stream does not throw", async () => {
    const registry = standardRegistry();
    registerProbe(registry, "boom", async () => {
      throw new Error("kaboom");
    });
    const { graph } = buildGraph(`graph g { start a  node a { kind set next b }  node b { kind boom next END } }`, { registry });
    const events: RunEvent[] = [];
    for await (const e of graph.stream({}, { runId: "r1" })) events.push(e);
    const last = events.at(-1) as Ev<"run_failed">;
    expect(last.type).toBe("run_failed");
    expect(last.runId).toBe("r1");
    expect(last.steps).toBe(2);
    expect(last.error).toMatchObject({ name: "NodeError", code: "node", node: "b", errorClass: "permanent", graph: "g" });
    expect(String(last.error.message)).toContain("kaboom");
    expect(ofType(events, "run_completed")).toHaveLength(0);
    const failed = ofType(events, "task_failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ node: "b", handled: false, step: 2 });
  });

  it("an input that does not match the input block fails the run with run_failed", async () => {
    const { graph } = buildGraph(mapReduce);
    const events = await eventsOf(graph, { items: "not a list" });
    expect(events.map((e) => e.type)).toEqual(["run_failed"]);
    expect((events[0] as Ev<"run_failed">).error.code).toBe("invalid_input");
  });

  it("a subgraph's events carry the root run id, the parent run id, a nested namespace and depth 1", async () => {
    const src = `graph parent {
      start call
      state { answer: any }
      node call { kind subgraph graph "child" input { q: "hi" } writes answer next END }
    }
    graph child {
      start c
      input { q: string }
      state { out: string? }
      output { out: string? }
      node c { kind set set { out: input.q + "!" } next END }
    }`;
    const { graph } = buildGraph(src);
    const events = await eventsOf(graph, {}, { runId: "root-run", threadId: "th" });
    const childEvents = events.filter((e) => e.depth === 1);
    expect(childEvents.length).toBeGreaterThan(0);
    const childRunId = childEvents[0].runId;
    expect(childRunId).not.toBe("root-run");
    for (const e of childEvents) {
      expect(e).toMatchObject({ runId: childRunId, rootRunId: "root-run", parentRunId: "root-run", threadId: "th", namespace: "parent/child", depth: 1 });
    }
    expect(childEvents[0].type).toBe("run_started");
    expect(childEvents.at(-1)!.type).toBe("run_completed");
    const sub = ofType(events, "subrun_started");
    expect(sub).toHaveLength(1);
    expect(sub[0]).toMatchObject({ childRunId, target: "child", node: "call", depth: 0 });
    const last = events.at(-1) as Ev<"run_completed">;
    expect(last.depth).toBe(0);
    expect(last.state.answer).toEqual({ out: "hi!" });
  });
});

describe("BoundedStream", () => {
  it("a producer awaiting push never gets more than `capacity` items ahead of a paused consumer", async () => {
    const s = new BoundedStream<number>(3);
    let produced = 0;
    const producer = (async () => {
      for (let i = 0; i < 20; i++) {
        await s.push(i);
        produced++;
        expect(s.size).toBeLessThanOrEqual(3);
      }
      s.close();
    })();
    await sleep(10);
    expect(s.size).toBe(3);
    expect(produced).toBe(2); // the third push waits for the consumer
    const it = s[Symbol.asyncIterator]();
    let consumed = 0;
    for (;;) {
      const r = await it.next();
      if (r.done) break;
      expect(r.value).toBe(consumed);
      consumed++;
      expect(s.size).toBeLessThanOrEqual(3);
      expect(produced - consumed).toBeLessThanOrEqual(3);
      if (consumed % 5 === 0) await sleep(2); // a slow consumer
    }
    await producer;
    expect(consumed).toBe(20);
  });

  it("thousands of concurrent producers: each item once, in push order, never more than `capacity` buffered", async () => {
    const s = new BoundedStream<number>(4);
    const pushes = Array.from({ length: 3000 }, (_, i) => s.push(i));
    void Promise.all(pushes).then(() => s.close());
    const out: number[] = [];
    for await (const v of s) {
      out.push(v);
      expect(s.size).toBeLessThanOrEqual(4);
    }
    expect(out).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  });

  it("a push to a waiting consumer is handed over directly without buffering", async () => {
    const s = new BoundedStream<string>(1);
    const it = s[Symbol.asyncIterator]();
    const next = it.next();
    await s.push("x");
    expect(s.size).toBe(0);
    expect(await next).toEqual({ value: "x", done: false });
  });

  it("close delivers the buffered items, then ends", async () => {
    const s = new BoundedStream<number>(5);
    void s.push(1);
    void s.push(2);
    s.close();
    const out: number[] = [];
    for await (const v of s) out.push(v);
    expect(out).toEqual([1, 2]);
    await s.push(3); // pushes after close are dropped
    expect(s.size).toBe(0);
  });

  it("fail delivers the buffered items, then rejects with the error", async () => {
    const s = new BoundedStream<number>(5);
    void s.push(1);
    s.fail(new Error("broken"));
    const it = s[Symbol.asyncIterator]();
    expect(await it.next()).toEqual({ value: 1, done: false });
    await expect(it.next()).rejects.toThrow("broken");
  });

  it("a consumer that stops (return) cancels once, releases blocked producers and drops the buffer", async () => {
    let cancelled = 0;
    const s = new BoundedStream<number>(2, () => cancelled++);
    const p1 = s.push(1);
    const p2 = s.push(2); // blocks: buffer full
    let released = false;
    void p2.then(() => (released = true));
    await p1;
    await sleep(1);
    expect(released).toBe(false);
    const it = s[Symbol.asyncIterator]();
    expect(await it.return!()).toEqual({ value: undefined, done: true });
    await sleep(1);
    expect(released).toBe(true);
    expect(cancelled).toBe(1);
    expect(s.size).toBe(0);
    await it.return!();
    expect(cancelled).toBe(1);
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });
});

describe("CompiledGraph.stream backpressure and cancellation", () => {
  const chain = (n: number) => {
    const nodes = Array.from({ length: n }, (_, i) => `node n${i} { kind probe ${i + 1 < n ? `next n${i + 1}` : "next END"} }`).join("\n");
    return `graph chain { start n0 ${nodes} }`;
  };

  it("a paused consumer stops the run: the buffer stays within bufferSize and no further node runs", async () => {
    const registry = standardRegistry();
    const calls = registerProbe(registry, "probe");
    const { graph } = buildGraph(chain(20), { registry });
    const stream = graph.stream({}, { bufferSize: 2 }) as BoundedStream<RunEvent>;
    const it = stream[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.value?.type).toBe("run_started");
    await sleep(30); // consumer paused
    expect(stream.size).toBeLessThanOrEqual(2);
    // ~5 events per step: with 2 buffered the run cannot get past the first node
    expect(calls.length).toBeLessThanOrEqual(1);
    const ranWhilePaused = calls.length;
    await sleep(20);
    expect(calls.length).toBe(ranWhilePaused);
    let consumed = 1;
    let last: RunEvent | undefined;
    for (;;) {
      const r = await it.next();
      if (r.done) break;
      consumed++;
      last = r.value;
      expect(stream.size).toBeLessThanOrEqual(2);
    }
    expect(last?.type).toBe("run_completed");
    expect(calls).toHaveLength(20);
    expect(consumed).toBeGreaterThan(80);
  });

  it("a paused consumer bounds the buffer by bufferSize even when a wide fan-out emits from many tasks at once", async () => {
    const registry = standardRegistry();
    registerProbe(registry, "probe");
    const { graph } = buildGraph(`graph g {
      start s
      input { items: list<number> }
      node s { kind set send [w { n: x } for x in input.items] join done }
      node w { kind probe }
      node done { kind set next END }
    }`, { registry });
    const stream = graph.stream({ items: Array.from({ length: 30 }, (_, i) => i) }, { bufferSize: 2 }) as BoundedStream<RunEvent>;
    const it = stream[Symbol.asyncIterator]();
    let maxSize = 0;
    let last: RunEvent | undefined;
    for (let i = 0; ; i++) {
      if (i < 15) await sleep(2); // a slow consumer while the branches run
      maxSize = Math.max(maxSize, stream.size);
      const r = await it.next();
      if (r.done) break;
      last = r.value;
    }
    expect(last?.type).toBe("run_completed");
    expect(maxSize).toBeLessThanOrEqual(2);
  });

  it("breaking out of for-await cancels the run: the running node's AbortSignal fires and later nodes never run", async () => {
    const registry = standardRegistry();
    let abortReason: unknown;
    let startedSlow = false;
    const after = registerProbe(registry, "after");
    registry.registerNodeKind("slow", async (task) => {
      startedSlow = true;
      try {
        await sleep(60_000, task.signal);
      } catch (e) {
        abortReason = e;
        throw e;
      }
      return {};
    });
    const { graph } = buildGraph(`graph g { start a  node a { kind set next s }  node s { kind slow next z }  node z { kind after next END } }`, { registry });
    const t0 = Date.now();
    for await (const e of graph.stream({}, { bufferSize: 4 })) {
      if (e.type === "task_started" && e.node === "s") break;
    }
    await until(() => abortReason !== undefined);
    expect(startedSlow).toBe(true);
    expect(abortReason).toBeInstanceOf(CancelledError);
    expect((abortReason as CancelledError).code).toBe("cancelled");
    // Far below the minute the node would sleep, far above a loaded machine's delays.
    expect(Date.now() - t0).toBeLessThan(10_000);
    await sleep(10);
    expect(after).toHaveLength(0);
  });

  it("the caller's AbortSignal cancels a streamed run, which ends with run_failed (cancelled)", async () => {
    const registry = standardRegistry();
    let sawAbort = false;
    registry.registerNodeKind("slow", async (task) => {
      await sleep(60_000, task.signal).catch((e) => {
        sawAbort = true;
        throw e;
      });
      return {};
    });
    const { graph } = buildGraph(`graph g { start s  node s { kind slow next END } }`, { registry });
    const ac = new AbortController();
    const events: RunEvent[] = [];
    for await (const e of graph.stream({}, { signal: ac.signal })) {
      events.push(e);
      if (e.type === "task_started") ac.abort();
    }
    expect(sawAbort).toBe(true);
    const last = events.at(-1) as Ev<"run_failed">;
    expect(last.type).toBe("run_failed");
    expect(JSON.stringify(last.error)).toContain("cancel");
  });

  it("aborting invoke's signal rejects the run with a CancelledError and aborts the running node", async () => {
    const registry = standardRegistry();
    let nodeSignal: AbortSignal | undefined;
    registry.registerNodeKind("slow", async (task) => {
      nodeSignal = task.signal;
      await sleep(60_000, task.signal);
      return {};
    });
    const { graph } = buildGraph(`graph g { start s  node s { kind slow next END } }`, { registry });
    const ac = new AbortController();
    const run = graph.invoke({}, { signal: ac.signal });
    await until(() => nodeSignal !== undefined);
    ac.abort();
    const err = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(nodeSignal!.aborted).toBe(true);
    expect(err).toBeInstanceOf(CancelledError);
    expect((err as CancelledError).code).toBe("cancelled");
  });

  it("a run whose signal is already aborted does not start any node", async () => {
    const registry = standardRegistry();
    const calls = registerProbe(registry, "probe");
    const { graph } = buildGraph(`graph g { start s  node s { kind probe next END } }`, { registry });
    const ac = new AbortController();
    ac.abort(new CancelledError("stop before start"));
    await expect(graph.invoke({}, { signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
    expect(calls).toHaveLength(0);
  });
});

describe("stopping a stream at the run's end", () => {
  it("a consumer that breaks after the root run_completed cancels nothing; one that breaks after a child's run_completed cancels the parent run", async () => {
    const registry = standardRegistry();
    const calls = registerProbe(registry, "probe");
    const { graph } = buildGraph(
      `graph parent { start a node a { kind subgraph graph "child" next b } node b { kind probe next END } }
       graph child { start c node c { kind probe next END } }`,
      { registry, graph: "parent" },
    );
    // Break at the child's run_completed: the parent is still running and gets cancelled, so `b` never runs.
    for await (const e of graph.stream({})) if (e.type === "run_completed") break;
    await sleep(20);
    expect(calls.map((c) => c.node)).toEqual(["c"]);
    // Break at the root's run_completed: everything ran; stopping then aborts nothing.
    const signals: AbortSignal[] = [];
    registry.registerNodeKind("probe", async (task) => {
      signals.push(task.signal);
      return {};
    });
    for await (const e of graph.stream({})) if (e.type === "run_completed" && e.depth === 0) break;
    expect(signals).toHaveLength(2);
    expect(signals.some((s) => s.aborted)).toBe(false);
  });
});
