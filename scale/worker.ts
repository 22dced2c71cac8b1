/**
 * `RunWorker`: consumes run jobs from a BullMQ queue (issue 13 §2) and runs them on the
 * shared Postgres checkpoints, writing each run's events to a Redis Stream (`run-log.ts`).
 *
 * - **Signed jobs only.** Every job (run, resume, branch) must carry a valid HMAC of its
 *   data under the deployment's queue secret, kept in the Postgres store
 *   (`job-signature.ts`); the worker checks it first and fails any other job for good
 *   (`UntrustedJobError`, `untrusted_job`), running nothing: whoever can write to Redis
 *   can add jobs, but cannot make workers act on them.
 * - **Once.** A worker records each run it starts in Postgres (`claimQueueRun`) and its
 *   end (`endQueueRun`); a signed job of a run that already ended — read from Redis and
 *   added again after BullMQ removed it — is refused the same way, and nothing runs.
 * - **Blueprints by hash.** A `run` job carries its `.rag` source and blueprint hash; the
 *   worker compiles the source against its own registry (`rag worker --config`) and
 *   refuses the job (`UnknownBlueprintError`, the run fails) when it compiles to another
 *   hash. The source is stored by hash in Postgres (`sources`), so a `resume` job — which
 *   carries only the thread — compiles the thread's checkpointed hash from there, and is
 *   refused when no source was stored for it.
 * - **Leases.** BullMQ's job lock is the lease: the worker renews it while the run
 *   executes (`lockDuration`); a worker that dies stops renewing, and the stalled-job
 *   check of any live worker moves the job back to the queue. The next attempt sees the
 *   thread's latest checkpoint tagged with this run's id (`metadata.queueRun`) and
 *   resumes from it: tasks whose writes were committed do not run again. A lease can run
 *   out while its worker is alive but stalled; the thread lock (below) keeps a second
 *   executor off the run, and a branch job's lock (`PostgresCheckpointer.holdBranch`) off
 *   the branch: the job is put back until the first executor committed or died.
 * - **One run per thread at a time.** The worker takes the thread's Postgres advisory
 *   lock and reads its latest checkpoint in one round trip
 *   (`PostgresCheckpointer.acquireLatest`; released when the run ends or the process dies); a job whose thread is busy (another process, or another job of
 *   this one) goes back to the queue, delayed by `busyDelayMs`.
 * - **Interrupts release the worker**: a paused run ends the job and releases the thread.
 * - **A resume answers one checkpoint.** A `resume` job names the checkpoint it was
 *   answered against (`checkpointId`); when the thread's latest checkpoint (read with the
 *   lock) is another — an earlier job answered the interrupt and ran on — the job fails
 *   with `StaleResumeError` (`stale_resume`) and nothing runs: an approved step never runs
 *   twice, and an answer never lands on a later interrupt it was not given for.
 * - **Cancellation** reaches the run on whichever worker runs it: it is recorded in
 *   Postgres (`cancelQueueRun`: final — a job of a cancelled run that reaches a worker later,
 *   re-added by a Redis peer, is refused when claimed, and nothing runs; so is a branch job
 *   of it, `queueRunCancelled`), then
 *   `RunLog.cancel` sets a key (checked when a job starts) and publishes on `P:cancel`
 *   (aborts a running one). Both carry a tag made with the queue secret
 *   (`cancel-signature.ts`): a cancellation a Redis writer made without it is ignored and
 *   reported (`onNotice`, `forged_cancel`); an abort of a branch job naming another
 *   hand-over of it than the one running (replayed) too (`replayed_cancel`).
 * - **Sealed in Redis.** The run's events, summary and end entry (`RunLog`) and the
 *   results of branch jobs (`sealBranchReply`) are sealed with the queue key like job
 *   payloads; an entry that does not open is skipped and reported (`unsealed_entry`).
 *
 * After LangGraph Platform's task queue (a run is a job; workers hold it with a
 * heartbeat-renewed lease; a lost lease re-queues it), built here on BullMQ.
 */
