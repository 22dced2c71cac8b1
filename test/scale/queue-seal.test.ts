/**
 * What a Redis peer could still read or replay (real Redis and Postgres):
 *
 * - Run events (state values, model replies, tool results), run summaries and the results
 *   of branch jobs were kept in Redis as plain JSON: anyone with read access saw them. They
 *   are now sealed with the queue key (`run-log.ts`, `sealBranchReply`); live progress and
 *   replay from an id still work, and an entry a peer wrote or copied from another run is
 *   refused with a notice (`unsealed_entry`).
 * - A genuine abort of a branch job, read off the cancellation channel, aborted a later
 *   hand-over of that job (same run, same job id) when published again. It now names the
 *   hand-over's nonce; a replay is refused (`replayed_cancel`).
 * - A run cancelled while queued was removed from the queue, but a peer could add its
 *   signed job back (and delete the cancellation key) and it ran once. The cancellation is
 *   now recorded in Postgres, and a worker refuses the job.
 */
import { Job, Queue } from "bullmq";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { compileGraph } from "../../compiler/index.js";
import { defineConfig, tool, z } from "../../index.js";
import type { BranchRef } from "../../runtime/index.js";
import { branchQueueName, openBranchReply, QueueBranchRunner, type BranchJobData, type PostgresCheckpointer, type QueueRunSubmitter, type RunWorker, type WorkerNotice } from "../../scale/index.js";
import { registryFromConfig } from "../../stdlib/index.js";
import { jobData, runEvents, usePool } from "../helpers/distributed-pool.js";
import { until } from "../helpers/until.js";
import { missingServices, uniqueName } from "../helpers/services.js";

const skip = await missingServices(["postgres", "redis"]);
const schema = uniqueName("rag_qseal");
const prefix = uniqueName("ragqs");
const MARKER = `TOP-SECRET-${uniqueName("m")}`;

let started: number[] = [];
let ran = 0;
let open: () => void = () => undefined;
let gate = new Promise<void>((ok) => (open = ok));
let openFirst: () => void = () => undefined;
let first = new Promise<void>((ok) => (openFirst = ok));
const rearm = () => {
  started = [];
  gate = new Promise<void>((ok) => (open = ok));
  first = new Promise<void>((ok) => (openFirst = ok));
};
const registry = registryFromConfig(
  defineConfig({
    tools: {
      echo: tool({ description: "returns a secret", schema: z.object({ n: z.number() }), run: async ({ n }) => `${MARKER}-${n}` }),
      count: tool({ description: "counts its calls", schema: z.object({ n: z.number() }), run: async ({ n }) => (ran++, n) }),
      // Branch 1 fails (once the test lets it), branch 2 waits for the gate.
      pick: tool({
        description: "fails for 1, waits for 2",
        schema: z.object({ n: z.number() }),
        run: async ({ n }) => {
          started.push(n);
          if (n === 1) {
            await first;
            throw new Error("branch 1 fails");
          }
          await gate;
          return n * 10;
        },
      }),
    },
  }),
);
const source = `graph fan {
  start split
  defaults { distribute: branches }
  input { items: list<number> }
  state { outs: list<any> append }
  node split { kind set send [w { n: x } for x in input.items -> outs] join done }
  node w { kind tool tool "echo" }
  node done { kind set set { outs: [] } next END }
}
graph race {
  start split
  defaults { distribute: branches }
  input { items: list<number> }
  state { outs: list<number> append }
  node split { kind set send [w { n: x } for x in input.items -> outs] join done }
  node w { kind tool tool "pick" }
  node done { kind set set { outs: [] } next END }
}
graph one {
  start c
  state { out: any }
  node c { kind tool tool "count" input { n: 1 } writes out next END }
}
`;
const hash = (graph: string) => compileGraph(source, { file: "f.rag", graph, registry: registry.view() }).value!.hash;

const workerNotices: WorkerNotice[] = [];
const logNotices: string[] = [];
let worker: RunWorker;
let saver: PostgresCheckpointer;
let submitter: QueueRunSubmitter;
usePool({ schema, prefix, registryFor: () => registry, names: ["w"], worker: { concurrency: 2, branchConcurrency: 4, busyDelayMs: 50, onNotice: (n) => workerNotices.push(n) }, submitter: { onNotice: (n) => logNotices.push(n.message) } }, skip, (pool) => {
  [worker, saver, submitter] = [pool.workers[0], pool.savers[0], pool.submitter];
});

const submit = (graph: string, input: Record<string, unknown> = {}) => submitter.submit({ kind: "run", source, file: "f.rag", graph, hash: hash(graph), input, threadId: uniqueName("t") });

