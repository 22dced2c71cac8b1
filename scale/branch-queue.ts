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
 * - **Leases**: a branch job is held with BullMQ's lock like a run job; a worker that dies
 *   mid-branch loses it, and another worker runs the branch again (its earlier, uncommitted
 *   work is lost; committed branches never run again).
 */
import { createHash } from "node:crypto";
import { Job, Queue, QueueEvents } from "bullmq";
import { z } from "zod";
import { CancelledError, type BranchRef, type BranchResult, type BranchRunner } from "../runtime/index.js";
import type { QueueUrl } from "./redis-url.js";

/** The queue branch jobs of runs on `queue` go to. */
export const branchQueueName = (queue: string): string => `${queue}-branches`;

const id = z.string().min(1).max(512);
const count = z.number().finite().min(0);

/** The data of a branch job (validated by the worker: it comes from Redis). */
export const BranchJobData = z.object({
  runId: id,
  threadId: id,
  namespace: z.string().max(512),
  checkpointId: id,
  taskId: id,
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
  /** Attempts of a branch job whose worker failed to reach the stores (BullMQ `attempts`, default 5; backoff 500 ms doubling). */
  readonly attempts?: number;
  /**
   * Asks whichever worker runs branch job `jobId` to abort it (the pool's cancellation
   * channel, `RunWorker`); called when the run stops waiting for a branch that is already
   * active. Without it an active branch runs to its end.
   */
  readonly cancelActive?: (jobId: string) => Promise<void>;
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
    private readonly options: QueueBranchRunnerOptions = {},
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
    const data: BranchJobData = { runId: branch.runId, threadId: branch.threadId, namespace: branch.namespace, checkpointId: branch.checkpointId, taskId: branch.taskId, node: branch.node, hash: branch.hash, ...(branch.root !== undefined ? { root: branch.root } : {}), ...(branch.child ? { child: branch.child } : {}), ...(branch.spent ? { spent: branch.spent } : {}) };
    const job = await this.queue.add("branch", data, {
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
      const parsed = typeof value === "string" ? (JSON.parse(value) as unknown) : value;
      if (parsed && typeof parsed === "object" && "record" in parsed) return parsed as BranchResult;
      // An unhandled failure or a pause is not committed: the job goes, so that a resume of
      // the run hands the branch over (and runs it, with the answers) again.
      await job.remove().catch(() => undefined);
      if (parsed && typeof parsed === "object" && ("error" in parsed || "interrupts" in parsed)) return parsed as BranchResult;
      return { error: { code: "internal", message: `branch job ${job.id} returned no result` } };
    } catch (e) {
      if (signal.aborted) {
        this.abandon(job);
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
  private abandon(job: Job): void {
    const done = (async () => {
      if (await job.remove().then(() => true, () => false)) return;
      await this.options.cancelActive?.(job.id!).catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((ok) => (timer = setTimeout(ok, ABANDON_WATCH_MS)));
      await Promise.race([job.waitUntilFinished(this.events).catch(() => undefined), timeout]);
      clearTimeout(timer);
      // A branch that committed its record before the abort keeps its job (the record is in the checkpoint anyway).
      const fresh = await Job.fromId(this.queue, job.id!).catch(() => undefined);
      const value: unknown = fresh?.returnvalue;
      const parsed = typeof value === "string" ? (JSON.parse(value) as unknown) : value;
      if (!(parsed && typeof parsed === "object" && "record" in parsed)) await fresh?.remove().catch(() => undefined);
    })().catch(() => undefined);
    this.abandoning.add(done);
    void done.finally(() => this.abandoning.delete(done));
  }

  async close(): Promise<void> {
    await Promise.all(this.abandoning);
    await this.events.close().catch(() => undefined);
    await this.queue.close().catch(() => undefined);
  }
}
