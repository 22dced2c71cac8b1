/**
 * `distribute: branches` for fan-outs INSIDE child graphs (issue 13 §2), against the
 * machine's real Redis and Postgres: a parent's subgraph node runs a child graph (of the
 * same file, or a graph of the workers' registry) that fans out with `send … join`; the
 * child's branches become branch jobs any worker runs, the join fires once, and the final
 * state is the one of an in-process run. A branch job names the run's root blueprint (whose
 * source was stored with the run) and the child blueprint's hash; the worker resolves the
 * child graph along the job's checkpoint namespace and refuses a hash it cannot reach that
 * way. Two workers with their own checkpointer connections stand for two machines. Own key
 * prefix, queue and schema, removed after.
 */
import { Queue, QueueEvents } from "bullmq";
import { describe, expect, it } from "vitest";
import { compileGraph } from "../../compiler/index.js";
import { defineConfig, tool, z } from "../../index.js";
import { CompiledGraph, MemoryCheckpointer, type RunEvent } from "../../runtime/index.js";
import { branchJobId, branchQueueName, openBranchReply, signJob, type BranchJobData, type PostgresCheckpointer, type QueueRunSubmitter, type RunWorker } from "../../scale/index.js";
import { registryFromConfig } from "../../stdlib/index.js";
import { missingServices, uniqueName } from "../helpers/services.js";
import { jobData, resumeJob, runEvents, usePool } from "../helpers/distributed-pool.js";

const skip = await missingServices(["postgres", "redis"]);
const schema = uniqueName("rag_dsub");
const prefix = uniqueName("ragds");

/** Which worker ran each branch (by its n), and how often each n ran. */
const ranBy = new Map<number, string[]>();
const failOnce = new Set<number>();

/** A child graph of the registry (another file's graph in a real config): fans out itself, asks for distribution itself. */
const regSource = `graph regfan {
  start split
  defaults { distribute: branches }
  input { items: list<number> }
  state { squares: list<number> append  total: number = 0 }
  output { total: number }
  node split { kind set send [w { n: x } for x in input.items -> squares] join sum }
  node w { kind tool tool "work" }
  node sum { kind set set { total: sum(state.squares) } next END }
}
`;
/** When each `slow` branch started. */
const slowStarts: { n: number; at: number }[] = [];
const tools = (who: string) => ({
  slow: tool({
    description: "waits 300 ms; records when it started",
    schema: z.object({ n: z.number() }),
    run: async ({ n }: { n: number }) => {
      slowStarts.push({ n, at: Date.now() });
      await new Promise((ok) => setTimeout(ok, 300));
      return n;
    },
  }),
  work: tool({
    description: "square, slowly; records who ran it",
    schema: z.object({ n: z.number() }),
    run: async ({ n }: { n: number }) => {
      // A failing branch fails after its siblings have committed (a failure aborts siblings still running).
      const fails = failOnce.delete(n);
      await new Promise((ok) => setTimeout(ok, fails ? 200 : 20));
      ranBy.set(n, [...(ranBy.get(n) ?? []), who]);
      if (fails) throw new Error(`branch ${n} failed`);
      return n * n;
    },
  }),
});
const toolsOnly = registryFromConfig(defineConfig({ tools: tools("compile") }));
const regBp = compileGraph(regSource, { file: "regfan.rag", graph: "regfan", registry: toolsOnly.view() }).value!;
const registryFor = (who: string) => registryFromConfig(defineConfig({ tools: tools(who), graphs: { regfan: regBp } }));

