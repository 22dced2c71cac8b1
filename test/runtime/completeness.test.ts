/**
 * The rest of `runtime.md` §2 and §5: the run's recorded errors (optional branches,
 * on_error routes) and an `errors` state channel, `blocking false` (detached) branches,
 * `wait N` in-step cancellation, the forked context of each branch, and cancellation
 * reaching tools and child runs.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CancelledError, MemoryCheckpointer, NodeError, type CompiledGraph, type RunEvent, type StreamOptions } from "../../runtime/index.js";
import { standardRegistry } from "../../stdlib/index.js";
import { buildGraph, eventsOf, nodesPerStep, registerProbe, sleep } from "../helpers/run-graph.js";

type Ev<T extends RunEvent["type"]> = Extract<RunEvent, { type: T }>;
const ofType = <T extends RunEvent["type"]>(events: readonly RunEvent[], type: T) => events.filter((e): e is Ev<T> => e.type === type);

function failing() {
  const registry = standardRegistry();
  registry.registerNodeKind("maybe", async (task) => {
    const n = (task.args as { n: number } | undefined)?.n ?? 0;
    if (n % 2 === 0) throw new NodeError(`item ${n} failed`, "permanent");
    return { writes: [["ok", n]] };
  });
  return registry;
}

describe("recorded errors", () => {
  const src = (errorsField: string) => `graph g {
    start s
    input { items: list<number> }
    state { ok: list<number> append ${errorsField} }
    node s { kind set send [w { n: x } for x in input.items] join done }
    node w { kind maybe optional true }
    node done { kind set next END }
  }`;

  it("an optional branch's failure is recorded in the result's errors and in run_completed", async () => {
    const { graph } = buildGraph(src(""), { registry: failing() });
    const events = await eventsOf(graph, { items: [1, 2, 3, 4] });
    const done = events.at(-1) as Ev<"run_completed">;
    expect(done.state.ok).toEqual([1, 3]);
    expect(done.errors.map((e) => [e.node, e.taskId, e.step, e.handledBy, (e.error as { message: string }).message])).toEqual([
      ["w", "2.1", 2, "optional", "item 2 failed"],
      ["w", "2.3", 2, "optional", "item 4 failed"],
    ]);
    const r = await graph.invoke({ items: [2] });
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].error).toMatchObject({ code: "node", errorClass: "permanent" });
  });

  it("a graph that declares an `errors` channel gets each handled failure written to it (text for list<string>)", async () => {
    const { graph } = buildGraph(src("errors: list<string> append"), { registry: failing() });
    expect((await graph.invoke({ items: [1, 2] })).state.errors).toEqual(["w: item 2 failed"]);
    const { graph: g2 } = buildGraph(src("errors: list<any> append"), { registry: failing() });
    const [rec] = (await g2.invoke({ items: [4] })).state.errors as { node: string; handledBy: string; error: { message: string } }[];
    expect(rec).toMatchObject({ node: "w", handledBy: "optional", error: { message: "item 4 failed" } });
  });

  it("an on_error route records the error too, and the handler runs", async () => {
    const registry = failing();
    const handler = registerProbe(registry, "handler");
    const { graph } = buildGraph(`graph g { start a state { ok: list<number> append } node a { kind maybe on_error -> h next END } node h { kind handler next END } }`, { registry });
    const r = await graph.invoke();
    expect(handler).toHaveLength(1);
    expect(r.errors.map((e) => [e.node, e.handledBy])).toEqual([["a", "on_error"]]);
  });

  it("a recorded error survives a pause and resume (it lives in the checkpoint)", async () => {
    const registry = failing();
    const { graph } = buildGraph(src("").replace("node done { kind set next END }", "node done { kind set next END }\n interrupt before [done]"), { registry, checkpointer: new MemoryCheckpointer() });
    const paused = await graph.invoke({ items: [1, 2] }, { threadId: "t" });
    expect(paused.status).toBe("interrupted");
    const r = await graph.resume("t");
    expect(r.errors.map((e) => e.taskId)).toEqual(["2.1"]);
  });
});

describe("blocking false (detached branches)", () => {
  function detachedGraph() {
    const registry = standardRegistry();
    const log: string[] = [];
    // The detached branch finishes when released, once a given step has completed (not
    // after a fixed sleep, which a stalled machine could outlast or undercut).
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    registry.registerNodeKind("slow", async () => {
      await released;
      log.push("slow done");
      return { writes: [["notes", "slow"]] };
    });
    registry.registerNodeKind("step", async (task) => {
      log.push(`step ${task.node.name} sees ${JSON.stringify(task.state.notes)}`);
      return { writes: [["notes", task.node.name]] };
    });
    const src = `graph g {
      start s
      state { notes: list<string> append }
      node s { kind set send [bg {}] next a }
      node bg { kind slow blocking false }
      node a { kind step next b }
      node b { kind step next c }
      node c { kind step next END }
    }`;
    /** The run's events, releasing the detached branch when step `after` has completed (a run that waited for the branch would never get there). */
    const runReleasingAfter = async (graph: CompiledGraph, after: number, options: StreamOptions = {}, input: Record<string, unknown> | null = {}) => {
      const out: RunEvent[] = [];
      for await (const e of graph.stream(input, options)) {
        out.push(e);
        if (e.type === "step_completed" && e.step === after) release();
      }
      return out;
    };
    return { registry, log, src, runReleasingAfter };
  }

  it("the run goes on without waiting; the branch's writes merge at the first barrier after it completes; the run ends only after it", async () => {
    const { registry, log, src, runReleasingAfter } = detachedGraph();
    const { graph } = buildGraph(src, { registry });
    const events = await runReleasingAfter(graph, 4); // once c's step is over
    const done = events.at(-1) as Ev<"run_completed">;
    expect(done.type).toBe("run_completed");
    expect(log.slice(0, 3)).toEqual(['step a sees []', 'step b sees ["a"]', 'step c sees ["a","b"]']);
    expect(log[3]).toBe("slow done");
    expect(done.state.notes).toEqual(["a", "b", "c", "slow"]);
    expect(ofType(events, "task_started").find((e) => e.node === "bg")).toMatchObject({ detached: true, step: 2 });
    // step 5 has no new task: it only merges the detached branch
    expect(nodesPerStep(events)).toEqual([["s"], ["bg", "a"], ["b"], ["c"], []]);
  });

  it("`blocking false` and `optional true` are honoured on built-in kinds, and the compiler does not call them unused", async () => {
    const { graph, warnings } = buildGraph(`graph g {
      start s
      state { notes: list<string> append }
      node s { kind set send [bg {}, opt {}] next a }
      node bg { kind set set { notes: "bg" } blocking false }
      node opt { kind set set { notes: "opt" } optional true }
      node a { kind set set { notes: "a" } next END }
    }`);
    expect(warnings).not.toContain("W-rag-item-unused");
    const events = await eventsOf(graph);
    expect(ofType(events, "task_started").find((e) => e.node === "bg")).toMatchObject({ detached: true });
    const done = events.at(-1) as Ev<"run_completed">;
    expect(done.type).toBe("run_completed");
    expect([...(done.state.notes as string[])].sort()).toEqual(["a", "bg", "opt"]);
  });

  it("a join waits for a detached branch like any other", async () => {
    const registry = standardRegistry();
    registry.registerNodeKind("slow", async () => (await sleep(20), { writes: [["notes", "slow"]] }));
    const joins = registerProbe(registry, "probe", async (task) => ({ writes: [["notes", `join saw ${(task.state.notes as string[]).join("+")}`]] }));
    const { graph } = buildGraph(`graph g {
      start s
      state { notes: list<string> append }
      node s { kind set send [bg {}, fg {}] join j }
      node bg { kind slow blocking false }
      node fg { kind set set { notes: "fg" } }
      node j { kind probe next END }
    }`, { registry });
    const r = await graph.invoke();
    expect(joins).toHaveLength(1);
    expect(r.state.notes).toEqual(["fg", "slow", "join saw fg+slow"]);
  });

  it("with a checkpointer, a detached branch's completion is saved and a resume does not run it again", async () => {
    const { registry, log, src, runReleasingAfter } = detachedGraph();
    const saver = new MemoryCheckpointer();
    const { graph } = buildGraph(src.replace("node c { kind step next END }", "node c { kind step next END }\n interrupt before [c]"), { registry, checkpointer: saver });
    // Released once b's step is over: it completes while the run pauses before c.
    const paused = await runReleasingAfter(graph, 3, { threadId: "t" });
    expect(paused.at(-1)?.type).toBe("run_interrupted");
    expect(log).toEqual(['step a sees []', 'step b sees ["a"]', "slow done"]);
    const inCheckpoint = (await saver.getTuple({ threadId: "t" }))!.checkpoint;
    expect(inCheckpoint.detached.map((t) => t.node)).toEqual(["bg"]);
    const r = await graph.resume("t");
    // it completed during the pause, so it merges at the first barrier after the resume (before c's write: it started first)
    expect(r.state.notes).toEqual(["a", "b", "slow", "c"]);
    expect(log.filter((l) => l === "slow done")).toHaveLength(1);
  });
});

