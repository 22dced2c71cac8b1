/**
 * Cancellations forged by a Redis writer (real Redis and Postgres). A cancellation travels
 * through Redis — a key a worker reads when a job starts, and a message on the pool's
 * cancellation channel — and workers acted on whatever they found there: anyone who could
 * write to Redis cancelled any run, or aborted one branch job of a `distribute: branches`
 * fan-out (failing its run). Cancellations are now tagged with the queue secret
 * (`scale/cancel-signature.ts`): the forged ones are ignored, counted and reported
 * (`forged_cancel`), and the run goes on. A real `cancel` still stops a run
 * (`queue.test.ts`, `distribute.test.ts`).
 */
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { compileGraph } from "../../compiler/index.js";
import { defineConfig, tool, z } from "../../index.js";
import { branchQueueName, cancelMessage, type PostgresCheckpointer, type QueueRunSubmitter, type RunWorker, type WorkerNotice } from "../../scale/index.js";
import { registryFromConfig } from "../../stdlib/index.js";
import { usePool } from "../helpers/distributed-pool.js";
import { until } from "../helpers/until.js";
import { missingServices, uniqueName } from "../helpers/services.js";

const skip = await missingServices(["postgres", "redis"]);
const schema = uniqueName("rag_fcancel");
const prefix = uniqueName("ragfc");

/** Calls of `hold` started, and the gate they wait on (opened by `release`). */
let started: number[] = [];
let open: () => void = () => undefined;
let gate = new Promise<void>((ok) => (open = ok));
const release = () => open();
const rearm = () => {
  started = [];
  gate = new Promise<void>((ok) => (open = ok));
};
const registry = registryFromConfig(
  defineConfig({
    tools: {
      hold: tool({ description: "waits for the test to release it", schema: z.object({ n: z.number() }), run: async ({ n }) => (started.push(n), await gate, n * 10) }),
    },
  }),
);
const source = `graph one {
  start h
  state { out: any }
  node h { kind tool tool "hold" input { n: 1 } writes out next END }
}
graph fan {
  start split
  defaults { distribute: branches }
  input { items: list<number> }
  state { outs: list<number> append }
  node split { kind set send [w { n: x } for x in input.items -> outs] join done }
  node w { kind tool tool "hold" }
  node done { kind set set { outs: [] } next END }
}
`;
const hash = (graph: string) => compileGraph(source, { file: "f.rag", graph, registry: registry.view() }).value!.hash;

const notices: WorkerNotice[] = [];
let worker: RunWorker;
let saver: PostgresCheckpointer;
let submitter: QueueRunSubmitter;
usePool({ schema, prefix, registryFor: () => registry, names: ["w"], worker: { concurrency: 2, branchConcurrency: 4, busyDelayMs: 50, onNotice: (n) => notices.push(n) } }, skip, (pool) => {
  [worker, saver, submitter] = [pool.workers[0], pool.savers[0], pool.submitter];
});

const submit = (graph: string, input: Record<string, unknown> = {}) => submitter.submit({ kind: "run", source, file: "f.rag", graph, hash: hash(graph), input, threadId: uniqueName("t") });

describe.skipIf(skip)("cancellations forged by a Redis writer", () => {
  it("a forged cancellation of a running run (the old unsigned message, or a wrong tag) is ignored and reported; the run completes", async () => {
    rearm();
    notices.length = 0;
    const before = worker.forgedCancels;
    const h = await submit("one");
    await until(() => started.length === 1, "the tool to start");
    const redis = new Redis(worker.url.connection);
    try {
      await redis.set(`${prefix}:run:${h.runId}:cancel`, "1");
      await redis.publish(`${prefix}:cancel`, h.runId);
      await redis.publish(`${prefix}:cancel`, `run:${h.runId}`);
      await redis.publish(`${prefix}:cancel`, `run:${h.runId} ${"0".repeat(64)}`);
    } finally {
      redis.disconnect();
    }
    await until(() => worker.forgedCancels - before >= 3, "the forged cancellations to be refused");
    release();
    expect(await submitter.outcome(h.runId)).toMatchObject({ status: "completed", state: { out: 10 } });
    expect(notices.filter((n) => n.code === "forged_cancel" && n.target.includes(h.runId)).length).toBeGreaterThanOrEqual(3);
    expect(notices[0]!.message).toMatch(/does not check out under this deployment's queue secret/);
  }, 30_000);

  it("a forged cancellation key set while the run waits in the queue does not stop it when a worker takes it", async () => {
    rearm();
    release();
    const before = worker.forgedCancels;
    const runs = new Queue("runs", { connection: worker.url.connection, prefix });
    const redis = new Redis(worker.url.connection);
    try {
      await runs.pause();
      const h = await submit("one");
      await redis.set(`${prefix}:run:${h.runId}:cancel`, "1");
      await runs.resume();
      expect(await submitter.outcome(h.runId)).toMatchObject({ status: "completed", state: { out: 10 } });
      expect(worker.forgedCancels).toBeGreaterThan(before);
      // This run's forged key, not a late count of the previous test's forgeries.
      expect(notices.some((n) => n.code === "forged_cancel" && n.target.includes(h.runId))).toBe(true);
    } finally {
      await runs.resume();
      await runs.close();
      redis.disconnect();
    }
  }, 30_000);

  it("a forged abort of one running branch job is ignored — unsigned, or a real tag made for another run's job of that id — and the fan-out joins", async () => {
    rearm();
    const h = await submit("fan", { items: [1, 2] });
    await until(() => started.length === 2, "both branches to start");
    const q = new Queue(branchQueueName("runs"), { connection: worker.url.connection, prefix });
    const redis = new Redis(worker.url.connection);
    try {
      const active = await q.getJobs(["active"]);
      expect(active.length).toBe(2);
      const secret = await saver.queueSecret();
      for (const j of active) {
        await redis.publish(`${prefix}:cancel`, `branch:${j.id}`);
        await redis.publish(`${prefix}:cancel`, `branch:${h.runId}:${j.id} ${"f".repeat(64)}`);
        // A genuine tag, read from Redis when an earlier run of the thread abandoned a job of this id.
        await redis.publish(`${prefix}:cancel`, cancelMessage(secret, { run: "run-earlier", branchJob: j.id!, nonce: "0".repeat(32) }));
      }
      // Messages are handled in order: once this last forged one is refused, all before it were handled.
      await redis.publish(`${prefix}:cancel`, `branch:${h.runId}:sentinel`);
      await until(() => notices.some((n) => n.target === `branch:${h.runId}:sentinel`), "the forged aborts to be handled");
      expect(notices.filter((n) => n.target.startsWith("branch:")).length).toBe(5);
    } finally {
      await q.close();
      redis.disconnect();
    }
    release();
    expect(await submitter.outcome(h.runId)).toMatchObject({ status: "completed" });
    expect(started.sort()).toEqual([1, 2]);
  }, 30_000);
});
