/**
 * Errors, retries and timeouts (`runtime.md` §5): `retry { … }` retries only the
 * retryable classes with the declared backoff and emits `task_retried`; permanent errors
 * fail at once; `timeout` bounds one attempt (errorClass `timeout`, the node's signal is
 * aborted); `on_error -> node` routes a failed task's error into the graph.
 */
import { describe, expect, it } from "vitest";
import { NodeError, type RunEvent } from "../../runtime/index.js";
import { standardRegistry } from "../../stdlib/index.js";
import { buildGraph, eventsOf, registerProbe, sleep } from "../helpers/run-graph.js";

type Ev<T extends RunEvent["type"]> = Extract<RunEvent, { type: T }>;
const ofType = <T extends RunEvent["type"]>(events: readonly RunEvent[], type: T) => events.filter((e): e is Ev<T> => e.type === type);

/** A node kind that throws `errors[i]` on its i-th attempt, then succeeds writing `ok`. */
function flaky(errors: readonly unknown[]) {
  const registry = standardRegistry();
  let attempts = 0;
  registry.registerNodeKind("flaky", async () => {
    const e = errors[attempts++];
    if (e !== undefined) throw e;
    return { result: `ok after ${attempts}`, writes: [["done", true]] };
  });
  return { registry, attempts: () => attempts };
}

const retryable = (msg = "transient") => new NodeError(msg, "retryable");

function graphWith(nodeItems: string, extra = "") {
  return `graph g {
    start f
    ${extra}
    state { done: boolean = false }
    node f { kind flaky ${nodeItems} next END }
  }`;
}