describe("wait N: in-step cancellation", () => {
  it("once N branches ended successfully, the other branches' in-flight tasks are aborted and the join runs", async () => {
    const registry = standardRegistry();
    const aborted: number[] = [];
    registry.registerNodeKind("w", async (task) => {
      const n = (task.args as { n: number }).n;
      try {
        // Branches 1 and 2 end at once; 20 and 30 would take minutes unless aborted.
        await sleep(n <= 2 ? n * 15 : n * 5_000, task.signal);
      } catch (e) {
        aborted.push(n);
        throw e;
      }
      return { writes: [["done", n]] };
    });
    const { graph } = buildGraph(`graph g {
      start s
      input { items: list<number> }
      state { done: list<number> append }
      node s { kind set send [w { n: x } for x in input.items] join j wait 2 }
      node w { kind w }
      node j { kind set next END }
    }`, { registry });
    const t0 = Date.now();
    const events = await eventsOf(graph, { items: [1, 2, 20, 30] });
    // Far below the 100 s the slow branches would take, far above a loaded machine's delays.
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(aborted.sort()).toEqual([20, 30]);
    const done = events.at(-1) as Ev<"run_completed">;
    expect(done.state.done).toEqual([1, 2]);
    expect(ofType(events, "task_failed").map((e) => [e.cancelled, e.handled])).toEqual([
      [true, true],
      [true, true],
    ]);
    expect(ofType(events, "join_released")[0]).toMatchObject({ branches: 4, succeeded: 2 });
    expect(done.errors).toEqual([]); // cancellations are not errors
  });
});

