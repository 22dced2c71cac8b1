/**
 * `distribute: branches` (issue 13 §2), against the machine's real Redis and Postgres:
 * the branches of a `send` become BullMQ branch jobs that any worker of the pool runs,
 * their records commit to Postgres, and the join fires once when all have ended — with
 * the same state as a run in one process, and the usual failure semantics (an unhandled
 * failure fails the run; a resume runs only the branches that did not commit).
 * Two workers with their own checkpointer connections stand for two machines. Own key
 * prefix, queue and schema, removed after.
 */
import { describe, expect, it } from "vitest";
import { compileGraph } from "../../compiler/index.js";
import { defineConfig, tool, z } from "../../index.js";
import { CompiledGraph, type RunEvent } from "../../runtime/index.js";
import { branchQueueName, openBranchReply, type PostgresCheckpointer, type QueueRunSubmitter, type RunWorker } from "../../scale/index.js";
import { registryFromConfig } from "../../stdlib/index.js";
import { Queue, type Job } from "bullmq";
import { missingServices, uniqueName } from "../helpers/services.js";
import { jobData, resumeJob, usePool } from "../helpers/distributed-pool.js";

const skip = await missingServices(["postgres", "redis"]);
const schema = uniqueName("rag_dist");
const prefix = uniqueName("ragd");

/** Which worker ran each branch (by its n), and how often each n ran. */
const ranBy = new Map<number, string[]>();
const failOnce = new Set<number>();
/** Awaited by a failing branch before it throws (the test makes it wait for its siblings' commits). */
let beforeFailing: (() => Promise<void>) | undefined;
/** When each `slow` branch started. */
const slowStarts: { n: number; at: number }[] = [];
const registryFor = (who: string) =>
  registryFromConfig(
    defineConfig({
      tools: {
        slow: tool({
          description: "waits 300 ms; records when it started",
          schema: z.object({ n: z.number() }),
          run: async ({ n }) => {
            slowStarts.push({ n, at: Date.now() });
            if (n === 0) throw new Error("branch 0 failed");
            await new Promise((ok) => setTimeout(ok, 300));
            return n;
          },
        }),
        work: tool({
          description: "square, slowly; records who ran it",
          schema: z.object({ n: z.number() }),
          run: async ({ n }) => {
            await new Promise((ok) => setTimeout(ok, 20));
            ranBy.set(n, [...(ranBy.get(n) ?? []), who]);
            if (failOnce.has(n)) {
              await beforeFailing?.();
              failOnce.delete(n);
              throw new Error(`branch ${n} failed`);
            }
            return n * n;
          },
        }),
      },
    }),
  );
const source = `graph fan {
  start split
  defaults { distribute: branches }
  input { items: list<number> }
  state { squares: list<number> append  total: number = 0 }
  node split { kind set send [w { n: x } for x in input.items -> squares] join sum }
  node w { kind tool tool "work" }
  node sum { kind set set { total: sum(state.squares) } next END }
}
`;
const slowSource = `graph slowfan {
  start split
  defaults { distribute: branches }
  input { items: list<number> }
  state { out: list<number> append }
  node split { kind set send [w { n: x } for x in input.items -> out] join done }
  node w { kind tool tool "slow" }
  node done { kind set set { out: [] } next END }
}
`;
const local = registryFor("local");
const slowBp = compileGraph(slowSource, { file: "slowfan.rag", graph: "slowfan", registry: local.view() }).value!;
const bp = compileGraph(source, { file: "fan.rag", graph: "fan", registry: local.view() }).value!;

let savers: PostgresCheckpointer[] = [];
let workers: RunWorker[] = [];
let submitter: QueueRunSubmitter;
usePool({ schema, prefix, registryFor }, skip, (pool) => ({ savers, workers, submitter } = pool));

const submit = (items: number[], threadId = uniqueName("t")) => submitter.submit({ kind: "run", source, file: "fan.rag", graph: "fan", hash: bp.hash, input: { items }, threadId });