/** Root asks for distribution; its subgraph node runs a same-file child that fans out. */
const source = `graph outer {
  start prep
  defaults { distribute: branches }
  input { items: list<number> }
  state { log: list<string> append  total: number = 0 }
  node prep { kind set set { log: "prep" } next inner }
  node inner { kind subgraph graph "fanout" input { items: input.items } writes { total: result.total } next after }
  node after { kind set set { log: "after" } next END }
}
graph fanout {
  start split
  input { items: list<number> }
  state { squares: list<number> append  total: number = 0 }
  output { total: number }
  node split { kind set send [w { n: x } for x in input.items -> squares] join sum }
  node w { kind tool tool "work" }
  node sum { kind set set { total: sum(state.squares) } next END }
}
`;
/** Root does not ask; the registry child does; two levels down (outer2 → mid → regfan). */
const regRootSource = `graph outer2 {
  start inner
  input { items: list<number> }
  state { total: number = 0 }
  node inner { kind subgraph graph "mid" input { items: input.items } writes { total: result.total } next END }
}
graph mid {
  start call
  input { items: list<number> }
  state { total: number = 0 }
  output { total: number }
  node call { kind subgraph graph "regfan" input { items: input.items } writes { total: result.total } next END }
}
`;
/** A persistent subgraph node whose child fans out: two calls, the child's state carries over. */
const persistentSource = `graph pouter {
  start inner
  defaults { distribute: branches }
  input { items: list<number> }
  state { total: number = 0 }
  node inner { kind subgraph graph "pfan" persistent true input { items: input.items } writes { total: result.total } next END }
}
graph pfan {
  start split
  input { items: list<number> }
  state { squares: list<number> append  total: number = 0 }
  output { total: number }
  node split { kind set send [w { n: x } for x in input.items -> squares] join sum }
  node w { kind tool tool "work" }
  node sum { kind set set { total: sum(state.squares) } next END }
}
`;
/** A subgraph whose fan-out is slow (cancelled mid-way). */
const slowSource = `graph slowouter {
  start inner
  defaults { distribute: branches }
  input { items: list<number> }
  state { out: list<number> append }
  node inner { kind subgraph graph "slowfan" input { items: input.items } writes { out: result.out } next END }
}
graph slowfan {
  start split
  input { items: list<number> }
  state { out: list<number> append }
  output { out: list<number> }
  node split { kind set send [w { n: x } for x in input.items -> out] join done }
  node w { kind tool tool "slow" }
  node done { kind set next END }
}
`;
const local = registryFor("local");
const compile = (src: string, file: string, graph: string) => {
  const r = compileGraph(src, { file, graph, registry: local.view() });
  if (!r.value) throw new Error(JSON.stringify(r.diagnostics));
  return { bp: r.value, siblings: new Map(r.compilation.blueprints.map((b) => [b.id, b])) };
};
const outer = compile(source, "outer.rag", "outer");
const outer2 = compile(regRootSource, "outer2.rag", "outer2");
const pouter = compile(persistentSource, "pouter.rag", "pouter");
const slowouter = compile(slowSource, "slowouter.rag", "slowouter");
const inProcess = (c: { bp: typeof outer.bp; siblings: Map<string, typeof outer.bp> }) => new CompiledGraph(c.bp, { registry: local, graphs: c.siblings, checkpointer: new MemoryCheckpointer() });

let workers: RunWorker[] = [];
let savers: PostgresCheckpointer[] = [];
let submitter: QueueRunSubmitter;
usePool({ schema, prefix, registryFor }, skip, (pool) => ({ workers, savers, submitter } = pool));

function watch(runId: string): Promise<RunEvent[]> {
  return runEvents(submitter, runId);
}

/** Branch jobs of a thread on the branch queue, with the namespace each names. */
async function branchJobs(threadId: string): Promise<{ namespace: string; hash: string }[]> {
  const q = new Queue(branchQueueName("runs"), { connection: workers[0].url.connection, prefix });
  const jobs = await q.getJobs(["completed", "failed", "waiting", "active", "delayed"]);
  await q.close();
  const secret = await savers[0].queueSecret();
  return jobs.map((j) => jobData<{ threadId: string; namespace: string; hash: string }>(j, secret)).filter((d) => d.threadId === threadId);
}

