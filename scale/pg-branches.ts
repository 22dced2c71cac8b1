/**
 * Distributed branches (`distribute: branches`) in the Postgres checkpoint store (split
 * out of `postgres-checkpointer.ts`): the records branch workers commit (the task's
 * pending writes against the checkpoint its step runs from, batched per tick), their
 * budget spend, reading a committed record back, and the per-branch advisory lock that
 * keeps a second worker off a branch whose first worker is alive but stalled.
 * `PostgresCheckpointer` exposes these as `putBranchWrites`, `putBranchSpend`,
 * `branchRecord`, `holdBranch` and `releaseBranch`.
 */
import { CheckpointError, isSpecial, SPECIAL, type CheckpointConfig, type TaskRecord } from "../runtime/index.js";
import { ThreadBusyError } from "./errors.js";
import { branchSpendStatement, branchStatement, type NamedStatement, type WriteRow } from "./pg-statements.js";
import type { PgStoreContext } from "./pg-store-context.js";
import type { ThreadLocks } from "./pg-thread-locks.js";

/** The lock id of one distributed branch: its thread, namespace, checkpoint and task. */
function branchLockId(config: CheckpointConfig, taskId: string): string {
  return `${config.threadId}\0${config.namespace ?? ""}\0${config.checkpointId ?? ""}\0${taskId}`;
}

export class PgBranchStore {
  private readonly branchSql: NamedStatement;
  private readonly branchSpendSql: NamedStatement;
  /** Branch records waiting for this tick's insert (`putRecords`). */
  private branchRows: WriteRow[] = [];
  private branchFlush: Promise<void> | undefined;

  /**
   * @param ctx the checkpointer's pool, schema and error handling.
   * @param locks advisory locks of the branches this process runs, keyed apart from threads' (`SCHEMA/branches`).
   */
  constructor(
    private readonly ctx: PgStoreContext,
    private readonly locks: ThreadLocks,
  ) {
    this.branchSql = branchStatement(ctx.q);
    this.branchSpendSql = branchSpendStatement(ctx.q);
  }

  /**
   * Commits distributed branches' records (`rows`: their pending-write rows against the
   * checkpoint each step runs from), written by whichever worker ran the branch — not
   * through the thread's lock, which the run that waits for the branch holds. Insert-only
   * and keyed by task: a record already stored wins (a branch run twice commits once).
   * Branches completing in one tick on this worker commit together (one INSERT, one WAL
   * flush), atomically: every record whole or none.
   *
   * @throws CheckpointError when the store fails.
   */
  putRecords(threadId: string, rows: readonly WriteRow[]): Promise<void> {
    this.branchRows.push(...rows);
    this.branchFlush ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const rows = this.branchRows;
      this.branchRows = [];
      this.branchFlush = undefined;
      // One statement (atomic): every record whole or none; rows as arrays, so no parameter limit.
      return this.ctx.guard(`saving branch records of thread ${threadId}`, async () => {
        const col = (i: number) => rows.map((r) => r[i]);
        await this.ctx.pool.query({
          name: this.branchSql.name,
          text: this.branchSql.text,
          values: [col(0), col(1), col(2), col(3), col(4), col(5), col(6)],
        });
      });
    });
    return this.branchFlush;
  }

  /**
   * The record a distributed branch committed (`putRecords`): its channel writes, in
   * order, and how it ended (the task's `__task__` write); undefined when none is stored.
   * The run reads a branch's outcome here rather than from the queue's reply
   * (`QueueBranchRunnerOptions.committed`): Postgres is the store the run trusts, Redis a
   * channel any of its peers can write to. One indexed read (the writes' key begins with
   * thread, namespace, checkpoint, task).
   *
   * @throws CheckpointError when `config` has no checkpoint id, or the store fails.
   */
  async record(config: CheckpointConfig, taskId: string): Promise<TaskRecord | undefined> {
    if (config.checkpointId === undefined) throw new CheckpointError("branchRecord needs a checkpoint id");
    return this.ctx.guard(`reading a branch's record of thread ${config.threadId}`, async () => {
      const { rows } = await this.ctx.pool.query<{ channel: string; value: string | null }>(`SELECT channel, value FROM ${this.ctx.q}.writes WHERE thread_id = $1 AND ns = $2 AND checkpoint_id = $3 AND task_id = $4 ORDER BY idx`, [config.threadId, config.namespace ?? "", config.checkpointId, taskId]);
      const done = rows.find((r) => r.channel === SPECIAL.task);
      if (!done || done.value === null) return undefined;
      const writes = rows.filter((r) => !isSpecial(r.channel)).map((r) => [r.channel, r.value === null ? undefined : (JSON.parse(r.value) as unknown)] as const);
      return { writes, done: JSON.parse(done.value) as TaskRecord["done"] };
    });
  }

  /**
   * Saves a distributed branch's budget record row (`__spend__`, `registry/spend.ts`):
   * upserted (each charge replaces the attempt's record), outside the thread's lock like
   * `putRecords`, and at once — the branch awaits it before each call, so a worker that
   * dies mid-call leaves the call's reservation recorded.
   *
   * @throws CheckpointError when the store fails.
   */
  async putSpend(threadId: string, row: WriteRow): Promise<void> {
    await this.ctx.guard(`saving a branch's budget spend of thread ${threadId}`, async () => {
      await this.ctx.pool.query({ name: this.branchSpendSql.name, text: this.branchSpendSql.text, values: row });
    });
  }

  /**
   * Takes the advisory lock of one distributed branch (the task `taskId` of the checkpoint
   * `config` names) on a lock connection of its own, held until `release` or until
   * this process dies (Postgres drops its session and the lock with it). A worker holds it
   * while it runs the branch and commits its record: a second worker given the same branch
   * job — BullMQ put it back because the first one's lease ran out while it was alive but
   * stalled (a loaded machine, SIGSTOP, a long GC pause) — cannot start it until the first
   * one has committed or died, and then finds the committed record instead of running the
   * task again. The fencing of the thread lock (`acquireLatest`), for branches.
   *
   * @throws ThreadBusyError when another process holds the branch (its thread id names the branch).
   * @throws CheckpointError when the store fails.
   */
  async hold(config: CheckpointConfig, taskId: string): Promise<void> {
    if (config.checkpointId === undefined) throw new CheckpointError("holdBranch needs a checkpoint id");
    const id = branchLockId(config, taskId);
    try {
      await this.ctx.ready();
      await this.locks.hold(id);
    } catch (e) {
      // A failed attempt leaves nothing held here (a busy entry is already forgotten).
      await this.locks.release(id).catch(() => undefined);
      if (e instanceof ThreadBusyError) throw new ThreadBusyError(config.threadId, `branch ${taskId} of thread ${config.threadId} (checkpoint ${config.checkpointId}) is running in another process; retry when it has ended`);
      if (e instanceof CheckpointError) throw e;
      throw new CheckpointError(`${this.ctx.where}: locking branch ${taskId} of thread ${config.threadId} failed: ${(e as Error).message}`, {}, { cause: e });
    }
  }

  /** Gives up a branch's lock (`hold`); its connection waits for reuse. Never throws. */
  async release(config: CheckpointConfig, taskId: string): Promise<void> {
    await this.locks.release(branchLockId(config, taskId)).catch(() => undefined);
  }

  /** Releases every branch lock and closes their connections. */
  close(): Promise<void> {
    return this.locks.close();
  }
}
