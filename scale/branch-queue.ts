/**
 * `distribute: branches` on a worker pool (issue 13 §2): the branches of a `send` become
 * BullMQ jobs on the queue `<queue>-branches`, which every `rag worker` consumes beside
 * its run jobs (with a concurrency of its own, so runs waiting for their branches never
 * starve the branches of slots).
 *
 * - **Job id = the branch.** A branch job's id is derived from (thread, namespace,
 *   checkpoint, task), so a run that continues after its worker died hands over the same
 *   branches again as the same jobs: BullMQ adds nothing for an id it holds, and the run
 *   waits for the job already running or finished (`Job.waitUntilFinished` on the
 *   queue's `QueueEvents` stream).
 * - **Results commit to Postgres** (the branch task's pending writes of its checkpoint,
 *   written by the worker that ran it) before the job completes; the job's return value
 *   carries the same record to the waiting run. A continued run finds committed branches
 *   in the checkpoint and does not hand them over again.
 * - **Pauses.** A branch that pauses (`interrupt()`: a tool call waiting for approval)
 *   returns its interrupts and commits nothing; the run records them with its checkpoint
 *   and ends `interrupted`, and the job is removed, so the resume's run hands the branch
 *   over afresh (same job id) and it runs again with the answers.
 * - **Budgets.** A job carries what the thread had spent when the run handed it over
 *   (`spent`); the worker checks the branch's calls against that plus what it spends,
 *   saves its `__spend__` record against the checkpoint before each call (upserted,
 *   `PostgresCheckpointer.putBranchSpend`) and returns what it spent with its result,
 *   which the run charges to the thread's ledger.
 * - **Signed.** A branch job travels signed with the deployment's queue secret, like a run
 *   job (`job-signature.ts`, purpose `branch`); a worker runs no branch job whose
 *   signature does not check out, or that is signed for another job id.
 * - **Sealed replies.** What a branch job returns (its record: the state values it wrote)
 *   is sealed like a job's payload (`sealBranchReply`: AES-256-GCM under the queue key,
 *   bound to the job id and run id), since BullMQ keeps it in Redis — in the job's hash and
 *   in the queue's event stream. A reply that does not open (written by a Redis peer
 *   without the key, or copied from another job) is refused like a malformed one.
 * - **Leases**: a branch job is held with BullMQ's lock like a run job; a worker that dies
 *   mid-branch loses it, and another worker runs the branch again (its earlier, uncommitted
 *   work is lost; committed branches never run again).
 */
import { createHash, randomBytes } from "node:crypto";
import { Job, Queue, QueueEvents } from "bullmq";
import { z } from "zod";
import { CancelledError, TaskUsageSchema, neutralizeJson, parseUntrustedJson, type BranchRef, type BranchResult, type BranchRunner, type TaskRecord } from "../runtime/index.js";
import { openJob, openSealed, sealedLength, sealJson, signJob, type QueueSecretSource } from "./job-signature.js";
import type { QueueUrl } from "./redis-url.js";

/** The queue branch jobs of runs on `queue` go to. */
export const branchQueueName = (queue: string): string => `${queue}-branches`;

const id = z.string().min(1).max(512);
const count = z.number().finite().min(0);

/** The data of a branch job (signed; checked and then validated by the worker, strictly: it comes from Redis). */
export const BranchJobData = z.strictObject({
  runId: id,
  threadId: id,
  namespace: z.string().max(512),
  checkpointId: id,
  taskId: id,
  /** Random, fresh at each hand-over (32 hex digits): an abort names it, so an abort of an earlier hand-over of this job id is refused (`cancel-signature.ts`). */
  nonce: z.string().regex(/^[0-9a-f]{32}$/),
  node: z.string().min(1).max(200),
  hash: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  /** A branch of a child run: the root run's blueprint hash (the worker resolves the child graph from it along `namespace`). */
  root: z.string().regex(/^sha256:[0-9a-f]{64}$/).optional(),
  /** A branch of a child run: the child run's identity, for its events. */
  child: z.strictObject({ runId: id, parentRunId: id, namespace: z.string().max(4096), depth: z.number().int().min(1).max(1000) }).optional(),
  /** What the thread had spent under budgets at the hand-over (`BranchRef.spent`): in total and for the branch's node. */
  spent: z
    .strictObject({
      tokens: count,
      usd: count,
      nodes: z.record(z.string().min(1).max(200), z.strictObject({ tokens: count, usd: count })).refine((o) => Object.keys(o).length <= 1, "one node").optional(),
    })
    .optional(),
});
export type BranchJobData = z.infer<typeof BranchJobData>;

