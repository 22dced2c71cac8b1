/**
 * Postgres checkpointer (`pg`): the store shared by `rag serve` processes and queue
 * workers on many machines (issue 13 §1), after LangGraph's `PostgresSaver`. It passes
 * the same conformance suite as the memory and SQLite backends
 * (`test/runtime/checkpointer-conformance.ts`).
 *
 * - Schema: created and migrated by versioned migrations (`pg-migrations.ts`), in the
 *   schema the URL names (`?schema=…`, default `ragraph`), checked once per process per
 *   schema (one query when it is current).
 * - One transaction per superstep, in one round trip: pending writes of tasks completing
 *   in one tick are batched, and a checkpoint is inserted together with the writes still
 *   batched for its thread — thread row lock, writes, checkpoint and blobs in ONE
 *   prepared statement (`pg-statements.ts`), which commits on its own. A run of N
 *   supersteps on a new thread costs N + 2 statements: the first read, the input
 *   checkpoint, one per superstep.
 * - Concurrent writers: a run or a thread edit claims the thread first (`claim`: the
 *   advisory lock below, taken with its first read), and the first write to a thread
 *   takes a session-level advisory lock
 *   on it (inside that write's statement), on a connection of its own, held until
 *   `release(threadId)` or `close()`; a second process writing the same thread meanwhile
 *   gets a `ThreadBusyError` and writes nothing (no lost update). Every write also locks
 *   the thread's row in `threads`. A process that dies (SIGKILL, machine gone) loses its
 *   connection, and Postgres releases the lock with it, so another worker can continue
 *   the thread (`pg-thread-locks.ts`; lock connections are reused from thread to thread).
 *
 * - Values by version (migration 3, `runtime/checkpoint/blobs.ts`, as the SQLite backend):
 *   a checkpoint row references, per channel, the blob that holds its value; a superstep
 *   inserts blobs only for the channels it changed, and an appended list as the appended
 *   items on a skip list of base blobs. Reading a checkpoint fetches the blobs its values
 *   need in one recursive query, with the checkpoint row and its pending writes (one
 *   round trip for `getTuple`); values are rebuilt on first access. Rows written before
 *   migration 3 (values inline) are read as they are.
 *
 * Values are stored as JSON text (not `jsonb`), so object key order survives a round trip.
 */
import pg from "pg";
import {
  BlobPlanner,
  CheckpointError,
  readMetadata,
  metadataMatches,
  ProcessClaims,
  SPECIAL,
  type BatchOp,
  type Checkpoint,
  type CheckpointColumns,
  type CheckpointConfig,
  type Checkpointer,
  type CheckpointMetadata,
  type CheckpointTuple,
  type ListOptions,
  type PruneOptions,
  type ThreadClaim,
  type TaskRecord,
  type ThreadSummary,
  type ThreadsOptions,
} from "../runtime/index.js";
import { forgetMigrated, isMissingRelation, migrateOnce, quoteSchema } from "./pg-migrations.js";
import { duplicateCheckpointError, readStatement, writeParams, writeStatement, type CheckpointInsert, type LockedReadRow, type NamedStatement, type ReadRow, type WriteRow } from "./pg-statements.js";
import { copyThreadRows, deleteThreadRows, pruneInTransaction } from "./pg-thread-rows.js";
import { planCheckpoint, rowsOf, takeRows, uniqueRows } from "./pg-write-rows.js";
import { readTuples, threadSummaries, tupleOfReadRow } from "./pg-tuples.js";
import { ThreadLocks } from "./pg-thread-locks.js";
import { PgBranchStore } from "./pg-branches.js";
import { PgQueueStore, type QueueRunClaim, type StoredSource } from "./pg-queue-store.js";
import type { PgStoreContext } from "./pg-store-context.js";
import { closeRunSpend, PgSpendGate } from "./pg-spend-gate.js";
import type { Spend, SpendGate } from "../registry/index.js";
import { isPostgresUrl, parsePostgresUrl, redact, withoutPassword } from "./pg-url.js";