describe("retries", () => {
  it("a retryable error twice then success: three attempts, two task_retried events, the result is written", async () => {
    const { registry, attempts } = flaky([retryable("first"), retryable("second")]);
    const { graph } = buildGraph(graphWith(`retry { max_attempts: 3, initial: 1ms, backoff: fixed, jitter: false }`), { registry });
    const events = await eventsOf(graph);
    expect(attempts()).toBe(3);
    const retried = ofType(events, "task_retried");
    expect(retried.map((e) => [e.attempt, e.delayMs, e.error.errorClass, e.error.message])).toEqual([
      [1, 1, "retryable", "first"],
      [2, 1, "retryable", "second"],
    ]);
    for (const e of retried) expect(e).toMatchObject({ node: "f", taskId: ofType(events, "task_started")[0].taskId, step: 1 });
    // one task: started once, completed once
    expect(ofType(events, "task_started")).toHaveLength(1);
    expect(ofType(events, "task_completed")).toHaveLength(1);
    const done = events.at(-1) as Ev<"run_completed">;
    expect(done.type).toBe("run_completed");
    expect(done.state.done).toBe(true);
    expect(done.output).toBe("ok after 3");
  });

  it("the reference block syntax `retry { max_attempts 3 initial 1ms }` retries too", async () => {
    const { registry, attempts } = flaky([retryable(), retryable()]);
    const { graph } = buildGraph(graphWith(`retry { max_attempts 3 initial 1ms }`), { registry });
    const r = await graph.invoke();
    expect(attempts()).toBe(3);
    expect(r.state.done).toBe(true);
  });

  it("exponential backoff doubles the delay; jitter scales it by 0.5 + random/2", async () => {
    const { registry } = flaky([retryable(), retryable(), retryable()]);
    const { graph } = buildGraph(graphWith(`retry { max_attempts: 4, initial: 4ms, backoff: exponential }`), { registry });
    const events = await eventsOf(graph, {}, { random: () => 0 });
    expect(ofType(events, "task_retried").map((e) => e.delayMs)).toEqual([2, 4, 8]);
    const { registry: r2 } = flaky([retryable(), retryable(), retryable()]);
    const { graph: g2 } = buildGraph(graphWith(`retry { max_attempts: 4, initial: 4ms, max: 6ms, backoff: exponential, jitter: false }`), { registry: r2 });
    const e2 = await eventsOf(g2);
    expect(ofType(e2, "task_retried").map((e) => e.delayMs)).toEqual([4, 6, 6]);
  });

  it("a Retry-After longer than the backoff wins", async () => {
    const { registry } = flaky([new NodeError("slow down", "rate_limited", {}, { retryAfterMs: 25 })]);
    const { graph } = buildGraph(graphWith(`retry { max_attempts: 2, initial: 1ms, jitter: false }`), { registry });
    const t0 = Date.now();
    const events = await eventsOf(graph);
    expect(ofType(events, "task_retried").map((e) => [e.delayMs, e.error.errorClass])).toEqual([[25, "rate_limited"]]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(20);
    expect(events.at(-1)!.type).toBe("run_completed");
  });

  it("when every attempt fails, the run fails with the last error after max_attempts", async () => {
    const { registry, attempts } = flaky([retryable("1"), retryable("2"), retryable("3"), retryable("4")]);
    const { graph } = buildGraph(graphWith(`retry { max_attempts: 3, initial: 1ms, jitter: false }`), { registry });
    const events = await eventsOf(graph);
    expect(attempts()).toBe(3);
    expect(ofType(events, "task_retried")).toHaveLength(2);
    const last = events.at(-1) as Ev<"run_failed">;
    expect(last.type).toBe("run_failed");
    expect(last.error).toMatchObject({ code: "node", errorClass: "retryable", message: "3", node: "f", graph: "g" });
    await expect(buildGraph(graphWith(`retry { max_attempts: 3, initial: 1ms }`), { registry: flaky([retryable(), retryable(), retryable()]).registry }).graph.invoke()).rejects.toBeInstanceOf(NodeError);
  });

  it("a permanent error is not retried", async () => {
    const { registry, attempts } = flaky([new NodeError("bad request", "permanent")]);
    const { graph } = buildGraph(graphWith(`retry { max_attempts: 5, initial: 1ms }`), { registry });
    const events = await eventsOf(graph);
    expect(attempts()).toBe(1);
    expect(ofType(events, "task_retried")).toHaveLength(0);
    expect((events.at(-1) as Ev<"run_failed">).error).toMatchObject({ errorClass: "permanent", message: "bad request" });
  });

  it("validation and auth errors are not retried by default", async () => {
    for (const cls of ["validation", "auth"] as const) {
      const { registry, attempts } = flaky([new NodeError(cls, cls)]);
      const { graph } = buildGraph(graphWith(`retry { max_attempts: 5, initial: 1ms }`), { registry });
      await expect(graph.invoke()).rejects.toMatchObject({ errorClass: cls });
      expect(attempts()).toBe(1);
    }
  });

  it("a plain Error is a permanent NodeError naming the node, with the original as cause, and is not retried", async () => {
    const original = new Error("disk on fire");
    const { registry, attempts } = flaky([original]);
    const { graph } = buildGraph(graphWith(`retry { max_attempts: 3, initial: 1ms }`), { registry });
    const err = (await graph.invoke().catch((e: unknown) => e)) as NodeError;
    expect(err).toBeInstanceOf(NodeError);
    expect(err.errorClass).toBe("permanent");
    expect(err.node).toBe("f");
    expect(err.graph).toBe("g");
    expect(err.step).toBe(1);
    expect(err.message).toContain("disk on fire");
    expect(err.cause).toBe(original);
    expect(attempts()).toBe(1);
  });

  it("errors with an HTTP status are classified: 503 and 429 are retried, 401 is not", async () => {
    const withStatus = (status: number) => Object.assign(new Error(`HTTP ${status}`), { status });
    const r503 = flaky([withStatus(503)]);
    expect((await buildGraph(graphWith(`retry { max_attempts: 2, initial: 1ms }`), { registry: r503.registry }).graph.invoke()).state.done).toBe(true);
    expect(r503.attempts()).toBe(2);
    const r429 = flaky([withStatus(429)]);
    expect((await buildGraph(graphWith(`retry { max_attempts: 2, initial: 1ms }`), { registry: r429.registry }).graph.invoke()).state.done).toBe(true);
    expect(r429.attempts()).toBe(2);
    const r401 = flaky([withStatus(401)]);
    await expect(buildGraph(graphWith(`retry { max_attempts: 2, initial: 1ms }`), { registry: r401.registry }).graph.invoke()).rejects.toMatchObject({ errorClass: "auth" });
    expect(r401.attempts()).toBe(1);
  });

  it("retry_on narrows the retried classes", async () => {
    const { registry, attempts } = flaky([new NodeError("429", "rate_limited")]);
    const { graph } = buildGraph(graphWith(`retry { max_attempts: 3, initial: 1ms, retry_on: ["retryable"] }`), { registry });
    await expect(graph.invoke()).rejects.toMatchObject({ errorClass: "rate_limited" });
    expect(attempts()).toBe(1);
  });

  it("without a retry policy a retryable error fails at once", async () => {
    const { registry, attempts } = flaky([retryable()]);
    const { graph } = buildGraph(graphWith(``), { registry });
    await expect(graph.invoke()).rejects.toMatchObject({ errorClass: "retryable" });
    expect(attempts()).toBe(1);
  });

  it("`defaults { retry { … } }` applies to nodes without their own policy", async () => {
    const { registry, attempts } = flaky([retryable(), retryable()]);
    const { graph } = buildGraph(graphWith(``, `defaults { retry: { max_attempts: 3, initial: 1ms, jitter: false } }`), { registry });
    expect((await graph.invoke()).state.done).toBe(true);
    expect(attempts()).toBe(3);
  });

  it("a retrying task never makes its completed siblings run again", async () => {
    const registry = standardRegistry();
    let flakyAttempts = 0;
    registry.registerNodeKind("flaky", async () => {
      if (++flakyAttempts < 3) throw retryable();
      return { writes: [["log", "flaky"]] };
    });
    const steady = registerProbe(registry, "steady", async () => ({ writes: [["log", "steady"]] }));
    const { graph } = buildGraph(`graph g {
      start s
      state { log: list<string> append }
      node s { kind set next [f, t] }
      node f { kind flaky retry { max_attempts: 3, initial: 1ms } next END }
      node t { kind steady next END }
    }`, { registry });
    const r = await graph.invoke();
    expect(flakyAttempts).toBe(3);
    expect(steady).toHaveLength(1);
    expect(r.state.log).toEqual(["flaky", "steady"]);
  });
});

describe("timeouts", () => {
  function sleeper(ms: (attempt: number) => number) {
    const registry = standardRegistry();
    const aborts: unknown[] = [];
    let attempts = 0;
    registry.registerNodeKind("sleeper", async (task) => {
      const n = ++attempts;
      try {
        await sleep(ms(n), task.signal);
      } catch (e) {
        aborts.push(e);
        throw e;
      }
      return { writes: [["done", true]] };
    });
    return { registry, aborts, attempts: () => attempts };
  }

  it("`timeout 20ms` on a node that sleeps longer fails with errorClass timeout and aborts the node's signal", async () => {
    // The node would sleep a minute: only the timeout can end it (the upper bound is far
    // below that and far above a loaded machine's delays).
    const { registry, aborts } = sleeper(() => 60_000);
    const { graph } = buildGraph(`graph g { start s  state { done: boolean = false }  node s { kind sleeper timeout 20ms next END } }`, { registry });
    const t0 = Date.now();
    const events = await eventsOf(graph);
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(15);
    expect(elapsed).toBeLessThan(10_000);
    const failed = ofType(events, "task_failed");
    expect(failed).toHaveLength(1);
    expect(failed[0].error).toMatchObject({ code: "node", errorClass: "timeout", node: "s" });
    const last = events.at(-1) as Ev<"run_failed">;
    expect(last.type).toBe("run_failed");
    expect(last.error.errorClass).toBe("timeout");
    expect(String(last.error.message)).toContain("20");
    await expect.poll(() => aborts.length, { timeout: 15_000 }).toBe(1);
    expect(aborts[0]).toBeInstanceOf(NodeError);
    expect((aborts[0] as NodeError).errorClass).toBe("timeout");
  });

  it("invoke rejects with a timeout NodeError", async () => {
    const { registry } = sleeper(() => 60_000);
    const { graph } = buildGraph(`graph g { start s  state { done: boolean = false }  node s { kind sleeper timeout 20ms next END } }`, { registry });
    const err = (await graph.invoke().catch((e: unknown) => e)) as NodeError;
    expect(err).toBeInstanceOf(NodeError);
    expect(err.errorClass).toBe("timeout");
    expect(err.node).toBe("s");
  });

  it("the timeout bounds each attempt: a timed-out attempt is retried and a fast one succeeds (300 ms: room for a loaded machine, since an attempt that overruns is failed even when it returns)", async () => {
    const { registry, attempts } = sleeper((n) => (n === 1 ? 60_000 : 1));
    const { graph } = buildGraph(`graph g { start s  state { done: boolean = false }  node s { kind sleeper timeout 300ms retry { max_attempts: 2, initial: 1ms } next END } }`, { registry });
    const events = await eventsOf(graph);
    expect(attempts()).toBe(2);
    expect(ofType(events, "task_retried").map((e) => e.error.errorClass)).toEqual(["timeout"]);
    expect((events.at(-1) as Ev<"run_completed">).state.done).toBe(true);
  });

  it("a node that finishes within its timeout is unaffected", async () => {
    // 2 ms of work against a 10 s timeout: a loaded machine's delays cannot reach it.
    const { registry, aborts } = sleeper(() => 2);
    const { graph } = buildGraph(`graph g { start s  state { done: boolean = false }  node s { kind sleeper timeout 10s next END } }`, { registry });
    expect((await graph.invoke()).state.done).toBe(true);
    expect(aborts).toHaveLength(0);
  });

  it("`defaults { timeout … }` bounds nodes without their own timeout", async () => {
    const { registry } = sleeper(() => 60_000);
    const { graph } = buildGraph(`graph g { start s  defaults { timeout: 20ms }  state { done: boolean = false }  node s { kind sleeper next END } }`, { registry });
    const t0 = Date.now();
    await expect(graph.invoke()).rejects.toMatchObject({ errorClass: "timeout" });
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});

describe("on_error", () => {
  it("routes a failed task's error to the handler instead of failing the run", async () => {
    const registry = standardRegistry();
    registry.registerNodeKind("boom", async () => {
      throw new NodeError("exploded", "permanent");
    });
    const handler = registerProbe(registry, "handler", async (task) => ({ writes: [["handled", (task.args as { error: { message: string } }).error.message]] }));
    const { graph } = buildGraph(`graph g {
      start a
      state { handled: string?  after: boolean = false }
      node a { kind boom on_error -> h next b }
      node b { kind set set { after: true } next END }
      node h { kind handler next END }
    }`, { registry });
    const events = await eventsOf(graph);
    const done = events.at(-1) as Ev<"run_completed">;
    expect(done.type).toBe("run_completed");
    expect(done.state.handled).toBe("exploded");
    expect(done.state.after).toBe(false); // the normal successor does not run
    expect(handler).toHaveLength(1);
    expect(ofType(events, "task_failed")[0]).toMatchObject({ node: "a", handled: true });
  });
});
