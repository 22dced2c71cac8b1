/**
 * Runs on a checkpointer (`runtime.md` §1 step 7, §3): what a checkpoint records, the
 * durability modes, pending writes saved per completed task (a failing or cancelled
 * sibling never makes a completed task run again), resume, the blueprint-hash guard,
 * and a new input on an existing thread.
 */
import { describe, expect, it } from "vitest";
import { BlueprintMismatchError, CancelledError, CheckpointError, MemoryCheckpointer, SqliteCheckpointer, type Checkpointer, type RunEvent } from "../../runtime/index.js";
import { standardRegistry } from "../../stdlib/index.js";
import { join } from "node:path";
import { buildGraph, eventsOf, registerProbe, sleep } from "../helpers/run-graph.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

type Ev<T extends RunEvent["type"]> = Extract<RunEvent, { type: T }>;
const ofType = <T extends RunEvent["type"]>(events: readonly RunEvent[], type: T) => events.filter((e): e is Ev<T> => e.type === type);
const dir = scratchDir("rag-run-ckpt-");

const mapReduce = `graph mr {
  start split
  input { items: list<string> }
  state { out: list<string> append  scratch: any untracked  count: number = 0 }
  node split { kind set set { scratch: "not saved", count: 1 } send [worker { item: x } for x in input.items] join reduce }
  node worker { kind set set { out: args.item } }
  node reduce { kind set set { count: len(state.out) } next END }
}`;

describe("what checkpoints record", () => {
  it("an input checkpoint, then one per superstep, chained by parent id, with source, step, next tasks and values", async () => {
    const saver = new MemoryCheckpointer();
    const { graph, blueprint } = buildGraph(mapReduce, { checkpointer: saver });
    const r = await graph.invoke({ items: ["a", "b"] }, { threadId: "t1", runId: "r1" });
    expect(r.status).toBe("completed");
    const history = await saver.list("t1");
    expect(history.map((h) => [h.checkpoint.step, h.metadata.source])).toEqual([
      [3, "loop"],
      [2, "loop"],
      [1, "loop"],
      [0, "input"],
    ]);
    for (let i = 0; i < history.length - 1; i++) expect(history[i].checkpoint.parentId).toBe(history[i + 1].checkpoint.id);
    expect(history.at(-1)!.checkpoint.parentId).toBeUndefined();
    for (const h of history) expect(h.checkpoint).toMatchObject({ threadId: "t1", namespace: "", graph: "mr", blueprintHash: blueprint.hash, runId: "r1", input: { items: ["a", "b"] } });
    const [done, afterFanout, afterSplit, input] = history.map((h) => h.checkpoint);
    expect(input.next.map((t) => t.node)).toEqual(["split"]);
    expect(afterSplit.next.map((t) => [t.node, t.args, t.branch])).toEqual([
      ["worker", { item: "a" }, { fanoutId: "f1", index: 0 }],
      ["worker", { item: "b" }, { fanoutId: "f1", index: 1 }],
    ]);
    expect(afterSplit.planner.fanouts.f1).toMatchObject({ join: { target: "reduce", wait: "all" }, live: [1, 1], released: false });
    expect(afterFanout.next.map((t) => t.node)).toEqual(["reduce"]);
    expect(done.next).toEqual([]);
    expect(done.values).toEqual({ out: ["a", "b"], count: 2 }); // the untracked channel stays out
    expect(r.checkpointId).toBe(done.id);
    expect(done.versions).toEqual({ count: 2, out: 1 });
    expect(done.seen).toEqual({ reduce: { count: 1, out: 1 } });
    expect(history[0].metadata).toMatchObject({ changed: ["count"], ran: ["reduce"] });
    expect(history[1].metadata).toMatchObject({ changed: ["out"], ran: ["worker"] });
  });

  it("checkpoint_saved follows every save, with the source and durability", async () => {
    const { graph } = buildGraph(mapReduce, { checkpointer: new MemoryCheckpointer() });
    const events = await eventsOf(graph, { items: ["a"] });
    expect(ofType(events, "checkpoint_saved").map((e) => [e.step, e.source, e.durability])).toEqual([
      [0, "input", "sync"],
      [1, "loop", "sync"],
      [2, "loop", "sync"],
      [3, "loop", "sync"],
    ]);
  });

  it("a stored checkpoint is a snapshot: later steps do not change its planner state or values", async () => {
    const saver = new MemoryCheckpointer();
    const { graph } = buildGraph(mapReduce, { checkpointer: saver });
    await graph.invoke({ items: ["a", "b"] }, { threadId: "t" });
    const afterSplit = (await saver.list("t")).find((h) => h.checkpoint.step === 1)!.checkpoint;
    expect(afterSplit.planner.fanouts.f1.live).toEqual([1, 1]);
    expect(afterSplit.values.out).toEqual([]);
  });

  it("steps that change, detach and pause nothing share one frozen empty list each and one planner snapshot: a long thread keeps no copy of them per superstep", async () => {
    const saver = new MemoryCheckpointer();
    const { graph } = buildGraph(
      `graph chain {
        start a
        state { n: number = 0 }
        node a { kind set next b }
        node b { kind set next c }
        node c { kind set next END }
      }`,
      { checkpointer: saver },
    );
    expect((await graph.invoke({}, { threadId: "t" })).status).toBe("completed");
    const steps = (await saver.list("t")).filter((h) => h.metadata.source === "loop");
    expect(steps.map((h) => h.metadata.ran)).toEqual([["c"], ["b"], ["a"]]);
    const [first, ...rest] = steps;
    expect(first.metadata.changed).toEqual([]);
    expect(first.checkpoint.detached).toEqual([]);
    expect(first.checkpoint.interrupts).toEqual([]);
    expect(first.checkpoint.planner).toEqual({ nextFanout: 1, fanouts: {}, arrivals: {} });
    for (const v of [first.metadata.changed, first.checkpoint.detached, first.checkpoint.interrupts, first.checkpoint.planner]) expect(Object.isFrozen(v)).toBe(true);
    for (const h of rest) {
      expect(h.metadata.changed).toBe(first.metadata.changed);
      expect(h.checkpoint.detached).toBe(first.checkpoint.detached);
      expect(h.checkpoint.interrupts).toBe(first.checkpoint.interrupts);
      expect(h.checkpoint.planner).toBe(first.checkpoint.planner);
    }
  });

  it("without a checkpointer nothing is saved and time travel has nothing to read", async () => {
    const { graph } = buildGraph(mapReduce);
    const events = await eventsOf(graph, { items: ["a"] });
    expect(ofType(events, "checkpoint_saved")).toEqual([]);
    expect(() => graph.getState("t")).toThrow(CheckpointError);
  });
});