describe("the forked context of a branch", () => {
  it("each task has its own task id, branch, scratch space and signal; the run ids, thread and registry are shared", async () => {
    const registry = standardRegistry();
    const seen: { taskId: string; branch: unknown; scratchEmpty: boolean; runId: string; threadId: string; signal: AbortSignal; registry: unknown }[] = [];
    registry.registerNodeKind("w", async (task) => {
      const scratchEmpty = task.scratch.size === 0;
      task.scratch.set("mine", task.taskId);
      await sleep(5);
      expect(task.scratch.get("mine")).toBe(task.taskId);
      seen.push({ taskId: task.taskId, branch: task.branch, scratchEmpty, runId: task.run.runId, threadId: task.run.threadId, signal: task.signal, registry: task.registry });
      return {};
    });
    const { graph } = buildGraph(`graph g { start s node s { kind set send [w {}, w {}, w {}] } node w { kind w } }`, { registry });
    await graph.invoke({}, { runId: "r", threadId: "th" });
    expect(seen.map((s) => s.taskId).sort()).toEqual(["2.0", "2.1", "2.2"]);
    expect(seen.map((s) => s.branch)).toEqual(expect.arrayContaining([{ fanoutId: "f1", index: 0 }, { fanoutId: "f1", index: 1 }, { fanoutId: "f1", index: 2 }]));
    expect(seen.every((s) => s.scratchEmpty && s.runId === "r" && s.threadId === "th" && s.registry === registry)).toBe(true);
    expect(new Set(seen.map((s) => s.signal)).size).toBe(3);
  });
});

describe("cancellation reaches tools and child runs", () => {
  it("aborting the run aborts a running tool's signal", async () => {
    const registry = standardRegistry();
    let toolSignal: AbortSignal | undefined;
    registry.registerTool("wait", { description: "waits", schema: z.object({}), run: async (_a, ctx) => ((toolSignal = ctx.signal), await sleep(5_000, ctx.signal)) });
    const { graph } = buildGraph(`graph g { start t node t { kind tool tool "wait" next END } }`, { registry });
    const ac = new AbortController();
    const p = graph.invoke({}, { signal: ac.signal });
    await expect.poll(() => toolSignal !== undefined, { timeout: 15_000 }).toBe(true);
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(CancelledError);
    expect(toolSignal!.aborted).toBe(true);
  });

  it("aborting the run aborts the node running inside a subgraph", async () => {
    const registry = standardRegistry();
    let inner: AbortSignal | undefined;
    registry.registerNodeKind("slow", async (task) => ((inner = task.signal), await sleep(5_000, task.signal), {}));
    const { graph } = buildGraph(`graph p { start c node c { kind subgraph graph "child" next END } }
      graph child { start s node s { kind slow next END } }`, { registry });
    const ac = new AbortController();
    const p = graph.invoke({}, { signal: ac.signal });
    await expect.poll(() => inner !== undefined, { timeout: 15_000 }).toBe(true);
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(CancelledError);
    expect(inner!.aborted).toBe(true);
  });
});
