/**
 * Red-team test (real Redis and Postgres): a forged branch job of a CHILD run's fan-out.
 * The job names the run's root blueprint (`root`) and the child's namespace; the worker
 * walked the namespace from whichever root the job named, as long as it had that root's
 * source and the walk ended at the child's hash. A job copied from a run of `guarded` (whose
 * `budget` encloses the child) with `root` set to `open` — another root whose source the
 * worker was given, which reaches the same registry child without that budget — ran the
 * branch under `open`'s limits. The worker now checks the thread's own checkpoints: each
 * level's parent checkpoint must be made by the graph the walk names, and plan the task
 * whose node binds the level's graph (`ancestryRefusal`). (Branch jobs are signed now,
 * red team 10: the forgeries below are signed with the pool's own secret, as a member of
 * the pool could; without it they are refused before any of this, queue-forged-jobs.test.ts.)
 */
import { Queue, QueueEvents } from "bullmq";
import { describe, expect, it } from "vitest";
import { compileGraph } from "../../compiler/index.js";
import { defineConfig, tool, z } from "../../index.js";
import { branchJobId, branchQueueName, openBranchReply, signJob, type BranchJobData, type PostgresCheckpointer, type QueueRunSubmitter, type RunWorker } from "../../scale/index.js";
import { registryFromConfig } from "../../stdlib/index.js";
import { jobData, usePool } from "../helpers/distributed-pool.js";
import { missingServices, uniqueName } from "../helpers/services.js";

const skip = await missingServices(["postgres", "redis"]);
const schema = uniqueName("rag_fcb");
const prefix = uniqueName("ragfcb");

let ran = 0;
const tools = { work: tool({ description: "square", schema: z.object({ n: z.number() }), run: async ({ n }: { n: number }) => (ran++, n * n) }) };
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
const regBp = compileGraph(regSource, { file: "regfan.rag", graph: "regfan", registry: registryFromConfig(defineConfig({ tools })).view() }).value!;
const registry = registryFromConfig(defineConfig({ tools, graphs: { regfan: regBp } }));
const root = (name: string, extra: string) => `graph ${name} {
  start inner
  ${extra}
  input { items: list<number> }
  state { total: number = 0 }
  node inner { kind subgraph graph "regfan" input { items: input.items } writes { total: result.total } next END }
}
`;
const guardedSource = root("guarded", "defaults { budget { tool_calls: 50 } }");
const openSource = root("open", "");
const compile = (src: string, file: string, graph: string) => {
  const r = compileGraph(src, { file, graph, registry: registry.view() });
  if (!r.value) throw new Error(JSON.stringify(r.diagnostics));
  return r.value;
};
const guarded = compile(guardedSource, "guarded.rag", "guarded");
const open = compile(openSource, "open.rag", "open");

let worker: RunWorker;
let saver: PostgresCheckpointer;
let submitter: QueueRunSubmitter;
usePool({ schema, prefix, registryFor: () => registry, names: ["w"], worker: { concurrency: 2, branchConcurrency: 2, busyDelayMs: 50 } }, skip, (pool) => {
  [worker, saver, submitter] = [pool.workers[0], pool.savers[0], pool.submitter];
});

describe.skipIf(skip)("a forged branch job of a child run", () => {
  it("naming another root that reaches the same child (without the real root's budget) is refused", async () => {
    const items = [1, 2];
    // Both roots ran once, so the worker holds both sources.
    const a = await submitter.submit({ kind: "run", source: guardedSource, file: "guarded.rag", graph: "guarded", hash: guarded.hash, input: { items }, threadId: uniqueName("t") });
    expect(await submitter.outcome(a.runId)).toMatchObject({ status: "completed" });
    const b = await submitter.submit({ kind: "run", source: openSource, file: "open.rag", graph: "open", hash: open.hash, input: { items }, threadId: uniqueName("t") });
    expect(await submitter.outcome(b.runId)).toMatchObject({ status: "completed" });
    const q = new Queue(branchQueueName("runs"), { connection: worker.url.connection, prefix });
    const events = new QueueEvents(branchQueueName("runs"), { connection: worker.url.connection, prefix });
    await events.waitUntilReady();
    try {
      const secret = await saver.queueSecret();
      const real = jobData<Record<string, string>>((await q.getJobs(["completed"])).find((j) => jobData<{ threadId: string }>(j, secret).threadId === a.threadId)!, secret);
      expect(real.root).toBe(guarded.hash);
      expect(real.namespace).toMatch(/:regfan$/);
      const forge = async (patch: Record<string, string>) => {
        const data = { ...real, ...patch };
        // A job is signed for its own id (the branch's); the one kept under it goes first.
        const jobId = branchJobId(data as unknown as BranchJobData);
        await (await q.getJob(jobId))?.remove();
        const j = await q.add("branch", signJob(secret, "branch", data), { jobId });
        // The reply is sealed for its job and run (`sealBranchReply`).
        return openBranchReply(secret, jobId, data.runId!, await j.waitUntilFinished(events)) as { error?: { code: string; message: string }; record?: unknown };
      };
      // The genuine job still runs (its record is answered from the checkpoint).
      expect((await forge({})).error).toBeUndefined();
      const other = await forge({ root: open.hash });
      expect(other.error).toMatchObject({ code: "unknown_blueprint" });
      expect(other.error!.message).toContain("not by `open`");
      // A task id of the namespace that the parent's checkpoint never planned.
      const task = await forge({ namespace: real.namespace.replace(/^[^:]+:/, "9.9:") });
      expect(task.error).toBeDefined();
    } finally {
      await events.close();
      await q.close();
    }
  }, 30_000);
});