describe("durability modes", () => {
  for (const durability of ["sync", "async"] as const) {
    it(`${durability}: every checkpoint is stored once the run resolves`, async () => {
      const saver = new MemoryCheckpointer();
      const { graph } = buildGraph(mapReduce, { checkpointer: saver });
      await graph.invoke({ items: ["a", "b"] }, { threadId: "t", durability });
      expect((await saver.list("t")).map((h) => h.checkpoint.step)).toEqual([3, 2, 1, 0]);
    });
  }

  it("async: the next step starts before the checkpoint is stored", async () => {
    const order: string[] = [];
    const inner = new MemoryCheckpointer();
    const saver: Checkpointer = Object.assign(Object.create(inner) as MemoryCheckpointer, {
      put: async (...a: Parameters<MemoryCheckpointer["put"]>) => {
        await sleep(5);
        order.push(`put ${a[0].step}`);
        return inner.put(...a);
      },
    });
    const registry = standardRegistry();
    registerProbe(registry, "probe", async (task) => (order.push(`run ${task.node.name}`), {}));
    const { graph } = buildGraph(`graph g { start a node a { kind probe next b } node b { kind probe next END } }`, { registry, checkpointer: saver });
    await graph.invoke({}, { threadId: "t", durability: "async" });
    expect(order.indexOf("run b")).toBeLessThan(order.indexOf("put 1"));
    expect(order.filter((o) => o.startsWith("put"))).toEqual(["put 0", "put 1", "put 2"]); // ordered
    const sync: string[] = [];
    order.length = 0;
    await graph.invoke({}, { threadId: "t2", durability: "sync" });
    sync.push(...order);
    expect(sync.indexOf("put 1")).toBeLessThan(sync.indexOf("run b"));
  });

  it("sync: task_completed is emitted only after the task's writes are committed (read from a second connection to the SQLite file)", async () => {
    const path = join(dir, "ordered.db");
    const saver = new SqliteCheckpointer(path);
    const reader = new SqliteCheckpointer(path, { readonly: true });
    const committed = reader.db.prepare("SELECT channel, value FROM writes WHERE thread_id = 't' AND task_id = ? ORDER BY idx");
    const seen: { taskId: string; node: string; rows: { channel: string; value: string }[] }[] = [];
    const { graph } = buildGraph(mapReduce, { checkpointer: saver });
    const r = await graph.invoke(
      { items: ["a", "b", "c"] },
      {
        threadId: "t",
        durability: "sync",
        // Runs inside the emit: what another process sees at the moment the event is out.
        onEvent: (e) => {
          if (e.type === "task_completed") seen.push({ taskId: e.taskId!, node: e.node!, rows: committed.all(e.taskId) as { channel: string; value: string }[] });
        },
      },
    );
    expect(r.status).toBe("completed");
    expect(seen.map((s) => s.node)).toEqual(["split", "worker", "worker", "worker", "reduce"]);
    for (const s of seen) expect(s.rows.map((w) => w.channel)).toContain("__task__");
    // The workers' channel writes too (each committed before its own event).
    expect(seen.filter((s) => s.node === "worker").map((s) => s.rows.filter((w) => w.channel === "out").map((w) => JSON.parse(w.value) as string)).sort()).toEqual([["a"], ["b"], ["c"]]);
    // The last task of a step is committed before its event as well (here: `split` and `reduce`).
    expect(seen.find((s) => s.node === "reduce")!.rows.find((w) => w.channel === "count")?.value).toBe("3");
    reader.close();
    saver.close();
  });

  it("exit: only the final checkpoint is stored", async () => {
    const saver = new MemoryCheckpointer();
    const { graph } = buildGraph(mapReduce, { checkpointer: saver });
    const events = await eventsOf(graph, { items: ["a", "b"] }, { threadId: "t", durability: "exit" });
    const history = await saver.list("t");
    expect(history.map((h) => h.checkpoint.step)).toEqual([3]);
    expect(history[0].checkpoint.values.out).toEqual(["a", "b"]);
    expect(ofType(events, "checkpoint_saved")).toHaveLength(1);
  });

  it("`checkpoint none` in the graph, or durability none, saves nothing", async () => {
    const saver = new MemoryCheckpointer();
    const { graph } = buildGraph(mapReduce.replace("start split", "start split checkpoint none"), { checkpointer: saver });
    await graph.invoke({ items: ["a"] }, { threadId: "t" });
    expect(await saver.list("t")).toEqual([]);
    const { graph: g2 } = buildGraph(mapReduce, { checkpointer: saver });
    await g2.invoke({ items: ["a"] }, { threadId: "t2", durability: "none" });
    expect(await saver.list("t2")).toEqual([]);
  });

  it("the graph's `checkpoint exit` item sets the mode", async () => {
    const saver = new MemoryCheckpointer();
    const { graph } = buildGraph(mapReduce.replace("start split", "start split checkpoint exit"), { checkpointer: saver });
    await graph.invoke({ items: ["a"] }, { threadId: "t" });
    expect(await saver.list("t")).toHaveLength(1);
  });
});