describe.skipIf(skip)("distribute: branches inside child graphs", () => {
  it("a same-file subgraph's fan-out runs as branch jobs on both workers; the join fires once; state as in-process", async () => {
    const items = Array.from({ length: 24 }, (_, i) => i + 1);
    const expected = await inProcess(outer).invoke({ items }, { threadId: "x" });
    ranBy.clear();
    const h = await submitter.submit({ kind: "run", source, file: "outer.rag", graph: "outer", hash: outer.bp.hash, input: { items }, threadId: uniqueName("t") });
    const events = await watch(h.runId);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: "run_completed" });
    expect((last as { state: unknown }).state).toEqual(expected.state);
    expect((last as unknown as { state: { total: number } }).state.total).toBe(items.reduce((s, n) => s + n * n, 0));
    // The child's join ran once, after every branch; the parent's subgraph node once.
    expect(events.filter((e) => e.type === "task_started" && e.node === "sum")).toHaveLength(1);
    expect(events.filter((e) => e.type === "task_started" && e.node === "inner")).toHaveLength(1);
    // Each branch ran exactly once, and the pool shared them (both workers ran some).
    for (const n of items) expect(ranBy.get(n)).toHaveLength(1);
    expect(new Set([...ranBy.values()].flat())).toEqual(new Set(["a", "b"]));
    // They were branch jobs naming the child's namespace and the child blueprint's hash.
    const jobs = await branchJobs(h.threadId);
    expect(jobs).toHaveLength(items.length);
    for (const j of jobs) expect(j).toMatchObject({ namespace: expect.stringMatching(/^\d+\.\d+:fanout$/), hash: outer.siblings.get("fanout")!.hash });
    // A branch's tool events reach the watcher stamped as the child run's (depth 1), inside the branch's task.
    const toolEvents = events.filter((e) => e.type === "tool_started");
    expect(toolEvents).toHaveLength(items.length);
    const childRun = events.find((e) => e.type === "task_started" && e.node === "w")!;
    for (const e of toolEvents) expect(e).toMatchObject({ depth: 1, runId: childRun.runId, rootRunId: h.runId, namespace: "outer/fanout" });
  }, 30_000);

  it("a registry graph two levels down that asks for distribution itself distributes its branches; state as in-process", async () => {
    const items = Array.from({ length: 16 }, (_, i) => i + 1);
    const expected = await inProcess(outer2).invoke({ items }, { threadId: "x" });
    ranBy.clear();
    const h = await submitter.submit({ kind: "run", source: regRootSource, file: "outer2.rag", graph: "outer2", hash: outer2.bp.hash, input: { items }, threadId: uniqueName("t") });
    const out = await submitter.outcome(h.runId);
    expect(out).toMatchObject({ status: "completed", state: expected.state });
    for (const n of items) expect(ranBy.get(n)).toHaveLength(1);
    expect(new Set([...ranBy.values()].flat())).toEqual(new Set(["a", "b"]));
    const jobs = await branchJobs(h.threadId);
    expect(jobs).toHaveLength(items.length);
    for (const j of jobs) expect(j).toMatchObject({ namespace: expect.stringMatching(/^\d+\.\d+:mid\|\d+\.\d+\/\d+\.\d+:regfan$/), hash: regBp.hash });
  }, 30_000);

  it("an unhandled failure of a child's branch fails the run; a resume runs only that branch again", async () => {
    const items = [1, 2, 3, 4, 5, 6];
    const expected = await inProcess(outer).invoke({ items }, { threadId: "x" });
    ranBy.clear();
    failOnce.add(3);
    const h = await submitter.submit({ kind: "run", source, file: "outer.rag", graph: "outer", hash: outer.bp.hash, input: { items }, threadId: uniqueName("t") });
    const out = await submitter.outcome(h.runId);
    expect(out).toMatchObject({ status: "failed" });
    expect(JSON.stringify(out)).toContain("branch 3 failed");
    const r = await submitter.submit(await resumeJob(savers[0], h.threadId, {}));
    expect(await submitter.outcome(r.runId)).toMatchObject({ status: "completed", state: expected.state });
    expect(ranBy.get(3)).toHaveLength(2);
    for (const n of [1, 2, 4, 5, 6]) expect(ranBy.get(n)).toHaveLength(1);
  }, 30_000);

  it("a persistent subgraph's fan-out is distributed on each call, and its state carries over", async () => {
    const threadId = uniqueName("t");
    const g = inProcess(pouter);
    const calls = [[1, 2, 3], [4, 5]];
    const expected = [];
    for (const items of calls) expected.push((await g.invoke({ items }, { threadId: "x" })).state);
    // The second call's child kept the first call's squares: 1+4+9 + 16+25.
    expect(expected[1].total).toBe(55);
    ranBy.clear();
    for (const [i, items] of calls.entries()) {
      const h = await submitter.submit({ kind: "run", source: persistentSource, file: "pouter.rag", graph: "pouter", hash: pouter.bp.hash, input: { items }, threadId });
      expect(await submitter.outcome(h.runId)).toMatchObject({ status: "completed", state: expected[i] });
    }
    for (const n of [1, 2, 3, 4, 5]) expect(ranBy.get(n)).toHaveLength(1);
    const jobs = await branchJobs(threadId);
    expect(jobs).toHaveLength(5);
    for (const j of jobs) expect(j.namespace).toBe("inner:pfan");
  }, 30_000);

  it("cancelling a run cancels its subgraph's distributed fan-out: queued branches never run, none is left queued", async () => {
    slowStarts.length = 0;
    const items = Array.from({ length: 24 }, (_, i) => i + 1);
    const h = await submitter.submit({ kind: "run", source: slowSource, file: "slowouter.rag", graph: "slowouter", hash: slowouter.bp.hash, input: { items }, threadId: uniqueName("t") });
    for await (const { event } of submitter.events(h.runId)) if (event.type === "tool_started") break;
    await submitter.cancel(h.runId);
    const cancelledAt = Date.now();
    expect(await submitter.outcome(h.runId)).toMatchObject({ status: "cancelled" });
    // Longer than a branch takes: had the queued branches stayed, more would have started (2 workers × 4 slots).
    await new Promise((ok) => setTimeout(ok, 900));
    expect(slowStarts.length).toBeLessThanOrEqual(12);
    expect(slowStarts.filter((s) => s.at > cancelledAt + 250)).toEqual([]);
    const q = new Queue(branchQueueName("runs"), { connection: workers[0].url.connection, prefix });
    const left = await q.getJobs(["waiting", "active", "delayed", "prioritized"]);
    await q.close();
    const secret = await savers[0].queueSecret();
    expect(left.filter((j) => jobData<{ threadId?: string }>(j, secret).threadId === h.threadId)).toEqual([]);
    // The thread stays resumable: a resume finishes the child's fan-out (state as in-process).
    const r = await submitter.submit(await resumeJob(savers[0], h.threadId, {}));
    const expected = await inProcess(slowouter).invoke({ items }, { threadId: "x" });
    expect(await submitter.outcome(r.runId)).toMatchObject({ status: "completed", state: expected.state });
  }, 30_000);

  it("a branch job naming a child blueprint the run's root does not reach along the namespace is refused", async () => {
    // A real child checkpoint to aim at: run the same-file graph once (its child namespace holds checkpoints).
    const items = [1, 2];
    const h = await submitter.submit({ kind: "run", source, file: "outer.rag", graph: "outer", hash: outer.bp.hash, input: { items }, threadId: uniqueName("t") });
    expect(await submitter.outcome(h.runId)).toMatchObject({ status: "completed" });
    const [job] = await branchJobs(h.threadId);
    const q = new Queue(branchQueueName("runs"), { connection: workers[0].url.connection, prefix });
    const events = new QueueEvents(branchQueueName("runs"), { connection: workers[0].url.connection, prefix });
    await events.waitUntilReady();
    // Signed with the pool's own secret (a forgery without it is refused before any of these checks: queue-forged-jobs.test.ts).
    const secret = await savers[0].queueSecret();
    const full = jobData<Record<string, string>>((await q.getJobs(["completed"])).find((j) => jobData<{ threadId: string }>(j, secret).threadId === h.threadId)!, secret);
    const forge = async (patch: Record<string, string>) => {
      const data = { ...full, ...patch, taskId: `${full.taskId}-${uniqueName("f")}` };
      const jobId = branchJobId(data as unknown as BranchJobData);
      const j = await q.add("branch", signJob(secret, "branch", data), { jobId });
      // The reply is sealed for its job and run (`sealBranchReply`).
      return openBranchReply(secret, jobId, full.runId!, await j.waitUntilFinished(events)) as { error?: { code: string; message: string } };
    };
    ranBy.clear();
    // A root hash whose source no worker was given.
    const noSource = await forge({ root: `sha256:${"0".repeat(64)}` });
    expect(noSource.error).toMatchObject({ code: "unknown_blueprint" });
    expect(noSource.error!.message).toContain("whose source this worker was not given");
    // The root's source is known, but the job names another hash than the graph its namespace reaches.
    const otherHash = await forge({ hash: regBp.hash });
    expect(otherHash.error).toMatchObject({ code: "unknown_blueprint" });
    expect(otherHash.error!.message).toContain("refused");
    // A namespace naming a graph the root cannot run (not of its file nor the registry).
    const otherGraph = await forge({ namespace: job.namespace.replace(/:fanout$/, ":nosuch") });
    expect(otherGraph.error).toMatchObject({ code: "unknown_blueprint" });
    expect(ranBy.size).toBe(0);
    await events.close();
    await q.close();
  }, 30_000);
});