/** The job id of a branch: the same branch (thread, namespace, checkpoint, task) is always the same job. */
export function branchJobId(b: Pick<BranchRef, "threadId" | "namespace" | "checkpointId" | "taskId">): string {
  return `branch-${createHash("sha256").update(`${b.threadId}\0${b.namespace}\0${b.checkpointId}\0${b.taskId}`).digest("hex").slice(0, 40)}`;
}

export interface QueueBranchRunnerOptions {
  /** The key branch jobs are signed with (the run's `PostgresCheckpointer`: `queueSecret`). */
  readonly secrets: QueueSecretSource;
  /** Attempts of a branch job whose worker failed to reach the stores (BullMQ `attempts`, default 5; backoff 500 ms doubling). */
  readonly attempts?: number;
  /**
   * Asks whichever worker runs branch job `jobId` of run `runId` to abort it (the pool's
   * cancellation channel, `RunWorker`: a signed message, `cancel-signature.ts`); called when the run stops waiting for a branch that is already
   * active. `nonce` is the one of the hand-over that job runs (read back from its signed
   * data): the abort reaches that hand-over only. Without it an active branch runs to its end.
   */
  readonly cancelActive?: (jobId: string, runId: string, nonce: string) => Promise<void>;
  /**
   * The record the branch committed to the checkpoint store (`PostgresCheckpointer.branchRecord`),
   * undefined when none is stored. With it, a branch job that reports a completed record
   * completes with the STORED record: the job's return value comes from Redis, which any
   * peer of the pool (or a corrupted entry) can write — a rogue consumer of the branch
   * queue returned writes to fields the branch never writes, an overwrite marker that wiped
   * an `append` log, and a `goto` past the graph's routes, and the run applied them. A
   * reported record with nothing stored is refused (the branch fails, nothing applied).
   * Without it, the reply's record is taken after its shape is checked (`branchReply`).
   */
  readonly committed?: (branch: BranchRef) => Promise<TaskRecord | undefined>;
}

/** Largest branch reply read back from Redis, in bytes of JSON (a record's writes included). */
export const MAX_BRANCH_REPLY_BYTES = 64 * 1024 * 1024;

/** What a branch job's reply is sealed for: its job and its run (a reply copied to another job, or another run's hand-over, does not open). */
const replyPurpose = (jobId: string, runId: string): string => `branch-reply\0${jobId}\0${runId}`;

/**
 * A branch job's result as the worker returns it to BullMQ (which keeps it in Redis):
 * its JSON text sealed with AES-256-GCM under the queue key (`sealJson`), bound to the job
 * id and the run id. `openBranchReply` reads it back.
 */
export function sealBranchReply(secret: Uint8Array, jobId: string, runId: string, result: BranchResult): string {
  return sealJson(secret, replyPurpose(jobId, runId), JSON.stringify(result));
}

/**
 * A branch job's return value as read back from Redis, opened (`sealBranchReply`) and
 * checked (`branchReply`); undefined when it does not open under the queue key for this
 * job and run (unsealed, altered, copied from another job) or is not a well-formed result.
 */
export function openBranchReply(secret: Uint8Array, jobId: string, runId: string, value: unknown): BranchResult | undefined {
  const text = openSealed(secret, replyPurpose(jobId, runId), value, sealedLength(MAX_BRANCH_REPLY_BYTES));
  return text === undefined ? undefined : branchReply(text);
}

