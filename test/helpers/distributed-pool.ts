/**
 * The worker pool of the queue tests (test/scale/distribute*.test.ts, queue*.test.ts and
 * others): `RunWorker`s — by default two, named "a" and "b" — each with its own
 * `PostgresCheckpointer` connection to one schema (machines sharing one database), on one
 * BullMQ queue under the test's own Redis key prefix, and a `QueueRunSubmitter` for it.
 * `close()` stops them and removes the schema and the keys.
 */
import { afterAll, beforeAll } from "vitest";
import type { ResumeCommand, RunEvent } from "../../runtime/index.js";
import { openJob, PostgresCheckpointer, QueueRunSubmitter, RunWorker, type QueueRunSubmitterOptions, type RunWorkerOptions, type SubmitResume } from "../../scale/index.js";
import type { RunRecord } from "../../server/runs.js";
import { deleteTestKeys, PG_URL, REDIS_URL } from "./services.js";

/** Savers, workers and submitter of a started pool; `savers[i]` is `workers[i]`'s checkpointer. */
export interface DistributedPool {
  readonly savers: PostgresCheckpointer[];
  readonly workers: RunWorker[];
  readonly submitter: QueueRunSubmitter;
  /** Closes submitter, workers (forcing their jobs) and savers; drops the schema and deletes `prefix:*` keys. */
  close(): Promise<void>;
}

/** What a pool is made of; see `distributedPool`. */
export interface PoolOptions {
  readonly schema: string;
  readonly prefix: string;
  readonly registryFor: (who: string) => RunWorkerOptions["registry"];
  /** The workers' names, one worker each (default "a" and "b"). */
  readonly names?: readonly string[];
  /** Every worker's options besides queue, checkpointer, registry and name (default: concurrency 2, 4 branch slots, a 50 ms busy delay). */
  readonly worker?: Omit<RunWorkerOptions, "queue" | "checkpointer" | "registry" | "name">;
  /** The submitter's options besides its checkpoints (the first worker's saver; default none). */
  readonly submitter?: Omit<QueueRunSubmitterOptions, "checkpoints">;
}

const POOL_WORKER: NonNullable<PoolOptions["worker"]> = { concurrency: 2, branchConcurrency: 4, busyDelayMs: 50 };

/**
 * Starts the pool: queue `runs` at `REDIS_URL` under `prefix`, checkpoints in `schema` at
 * `PG_URL`, a worker per name with `registryFor(its name)` and `worker` options.
 */
export async function distributedPool(options: PoolOptions): Promise<DistributedPool> {
  const queueUrl = `${REDIS_URL}?queue=runs&prefix=${options.prefix}`;
  const names = options.names ?? ["a", "b"];
  const savers = names.map(() => new PostgresCheckpointer(`${PG_URL}?schema=${options.schema}`));
  const workers = names.map((name, i) => new RunWorker({ queue: queueUrl, checkpointer: savers[i], registry: options.registryFor(name), name, ...(options.worker ?? POOL_WORKER) }));
  for (const w of workers) await w.start();
  const submitter = new QueueRunSubmitter(queueUrl, { checkpoints: `${PG_URL}?schema=${options.schema}`, ...options.submitter });
  return {
    savers,
    workers,
    submitter,
    async close() {
      await submitter.close();
      for (const w of workers) await w.close(true);
      for (const saver of savers.slice(1)) await saver.closeAsync();
      await savers[0].dropSchema();
      await deleteTestKeys(options.prefix);
    },
  };
}

/**
 * Starts the pool in the file's `beforeAll` (not when `skip` is truthy: the reason services are missing)
 * and hands it to `use`; closes it in `afterAll`.
 */
export function usePool(options: PoolOptions, skip: unknown, use: (pool: DistributedPool) => void): void {
  let pool: DistributedPool | undefined;
  beforeAll(async () => {
    if (skip) return;
    pool = await distributedPool(options);
    use(pool);
  });
  afterAll(async () => {
    await pool?.close();
  });
}

/** A queued run's events, read from its stream to the end. */
export async function runEvents(submitter: QueueRunSubmitter, runId: string): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  for await (const { event } of submitter.events(runId)) events.push(event);
  return events;
}

/** A queued resume of `threadId` answering its latest checkpoint (as `rag resume --queue` sends it). */
export async function resumeJob(saver: PostgresCheckpointer, threadId: string, command: ResumeCommand): Promise<SubmitResume> {
  const tuple = await saver.getTuple({ threadId });
  if (!tuple) throw new Error(`no thread ${threadId}`);
  return { kind: "resume", threadId, command, checkpointId: tuple.checkpoint.id };
}

/** The data of a queue job as its submitter made it (the payload of its sealed, signed envelope, opened with the pool's queue secret: `job-signature.ts`). */
export function jobData<T = Record<string, unknown>>(job: { readonly data: unknown; readonly name: string; readonly id?: string }, secret: Uint8Array): T {
  return openJob(secret, job.name === "branch" ? "branch" : "run", job.data, job.id) as T;
}

/** The record's summary once its queued run ended (`rag serve`'s view of a queued run, mirrored from its stream); polled every 25 ms, throws after 10 s. */
export async function ended(rec: RunRecord): Promise<ReturnType<RunRecord["summary"]>> {
  for (let i = 0; i < 400; i++) {
    const s = rec.summary();
    if (s.status !== "queued" && s.status !== "running") return s;
    await new Promise((ok) => setTimeout(ok, 25));
  }
  throw new Error(`run ${rec.runId} did not end`);
}
