/**
 * `QueueRunSubmitter`: the `RunSubmitter` of a worker pool (issue 13 §2). `submit` adds a
 * BullMQ job (job id = run id) that any `rag worker` on the queue runs; `events` reads
 * the run's Redis Stream (replayable from an id), `cancel` reaches the worker running it.
 * Holds no state of its own: any number of submitters (CLI processes, `rag serve`
 * replicas) share one queue. Every job is signed with the deployment's queue secret, read
 * from the Postgres store the workers share (`job-signature.ts`): workers run no job
 * without it. What the run leaves in Redis (events, summary) is sealed with the same key
 * (`run-log.ts`), and a cancellation is recorded in Postgres before it is published: final.
 */
import { Job, Queue } from "bullmq";
import { Redis } from "ioredis";
import { CancelledError, errorToJson, InvalidResumeError, newId, type PendingInterrupt, type RunEvent } from "../runtime/index.js";
import { redisAnswers } from "./errors.js";
import { signJob, type QueueSecretSource } from "./job-signature.js";
import { parsePostgresUrl, PostgresCheckpointer } from "./postgres-checkpointer.js";
import { quoteSchema } from "./pg-migrations.js";
import { parseQueueUrl, type QueueUrl } from "./redis-url.js";
import { isEnded, RunLog, type QueuedRunSummary, type RunLogNotice } from "./run-log.js";
import type { QueueJobData } from "./run-jobs.js";
import type { RunHandle, RunOutcome, RunSubmitter, SubmitResume, SubmitRun } from "./run-queue.js";

/** What a submitter needs of the Postgres store: the queue secret, and where cancellations are recorded (`PostgresCheckpointer`). */
export interface QueueStore extends QueueSecretSource {
  /** Records that the run was cancelled (final: workers refuse a later job of it). @throws CheckpointError */
  cancelQueueRun(runId: string, threadId: string): Promise<void>;
}

export interface QueueRunSubmitterOptions {
  /**
   * The Postgres store the workers checkpoint to — a `postgres://…[?schema=…]` URL (opened
   * here, connected on first use, closed by `close`) or a `PostgresCheckpointer` (any
   * `QueueStore`; not closed here). Jobs are signed with its queue secret
   * (`PostgresCheckpointer.queueSecret`); workers refuse jobs signed with another. Reading
   * a run's events or summary needs it too (they are sealed with that secret's key).
   */
  readonly checkpoints: string | QueueStore;
  /** Told of each run-log entry refused (it does not open under the queue key: `run-log.ts`); default: nothing is told. */
  readonly onNotice?: (notice: RunLogNotice) => void;
  /** Attempts of a job whose run failed to reach its checkpoints (BullMQ `attempts`, default 5; backoff 1 s doubling). */
  readonly attempts?: number;
}

/** BullMQ job states of a job no worker holds yet. */
const QUEUED = new Set(["waiting", "delayed", "prioritized", "wait"]);

export class QueueRunSubmitter implements RunSubmitter {
  readonly url: QueueUrl;
  readonly queue: Queue;
  readonly log: RunLog;
  private readonly redis: Redis;
  /** The last connection error ioredis reported ("connect ECONNREFUSED 127.0.0.1:6390"), for `ping`'s message. */
  private lastError: string | undefined;

  /** The store opened here from a URL, on the first submit (closed by `close`). */
  private owned: PostgresCheckpointer | undefined;

  /** @throws ScaleConfigError for a bad queue URL; CheckpointError for a bad Postgres URL or schema name. Connects lazily (Postgres on the first submit). */
  constructor(queue: string | QueueUrl, private readonly options: QueueRunSubmitterOptions) {
    this.url = typeof queue === "string" ? parseQueueUrl(queue) : queue;
    if (typeof options.checkpoints === "string") quoteSchema(parsePostgresUrl(options.checkpoints).schema ?? "ragraph");
    this.redis = new Redis({ ...this.url.connection, maxRetriesPerRequest: 3 });
    this.redis.on("error", (e: Error) => void (this.lastError = e.message));
    this.log = new RunLog(this.redis, this.url.prefix, { queueSecret: () => this.secrets().queueSecret() }, options.onNotice);
    this.queue = new Queue(this.url.queue, { connection: this.url.connection, prefix: this.url.prefix });
    this.queue.on("error", () => undefined);
  }

  /**
   * Checks that Redis answers (`PING`), so a server started against a Redis that is down
   * says so at once instead of failing its requests one by one.
   *
   * @param timeoutMs how long to wait (default 10,000 ms).
   * @throws QueueUnavailableError naming the URL and the connection error.
   */
  async ping(timeoutMs = 10_000): Promise<void> {
    await redisAnswers(this.redis.ping(), this.url.shown, timeoutMs, () => this.lastError);
  }