export { isPostgresUrl, parsePostgresUrl, withoutPassword };

export interface PostgresCheckpointerOptions {
  /** Schema holding the tables (default: the URL's `?schema=`, else `ragraph`). */
  readonly schema?: string;
  /** Pooled connections for reads and unlocked writes (default 4); each locked thread has one more. */
  readonly poolSize?: number;
  /**
   * How long a pooled connection may take to open, ms (default 10,000): a host that drops
   * packets instead of refusing them fails the command with a CheckpointError then, not after
   * the operating system's connect timeout (minutes).
   */
  readonly connectTimeoutMs?: number;
  /**
   * The `pg` client class every connection (pooled and thread-lock) is made with
   * (default `pg.Client`). A subclass sees every statement sent — tests count round
   * trips per run with one; an operator can log or trace them.
   */
  readonly Client?: typeof pg.Client;
}

type Row = CheckpointColumns;

export class PostgresCheckpointer implements Checkpointer {
  readonly pool: pg.Pool;
  readonly schema: string;
  /** The URL as given, password hidden (for messages). */
  readonly url: string;
  private readonly q: string;
  private readonly connectionString: string;
  private ready: Promise<void>;
  private readonly writeSql: NamedStatement;
  private readonly latestSql: NamedStatement;
  private readonly byIdSql: NamedStatement;
  private readonly lockSql: NamedStatement;
  /** Latest root checkpoints read by `acquireLatest`, served once to the next `getTuple` of the thread (until it writes). */
  private readonly lockedReads = new Map<string, ReadRow | null>();
  private readonly locks: ThreadLocks;
  /** Distributed branches' records, spend and advisory locks (`pg-branches.ts`). */
  private readonly branches: PgBranchStore;
  /** Pool, schema and error naming, as the helper stores see them. */
  private readonly store: PgStoreContext;
  /** Blueprint sources, the queue secret and queue runs (`pg-queue-store.ts`). */
  private readonly queue: PgQueueStore;
  private readonly claims = new ProcessClaims();
  private buffer: WriteRow[] = [];
  private flushing: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  /** Counters for tests and benchmarks: committed write transactions. */
  readonly stats = { transactions: 0 };
  /** Which channels changed since the last checkpoint this process put per thread. */
  private readonly planner = new BlobPlanner();

  /**
   * Connects lazily: the first operation migrates the schema (errors surface there, as
   * CheckpointError naming the URL).
   *
   * @throws CheckpointError when `url` is not a `postgres://` URL or the schema name is invalid.
   */
  constructor(url: string, options: PostgresCheckpointerOptions = {}) {
    const parsed = parsePostgresUrl(url);
    this.url = redact(url);
    this.connectionString = parsed.connectionString;
    this.schema = options.schema ?? parsed.schema ?? "ragraph";
    this.q = quoteSchema(this.schema);
    // The thread's row lock (the upsert takes it); the advisory lock already keeps other processes out.
    this.locks = new ThreadLocks({
      connectionString: this.connectionString,
      schema: this.schema,
      begin: `INSERT INTO ${this.q}.threads (thread_id, updated_at) VALUES ($1, (extract(epoch from clock_timestamp()) * 1000)::bigint) ON CONFLICT (thread_id) DO UPDATE SET updated_at = EXCLUDED.updated_at`,
      onCommit: () => this.stats.transactions++,
      ...(options.Client ? { Client: options.Client } : {}),
    });
    // Keys of their own (`SCHEMA/branches`): a branch's lock never stands for a thread's.
    const branchLocks = new ThreadLocks({ connectionString: this.connectionString, schema: `${this.schema}/branches`, begin: "SELECT 1", ...(options.Client ? { Client: options.Client } : {}) });
    this.pool = new pg.Pool({ connectionString: this.connectionString, max: options.poolSize ?? 4, connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000, ...(options.Client ? { Client: options.Client as unknown as new () => pg.ClientBase } : {}) });
    // An idle pooled connection that breaks (Postgres restarted) is dropped; the next query reconnects.
    this.pool.on("error", () => undefined);
    this.writeSql = writeStatement(this.q);
    this.latestSql = readStatement(this.q, "latest");
    this.byIdSql = readStatement(this.q, "byId");
    this.lockSql = readStatement(this.q, "lock");
    this.ready = this.migrated();
    const ctx: PgStoreContext = { pool: this.pool, q: this.q, where: this.where, ready: () => this.ready, guard: (what, f) => this.guard(what, f) };
    this.store = ctx;
    this.branches = new PgBranchStore(ctx, branchLocks);
    this.queue = new PgQueueStore(ctx);
  }

