/**
 * The pool of the `distribute: branches` tests (test/scale/distribute*.test.ts): two
 * `RunWorker`s named "a" and "b", each with its own `PostgresCheckpointer` connection to one
 * schema (two machines sharing one database), on one BullMQ queue under the test's own
 * Redis key prefix, and a `QueueRunSubmitter` for it. `close()` stops them and removes the
 * schema and the keys.
 */
import { afterAll, beforeAll } from "vitest";
import type { RunEvent } from "../../runtime/index.js";
import { PostgresCheckpointer, QueueRunSubmitter, RunWorker, type RunWorkerOptions } from "../../scale/index.js";
import { deleteTestKeys, PG_URL, REDIS_URL } from "./services.js";

/** Savers, workers and submitter of a started pool; `savers[i]` is `workers[i]`'s checkpointer. */
export interface DistributedPool {
  readonly savers: PostgresCheckpointer[];
  readonly workers: RunWorker[];
  readonly submitter: QueueRunSubmitter;
  /** Closes submitter, workers (forcing their jobs) and savers; drops the schema and deletes `prefix:*` keys. */
  close(): Promise<void>;
}

/**
 * Starts the pool: queue `runs` at `REDIS_URL` under `prefix`, checkpoints in `schema` at
 * `PG_URL`, each worker with `registryFor(its name)`, concurrency 2, 4 branch slots and a
 * 50 ms busy delay.
 */
export async function distributedPool(options: { schema: string; prefix: string; registryFor: (who: string) => RunWorkerOptions["registry"] }): Promise<DistributedPool> {
  const queueUrl = `${REDIS_URL}?queue=runs&prefix=${options.prefix}`;
  const savers = [0, 1].map(() => new PostgresCheckpointer(`${PG_URL}?schema=${options.schema}`));
  const workers = ["a", "b"].map((name, i) => new RunWorker({ queue: queueUrl, checkpointer: savers[i], registry: options.registryFor(name), name, concurrency: 2, branchConcurrency: 4, busyDelayMs: 50 }));
  for (const w of workers) await w.start();
  const submitter = new QueueRunSubmitter(queueUrl);
  return {
    savers,
    workers,
    submitter,
    async close() {
      await submitter.close();
      for (const w of workers) await w.close(true);
      await savers[1].closeAsync();
      await savers[0].dropSchema();
      await deleteTestKeys(options.prefix);
    },
  };
}

/**
 * Starts the pool in the file's `beforeAll` (not when `skip` is truthy: the reason services are missing)
 * and hands it to `use`; closes it in `afterAll`.
 */
export function usePool(options: Parameters<typeof distributedPool>[0], skip: unknown, use: (pool: DistributedPool) => void): void {
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