const Done = z.strictObject({
  ok: z.boolean(),
  route: z.string().max(200).optional(),
  result: z.unknown().optional(),
  goto: z.array(z.unknown()).max(10_000).optional(),
  error: z.record(z.string(), z.unknown()).optional(),
  // What the task took (runtime/task-usage.ts): its duration and model calls, bounded as the runtime bounds them.
  ms: z.number().nonnegative().finite().optional(),
  usage: TaskUsageSchema.optional(),
  // Who asked for the calls of the task's model replies (`runtime/model-asks.ts`). Accepted
  // so that a branch whose model asked for tools is not refused; the record applied is the
  // one the store holds (`committed`), and without a store a reply's `asks` are dropped:
  // the queue never says who asked.
  asks: z.record(z.string(), z.unknown()).optional(),
});
const Spent = z.unknown().optional();
/** What a branch job may return (`BranchResult`), one of three shapes. */
const BranchReply = z.union([
  z.strictObject({ record: z.strictObject({ writes: z.array(z.tuple([z.string().min(1).max(200), z.unknown()])).max(100_000), done: Done.optional() }), spend: Spent }),
  z.strictObject({ error: z.record(z.string(), z.unknown()), spend: Spent }),
  z.strictObject({ interrupts: z.array(z.unknown()).min(1).max(1000), spend: Spent }),
]);

/**
 * A branch job's return value as read back from Redis, checked: JSON text parsed as
 * untrusted (`parseUntrustedJson`), a value copied null-prototype (`neutralizeJson`: a
 * `__proto__`/`constructor`/`prototype` key refused, nesting at most 256, at most
 * `MAX_BRANCH_REPLY_BYTES`), then one of the three `BranchResult` shapes, with no other
 * keys. Undefined when it is none of them.
 */
export function branchReply(value: unknown): BranchResult | undefined {
  let v: unknown;
  try {
    v = typeof value === "string" ? parseUntrustedJson(value, { maxBytes: MAX_BRANCH_REPLY_BYTES }) : neutralizeJson(value, { maxBytes: MAX_BRANCH_REPLY_BYTES });
  } catch {
    return undefined;
  }
  const r = BranchReply.safeParse(v);
  return r.success ? (r.data as BranchResult) : undefined;
}

/**
 * A reply's record without its `asks` (who asked for its model's calls): read from Redis,
 * they would let any peer of the pool say a model asked for a call no model made, so they
 * count only as the checkpoint store records them (`QueueBranchRunnerOptions.committed`).
 */
function withoutAsks(reply: BranchResult & { readonly record: TaskRecord }): BranchResult {
  const done = reply.record.done;
  if (!done || done.asks === undefined) return reply;
  const { asks: _dropped, ...rest } = done;
  return { ...reply, record: { ...reply.record, done: rest } };
}

/** How long an abandoned branch job is watched for its end (to remove it) before it is left to expire (ms). */
const ABANDON_WATCH_MS = 30_000;

/** The `BranchRunner` of a worker pool: hands branches to `<queue>-branches` and waits for them. */
export class QueueBranchRunner implements BranchRunner {
  readonly queue: Queue;
  readonly events: QueueEvents;
  private readonly ready: Promise<unknown>;
  /** Removals of abandoned branch jobs still under way (`close` waits for them). */
  private readonly abandoning = new Set<Promise<void>>();

  constructor(
    url: QueueUrl,
    private readonly options: QueueBranchRunnerOptions,
  ) {
    const name = branchQueueName(url.queue);
    this.queue = new Queue(name, { connection: url.connection, prefix: url.prefix });
    this.queue.on("error", () => undefined);
    this.queue.setMaxListeners(0); // each waiting branch listens for the queue's closing
    this.events = new QueueEvents(name, { connection: url.connection, prefix: url.prefix });
    this.events.on("error", () => undefined);
    this.events.setMaxListeners(0); // one waiter per branch in flight: a fan-out of thousands is expected
    this.ready = this.events.waitUntilReady();
    this.ready.catch(() => undefined);
  }