  /**
   * Enqueues a run or a resume, signed (`job-signature.ts`); returns at once with its run id.
   *
   * @throws InvalidResumeError for a resume whose command carries `update` (or any key but
   *   `value`, `values`, `steering`), or names no `checkpointId`;
   *   CheckpointError when the Postgres store (the queue secret) cannot be reached.
   */
  async submit(job: SubmitRun | SubmitResume): Promise<RunHandle> {
    const runId = newId("run");
    let data: QueueJobData;
    if (job.kind === "run") {
      data = { kind: "run", runId, threadId: job.threadId, hash: job.hash, graph: job.graph, file: job.file, source: job.source, input: { ...job.input }, ...(job.metadata ? { metadata: { ...job.metadata } } : {}) };
    } else {
      const extra = Object.keys(job.command).filter((k) => k !== "value" && k !== "values" && k !== "steering");
      if (extra.length) throw new InvalidResumeError(`a queued resume carries answers and steering only, not \`${extra[0]}\` (to change the thread's state, update it first, then resume)`);
      if (typeof job.checkpointId !== "string" || !job.checkpointId) throw new InvalidResumeError(`a queued resume names the checkpoint it answers (\`checkpointId\`, the thread's latest)`);
      const { value, values, steering } = job.command;
      const command = { ...(Object.hasOwn(job.command, "value") ? { value } : {}), ...(values !== undefined ? { values: { ...values } } : {}), ...(steering !== undefined ? { steering } : {}) };
      data = { kind: "resume", runId, threadId: job.threadId, command, checkpointId: job.checkpointId, ...(job.metadata ? { metadata: { ...job.metadata } } : {}) };
    }
    const signed = signJob(await this.secrets().queueSecret(), "run", data);
    const summary: QueuedRunSummary = {
      runId,
      threadId: job.threadId,
      graph: job.kind === "run" ? job.graph : (job.graph ?? ""),
      file: job.kind === "run" ? job.file : (job.file ?? ""),
      status: "queued",
      startedAt: Date.now(),
      events: 0,
    };
    await this.log.create(summary);
    await this.queue.add(job.kind, signed, {
      jobId: runId,
      attempts: this.options.attempts ?? 5,
      backoff: { type: "exponential", delay: 1000 },
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
    return { runId, threadId: job.threadId };
  }

  /** Where the queue secret comes from (and cancellations are recorded): the given store, or the one opened here from its URL. */
  private secrets(): QueueStore {
    const c = this.options.checkpoints;
    if (typeof c !== "string") return c;
    return (this.owned ??= new PostgresCheckpointer(c, { poolSize: 1 }));
  }

  events(runId: string, from?: string, signal?: AbortSignal): AsyncIterable<{ readonly id: string; readonly event: RunEvent }> {
    return this.log.read(runId, from, signal);
  }

  /** The run's summary (undefined: unknown here, or expired). */
  summary(runId: string): Promise<QueuedRunSummary | undefined> {
    return this.log.summary(runId);
  }

  /** The newest runs of the queue, newest first. */
  list(limit = 100): Promise<QueuedRunSummary[]> {
    return this.log.list(limit);
  }

  /**
   * Cancels the run wherever it runs. The cancellation is first recorded in Postgres
   * (`cancelQueueRun`): final — a worker refuses any later job of the run, even one a Redis
   * peer added back after it was removed here. Then it is published (`RunLog.cancel`,
   * signed with the queue secret: workers ignore an unsigned cancellation) to stop a running
   * one. `CheckpointError` when the store cannot be reached. A job no worker holds (waiting
   * for a free worker, or delayed before another attempt) is removed from the queue and
   * the run ended here as cancelled, with its `run_failed` event: its watchers need not
   * wait for a worker to come free just to learn that. The thread stays resumable.
   */
  async cancel(runId: string): Promise<void> {
    const store = this.secrets();
    const known = await this.log.summary(runId).catch(() => undefined);
    await store.cancelQueueRun(runId, known?.threadId ?? "");
    await this.log.cancel(runId, await store.queueSecret());
    const job = await Job.fromId(this.queue, runId).catch(() => undefined);
    // `remove` refuses a job a worker holds (its lock): that worker sees the cancellation instead.
    if (!job || !QUEUED.has(await job.getState().catch(() => "unknown"))) return;
    if (!(await job.remove().then(() => true, () => false))) return;
    const s = await this.log.summary(runId);
    if (s && !isEnded(s.status)) await this.log.fail(runId, { status: "cancelled", error: errorToJson(new CancelledError(`run ${runId} was cancelled before a worker ran it to its end`)) });
  }

  async outcome(runId: string): Promise<RunOutcome> {
    const s = await this.log.summary(runId);
    let last: RunEvent | undefined;
    if (!s || !isEnded(s.status) || s.status === "completed" || s.status === "interrupted") {
      for await (const { event } of this.log.read(runId)) if (event.depth === 0) last = event;
    }
    const end = await this.log.summary(runId);
    if (last?.type === "run_completed") return { status: "completed", state: last.state };
    if (last?.type === "run_interrupted") return { status: "interrupted", interrupts: last.interrupts as unknown as PendingInterrupt[] };
    if (end?.status === "cancelled") return { status: "cancelled" };
    return { status: "failed", error: end?.error ?? { code: "internal", message: `run ${runId} is unknown to the queue (or expired)` } };
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.redis.disconnect();
    await this.owned?.closeAsync();
  }
}