import { hostname } from "node:os";
import { DelayedError, UnrecoverableError, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { SpendBook, type Registry, type Spend } from "../registry/index.js";
import { ancestryRefusal, CancelledError, enclosingAsks, type ModelAsks, CompiledGraph, errorToJson, type CheckpointTuple, neutralizeJson, pendingInterrupts, runBranchAt, type BranchResult, type ResumeCommand, type RunEvent } from "../runtime/index.js";
import { eventObserver } from "../stdlib/index.js";
import { redisAnswers, StaleResumeError, ThreadBusyError, UnknownBlueprintError, UntrustedJobError } from "./errors.js";
import { trustedBranchJob, trustedRunJob } from "./job-trust.js";
import { cancelMessage, cancelTargetText, readCancelMessage } from "./cancel-signature.js";
import { WorkerBlueprints } from "./worker-blueprints.js";
import type { PostgresCheckpointer } from "./postgres-checkpointer.js";
import { parseQueueUrl, type QueueUrl } from "./redis-url.js";
import { isEnded, RunLog, type QueuedRunStatus } from "./run-log.js";
import { QueueJobData } from "./run-jobs.js";
import { type BranchJobData, branchQueueName, QueueBranchRunner, sealBranchReply } from "./branch-queue.js";

export interface RunWorkerOptions {
  /** Queue URL (`redis://…?queue=…&prefix=…`, see `redis-url.ts`) or its parsed form. */
  readonly queue: string | QueueUrl;
  /** The shared checkpoints (runs, thread locks, blueprint sources). */
  readonly checkpointer: PostgresCheckpointer;
  /** Registry jobs compile and run against (the worker's config). */
  readonly registry: Registry;
  /** Jobs run at once by this worker (default 1). */
  readonly concurrency?: number;
  /** Job lease, ms (BullMQ `lockDuration`, default 30,000): how long a dead worker's job waits before another takes it. */
  readonly lockDurationMs?: number;
  /** How often this worker looks for stalled jobs, ms (BullMQ `stalledInterval`, default `lockDurationMs`). */
  readonly stalledIntervalMs?: number;
  /** Times a job may be recovered from a dead worker before it fails (BullMQ `maxStalledCount`, default 10). */
  readonly maxStalledCount?: number;
  /** Delay before a job whose thread is busy is tried again, ms (default 250). */
  readonly busyDelayMs?: number;
  /** Name shown in run summaries (default `host:pid`). */
  readonly name?: string;
  /**
   * `branches`: the `send` branches of every run — in its child graphs too — become branch
   * jobs any worker runs (`branch-queue.ts`); a graph asks for it itself (for its own
   * fan-outs and its child graphs') with `defaults { distribute: branches }`.
   * Default `none` (a run's branches run in its worker, unless its graph asks).
   */
  readonly distribute?: "none" | "branches";
  /** Branch jobs run at once by this worker (default 16; branches are mostly waiting on I/O). */
  readonly branchConcurrency?: number;
  /**
   * Told of what the worker refused that reached it through Redis without a job to fail —
   * a cancellation whose tag does not check out (`forged_cancel`: set or published by a
   * Redis writer without the queue secret; the run goes on), a genuine abort of an earlier
   * hand-over of a branch job published again (`replayed_cancel`), a run-log entry that
   * does not open under the queue key (`unsealed_entry`). Default: nothing is told (the
   * count of refused cancellations is `RunWorker.forgedCancels`); `rag worker` prints them.
   */
  readonly onNotice?: (notice: WorkerNotice) => void;
}

/** Something a worker refused outside of a job (`RunWorkerOptions.onNotice`). */
export interface WorkerNotice {
  readonly code: "forged_cancel" | "replayed_cancel" | "unsealed_entry";
  readonly message: string;
  /** What the cancellation claimed to stop (`run:<runId>`, `branch:<runId>:<jobId>:<nonce>`, or the message's text); for `unsealed_entry`, the Redis key. */
  readonly target: string;
}

/** Root events that end a run. */
const TERMINAL = new Set(["run_completed", "run_interrupted", "run_failed"]);
/** Error codes of a failed run that make the job be tried again rather than reported (the store failed, not the graph). */
const RETRIED = new Set(["checkpoint"]);


export class RunWorker {
  readonly worker: Worker;
  /** Consumes `<queue>-branches` (`distribute: branches`). */
  readonly branchWorker: Worker;
  readonly url: QueueUrl;
  readonly name: string;
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly log: RunLog;
  /** Times a job may be recovered from a dead worker before BullMQ fails it (`maxStalledCount`). */
  private readonly maxStalled: number;
  private readonly active = new Map<string, AbortController>();
  /** Branch jobs running here, by run id (a cancellation aborts them too). */
  private readonly branches = new Map<string, Set<AbortController>>();
  /** Hands this worker's runs' branches to the pool; made once Redis answered (`start`): its close waits on a connection that never came up. */
  private branchRunner: QueueBranchRunner | undefined;
  /** Budget ledgers shared by the branches of one step (thread, namespace, checkpoint) running here (`BranchRunOptions.share`). */
  private readonly stepShares = new Map<string, { ledger: SpendBook; keys: Set<string>; running: number }>();
  /** Branch jobs running here, by job id (a run that stops waiting for one aborts it). */
  private readonly branchJobs = new Map<string, { readonly controller: AbortController; readonly runId: string; readonly nonce: string }>();
  /** Cancellations refused (tag missing or wrong), `forgedCancels`. */
  private forged = 0;
  private readonly threads = new Set<string>();
  /** Compiles and caches the blueprints jobs run (`worker-blueprints.ts`). */
  private readonly blueprints: WorkerBlueprints;
  private readonly ready: Promise<unknown>;
  /** The last connection error of the cancellation subscriber (reported when Redis never answers). */
  private lastError: string | undefined;

  constructor(private readonly options: RunWorkerOptions) {
    this.url = typeof options.queue === "string" ? parseQueueUrl(options.queue) : options.queue;
    this.name = options.name ?? `${hostname()}:${process.pid}`;
    this.blueprints = new WorkerBlueprints(options.registry, options.checkpointer);
    this.redis = new Redis(this.url.connection);
    this.redis.on("error", () => undefined); // ioredis reconnects; commands report failures
    this.log = new RunLog(this.redis, this.url.prefix, options.checkpointer, (n) => this.notify({ code: "unsealed_entry", message: n.message, target: n.key }));
    this.subscriber = new Redis(this.url.connection);
    this.subscriber.on("error", (e: Error) => (this.lastError = e.message));
    this.subscriber.on("message", (_channel: string, message: string) => void this.cancelled(message).catch(() => undefined));
    this.ready = this.subscriber.subscribe(this.log.cancelChannel);
    const lockDuration = options.lockDurationMs ?? 30_000;
    this.maxStalled = options.maxStalledCount ?? 10;
    // Both queues (runs and branches) hold their jobs under the same lease (BullMQ's lock and stall check).
    const leased = (concurrency: number) => ({
      connection: this.url.connection,
      prefix: this.url.prefix,
      concurrency,
      lockDuration,
      stalledInterval: options.stalledIntervalMs ?? lockDuration,
      maxStalledCount: this.maxStalled,
      name: this.name,
      autorun: false,
    });
    this.worker = new Worker(this.url.queue, (job, token) => this.process(job, token), leased(options.concurrency ?? 1));
    this.worker.on("error", () => undefined); // connection errors: BullMQ retries
    // A job that stalled more than `maxStalledCount` times (its workers kept dying) is failed
    // by BullMQ's stall check without reaching `process`: end its run here, or its watchers
    // would wait forever on a summary that says `running`.
    this.worker.on("failed", (job, err) => {
      if (!job?.id || !/stalled more than allowable limit/.test(err?.message ?? "")) return;
      // A run job's id is its run id (its payload is sealed, and need not be opened to end its run).
      const runId = job.id;
      void this.log
        .summary(runId)
        .then((s) => (!s || isEnded(s.status) ? undefined : this.log.fail(runId, { status: "failed", error: { code: "stalled", message: `run ${runId} was abandoned by ${this.maxStalled + 1} workers in a row (each stopped renewing its lease: killed, or its event loop blocked longer than the lease); it was not retried again` }, worker: this.name })))
        .catch(() => undefined);
    });
    this.branchWorker = new Worker(branchQueueName(this.url.queue), (job, token) => this.processBranch(job, token), leased(options.branchConcurrency ?? 16));
    this.branchWorker.on("error", () => undefined);
  }

  /**
   * Starts taking jobs; resolves once subscribed to cancellations.
   *
   * @param timeoutMs how long to wait for Redis (default 10,000 ms).
   * @throws QueueUnavailableError when Redis does not answer within `timeoutMs` (ioredis
   *   would otherwise keep reconnecting, silently, for ever); the worker is then unusable: `close(true)` it.
   */
  async start(timeoutMs = 10_000): Promise<void> {
    await redisAnswers(this.ready, this.url.shown, timeoutMs, () => this.lastError);
    this.branchRunner ??= new QueueBranchRunner(this.url, {
      secrets: this.options.checkpointer,
      cancelActive: async (jobId, runId, nonce) => void (await this.redis.publish(this.log.cancelChannel, cancelMessage(await this.options.checkpointer.queueSecret(), { run: runId, branchJob: jobId, nonce }))),
      // A completed branch's outcome is read from Postgres, where its worker committed it, not from the job's reply in Redis.
      committed: (b) => this.options.checkpointer.branchRecord({ threadId: b.threadId, namespace: b.namespace, checkpointId: b.checkpointId }, b.taskId),
    });
    void this.worker.run().catch(() => undefined);
    void this.branchWorker.run().catch(() => undefined);
    await Promise.all([this.worker.waitUntilReady(), this.branchWorker.waitUntilReady()]);
  }

  /** Stops taking jobs, waits for the running ones (`force`: abandons them to another worker) and closes connections. */
  async close(force = false): Promise<void> {
    await this.worker.close(force);
    await this.branchWorker.close(force);
    await this.branchRunner?.close();
    this.subscriber.disconnect();
    this.redis.disconnect();
  }

  /** Cancellations this worker refused since it started: their tag did not check out (`onNotice`, `forged_cancel`). */
  get forgedCancels(): number {
    return this.forged;
  }

  /**
   * A message of the cancellation channel (any Redis peer can publish there): acted on only
   * when its tag checks out under the queue secret (`readCancelMessage`); otherwise ignored
   * and reported (`forged_cancel`). A run's cancellation aborts it and its branch jobs
   * running here; a branch job's (its run stopped waiting for it) aborts that job, when it
   * runs here for that run.
   */
  private async cancelled(message: string): Promise<void> {
    const read = readCancelMessage(await this.options.checkpointer.queueSecret(), message);
    if (!read) return;
    if ("forged" in read) return this.refusedCancel(read.forged, "published on the cancellation channel");
    const t = read.target;
    if ("branchJob" in t) {
      const held = this.branchJobs.get(t.branchJob);
      if (held?.runId !== t.run) return;
      if (held.nonce === t.nonce) held.controller.abort(new CancelledError(`branch job ${t.branchJob} was abandoned by its run`));
      else this.refused("replayed_cancel", cancelTargetText(t), `ignored an abort of branch job ${t.branchJob} of run ${t.run}: it was made for an earlier hand-over of that job (nonce ${t.nonce}), not the one running here — a genuine abort published again (replayed); the branch goes on`);
      return;
    }
    const reason = new CancelledError(`run ${t.run} cancelled through the queue`);
    this.active.get(t.run)?.abort(reason);
    for (const c of this.branches.get(t.run) ?? []) c.abort(reason);
  }

  /** Counts and reports a cancellation whose tag did not check out (the run goes on). */
  private refusedCancel(target: string, where: string): void {
    this.refused("forged_cancel", target, `ignored a cancellation of ${target} ${where}: its tag does not check out under this deployment's queue secret (a Redis writer without the secret sent it); the run goes on`);
  }

  /** Counts and reports a cancellation refused (`forged_cancel`, `replayed_cancel`). */
  private refused(code: "forged_cancel" | "replayed_cancel", target: string, message: string): void {
    this.forged++;
    this.notify({ code, message, target });
  }

  /** Tells `onNotice` (a reporter that throws does not stop the worker). */
  private notify(notice: WorkerNotice): void {
    try {
      this.options.onNotice?.(notice);
    } catch {
      // a reporter that throws does not stop the worker
    }
  }

  /** Whether run `runId` was cancelled before its job (or branch job) started: only a signed cancellation counts (a forged key is reported). */
  private async cancelledBefore(runId: string): Promise<boolean> {
    const c = await this.log.cancellation(runId, await this.options.checkpointer.queueSecret());
    if (c === "forged") this.refusedCancel(`run:${runId}`, "found in its cancellation key");
    return c === "cancelled";
  }

  /** Runs currently executing here. */
  get running(): number {
    return this.active.size;
  }

  /**
   * Runs a job; when its last attempt fails (the stores unreachable through its whole
   * backoff, BullMQ `attempts`) the run is ended here with the error, as a failed run
   * (`RunLog.fail`): BullMQ then fails the job for good, and without an end its watchers
   * would wait forever on a run whose summary says `running`.
   */
  private async process(job: Job, token: string | undefined): Promise<QueuedRunStatus> {
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    let data: QueueJobData;
    try {
      data = trustedRunJob(job, await this.options.checkpointer.queueSecret());
    } catch (e) {
      // Refused (failed for good: BullMQ does not try an `UnrecoverableError` again), or the
      // store with the secret unreachable (tried again, reported after the last attempt).
      const refused = e instanceof UntrustedJobError;
      if (refused || last) await this.endClaimed(job, e);
      throw refused ? new UnrecoverableError(`${e.code}: ${e.message}`) : e;
    }
    try {
      const status = await this.processJob(job, data, token, last);
      // Ran to its end: the signed job, added again, is refused (`claimQueueRun`).
      await this.options.checkpointer.endQueueRun(data.runId, data.threadId).catch(() => undefined);
      return status;
    } catch (e) {
      if (e instanceof DelayedError || e instanceof UnrecoverableError) throw e;
      if (last) {
        await this.endUnstarted(data, "failed", errorToJson(e)).catch(() => undefined);
        await this.options.checkpointer.endQueueRun(data.runId, data.threadId).catch(() => undefined);
      }
      throw e;
    }
  }

  /**
   * Ends the run a job that never ran claims to be (its job id: a run job's id is its run
   * id), when the run log has it and it has not ended: its watchers (a submitter signing
   * with another schema's secret, say) learn why instead of waiting. Only Redis's own
   * record is written, which any Redis peer can write anyway.
   */
  private async endClaimed(job: Job, e: unknown): Promise<void> {
    if (!job.id) return;
    const runId = job.id;
    const s = await this.log.summary(runId).catch(() => undefined);
    if (s && !isEnded(s.status)) await this.log.fail(runId, { status: "failed", error: errorToJson(e), worker: this.name }).catch(() => undefined);
  }

  private async processJob(job: Job, data: QueueJobData, token: string | undefined, lastAttempt: boolean): Promise<QueuedRunStatus> {
    const { runId, threadId } = data;
    if (this.threads.has(threadId)) return this.later(job, token);
    // Listening for a cancellation from here on, then checking for one asked before: none is missed.
    const controller = new AbortController();
    this.active.set(runId, controller);
    this.threads.add(threadId);
    const saver = this.options.checkpointer;
    try {
      if (await this.cancelledBefore(runId)) return await this.endUnstarted(data, "cancelled", errorToJson(new CancelledError(`run ${runId} was cancelled before it started`)));
      // The thread's lock and its latest checkpoint in one round trip (the run's own first read is answered from it).
      let tuple: CheckpointTuple | undefined;
      try {
        tuple = await saver.acquireLatest(threadId);
      } catch (e) {
        if (e instanceof ThreadBusyError) return await this.later(job, token);
        throw e;
      }
      // A signed job that already ran to its end, added to the queue again: nothing runs, its run's record stays as it ended.
      const claim = await saver.claimQueueRun(runId, threadId);
      if (claim === "ended") {
        const e = new UntrustedJobError(`refused: job ${job.id} is a replay: run ${runId} already ran to its end on this store (a job runs once)`, job.id);
        throw new UnrecoverableError(`${e.code}: ${e.message}`);
      }
      // Cancelled (recorded in Postgres, final) — while it waited, or before a Redis peer added its job again and removed the cancellation key: nothing runs.
      if (claim === "cancelled") {
        const s = await this.log.summary(runId).catch(() => undefined);
        if (s && isEnded(s.status)) return s.status;
        return await this.endUnstarted(data, "cancelled", errorToJson(new CancelledError(`run ${runId} was cancelled before it started`)));
      }
      return await this.execute(data, controller, tuple, lastAttempt);
    } finally {
      this.active.delete(runId);
      this.threads.delete(threadId);
      await saver.release(threadId).catch(() => undefined);
    }
  }

  /** Puts the job back, to be tried again after `busyDelayMs` (its thread is busy). */
  private async later(job: Job, token: string | undefined): Promise<never> {
    await job.moveToDelayed(Date.now() + (this.options.busyDelayMs ?? 250), token);
    throw new DelayedError();
  }

  /** Runs a job whose thread this worker holds; `tuple`: the thread's latest checkpoint, read with the lock; `lastAttempt`: a store failure is reported, not retried. */
  private async execute(data: QueueJobData, controller: AbortController, tuple: CheckpointTuple | undefined, lastAttempt: boolean): Promise<QueuedRunStatus> {
    const { runId, threadId } = data;
    // A resume answered against another checkpoint than the thread's latest is stale (an
    // earlier job answered the interrupt); a later attempt of this job itself is not.
    if (data.kind === "resume" && tuple?.metadata.queueRun !== runId && tuple?.checkpoint.id !== data.checkpointId) {
      return this.endUnstarted(data, "failed", errorToJson(new StaleResumeError(threadId, data.checkpointId, tuple?.checkpoint.id)));
    }
    const found = await this.blueprints.forJob(data, tuple);
    if ("error" in found) return this.endUnstarted(data, "failed", found.error);
    const saver = this.options.checkpointer;
    const registry = this.options.registry;
    let graph: CompiledGraph;
    try {
      graph = new CompiledGraph(found.blueprint, { registry, graphs: found.siblings, checkpointer: saver });
    } catch (e) {
      return this.endUnstarted(data, "failed", errorToJson(e), found.blueprint.id);
    }
    // A later attempt of this job (its worker died) continues from the thread's latest checkpoint.
    const continuing = tuple?.metadata.queueRun === runId;
    const metadata = { ...(data.metadata ?? {}), queueRun: runId };
    let input: Record<string, unknown> | null;
    let resume: ResumeCommand | undefined;
    if (data.kind === "run" && !continuing) {
      input = neutralizeJson(data.input) as Record<string, unknown>;
    } else {
      input = null;
      const command = data.kind === "resume" ? (neutralizeJson(data.command) as ResumeCommand) : {};
      // Answers of a resume are applied once: a continuation after a crash answers only what is still pending.
      resume = continuing && tuple && !pendingInterrupts(tuple).length ? {} : command;
    }
    // The summary update goes out while the run starts (finishing waits for it).
    const running = this.log.update(runId, { status: "running", worker: this.name, graph: found.blueprint.id });
    running.catch(() => undefined);
    // Events are appended in order, batched per tick (one Redis round trip per batch).
    let batch: RunEvent[] = [];
    let chain: Promise<void> = Promise.resolve();
    const flush = () => {
      const events = batch;
      batch = [];
      chain = chain.then(() => this.log.append(runId, events));
    };
    const onEvent = eventObserver(registry);
    // `all`: every graph of the run hands its branches over; `declared`: those whose `defaults { distribute: branches }` ask (and their child graphs).
    const distribute = this.options.distribute === "branches" ? "all" : "declared";
    // Its budget is one account in Postgres, shared with the branches it hands to the pool (`pg-spend-gate.ts`).
    const spendGate = (id: string, base: Spend) => saver.spendGate(id, base);
    // The root run's last event is held back until the job's fate is known (a checkpoint failure is retried, not reported).
    let last: RunEvent | undefined;
    try {
      for await (const e of graph.stream(input, { threadId, runId, signal: controller.signal, metadata, ...(resume ? { resume } : {}), ...(onEvent ? { onEvent } : {}), ...(this.branchRunner ? { branches: this.branchRunner, spendGate } : {}), distribute })) {
        if (e.depth === 0 && TERMINAL.has(e.type)) {
          last = e;
          continue;
        }
        if (batch.push(e) === 1) setImmediate(flush);
      }
    } finally {
      await running.catch(() => undefined);
    }
    if (last?.type === "run_failed" && RETRIED.has(String(last.error.code)) && !lastAttempt) {
      flush();
      await chain;
      // Postgres went away mid-run: BullMQ tries the job again (job `attempts`), which continues from the last commit.
      throw new Error(`run ${runId}: ${String(last.error.message)}`);
    }
    // The run ended here: its account is closed (a retried job keeps it open: the next attempt continues it).
    if (this.branchRunner) await saver.closeRunSpend(runId).catch(() => undefined);
    if (last) batch.push(last);
    flush();
    await chain;
    const worker = this.name;
    if (last?.type === "run_completed") return (await this.log.finish(runId, { status: "completed", worker })).status;
    if (last?.type === "run_interrupted") return (await this.log.finish(runId, { status: "interrupted", worker })).status;
    if (last?.type === "run_failed") return (await this.log.finish(runId, { status: last.error.code === "cancelled" ? "cancelled" : "failed", error: last.error, worker })).status;
    return this.endUnstarted(data, "failed", { code: "internal", message: "the run ended without a result" }, found.blueprint.id);
  }

  /**
   * Ends a run that did not end on its own (refused before it started, stalled, out of
   * attempts, no result): a root `run_failed` event, then the end entry (`RunLog.fail`);
   * the event's graph is `graph`, else a run job's.
   */
  private async endUnstarted(data: QueueJobData, status: "failed" | "cancelled", error: Record<string, unknown>, graph?: string): Promise<QueuedRunStatus> {
    return (await this.log.fail(data.runId, { status, error, worker: this.name, ...(graph !== undefined ? { graph } : data.kind === "run" ? { graph: data.graph } : {}) })).status;
  }

  /**
   * Runs one branch job (`distribute: branches`): compiles the run's root blueprint from
   * the source stored for its hash (and reaches a child run's graph from it, `branchGraph`), runs the branch task against its checkpoint, commits the
   * record to Postgres and returns it. A task failure is a result, not a job failure; a
   * store failure throws (BullMQ tries the job again).
   */
  private async processBranch(job: Job, token: string | undefined): Promise<string> {
    let b: BranchJobData;
    const secret = await this.options.checkpointer.queueSecret();
    try {
      b = trustedBranchJob(job, secret);
    } catch (e) {
      // Failed for good, nothing run; the run waiting on this job id (if any) sees the failure.
      if (e instanceof UntrustedJobError) throw new UnrecoverableError(`${e.code}: ${e.message}`);
      throw e;
    }
    const jobId = String(job.id);
    // One executor per branch at a time (fencing): this job came back while this worker still
    // runs it (its lease ran out while the worker was stalled), or another process holds the
    // branch's lock (`holdBranch`) — it is put back, and taken again once that run committed
    // (then the record is found, not run again) or died (its lock went with its session).
    if (this.branchJobs.has(jobId)) return this.later(job, token);
    // Registered before any await: an abort published while the job starts is not missed.
    const controller = new AbortController();
    const held = { controller, runId: b.runId, nonce: b.nonce };
    this.branchJobs.set(jobId, held);
    const at = { threadId: b.threadId, namespace: b.namespace, checkpointId: b.checkpointId };
    try {
      try {
        await this.options.checkpointer.holdBranch(at, b.taskId);
      } catch (e) {
        if (e instanceof ThreadBusyError) return await this.later(job, token);
        throw e;
      }
      try {
        // The result (the state values the branch wrote) stays in Redis with the job: sealed.
        return sealBranchReply(secret, jobId, b.runId, await this.runBranchJob(b, controller));
      } finally {
        await this.options.checkpointer.releaseBranch(at, b.taskId);
      }
    } finally {
      if (this.branchJobs.get(jobId) === held) this.branchJobs.delete(jobId);
    }
  }

  private async runBranchJob(b: BranchJobData, controller: AbortController): Promise<BranchResult> {
    // Branches of one step running here share a budget ledger (they see each other's calls in
    // flight), taken before the checkpoint is read: a sibling running then is counted live.
    const stepKey = `${b.threadId}\0${b.namespace}\0${b.checkpointId}`;
    let share = this.stepShares.get(stepKey);
    if (!share) this.stepShares.set(stepKey, (share = { ledger: new SpendBook(), keys: new Set(), running: 0 }));
    share.running++;
    try {
      return await this.runBranchShared(b, controller, share);
    } finally {
      if (--share.running === 0) this.stepShares.delete(stepKey);
    }
  }

  private async runBranchShared(b: BranchJobData, controller: AbortController, share: { ledger: SpendBook; keys: Set<string> }): Promise<BranchResult> {
    const saver = this.options.checkpointer;
    // A cancellation recorded in Postgres is final: a Redis peer can delete the cancellation key and add the signed branch job back.
    const [inRedis, inPostgres] = await Promise.all([this.cancelledBefore(b.runId), saver.queueRunCancelled(b.runId)]);
    if (inRedis || inPostgres) return { error: errorToJson(new CancelledError(`run ${b.runId} was cancelled`)) };
    const found = await this.blueprints.branchGraph(b);
    if ("error" in found) return found;
    const tuple = await saver.getTuple({ threadId: b.threadId, namespace: b.namespace, checkpointId: b.checkpointId });
    if (!tuple) return { error: { code: "branch", message: `thread ${b.threadId} has no checkpoint ${b.checkpointId} (branch ${b.taskId})` } };
    // A child's branch: the thread's checkpoints must show the run reached this child from
    // the job's root along its namespace (the job data alone could name another root).
    let enclosing: ModelAsks | undefined;
    if (found.levels.length) {
      const refusal = await ancestryRefusal(found.chain, saver, tuple, found.levels);
      if (refusal) return { error: errorToJson(new UnknownBlueprintError(`refused: branch ${b.taskId} of namespace \`${b.namespace}\`: ${refusal}`, b.hash)) };
      // Who asked for calls in the runs enclosing this child (their checkpoints in Postgres, not the job): its executor sees them as in-process.
      enclosing = await enclosingAsks(saver, tuple, found.levels);
    }
    if (controller.signal.aborted) return { error: errorToJson(controller.signal.reason) };
    let set = this.branches.get(b.runId);
    if (!set) this.branches.set(b.runId, (set = new Set()));
    set.add(controller);
    try {
      const graph = found.graph;
      // The branch's events (model and tool calls…) go to the run's stream, batched per tick, like the run's own.
      let batch: RunEvent[] = [];
      let chain: Promise<void> = Promise.resolve();
      const flush = () => {
        const events = batch;
        batch = [];
        chain = chain.then(() => this.log.append(b.runId, events)).catch(() => undefined);
      };
      const onEvent = (e: RunEvent) => {
        if (batch.push(e) === 1) setImmediate(flush);
      };
      // Budget spend: the thread's at the hand-over (`spent`), and this branch's saved against its checkpoint before each call.
      const at = { threadId: b.threadId, namespace: b.namespace, checkpointId: b.checkpointId };
      const saveSpend = (key: string, record: Spend) => saver.putBranchSpend(at, record, key);
      // Its calls are claimed on the run's account in Postgres, with the run's and every other branch's (the job's run id: signed).
      const spendGate = (_: string, base: Spend) => saver.spendGate(b.runId, base);
      const branchRun = runBranchAt(graph, tuple, b.taskId, { signal: controller.signal, onEvent, saveSpend, share, spendGate, ...(b.spent ? { spent: b.spent } : {}), ...(b.child ? { child: b.child } : {}), ...(found.enclosingBudgets.length ? { enclosingBudgets: found.enclosingBudgets } : {}), ...(enclosing ? { enclosingAsks: enclosing } : {}) });
      const { result, writes } = await branchRun.finally(async () => {
        flush();
        await chain;
      });
      if (writes) await saver.putBranchWrites({ threadId: b.threadId, namespace: b.namespace, checkpointId: b.checkpointId }, writes, b.taskId);
      return result;
    } catch (e) {
      if (controller.signal.aborted) return { error: errorToJson(e) };
      if ((e as { code?: string }).code === "checkpoint") throw e;
      return { error: errorToJson(e) };
    } finally {
      set.delete(controller);
      if (!set.size) this.branches.delete(b.runId);
    }
  }
}