/** Whether job `id` of `q` ended or is gone (read once: a job removed between two reads is gone, not a TypeError). */
async function jobEnded(q: Queue, id: string): Promise<boolean> {
  const job = await Job.fromId(q, id);
  return !job || ["completed", "failed"].includes(await job.getState());
}

/** Everything Redis holds under the test's prefix, as text (strings, hashes, streams, lists, sets). */
async function redisDump(redis: Redis): Promise<string> {
  const out: string[] = [];
  for (const key of await redis.keys(`${prefix}:*`)) {
    const type = await redis.type(key);
    if (type === "string") out.push(String(await redis.get(key)));
    else if (type === "hash") out.push(JSON.stringify(await redis.hgetall(key)));
    else if (type === "stream") out.push(JSON.stringify(await redis.xrange(key, "-", "+")));
    else if (type === "list") out.push(JSON.stringify(await redis.lrange(key, 0, -1)));
    else if (type === "zset") out.push(JSON.stringify(await redis.zrange(key, 0, -1)));
    else if (type === "set") out.push(JSON.stringify(await redis.smembers(key)));
  }
  return out.join("\n");
}

describe.skipIf(skip)("what a Redis peer can read or replay", () => {
  it("a run's events, summary and branch results are sealed in Redis; live progress, late replay and the outcome still work", async () => {
    const h = await submit("fan", { items: [1, 2, 3] });
    const live: { id: string; type: string; text: string }[] = [];
    for await (const e of submitter.events(h.runId)) live.push({ id: e.id, type: e.event.type, text: JSON.stringify(e.event) });
    expect(live.some((e) => e.text.includes(`${MARKER}-2`))).toBe(true);
    expect(await submitter.outcome(h.runId)).toMatchObject({ status: "completed", state: { outs: [`${MARKER}-1`, `${MARKER}-2`, `${MARKER}-3`] } });
    // A late subscriber replays after any id it saw.
    const replay: string[] = [];
    for await (const e of submitter.events(h.runId, live[2]!.id)) replay.push(e.id);
    expect(replay).toEqual(live.slice(3).map((e) => e.id));
    expect(await submitter.summary(h.runId)).toMatchObject({ status: "completed", threadId: h.threadId });
    const redis = new Redis(worker.url.connection);
    try {
      const dump = await redisDump(redis);
      expect(dump).toContain(h.runId); // keys and ids are there…
      expect(dump).not.toContain(MARKER); // …the values are not
      expect(dump).not.toContain(h.threadId);
    } finally {
      redis.disconnect();
    }
    expect(logNotices).toEqual([]);
  }, 30_000);

  it("an entry a Redis peer wrote, or copied from another run's stream, is refused with a notice; the read goes on", async () => {
    const a = await submit("fan", { items: [1] });
    await submitter.outcome(a.runId);
    const b = await submit("fan", { items: [2] });
    await submitter.outcome(b.runId);
    const redis = new Redis(worker.url.connection);
    try {
      const fromA = await redis.xrange(submitter.log.eventsKey(a.runId), "-", "+");
      const key = submitter.log.eventsKey(b.runId);
      const before = (await runEvents(submitter, b.runId)).map((e) => e.type);
      // Inserted before b's end entry is read: a new stream for b, then b's own entries copied after the forgeries.
      const own = await redis.xrange(key, "-", "+");
      await redis.del(key);
      await redis.xadd(key, "*", "e", JSON.stringify({ type: "run_completed", depth: 0, state: { forged: true } }));
      await redis.xadd(key, "*", "e", fromA[0]![1][1]!);
      await redis.xadd(key, "*", "end", fromA.at(-1)![1][1]!);
      for (const [, fields] of own) await redis.xadd(key, "*", ...(fields as [string, string]));
      await redis.set(submitter.log.summaryKey(a.runId), (await redis.get(submitter.log.summaryKey(b.runId)))!);
      logNotices.length = 0;
      const after = (await runEvents(submitter, b.runId)).map((e) => e.type);
      expect(after).toEqual(before);
      expect(logNotices.length).toBe(3);
      expect(logNotices[0]).toMatch(/does not open under this deployment's queue key/);
      // A summary copied from another run reads as none (reported), not as that run's.
      expect(await submitter.summary(a.runId)).toBeUndefined();
      expect(logNotices.length).toBe(4);
    } finally {
      redis.disconnect();
    }
  }, 30_000);

  it("a genuine abort of a branch job, published again, does not abort a later hand-over of that job", async () => {
    rearm();
    const redis = new Redis(worker.url.connection);
    const listener = new Redis(worker.url.connection);
    const heard: string[] = [];
    listener.on("message", (_c: string, m: string) => heard.push(m));
    await listener.subscribe(`${prefix}:cancel`);
    const q = new Queue(branchQueueName("runs"), { connection: worker.url.connection, prefix });
    const runner = new QueueBranchRunner(worker.url, { secrets: saver });
    const secret = await saver.queueSecret();
    try {
      const h = await submit("race", { items: [1, 2] });
      await until(() => started.length === 2, "both branches to start");
      const held = new Map<string, BranchJobData>();
      for (const j of await q.getJobs(["active"])) held.set(j.id!, jobData<BranchJobData>(j, secret));
      // Branch 1 fails: the run stops waiting for branch 2 and aborts it (a signed message on the channel).
      openFirst();
      expect(await submitter.outcome(h.runId)).toMatchObject({ status: "failed" });
      await until(() => heard.some((m) => m.startsWith(`branch:${h.runId}:`)), "the run's abort of branch 2");
      const abort = heard.find((m) => m.startsWith(`branch:${h.runId}:`))!;
      const jobId = [...held.keys()].find((id) => abort.includes(id))!;
      open();
      await until(() => jobEnded(q, jobId), "branch 2's job to end");
      await q.remove(jobId).catch(() => undefined);
      // A later attempt of the run hands branch 2 over again (same run, same job id).
      rearm();
      const { nonce: _n, ...ref } = held.get(jobId)! as BranchJobData & { nonce?: string };
      const again = runner.run(ref as unknown as BranchRef, new AbortController().signal);
      await until(() => started.includes(2), "branch 2 to start again");
      await redis.publish(`${prefix}:cancel`, abort);
      await redis.publish(`${prefix}:cancel`, `branch:${h.runId}:sentinel`);
      await until(() => workerNotices.some((n) => n.target === `branch:${h.runId}:sentinel`), "the replay to be handled");
      open();
      const result = await again;
      expect(result).toHaveProperty("record");
      expect(workerNotices.some((n) => n.code === "replayed_cancel" && n.message.includes(jobId))).toBe(true);
    } finally {
      open();
      openFirst();
      await runner.close();
      await q.close();
      listener.disconnect();
      redis.disconnect();
    }
  }, 60_000);

  it("a branch job of a cancelled run does not run when a Redis peer adds it back and deletes the cancellation key", async () => {
    rearm();
    const q = new Queue(branchQueueName("runs"), { connection: worker.url.connection, prefix });
    const redis = new Redis(worker.url.connection);
    const secret = await saver.queueSecret();
    try {
      const h = await submit("race", { items: [1, 2] });
      await until(() => started.length === 2, "both branches to start");
      const copied = (await q.getJobs(["active"])).map((j) => ({ id: j.id!, name: j.name, data: j.data as unknown }));
      await submitter.cancel(h.runId);
      expect(await submitter.outcome(h.runId)).toMatchObject({ status: "cancelled" });
      open();
      openFirst();
      for (const { id } of copied) await until(() => jobEnded(q, id), "the branch jobs to end");
      // The peer: the cancellation key gone, the signed branch jobs added back as they were.
      rearm();
      await redis.del(submitter.log.cancelKey(h.runId));
      for (const { id, name, data } of copied) {
        await q.remove(id).catch(() => undefined);
        await q.add(name, data, { jobId: id });
      }
      const ended = async () => (await Promise.all(copied.map(({ id }) => jobEnded(q, id)))).every(Boolean);
      await until(async () => started.length > 0 || (await ended()), "the re-added branch jobs to be taken");
      // Before: both branches ran again (`pick` started for 1 and 2).
      expect(started).toEqual([]);
      for (const { id } of copied) expect(openBranchReply(secret, id, h.runId, (await Job.fromId(q, id))!.returnvalue)).toMatchObject({ error: { code: "cancelled" } });
    } finally {
      open();
      openFirst();
      await q.close();
      redis.disconnect();
    }
  }, 60_000);

  it("a run cancelled while queued does not run when a Redis peer adds its signed job back and deletes the cancellation key", async () => {
    const runs = new Queue("runs", { connection: worker.url.connection, prefix });
    const redis = new Redis(worker.url.connection);
    try {
      await runs.pause();
      const h = await submit("one");
      const copied = (await Job.fromId(runs, h.runId))!.data as unknown;
      await submitter.cancel(h.runId);
      expect(await Job.fromId(runs, h.runId)).toBeUndefined();
      await redis.del(submitter.log.cancelKey(h.runId));
      await runs.add("run", copied, { jobId: h.runId });
      ran = 0;
      await runs.resume();
      await until(async () => ["completed", "failed"].includes(await (await Job.fromId(runs, h.runId))!.getState()), "the re-added job to be taken");
      expect(ran).toBe(0);
      expect(await submitter.summary(h.runId)).toMatchObject({ status: "cancelled" });
    } finally {
      await runs.resume();
      await runs.close();
      redis.disconnect();
    }
  }, 30_000);
});
