/**
 * Red team 10: queue jobs forged by whoever can write to Redis (against real Redis and
 * Postgres). Workers trusted job data, checked for shape only: a forged `resume` job
 * approved a paused `refund` (approval "ask") with `args: { amount: 1000000 }` and the
 * tool ran with it; a forged `run` job compiled attacker source as the human author's
 * (no review, no untrustedAllow) and ran it on a thread of its choosing. Jobs are now
 * signed with the deployment's queue secret, kept in Postgres (`job-signature.ts`): a
 * worker fails every other job for good with `untrusted_job` and runs nothing of it.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Queue, QueueEvents, type Job } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineConfig, tool, z } from "../../index.js";
import { compileGraph } from "../../compiler/index.js";
import { getState, newId } from "../../runtime/index.js";
import { branchJobId, branchQueueName, PostgresCheckpointer, QueueRunSubmitter, RunWorker } from "../../scale/index.js";
import { Project, Workspace } from "../../server/index.js";
import { registryFromConfig } from "../../stdlib/index.js";
import { deleteTestKeys, missingServices, PG_URL, REDIS_URL, uniqueName } from "../helpers/services.js";
import { scratchDir } from "../helpers/scratch-dirs.js";
import { ended } from "../helpers/distributed-pool.js";

const skip = await missingServices(["postgres", "redis"]);
const schema = uniqueName("rag_forged");
const otherSchema = uniqueName("rag_forged_other");
const prefix = uniqueName("ragforged");
const queueUrl = `${REDIS_URL}?queue=runs&prefix=${prefix}`;

const refunds: number[] = [];
const wiped: string[] = [];
const config = defineConfig({
  tools: {
    refund: tool({ description: "refunds an amount", schema: z.object({ amount: z.number() }), approval: "ask", run: async ({ amount }) => (refunds.push(amount), "refunded") }),
    wipe: tool({ description: "wipes a table", schema: z.object({ table: z.string() }), run: async ({ table }) => (wiped.push(table), "wiped") }),
  },
});
const registry = registryFromConfig(config);
const pay = `graph pay {\n  start r\n  state { out: any }\n  node r { kind tool tool "refund" input { amount: 5 } writes out next END }\n}\n`;
const evil = `graph evil {\n  start w\n  state { out: any }\n  node w { kind tool tool "wipe" input { table: "users" } writes out next END }\n}\n`;

let dir: string;
let saver: PostgresCheckpointer;
let workerSaver: PostgresCheckpointer;
let otherSaver: PostgresCheckpointer;
let worker: RunWorker;
let submitter: QueueRunSubmitter;
let project: Project;
/** The attacker's handle on the queues: plain BullMQ clients on the same Redis. */
let runs: Queue;
let branches: Queue;
let runEvents: QueueEvents;
let branchEvents: QueueEvents;

/** Waits for a job to end; returns its state and failure reason. */
async function outcomeOf(job: Job, events: QueueEvents): Promise<{ state: string; reason: string }> {
  await job.waitUntilFinished(events).catch(() => undefined);
  const fresh = (await (job.queueName === runs.name ? runs : branches).getJob(job.id!))!;
  return { state: await fresh.getState(), reason: fresh.failedReason ?? "" };
}

beforeAll(async () => {
  if (skip) return;
  dir = scratchDir("rag-forged-");
  writeFileSync(join(dir, "pay.rag"), pay);
  workerSaver = new PostgresCheckpointer(`${PG_URL}?schema=${schema}`);
  worker = new RunWorker({ queue: queueUrl, checkpointer: workerSaver, registry, busyDelayMs: 50 });
  await worker.start();
  saver = new PostgresCheckpointer(`${PG_URL}?schema=${schema}`);
  submitter = new QueueRunSubmitter(queueUrl, { checkpoints: saver });
  project = new Project(new Workspace(dir), { path: undefined, config, registry }, { approvals: join(dir, ".rag", "approvals.json"), checkpointer: saver, queue: submitter });
  otherSaver = new PostgresCheckpointer(`${PG_URL}?schema=${otherSchema}`);
  const connection = worker.url.connection;
  runs = new Queue("runs", { connection, prefix });
  branches = new Queue(branchQueueName("runs"), { connection, prefix });
  runEvents = new QueueEvents("runs", { connection, prefix });
  branchEvents = new QueueEvents(branchQueueName("runs"), { connection, prefix });
  await Promise.all([runEvents.waitUntilReady(), branchEvents.waitUntilReady()]);
});

afterAll(async () => {
  if (skip) return;
  await worker.close(true);
  await submitter.close();
  for (const c of [runs, branches, runEvents, branchEvents]) await c.close();
  project.close();
  await otherSaver.dropSchema();
  await saver.closeAsync();
  await workerSaver.dropSchema();
  await deleteTestKeys(prefix);
});