  async run(branch: BranchRef, signal: AbortSignal): Promise<BranchResult> {
    await this.ready;
    const data: BranchJobData = { runId: branch.runId, threadId: branch.threadId, namespace: branch.namespace, checkpointId: branch.checkpointId, taskId: branch.taskId, nonce: randomBytes(16).toString("hex"), node: branch.node, hash: branch.hash, ...(branch.root !== undefined ? { root: branch.root } : {}), ...(branch.child ? { child: branch.child } : {}), ...(branch.spent ? { spent: branch.spent } : {}) };
    const secret = await this.options.secrets.queueSecret();
    const job = await this.queue.add("branch", signJob(secret, "branch", data), {
      jobId: branchJobId(branch),
      attempts: this.options.attempts ?? 5,
      backoff: { type: "exponential", delay: 500 },
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 24 * 3600 },
    });
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new CancelledError("the branch's run stopped waiting");
    let onAbort: (() => void) | undefined;
    const stopped = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new CancelledError("the branch's run stopped waiting"));
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      const value: unknown = await Promise.race([job.waitUntilFinished(this.events), stopped]);
      const reply = openBranchReply(secret, job.id!, branch.runId, value);
      if (reply && "record" in reply) {
        if (!this.options.committed) return withoutAsks(reply);
        // The queue's word is a signal; the record is the one the store holds (see `committed`).
        const stored = await this.options.committed(branch);
        if (stored) return { record: stored, ...(reply.spend !== undefined ? { spend: reply.spend } : {}) };
      }
      // An unhandled failure or a pause is not committed: the job goes, so that a resume of
      // the run hands the branch over (and runs it, with the answers) again. So does a reply
      // that is malformed, or reports a record the store does not hold.
      await job.remove().catch(() => undefined);
      if (reply && ("error" in reply || "interrupts" in reply)) return reply;
      if (reply) return { error: { code: "branch", message: `branch job ${job.id} (node \`${branch.node}\`) reported a completed record that is not in the checkpoint store: refused, nothing of it applied (a forged or corrupted queue entry?)` } };
      return { error: { code: "branch", message: `branch job ${job.id} (node \`${branch.node}\`) returned no well-formed result sealed under this deployment's queue key for this job and run: refused, nothing of it applied (written by a Redis peer without the key, or copied from another job?)` } };
    } catch (e) {
      if (signal.aborted) {
        this.abandon(job, branch.runId);
        throw e;
      }
      // The job failed for good (its worker could not reach the stores after every attempt).
      await job.remove().catch(() => undefined);
      return { error: { code: "branch", message: `branch ${branch.taskId} (node \`${branch.node}\`): ${(e as Error).message}` } };
    } finally {
      signal.removeEventListener("abort", onAbort!);
    }
  }

  /**
   * The run stopped waiting for a branch (a sibling failed unhandled, or the run was
   * cancelled): a job still waiting is removed, so it never runs; an active one is asked
   * to abort (`cancelActive`) and removed once it has ended, so that a resume of the run
   * hands the branch over afresh instead of finding the aborted job's result.
   */
  private abandon(job: Job, runId: string): void {
    const done = (async () => {
      if (await job.remove().then(() => true, () => false)) return;
      const secret = await this.options.secrets.queueSecret();
      // The hand-over that job runs (this one, or an earlier one still running when a later attempt of the run added nothing): its nonce, from its signed data.
      const nonce = await this.runningNonce(job.id!, runId, secret);
      if (nonce !== undefined) await this.options.cancelActive?.(job.id!, runId, nonce).catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((ok) => (timer = setTimeout(ok, ABANDON_WATCH_MS)));
      await Promise.race([job.waitUntilFinished(this.events).catch(() => undefined), timeout]);
      clearTimeout(timer);
      // A branch that committed its record before the abort keeps its job (the record is in the checkpoint anyway).
      const fresh = await Job.fromId(this.queue, job.id!).catch(() => undefined);
      const reply = openBranchReply(secret, job.id!, runId, fresh?.returnvalue);
      if (!(reply && "record" in reply)) await fresh?.remove().catch(() => undefined);
    })().catch(() => undefined);
    this.abandoning.add(done);
    void done.finally(() => this.abandoning.delete(done));
  }

  /** The nonce of the hand-over branch job `jobId` holds for run `runId` (its data opened and checked), undefined when it holds none that opens. */
  private async runningNonce(jobId: string, runId: string, secret: Uint8Array): Promise<string | undefined> {
    const held = await Job.fromId(this.queue, jobId).catch(() => undefined);
    if (!held) return undefined;
    try {
      const data = BranchJobData.safeParse(openJob(secret, "branch", held.data, jobId));
      return data.success && data.data.runId === runId ? data.data.nonce : undefined;
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.abandoning);
    await this.events.close().catch(() => undefined);
    await this.queue.close().catch(() => undefined);
  }
}