describe.skipIf(skip)("distribute: branches", () => {
  it("a fan-out's branches run as jobs on both workers; the join fires once, with the state of an in-process run", async () => {
    const items = Array.from({ length: 40 }, (_, i) => i + 1);
    const expected = await new CompiledGraph(bp, { registry: local }).invoke({ items });
    ranBy.clear();
    const h = await submit(items);
    const events: RunEvent[] = [];
    for await (const { event } of submitter.events(h.runId)) events.push(event);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: "run_completed" });
    expect((last as { state: unknown }).state).toEqual(expected.state);
    // The join (`sum`) ran once, after every branch.
    expect(events.filter((e) => e.type === "task_started" && e.node === "sum")).toHaveLength(1);
    // A watcher sees each branch's tool events (forwarded from the worker that ran it), inside its task, before its task_completed.
    const branchStarts = events.filter((e) => e.type === "task_started" && e.node === "w");
    expect(branchStarts).toHaveLength(items.length);
    for (const s of branchStarts) {
      const at = (type: string) => events.findIndex((e) => e.type === type && e.taskId === s.taskId);
      expect(events[at("tool_started")]).toMatchObject({ tool: "work", runId: h.runId, threadId: h.threadId, node: "w", depth: 0 });
      expect(events[at("tool_completed")]).toMatchObject({ tool: "work", ok: true });
      expect(at("tool_started")).toBeLessThan(at("tool_completed"));
      expect(at("tool_completed")).toBeLessThan(at("task_completed"));
    }
    // Each branch ran exactly once; the pool shared them (both workers ran some).
    for (const n of items) expect(ranBy.get(n)).toHaveLength(1);
    const who = new Set([...ranBy.values()].flat());
    expect(who).toEqual(new Set(["a", "b"]));
    // They were BullMQ jobs of the branch queue, and their records are committed in Postgres.
    const q = new Queue(branchQueueName("runs"), { connection: workers[0].url.connection, prefix });
    expect(await q.getJobCountByTypes("completed")).toBeGreaterThanOrEqual(items.length);
    await q.close();
    const tasks = await savers[0].pool.query(`SELECT COUNT(*)::int AS n FROM "${schema}".writes WHERE thread_id = $1 AND channel = '__task__'`, [h.threadId]);
    expect(tasks.rows[0].n).toBeGreaterThanOrEqual(items.length - 1);
  }, 30_000);

  it("an unhandled branch failure fails the run; a resume runs only the branch that failed", async () => {
    ranBy.clear();
    failOnce.add(3);
    const items = [1, 2, 3, 4, 5, 6];
    const threadId = uniqueName("t");
    // Branch 3 fails once the other five have committed their records: a sibling still in
    // flight at the failure is cancelled and runs again on resume (documented), which made
    // "the others ran once" depend on timing under load.
    beforeFailing = async () => {
      for (let i = 0; i < 400; i++) {
        const r = await savers[0].pool.query(`SELECT COUNT(*)::int AS n FROM "${schema}".writes WHERE thread_id = $1 AND channel = 'squares'`, [threadId]);
        if (r.rows[0].n >= items.length - 1) return;
        await new Promise((ok) => setTimeout(ok, 25));
      }
      throw new Error("the other branches did not commit within 10 s");
    };
    const h = await submit(items, threadId);
    const out = await submitter.outcome(h.runId);
    expect(out).toMatchObject({ status: "failed" });
    expect(JSON.stringify(out)).toContain("branch 3 failed");
    const r = await submitter.submit(await resumeJob(savers[0], h.threadId, {}));
    expect(await submitter.outcome(r.runId)).toMatchObject({ status: "completed", state: { squares: items.map((n) => n * n), total: 91 } });
    // Branch 3 ran twice (failed, then again); the others committed on the first run and were not run again.
    expect(ranBy.get(3)).toHaveLength(2);
    for (const n of [1, 2, 4, 5, 6]) expect(ranBy.get(n)).toHaveLength(1);
    beforeFailing = undefined;
  }, 30_000);

  it("a cancelled run's pending branches do not run, and none of its branch jobs is left queued", async () => {
    slowStarts.length = 0;
    const items = Array.from({ length: 40 }, (_, i) => i + 1);
    const h = await submitter.submit({ kind: "run", source: slowSource, file: "slowfan.rag", graph: "slowfan", hash: slowBp.hash, input: { items }, threadId: uniqueName("t") });
    // Cancel once the first branch is running (2 workers × 4 branch slots: most branches are still queued).
    for await (const { event } of submitter.events(h.runId)) if (event.type === "tool_started") break;
    await submitter.cancel(h.runId);
    const cancelledAt = Date.now();
    expect(await submitter.outcome(h.runId)).toMatchObject({ status: "cancelled" });
    // Longer than a branch takes: had the queued branches stayed, more would have started.
    await new Promise((ok) => setTimeout(ok, 900));
    expect(slowStarts.length).toBeLessThanOrEqual(12);
    expect(slowStarts.filter((s) => s.at > cancelledAt + 250)).toEqual([]);
    // No job of this run's branches is left waiting or active on the branch queue.
    const q = new Queue(branchQueueName("runs"), { connection: workers[0].url.connection, prefix });
    // Job data is a sealed envelope (`job-signature.ts`): opened with the queue secret to find the run's jobs.
    const secret = await savers[0].queueSecret();
    const ofRun = (j: { data: unknown; name: string; id?: string }) => jobData<{ runId?: string }>(j, secret).runId === h.runId;
    const left = await q.getJobs(["waiting", "active", "delayed", "prioritized"]);
    expect(left.filter(ofRun)).toEqual([]);
    // …and none was handed to a worker after the cancel: the run removed its queued jobs
    // (a worker would otherwise take each one, see the cancel flag and complete it as a
    // no-op, leaving it in the completed set). Active ones go once they have ended; only a
    // branch that committed its record before the cancel may keep its job.
    const stray = async () => {
      const jobs = await q.getJobs(["waiting", "active", "delayed", "prioritized", "completed", "failed"]);
      // Replies are sealed too (`sealBranchReply`): a committed branch's opens to a `record`.
      const committed = (j: Job) => {
        const reply = openBranchReply(secret, j.id!, h.runId, j.returnvalue);
        return reply !== undefined && "record" in reply;
      };
      return jobs.filter((j) => ofRun(j) && !committed(j)).map((j) => j.id);
    };
    let remaining = await stray();
    for (let i = 0; i < 50 && remaining.length; i++) {
      await new Promise((ok) => setTimeout(ok, 100));
      remaining = await stray();
    }
    await q.close();
    expect(remaining).toEqual([]);
  }, 30_000);

  it("when a sibling fails unhandled, the run's queued branch jobs are removed and never run", async () => {
    slowStarts.length = 0;
    const items = [0, ...Array.from({ length: 40 }, (_, i) => i + 1)];
    const h = await submitter.submit({ kind: "run", source: slowSource, file: "slowfan.rag", graph: "slowfan", hash: slowBp.hash, input: { items }, threadId: uniqueName("t") });
    const out = await submitter.outcome(h.runId);
    expect(out).toMatchObject({ status: "failed" });
    expect(JSON.stringify(out)).toContain("branch 0 failed");
    const failedAt = Date.now();
    // Longer than two rounds of branches (8 slots × 300 ms): had the queued branches stayed, they would have run.
    await new Promise((ok) => setTimeout(ok, 900));
    expect(slowStarts.length).toBeLessThanOrEqual(12);
    expect(slowStarts.filter((s) => s.at > failedAt + 250)).toEqual([]);
  }, 30_000);
});