  /**
   * Resolves once the store answers and its schema is up to date (what the first operation
   * would wait for): a command checks it as it opens the store, so a URL that cannot be
   * reached is one error at start rather than a failure at the first run, or never.
   * @throws CheckpointError naming the URL (password hidden) and the connection error
   *   (`connect ECONNREFUSED 127.0.0.1:1`, an authentication failure, …).
   */
  whenReady(): Promise<void> {
    return this.guard("connecting", () => Promise.resolve());
  }

  /** The schema brought up to date (once per process per schema, `migrateOnce`). */
  private migrated(): Promise<void> {
    const ready = migrateOnce(this.connectionString, this.schema, async () => {
      const client = await this.pool.connect();
      return { client, done: () => client.release() };
    });
    ready.catch(() => undefined); // surfaced by the first operation
    return ready;
  }

  private async guard<T>(what: string, f: () => Promise<T>): Promise<T> {
    try {
      await this.ready;
      return await f();
    } catch (e) {
      // The schema went away under this process (dropped, restored from an older backup): check it again next time.
      if (isMissingRelation(e)) {
        forgetMigrated(this.schema);
        this.ready = this.migrated();
      }
      if (e instanceof CheckpointError) throw e;
      throw new CheckpointError(`${this.where}: ${what} failed: ${(e as Error).message}`, {}, { cause: e });
    }
  }

  /** Runs `f` in one transaction on the thread's locked connection, after the thread's earlier writes. */
  private async onThread<T>(threadId: string, f: (c: pg.ClientBase) => Promise<T>): Promise<T> {
    await this.ready;
    return this.locks.transaction(threadId, f);
  }

  /**
   * Takes this process's lock on a thread now, before any write (a queue worker calls it
   * before it reads the thread, so two runs of one thread never overlap).
   * @throws ThreadBusyError when another process holds it.
   */
  async acquire(threadId: string): Promise<void> {
    await this.guard("locking a thread", async () => {
      await this.locks.hold(threadId);
    });
  }

  /**
   * Takes this process's lock on a thread and reads its latest root checkpoint, in one
   * round trip (a queue worker calls it as a job starts, instead of `acquire` then
   * `getTuple`). The next `getTuple` of the thread's latest root checkpoint (the
   * runtime's, as the run starts) is answered from this read, unless this process wrote
   * the thread or released it in between. While the lock is held only branch records
   * (`putBranchWrites`) can change the thread elsewhere, which a read a moment later
   * could miss just as well.
   *
   * @returns the tuple, or undefined for a thread without checkpoints.
   * @throws ThreadBusyError when another process holds it.
   */
  async acquireLatest(threadId: string): Promise<CheckpointTuple | undefined> {
    return this.guard(`locking and reading thread ${threadId}`, async () => {
      await this.flush();
      const row = await this.locks.run<LockedReadRow>(threadId, this.lockSql, (lockKey) => [threadId, "", lockKey], false);
      const read = row.id == null ? null : (row as ReadRow);
      this.lockedReads.set(threadId, read);
      return read ? tupleOfReadRow(this.where, read) : undefined;
    });
  }

