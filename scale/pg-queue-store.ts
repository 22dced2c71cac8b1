/**
 * The queue's tables in the Postgres checkpoint store (split out of
 * `postgres-checkpointer.ts`): blueprint sources by hash (`sources`: workers compile jobs
 * from them), the deployment's queue secret (`queue_secret`: jobs are signed with it,
 * `job-signature.ts`) and the record of queue runs started and ended (`queue_runs`: a
 * signed job of a run that already ended is not run again). `PostgresCheckpointer`
 * exposes these as its own methods.
 */
import { randomBytes } from "node:crypto";
import { CheckpointError } from "../runtime/index.js";
import type { PgStoreContext } from "./pg-store-context.js";

/** A blueprint's source: the graph name, the file it was read from and the `.rag` text. */
export interface StoredSource {
  readonly graph: string;
  readonly file: string;
  readonly source: string;
}

/** What a worker may do with a queue run it takes (`claimQueueRun`). */
export type QueueRunClaim = "run" | "ended" | "cancelled";

export class PgQueueStore {
  /** The queue secret, once read (`queueSecret`). */
  private secret: Promise<Uint8Array> | undefined;

  constructor(private readonly ctx: PgStoreContext) {}

  /**
   * Stores the source a blueprint hash was compiled from (workers compile jobs from it).
   * A hash already stored keeps its first source.
   *
   * @throws CheckpointError when the store fails.
   */
  async putSource(hash: string, record: StoredSource): Promise<void> {
    const { pool, q } = this.ctx;
    await this.ctx.guard("saving a blueprint source", () =>
      pool.query(`INSERT INTO ${q}.sources (hash, graph, file, source, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING`, [hash, record.graph, record.file, record.source, Date.now()]),
    );
  }

  /**
   * The source stored for a blueprint hash, if any.
   *
   * @throws CheckpointError when the store fails.
   */
  async getSource(hash: string): Promise<{ graph: string; file: string; source: string } | undefined> {
    const { pool, q } = this.ctx;
    return this.ctx.guard("reading a blueprint source", async () => {
      const { rows } = await pool.query<{ graph: string; file: string; source: string }>(`SELECT graph, file, source FROM ${q}.sources WHERE hash = $1`, [hash]);
      return rows[0];
    });
  }

  /**
   * The deployment's queue secret (`job-signature.ts`): 32 random bytes (`randomBytes`) in
   * `<schema>.queue_secret`, made by the first process that asks (insert if absent, then
   * read back, so processes racing to make it all get the one that was kept), cached for
   * this store's lifetime. Submitters sign queue jobs with it and workers check
   * them by it; it never leaves Postgres except to them.
   *
   * @throws CheckpointError when the store cannot be reached (not cached: asked again next time).
   */
  queueSecret(): Promise<Uint8Array> {
    if (this.secret) return this.secret;
    const { pool, q } = this.ctx;
    const made = this.ctx.guard("reading the queue secret", async () => {
      await pool.query(`INSERT INTO ${q}.queue_secret (id, secret, created_at) VALUES (TRUE, $1, $2) ON CONFLICT (id) DO NOTHING`, [randomBytes(32), Date.now()]);
      const { rows } = await pool.query<{ secret: Buffer }>(`SELECT secret FROM ${q}.queue_secret WHERE id`);
      const secret = rows[0]?.secret;
      if (!secret || secret.length < 32) throw new CheckpointError(`${this.ctx.where}: the queue secret is missing or shorter than 32 bytes`);
      return new Uint8Array(secret);
    });
    this.secret = made;
    made.catch(() => this.secret === made && (this.secret = undefined));
    return made;
  }

  /**
   * Records that a worker starts queue run `runId` (a run or resume job) of `threadId`, and
   * says whether it may: `ended` when the run already ran to its end (`endQueueRun`) — the
   * signed job was added to the queue again (a replay: Redis peers can read jobs and add
   * them back once BullMQ removed them); `cancelled` when its cancellation was recorded
   * (`cancelQueueRun`), whatever Redis says now; otherwise `run`. A later attempt of a run
   * that did not end (its worker died, its store failed) may run.
   *
   * @throws CheckpointError when the store cannot be reached.
   */
  async claimQueueRun(runId: string, threadId: string): Promise<QueueRunClaim> {
    const { pool, q } = this.ctx;
    return this.ctx.guard(`recording queue run ${runId}`, async () => {
      const { rows } = await pool.query<{ ended: boolean; cancelled: boolean }>(
        `INSERT INTO ${q}.queue_runs (run_id, thread_id, started_at) VALUES ($1, $2, $3) ON CONFLICT (run_id) DO UPDATE SET run_id = EXCLUDED.run_id RETURNING ended, cancelled`,
        [runId, threadId, Date.now()],
      );
      return rows[0]?.ended === true ? "ended" : rows[0]?.cancelled === true ? "cancelled" : "run";
    });
  }

  /**
   * Records that queue run `runId` was cancelled (by `QueueRunSubmitter.cancel`, before the
   * cancellation is published in Redis). Final: a job of the run that reaches a worker
   * afterwards — it was waiting, or a Redis peer added its signed payload back after it
   * was removed and deleted the cancellation key — is not run (`claimQueueRun`). A run
   * running when it is cancelled stops on the published message.
   *
   * @param threadId the run's thread, when known (`""` otherwise: the row is keyed by run id).
   * @throws CheckpointError when the store cannot be reached.
   */
  async cancelQueueRun(runId: string, threadId: string): Promise<void> {
    const { pool, q } = this.ctx;
    await this.ctx.guard(`recording the cancellation of queue run ${runId}`, () =>
      pool.query(`INSERT INTO ${q}.queue_runs (run_id, thread_id, cancelled, started_at) VALUES ($1, $2, TRUE, $3) ON CONFLICT (run_id) DO UPDATE SET cancelled = TRUE`, [runId, threadId, Date.now()]),
    );
  }

  /**
   * Whether queue run `runId`'s cancellation was recorded (`cancelQueueRun`): a worker asks
   * before it runs a branch job of the run, since the Redis cancellation key can be deleted
   * and the signed branch job added back by a Redis peer. (Not `ended`: a root run's row
   * may end while branches it abandoned still finish.)
   *
   * @throws CheckpointError when the store cannot be reached.
   */
  async queueRunCancelled(runId: string): Promise<boolean> {
    const { pool, q } = this.ctx;
    return this.ctx.guard(`reading queue run ${runId}`, async () => {
      const { rows } = await pool.query<{ cancelled: boolean }>(`SELECT cancelled FROM ${q}.queue_runs WHERE run_id = $1`, [runId]);
      return rows[0]?.cancelled === true;
    });
  }

  /**
   * Records that queue run `runId` of `threadId` ran to its end (completed, paused, failed,
   * cancelled before it started): a job of it is not run again (`claimQueueRun`).
   *
   * @throws CheckpointError when the store cannot be reached.
   */
  async endQueueRun(runId: string, threadId: string): Promise<void> {
    const { pool, q } = this.ctx;
    await this.ctx.guard(`recording the end of queue run ${runId}`, () =>
      pool.query(`INSERT INTO ${q}.queue_runs (run_id, thread_id, ended, started_at) VALUES ($1, $2, TRUE, $3) ON CONFLICT (run_id) DO UPDATE SET ended = TRUE`, [runId, threadId, Date.now()]),
    );
  }
}