/** A thread of pay.rag paused at the refund's approval. */
async function pausedAtApproval(): Promise<string> {
  refunds.length = 0;
  const start = await project.startRun({ file: "pay.rag" });
  expect((await ended(start)).status).toBe("interrupted");
  expect(refunds).toEqual([]);
  return start.threadId;
}

describe.skipIf(skip)("queue jobs forged by a Redis writer", () => {
  it("a forged resume approving the refund with amount 1000000 is refused (unsigned, signed with another store's secret, or a signed job altered); the refund runs only on the real answer, with its own amount", async () => {
    const threadId = await pausedAtApproval();
    const latest = (await workerSaver.getTuple({ threadId }))!.checkpoint.id;
    const forged = { kind: "resume", threadId, checkpointId: latest, command: { value: { choice: "approve", args: { amount: 1000000 } } } };
    const jobs: Job[] = [];
    // 1. Unsigned job data, as the workers used to accept it.
    const unsigned = newId("run");
    jobs.push(await runs.add("resume", { ...forged, runId: unsigned }, { jobId: unsigned }));
    // 2. Signed, but with the secret of a store the attacker controls (another schema).
    const outsider = new QueueRunSubmitter(queueUrl, { checkpoints: otherSaver });
    try {
      const h = await outsider.submit({ ...forged, kind: "resume" });
      jobs.push((await runs.getJob(h.runId))!);
    } finally {
      await outsider.close();
    }
    // 3. A job the real submitter signed (an answer of "deny"), its sealed payload altered in
    // Redis (the answer is not readable there: bytes of the ciphertext are flipped instead).
    await runs.pause();
    const denied = await submitter.submit({ kind: "resume", threadId, checkpointId: latest, command: { value: { choice: "deny", reason: "no" } } });
    const job = (await runs.getJob(denied.runId))!;
    const envelope = job.data as { payload: string; sig: string };
    expect(envelope.payload).not.toContain("deny");
    const flipped = envelope.payload.slice(0, 40) + (envelope.payload[40] === "A" ? "B" : "A") + envelope.payload.slice(41);
    await job.updateData({ payload: flipped, sig: envelope.sig });
    jobs.push(job);
    await runs.resume();
    for (const j of jobs) {
      const out = await outcomeOf(j, runEvents);
      expect(out.state).toBe("failed");
      expect(out.reason).toMatch(/^untrusted_job: refused/);
    }
    // Failed for good: not tried again.
    for (const j of jobs) expect((await runs.getJob(j.id!))!.attemptsMade).toBeLessThanOrEqual(1);
    expect(refunds).toEqual([]);
    // The refused runs' watchers learn why (a run the log knows: the two that went through a submitter).
    expect(await submitter.outcome(denied.runId)).toMatchObject({ status: "failed", error: { code: "untrusted_job" } });
    // The thread still waits at the approval, at the same checkpoint; the real answer runs the refund once, with its own amount.
    const state = (await getState(workerSaver, threadId))!;
    expect(state.next.map((x) => x.node)).toEqual(["r"]);
    expect((await workerSaver.getTuple({ threadId }))!.checkpoint.id).toBe(latest);
    const real = await project.resume(threadId, { answer: "approve" });
    expect((await ended(real)).status).toBe("completed");
    expect(refunds).toEqual([5]);
  }, 30_000);

  it("a forged run job (attacker source, a thread of its choosing) is refused: nothing compiles or runs, no checkpoint is written", async () => {
    wiped.length = 0;
    const bp = compileGraph(evil, { file: "evil.rag", graph: "evil", registry: registry.view() }).value!;
    const runId = newId("run");
    const threadId = uniqueName("t-evil");
    const job = await runs.add("run", { kind: "run", runId, threadId, hash: bp.hash, graph: "evil", file: "evil.rag", source: evil, input: {}, metadata: { origin: { file: "pay.rag", graph: "evil", config: null } } }, { jobId: runId });
    const out = await outcomeOf(job, runEvents);
    expect(out).toMatchObject({ state: "failed" });
    expect(out.reason).toMatch(/^untrusted_job: refused: run job .* is not signed/);
    expect(wiped).toEqual([]);
    expect(await workerSaver.getTuple({ threadId })).toBeUndefined();
    expect(await workerSaver.getSource(bp.hash)).toBeUndefined();
  }, 30_000);

  it("a forged branch job is refused before anything is read or run", async () => {
    const threadId = await pausedAtApproval();
    const tuple = (await workerSaver.getTuple({ threadId }))!;
    const data = { runId: newId("run"), threadId, namespace: "", checkpointId: tuple.checkpoint.id, taskId: "forged", node: "r", hash: tuple.checkpoint.blueprintHash };
    const job = await branches.add("branch", data, { jobId: branchJobId(data) });
    const out = await outcomeOf(job, branchEvents);
    expect(out.state).toBe("failed");
    expect(out.reason).toMatch(/^untrusted_job: refused: branch job .* is not signed/);
  }, 30_000);

  it("a signed job read from Redis and added again runs nothing: under another job id, or under its own once it was removed (the run already ended)", async () => {
    wiped.length = 0;
    const bp = compileGraph(evil, { file: "evil.rag", graph: "evil", registry: registry.view() }).value!;
    const threadId = uniqueName("t-wipe");
    const job = { kind: "run", source: evil, file: "evil.rag", graph: "evil", hash: bp.hash, input: {}, threadId } as const;
    const first = await submitter.submit(job);
    expect(await submitter.outcome(first.runId)).toMatchObject({ status: "completed" });
    const envelope = (await runs.getJob(first.runId))!.data as unknown;
    // A second turn of the thread, by its author: the thread moved on.
    const second = await submitter.submit(job);
    expect(await submitter.outcome(second.runId)).toMatchObject({ status: "completed" });
    expect(wiped).toEqual(["users", "users"]);
    // The first job's signed data under another id: refused.
    const copy = await runs.add("run", envelope, { jobId: newId("run") });
    expect((await outcomeOf(copy, runEvents)).reason).toMatch(/^untrusted_job: refused: job .* carries the signed data of run/);
    // Under its own id, once removed (BullMQ removes a completed job after an hour; a Redis peer at once): the run already ended.
    await (await runs.getJob(first.runId))!.remove();
    const replay = await runs.add("run", envelope, { jobId: first.runId });
    const out = await outcomeOf(replay, runEvents);
    expect(out.state).toBe("failed");
    expect(out.reason).toMatch(/^untrusted_job: refused: job .* is a replay/);
    expect(wiped).toEqual(["users", "users"]);
    expect(await submitter.summary(first.runId)).toMatchObject({ status: "completed" });
  }, 30_000);

  it("a Redis reader learns nothing a job carries: the source, the input and the answers are sealed (AES-256-GCM under a key only Postgres holds)", async () => {
    const secretWord = `pii-${uniqueName("x")}`;
    const bp = compileGraph(evil, { file: "evil.rag", graph: "evil", registry: registry.view() }).value!;
    const threadId = await pausedAtApproval();
    const latest = (await workerSaver.getTuple({ threadId }))!.checkpoint.id;
    await runs.pause();
    try {
      const run = await submitter.submit({ kind: "run", source: evil, file: "evil.rag", graph: "evil", hash: bp.hash, input: { note: secretWord }, threadId: uniqueName("t-read") });
      const resume = await submitter.submit({ kind: "resume", threadId, checkpointId: latest, command: { value: { choice: "deny", reason: secretWord } } });
      // Everything Redis holds for both jobs, as a peer reads it (the job hashes, raw).
      const redis = new Redis(worker.url.connection);
      const raws = await Promise.all([run.runId, resume.runId].map(async (id) => JSON.stringify(await redis.hgetall(`${prefix}:runs:${id}`))));
      redis.disconnect();
      for (const raw of raws) {
        expect(raw).toContain("payload");
        expect(raw).not.toContain(secretWord);
        expect(raw).not.toContain("wipe");
        expect(raw).not.toContain("graph evil");
      }
      // The workers still read them (the run completes; the resume's answer is applied).
      await runs.resume();
      expect(await submitter.outcome(run.runId)).toMatchObject({ status: "completed" });
      // The refund was declined with the sealed reason (the node fails, as a declined call does).
      expect(await submitter.outcome(resume.runId)).toMatchObject({ status: "failed", error: { message: `tool \`refund\` was not run: a person declined the call: ${secretWord}` } });
    } finally {
      await runs.resume();
    }
  }, 30_000);

  it("the submitter sends answers and steering only, and always names the checkpoint a resume answers", async () => {
    const threadId = await pausedAtApproval();
    const latest = (await workerSaver.getTuple({ threadId }))!.checkpoint.id;
    await expect(submitter.submit({ kind: "resume", threadId, checkpointId: latest, command: { value: "approve", update: { out: "x" } } })).rejects.toMatchObject({ code: "invalid_resume" });
    await expect(submitter.submit({ kind: "resume", threadId, command: { value: "approve" } } as never)).rejects.toMatchObject({ code: "invalid_resume" });
  }, 30_000);
});
