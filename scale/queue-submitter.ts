/**
 * `QueueRunSubmitter`: the `RunSubmitter` of a worker pool (issue 13 §2). `submit` adds a
 * BullMQ job (job id = run id) that any `rag worker` on the queue runs; `events` reads
 * the run's Redis Stream (replayable from an id), `cancel` reaches the worker running it.
 * Holds no state of its own: any number of submitters (CLI processes, `rag serve`
 * replicas) share one queue.
 */
import { Job, Queue } from "bullmq";
import { Redis } from "ioredis";
import { CancelledError, errorToJson, newId, type PendingInterrupt, type RunEvent } from "../runtime/index.js";
import { redisAnswers } from "./errors.js";
import { parseQueueUrl, type QueueUrl } from "./redis-url.js";
import { isEnded, RunLog, type QueuedRunSummary } from "./run-log.js";
import type { QueueJobData } from "./run-jobs.js";
import type { RunHandle, RunOutcome, RunSubmitter, SubmitResume, SubmitRun } from "./run-queue.js";

export interface QueueRunSubmitterOptions {
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

  /** @throws ScaleConfigError for a bad queue URL. Connects lazily. */
  constructor(queue: string | QueueUrl, private readonly options: QueueRunSubmitterOptions = {}) {
    this.url = typeof queue === "string" ? parseQueueUrl(queue) : queue;
    this.redis = new Redis({ ...this.url.connection, maxRetriesPerRequest: 3 });
    this.redis.on("error", (e: Error) => void (this.lastError = e.message));
    this.log = new RunLog(this.redis, this.url.prefix);
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

  /** Enqueues a run or a resume; returns at once with its run id. */
  async submit(job: SubmitRun | SubmitResume): Promise<RunHandle> {
    const runId = newId("run");
    const data: QueueJobData =
      job.kind === "run"
        ? { kind: "run", runId, threadId: job.threadId, hash: job.hash, graph: job.graph, file: job.file, source: job.source, input: { ...job.input }, ...(job.metadata ? { metadata: { ...job.metadata } } : {}) }
        : { kind: "resume", runId, threadId: job.threadId, command: { ...job.command }, ...(job.checkpointId !== undefined ? { checkpointId: job.checkpointId } : {}), ...(job.metadata ? { metadata: { ...job.metadata } } : {}) };
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
    await this.queue.add(job.kind, data, {
      jobId: runId,
      attempts: this.options.attempts ?? 5,
      backoff: { type: "exponential", delay: 1000 },
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
    return { runId, threadId: job.threadId };
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
   * Cancels the run wherever it runs (`RunLog.cancel`). A job no worker holds (waiting
   * for a free worker, or delayed before another attempt) is removed from the queue and
   * the run ended here as cancelled, with its `run_failed` event: its watchers need not
   * wait for a worker to come free just to learn that. The thread stays resumable.
   */
  async cancel(runId: string): Promise<void> {
    await this.log.cancel(runId);
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
  }
}