  /**
   * Takes a thread for one run or edit (`Checkpointer.claim`, `runtime/checkpoint/process-claims.ts`): the
   * thread's advisory lock now — with its latest root checkpoint, in one round trip, which
   * the run's (or edit's) first read is answered from (`acquireLatest`; no statement when
   * this process just read it so) — and this process's own claim, released by
   * `ThreadClaim.release`. The advisory lock stays held until `release(threadId)`, as after
   * any write of the thread. A lost lock connection is taken again by the next write, so
   * `onLost` is never called.
   *
   * @throws ThreadBusyError when another process, or another run or edit of this one, holds the thread.
   */
  claim(threadId: string): Promise<ThreadClaim> {
    return this.claims.claim(threadId, () => (this.lockedReads.has(threadId) ? Promise.resolve() : this.acquireLatest(threadId)));
  }

  /**
   * Gives up this process's lock on a thread (a worker calls it when a run ends), after
   * its queued writes. Another process may then write the thread.
   */
  async release(threadId: string): Promise<void> {
    this.lockedReads.delete(threadId);
    await this.flush();
    await this.locks.release(threadId);
  }

  /**
   * The threads a run holds now (`Checkpointer.runningThreads`): those a run or edit of
   * this process claims, and those whose advisory lock a lock connection of another
   * process holds (`pg_locks`; a `rag run`, a `rag serve` or a queue worker running it;
   * they release a thread's lock when its run ends), among this schema's threads (or
   * `among`). One query for the locks and, when another process holds one and `among` is
   * not given, one for the thread ids (keys are computed here: `ThreadLocks.key`).
   */
  async runningThreads(among?: readonly string[]): Promise<ReadonlySet<string>> {
    const running = this.claims.threads();
    return this.guard("reading thread locks", async () => {
      await this.ready;
      const keys = await this.locks.heldElsewhere(this.pool);
      if (!keys.size) return running;
      // The threads asked about, else every thread of the schema (one query).
      const ids = among ?? (await this.pool.query<{ thread_id: string }>(`SELECT thread_id FROM ${this.q}.threads`)).rows.map((r) => r.thread_id);
      for (const id of ids) if (keys.has(this.locks.key(id))) running.add(id);
      return running;
    });
  }

  /** Threads whose lock this process holds. */
  heldThreads(): string[] {
    return this.locks.threads();
  }

  /**
   * Commits write rows and checkpoints of one thread in one statement (one round trip,
   * one transaction), on the thread's locked connection after its earlier writes; the
   * first write of a thread takes its lock in the same statement.
   * Ordinary writes are saved once (first wins); runtime records are replaced (last wins).
   * @throws ThreadBusyError when another process holds the thread (nothing written).
   */
  private async write(threadId: string, rows: readonly WriteRow[], checkpoints: readonly CheckpointInsert[]): Promise<void> {
    this.lockedReads.delete(threadId);
    const unique = uniqueRows(rows);
    await this.ready;
    await this.locks.run(threadId, this.writeSql, (lockKey) => writeParams(threadId, lockKey, unique, checkpoints), true);
  }

  /** Takes the batched write rows of one thread (all threads when undefined). */
  private take(threadId?: string): Map<string, WriteRow[]> {
    const { taken, kept } = takeRows(this.buffer, threadId);
    this.buffer = kept;
    return taken;
  }

  /** Writes every batched row now (one statement per thread). */
  private async flush(): Promise<void> {
    const byThread = this.take();
    if (!byThread.size) return;
    await Promise.all([...byThread].map(([thread, rows]) => this.write(thread, rows, [])));
  }

  async put(checkpoint: Checkpoint, metadata: CheckpointMetadata): Promise<Required<CheckpointConfig>> {
    const thread = checkpoint.threadId;
    const rows = this.take(thread).get(thread) ?? [];
    await this.guard(`saving checkpoint ${checkpoint.id} of thread ${thread}`, async () => {
      const { insert, commit } = planCheckpoint(this.planner, checkpoint, metadata);
      await this.write(thread, rows, [insert]).catch((e: unknown) => {
        throw duplicateCheckpointError(e, thread);
      });
      commit();
    });
    return { threadId: thread, namespace: checkpoint.namespace, checkpointId: checkpoint.id };
  }