/** A fan-out whose branch `n == failing` fails until `fixed` is set; every branch run is counted. */
function flakyFanout() {
  const registry = standardRegistry();
  const runs: number[] = [];
  const ctl = { fixed: false, failing: 2 };
  registry.registerNodeKind("work", async (task) => {
    const n = (task.args as { n: number }).n;
    runs.push(n);
    if (n === ctl.failing) {
      await sleep(15); // the siblings complete first
      if (!ctl.fixed) throw new Error(`branch ${n} is broken`);
    }
    return { writes: [["out", n * 10]] };
  });
  const src = `graph g {
    start s
    input { items: list<number> }
    state { out: list<number> append  total: number = 0 }
    node s { kind set send [w { n: x } for x in input.items] join sum }
    node w { kind work }
    node sum { kind set set { total: sum(state.out) } next END }
  }`;
  return { registry, runs, ctl, src };
}

describe("pending writes and resume", () => {
  for (const backend of ["memory", "sqlite"] as const) {
    it(`${backend}: a failing branch fails the step, but its completed siblings' writes are saved; resume runs only the failed task`, async () => {
      const saver: Checkpointer = backend === "memory" ? new MemoryCheckpointer() : new SqliteCheckpointer(join(dir, `resume-${Date.now()}.db`));
      const { registry, runs, ctl, src } = flakyFanout();
      const { graph } = buildGraph(src, { registry, checkpointer: saver });
      await expect(graph.invoke({ items: [1, 2, 3] }, { threadId: "t" })).rejects.toThrow("branch 2 is broken");
      expect(runs.sort()).toEqual([1, 2, 3]);
      const t = (await saver.getTuple({ threadId: "t" }))!;
      expect(t.checkpoint.step).toBe(1);
      const saved = t.pendingWrites.filter((w) => w.channel === "__task__").map((w) => w.taskId).sort();
      expect(saved).toEqual(["2.0", "2.2"]);
      expect(t.pendingWrites.filter((w) => w.channel === "out").map((w) => w.value).sort()).toEqual([10, 30]);
      ctl.fixed = true;
      runs.length = 0;
      const events = await eventsOf(graph, null, { threadId: "t", resume: {} });
      const done = events.at(-1) as Ev<"run_completed">;
      expect(done.type).toBe("run_completed");
      expect(runs).toEqual([2]); // only the failed task runs again
      expect(done.state).toEqual({ out: [10, 20, 30], total: 60 }); // same as an uninterrupted run, in send order
      expect(ofType(events, "task_completed").filter((e) => e.restored).map((e) => e.taskId)).toEqual(["2.0", "2.2"]);
      expect((events[0] as Ev<"run_started">).resumedFrom).toBe(t.checkpoint.id);
      saver.close?.();
    });
  }

  it("cancelling the run mid-step keeps the completed tasks' writes; resume completes without running them again", async () => {
    const saver = new MemoryCheckpointer();
    const { registry, runs, ctl, src } = flakyFanout();
    ctl.fixed = true;
    const { graph } = buildGraph(src, { registry, checkpointer: saver });
    const ac = new AbortController();
    const p = graph.invoke({ items: [1, 2, 3] }, { threadId: "t", signal: ac.signal });
    await sleep(5);
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(CancelledError);
    runs.length = 0;
    const r = await graph.resume("t");
    expect(runs).toEqual([2]);
    expect(r.state).toEqual({ out: [10, 20, 30], total: 60 });
  });

  it("resuming a completed thread returns its final state without running anything", async () => {
    const saver = new MemoryCheckpointer();
    const { registry, runs, ctl, src } = flakyFanout();
    ctl.fixed = true;
    const { graph } = buildGraph(src, { registry, checkpointer: saver });
    const first = await graph.invoke({ items: [1] }, { threadId: "t" });
    runs.length = 0;
    const again = await graph.resume("t");
    expect(runs).toEqual([]);
    expect(again).toMatchObject({ status: "completed", state: first.state, output: first.output, steps: first.steps });
    expect(await saver.list("t")).toHaveLength(4);
  });

  it("resuming a thread without a checkpoint is a CheckpointError", async () => {
    const { graph } = buildGraph(mapReduce, { checkpointer: new MemoryCheckpointer() });
    await expect(graph.resume("nope")).rejects.toThrow(CheckpointError);
    await expect(graph.resume("nope")).rejects.toThrow("thread `nope` has no checkpoint");
    const { graph: bare } = buildGraph(mapReduce);
    await expect(bare.resume("nope")).rejects.toThrow("needs a checkpointer");
  });

  it("resuming under a different blueprint hash is refused with BlueprintMismatchError unless allowed", async () => {
    const saver = new MemoryCheckpointer();
    const { registry, ctl, src } = flakyFanout();
    const { graph } = buildGraph(src, { registry, checkpointer: saver });
    await expect(graph.invoke({ items: [1, 2] }, { threadId: "t" })).rejects.toThrow();
    ctl.fixed = true;
    const { graph: changed, blueprint } = buildGraph(src.replace("total: sum(state.out)", "total: sum(state.out) + 1"), { registry, checkpointer: saver });
    const err = await changed.resume("t").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlueprintMismatchError);
    expect((err as BlueprintMismatchError).code).toBe("blueprint_mismatch");
    expect((err as BlueprintMismatchError).blueprintHash).toBe(blueprint.hash);
    expect((err as Error).message).toContain("allowBlueprintChange");
    // a new run on the thread is refused too: a migration is a new run
    await expect(changed.invoke({ items: [1] }, { threadId: "t" })).rejects.toBeInstanceOf(BlueprintMismatchError);
    const r = await changed.resume("t", {}, { allowBlueprintChange: true });
    expect(r.state.total).toBe(31);
  });

  it("a new input on an existing thread starts from the thread's state; steps keep counting", async () => {
    const saver = new MemoryCheckpointer();
    const { graph } = buildGraph(`graph chat {
      start reply
      input { msg: string }
      state { log: list<string> append  msg: string? }
      node reply { kind set set { log: state.msg } next END }
    }`, { checkpointer: saver });
    const r1 = await graph.invoke({ msg: "hello" }, { threadId: "c" });
    const r2 = await graph.invoke({ msg: "again" }, { threadId: "c" });
    expect(r1.state.log).toEqual(["hello"]);
    expect(r2.state.log).toEqual(["hello", "again"]);
    expect(r2.steps).toBe(2);
    expect((await saver.list("c")).map((h) => [h.checkpoint.step, h.metadata.source])).toEqual([
      [2, "loop"],
      [1, "input"],
      [1, "loop"],
      [0, "input"],
    ]);
  });

  it("the recursion limit counts the supersteps of one invocation", async () => {
    const saver = new MemoryCheckpointer();
    const registry = standardRegistry();
    const { graph } = buildGraph(`graph g { start a state { n: number = 0 } node a { kind set set { n: state.n + 1 } routes { when state.n < 5 -> a else -> END } } }`, { registry, checkpointer: saver });
    await expect(graph.invoke({}, { threadId: "t", recursionLimit: 3 })).rejects.toThrow("recursion limit of 3");
    const r = await graph.resume("t", {}, { recursionLimit: 2 });
    expect(r.state.n).toBe(5);
    expect(r.steps).toBe(5);
  });
});