  /** Batches the rows; they are written in one statement at the next `put`, read, or event-loop turn. */
  putWrites(config: CheckpointConfig, writes: readonly (readonly [string, unknown])[], taskId: string): Promise<void> {
    if (config.checkpointId === undefined) return Promise.reject(new CheckpointError("putWrites needs a checkpoint id"));
    this.buffer.push(...rowsOf(config, writes, taskId));
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.flushing = undefined;
      return this.guard("saving pending writes", () => this.flush());
    });
    return this.flushing;
  }

  /**
   * Commits a distributed branch's record (`distribute: branches`): the task's pending
   * writes of the checkpoint its step runs from, written by whichever worker ran the
   * branch, outside the thread's lock; insert-only, a record already stored wins
   * (`PgBranchStore.putRecords`, `pg-branches.ts`).
   *
   * @throws CheckpointError when `config` has no checkpoint id, or the store fails.
   */
  async putBranchWrites(config: CheckpointConfig, writes: readonly (readonly [string, unknown])[], taskId: string): Promise<void> {
    if (config.checkpointId === undefined) throw new CheckpointError("putBranchWrites needs a checkpoint id");
    this.lockedReads.delete(config.threadId);
    return this.branches.putRecords(config.threadId, rowsOf(config, writes, taskId));
  }

  /**
   * Takes the advisory lock of one distributed branch, held until `releaseBranch` or this
   * process dies: a second worker given the same branch job waits until the first one
   * committed or died (`PgBranchStore.hold`).
   *
   * @throws ThreadBusyError when another process holds the branch.
   * @throws CheckpointError when the store fails.
   */
  holdBranch(config: CheckpointConfig, taskId: string): Promise<void> {
    return this.branches.hold(config, taskId);
  }

  /** Gives up a branch's lock (`holdBranch`); its connection waits for reuse. Never throws. */
  releaseBranch(config: CheckpointConfig, taskId: string): Promise<void> {
    return this.branches.release(config, taskId);
  }

  /**
   * The record a distributed branch committed (`putBranchWrites`): its channel writes and
   * how it ended; undefined when none is stored (`PgBranchStore.record`).
   *
   * @throws CheckpointError when `config` has no checkpoint id, or the store fails.
   */
  branchRecord(config: CheckpointConfig, taskId: string): Promise<TaskRecord | undefined> {
    return this.branches.record(config, taskId);
  }

  /**
   * Saves a distributed branch's budget record (`__spend__`, `registry/spend.ts`) under
   * `taskId` (`spend:<task id>:<attempt>`) against the checkpoint its step runs from,
   * at once and outside the thread's lock (`PgBranchStore.putSpend`).
   *
   * @throws CheckpointError when `config` has no checkpoint id, or the store fails.
   */
  async putBranchSpend(config: CheckpointConfig, record: unknown, taskId: string): Promise<void> {
    if (config.checkpointId === undefined) throw new CheckpointError("putBranchSpend needs a checkpoint id");
    this.lockedReads.delete(config.threadId);
    const [row] = rowsOf(config, [[SPECIAL.spend, record]], taskId);
    await this.branches.putSpend(config.threadId, row!);
  }

  /** Every operation of one thread in one statement (one transaction), in order (the `async` durability path). */
  async putBatch(ops: readonly BatchOp[]): Promise<void> {
    const byThread = new Map<string, BatchOp[]>();
    for (const op of ops) {
      const t = op.kind === "put" ? op.checkpoint.threadId : op.config.threadId;
      if (op.kind === "writes" && op.config.checkpointId === undefined) throw new CheckpointError("putWrites needs a checkpoint id");
      byThread.set(t, [...(byThread.get(t) ?? []), op]);
    }
    await this.guard(`saving ${ops.length} queued operations`, () =>
      Promise.all(
        [...byThread].map(async ([thread, list]) => {
          // Rows of one statement become visible together: writes, then checkpoints in order.
          const rows = [...(this.take(thread).get(thread) ?? []), ...list.flatMap((op) => (op.kind === "writes" ? rowsOf(op.config, op.writes, op.taskId) : []))];
          const planned = list.flatMap((op) => (op.kind === "put" ? [planCheckpoint(this.planner, op.checkpoint, op.metadata)] : []));
          await this.write(thread, rows, planned.map((p) => p.insert)).catch((e: unknown) => {
            throw duplicateCheckpointError(e, thread);
          });
          for (const p of planned) p.commit();
        }),
      ).then(() => undefined),
    );
  }

  private readonly cols = "thread_id, ns, id, parent_id, step, source, graph, hash, created_at, checkpoint, metadata";

  async getTuple(config: CheckpointConfig): Promise<CheckpointTuple | undefined> {
    return this.guard("read", async () => {
      await this.flush();
      const ns = config.namespace ?? "";
      const byId = config.checkpointId !== undefined;
      // What `acquireLatest` just read under the lock (nothing written since).
      const held = !byId && ns === "" ? this.lockedReads.get(config.threadId) : undefined;
      if (held !== undefined) {
        this.lockedReads.delete(config.threadId);
        return held ? tupleOfReadRow(this.where, held) : undefined;
      }
      // A run starting on a thread not held here: its first write will want a lock connection; open it meanwhile.
      if (!byId) this.locks.warm(config.threadId);
      // The checkpoint, its pending writes and its blobs: one statement, one round trip.
      const sql = byId ? this.byIdSql : this.latestSql;
      const { rows } = await this.pool.query<ReadRow>({ name: sql.name, text: sql.text, values: byId ? [config.threadId, ns, config.checkpointId] : [config.threadId, ns] });
      return rows[0] ? tupleOfReadRow(this.where, rows[0]) : undefined;
    });
  }

  async list(threadId: string, options: ListOptions = {}): Promise<CheckpointTuple[]> {
    return this.guard("list", async () => {
      await this.flush();
      const ns = options.namespace ?? "";
      const params: unknown[] = [threadId, ns];
      let where = "thread_id = $1 AND ns = $2";
      if (options.before !== undefined) {
        params.push(options.before);
        where += ` AND seq < COALESCE((SELECT seq FROM ${this.q}.checkpoints WHERE thread_id = $1 AND ns = $2 AND id = $3), 0)`;
      }
      const limit = options.limit !== undefined && !options.filter ? ` LIMIT ${Math.max(0, Math.floor(options.limit))}` : "";
      const { rows } = await this.pool.query<Row>(`SELECT ${this.cols} FROM ${this.q}.checkpoints WHERE ${where} ORDER BY seq DESC${limit}`, params);
      const matching = rows.filter((r) => metadataMatches(readMetadata(r), options.filter));
      return readTuples(this.pool, this.q, options.limit !== undefined ? matching.slice(0, options.limit) : matching, this.where);
    });
  }

  async deleteThread(threadId: string): Promise<void> {
    this.lockedReads.delete(threadId);
    await this.guard("delete", () =>
      this.onThread(threadId, (c) => deleteThreadRows(c, this.q, threadId)),
    );
    this.planner.forget(threadId);
  }

  async copyThread(from: string, to: string): Promise<void> {
    this.lockedReads.delete(to);
    await this.guard("copy", async () => {
      await this.flush();
      await this.onThread(to, (c) => copyThreadRows(c, this.q, from, to));
    });
  }

  async prune(options: PruneOptions = {}): Promise<number> {
    this.lockedReads.clear();
    return this.guard("prune", async () => {
      await this.flush();
      const keep = Math.max(0, Math.floor(options.keepLast ?? 1));
      const deleted = await pruneInTransaction(this.pool, this.q, keep, options.threads);
      this.planner.forget();
      return deleted;
    });
  }

  async threads(options: ThreadsOptions = {}): Promise<ThreadSummary[]> {
    // Postgres text holds no NUL byte: such an id names no thread (the query would fail).
    if (options.threadId?.includes("\u0000")) return [];
    return this.guard("list threads", async () => {
      await this.flush();
      return threadSummaries(this.pool, this.q, this.where, options.threadId);
    });
  }

  /** Stores the source a blueprint hash was compiled from; a hash already stored keeps its first (`PgQueueStore.putSource`). */
  putSource(hash: string, record: StoredSource): Promise<void> {
    return this.queue.putSource(hash, record);
  }

  /** The source stored for a blueprint hash, if any (`PgQueueStore.getSource`). */
  getSource(hash: string): Promise<{ graph: string; file: string; source: string } | undefined> {
    return this.queue.getSource(hash);
  }

  /**
   * The deployment's queue secret (`job-signature.ts`), made by the first process that
   * asks and cached (`PgQueueStore.queueSecret`).
   *
   * @throws CheckpointError when the store cannot be reached (not cached: asked again next time).
   */
  queueSecret(): Promise<Uint8Array> {
    return this.queue.queueSecret();
  }

  /**
   * Records that a worker starts queue run `runId`: `run` when it may, `ended` when the run
   * already ran to its end (a replayed job), `cancelled` when its cancellation was recorded
   * (`cancelQueueRun`: final) — `PgQueueStore.claimQueueRun`.
   *
   * @throws CheckpointError when the store cannot be reached.
   */
  claimQueueRun(runId: string, threadId: string): Promise<QueueRunClaim> {
    return this.queue.claimQueueRun(runId, threadId);
  }

  /** Records that queue run `runId` was cancelled — final: a job of it that reaches a worker later is not run (`PgQueueStore.cancelQueueRun`). */
  cancelQueueRun(runId: string, threadId: string): Promise<void> {
    return this.queue.cancelQueueRun(runId, threadId);
  }

  /** Whether queue run `runId`'s cancellation was recorded in Postgres (`PgQueueStore.queueRunCancelled`). */
  queueRunCancelled(runId: string): Promise<boolean> {
    return this.queue.queueRunCancelled(runId);
  }

  /** Records that queue run `runId` of `threadId` ran to its end: a job of it is not run again (`claimQueueRun`). */
  endQueueRun(runId: string, threadId: string): Promise<void> {
    return this.queue.endQueueRun(runId, threadId);
  }

  /**
   * Run `runId`'s budget account in this store (`pg-spend-gate.ts`), shared by every
   * process of the pool: `base` (what the thread had spent when the run began) is its
   * start when this process is the first to claim. A worker hands it to its runs and
   * branches (`RunOptions.spendGate`, `BranchRunOptions.spendGate`).
   */
  spendGate(runId: string, base: Spend): SpendGate {
    return new PgSpendGate(this.store, runId, base);
  }

  /**
   * Closes run `runId`'s budget account (its run ended: `closeRunSpend`, its late branches are refused).
   * @throws CheckpointError when the store fails.
   */
  closeRunSpend(runId: string): Promise<void> {
    return closeRunSpend(this.store, runId);
  }

  /** Drops the whole schema (tests; irreversible). */
  async dropSchema(): Promise<void> {
    await this.closeAsync();
    const client = new pg.Client({ connectionString: this.connectionString });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS ${this.q} CASCADE`);
      forgetMigrated(this.schema);
    } finally {
      await client.end();
    }
  }

  /** Starts closing (flush, release every thread, end the pool); `closeAsync` waits for it. */
  close(): void {
    void this.closeAsync().catch(() => undefined);
  }

  /** Writes what is batched, releases every thread lock and closes the connections. */
  closeAsync(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.ready.catch(() => undefined);
        await this.flush().catch(() => undefined);
        await this.locks.close();
        await this.branches.close();
      } finally {
        await this.pool.end().catch(() => undefined);
      }
    })();
    return this.closing;
  }

  /** How errors name this store: `Postgres checkpoints URL (schema S)`. */
  private get where(): string {
    return `Postgres checkpoints ${this.url} (schema ${this.schema})`;
  }
}
