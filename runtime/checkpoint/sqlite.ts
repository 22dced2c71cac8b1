/**
 * SQLite checkpointer (better-sqlite3): the embedded default of the CLI
 * (`.rag/checkpoints.db`). One file holds every thread; WAL mode lets readers (`rag
 * runs`) work while a run writes. Costs are kept off the superstep's hot path:
 * statements are prepared once, pending writes of tasks that complete in the same tick
 * are batched into one transaction, and a checkpoint is inserted together with any
 * batched writes in one transaction (so `sync` durability costs one commit per
 * superstep). `synchronous = NORMAL` in WAL mode makes every commit survive a crash of
 * the process (SIGKILL); a power loss may lose the last ones.
 *
 * Layout (schema 3): `checkpoints(seq, thread_id, ns, id, parent_id, step, source, graph,
 * hash, created_at, checkpoint JSON, metadata JSON)`, `writes(thread_id, ns,
 * checkpoint_id, task_id, idx, channel, value JSON)` (runtime records use fixed negative
 * `idx`) and `blobs(thread_id, ns, checkpoint_id, channel, kind, base, value JSON)`. The
 * `checkpoint` JSON leaves out what the columns hold (id, parent, step, graph, hash,
 * time) and empty lists; `metadata` leaves out `source` and `step` (columns too).
 *
 * Channel values are stored by version, only when they changed, and appended lists as
 * deltas on a skip list of base blobs (`blobs.ts`, shared with the Postgres backend).
 * Listing history (`list`, `threads`) never loads values: a tuple's `checkpoint.values`
 * is read on first access. Files of schema 1 (values inline) and 2 (whole blob every 64
 * links, full rows) are read as they are; new checkpoints in them use schema-3 rows.
 */
import type BetterSqlite3 from "better-sqlite3";
import { CheckpointError } from "../errors.js";
import { ThreadLeases } from "./sqlite-lease.js";
import { openDatabase, prepareStatements, type Row, type Statements } from "./sqlite-schema.js";
import { BlobPlanner, checkpointJson, liveBlobs, metadataJson, metadataReader, readCheckpoint, readMetadata, rebuildValue, refsOf, type StoredBlob } from "./blobs.js";
import {
  isSpecial,
  metadataMatches,
  SPECIAL_INDEX,
  outcomeOf,
  type BatchOp,
  type Checkpoint,
  type CheckpointConfig,
  type Checkpointer,
  type CheckpointMetadata,
  type CheckpointTuple,
  type ListOptions,
  type PendingWriteRecord,
  type PruneOptions,
  type ThreadClaim,
  type ThreadSummary,
  type ThreadsOptions,
} from "./types.js";

/** A `writes` row as the read statements select it. */
type WriteRead = { task_id: string; channel: string; value: string | null };

/** The pending writes of a checkpoint without any (shared: tuples' lists are never mutated). */
const NO_WRITES: readonly PendingWriteRecord[] = Object.freeze([]);

/** A write row waiting for the next transaction: [thread, ns, checkpoint, task, idx, channel, value JSON]. */
type WriteRow = [string, string, string, string, number, string, string | null];

export interface SqliteCheckpointerOptions {
  /** Open read-only (no schema changes, no writes). */
  readonly readonly?: boolean;
  /** How long a run's lease on a thread lasts without renewal, ms (`sqlite-lease.ts`; default 30,000). */
  readonly leaseMs?: number;
}

export class SqliteCheckpointer implements Checkpointer {
  readonly db: BetterSqlite3.Database;
  private readonly stmt: Statements;
  private buffer: { regular: WriteRow[]; special: WriteRow[] } = { regular: [], special: [] };
  private flushing: Promise<void> | undefined;
  private readonly writeBatch: (b: { regular: WriteRow[]; special: WriteRow[] }) => void;
  private readonly putTx: (checkpoint: Checkpoint, metadata: CheckpointMetadata, b: { regular: WriteRow[]; special: WriteRow[] }) => void;
  private readonly batchTx: (ops: readonly BatchOp[]) => void;
  /** Which channels changed since the last checkpoint this process put per thread. */
  private readonly planner = new BlobPlanner();
  /** Cache commits of the blobs planned in the running transaction (applied once it commits). */
  private planned: (() => void)[] = [];
  private readonly leases: ThreadLeases;

  /**
   * Opens (creating when needed, with its directory) the database at `path`
   * (`:memory:` for a private in-memory database).
   *
   * @throws CheckpointError when the file cannot be opened or has a newer schema.
   */
  constructor(readonly path: string, options: SqliteCheckpointerOptions = {}) {
    this.db = openDatabase(path, Boolean(options.readonly));
    this.stmt = prepareStatements(this.db);
    this.leases = new ThreadLeases(this.db, options.leaseMs !== undefined ? { ttlMs: options.leaseMs } : {});
    const writeRows = (b: { regular: WriteRow[]; special: WriteRow[] }) => {
      for (const r of b.regular) this.stmt.insertWrite.run(r);
      for (const r of b.special) this.stmt.upsertWrite.run(r);
    };
    this.writeBatch = this.db.transaction(writeRows);
    // Not `writeBatch` inside: a nested better-sqlite3 transaction costs a SAVEPOINT and a RELEASE.
    const putTx = this.db.transaction((checkpoint: Checkpoint, metadata: CheckpointMetadata, b: { regular: WriteRow[]; special: WriteRow[] }) => {
      writeRows(b);
      this.stmt.insertCheckpoint.run(this.checkpointRow(checkpoint, metadata));
    });
    this.putTx = (checkpoint, metadata, b) => this.committing(() => putTx(checkpoint, metadata, b));
    // Rows of one transaction become visible together, so the order of checkpoint and
    // write inserts inside it does not matter; write rows keep their relative order.
    const batchTx = this.db.transaction((ops: readonly BatchOp[]) => {
      for (const op of ops) {
        if (op.kind === "put") this.stmt.insertCheckpoint.run(this.checkpointRow(op.checkpoint, op.metadata));
        else {
          if (op.config.checkpointId === undefined) throw new CheckpointError("putWrites needs a checkpoint id");
          this.bufferWrites(op.config, op.writes, op.taskId);
        }
      }
      const b = this.buffer;
      this.buffer = { regular: [], special: [] };
      writeRows(b);
    });
    this.batchTx = (ops) => this.committing(() => batchTx(ops));
  }

  /** Writes batched pending writes now (one transaction). */
  private flush(): void {
    const b = this.buffer;
    if (!b.regular.length && !b.special.length) return;
    this.buffer = { regular: [], special: [] };
    this.writeBatch(b);
  }

  private guard<T>(what: string, f: () => T): T {
    try {
      this.flush();
      return f();
    } catch (e) {
      if (e instanceof CheckpointError) throw e;
      throw new CheckpointError(`checkpoint database ${this.path}: ${what} failed: ${(e as Error).message}`, {}, { cause: e });
    }
  }

  /** The threads a run of any process holds now (a live lease: `sqlite-lease.ts` `held`). */
  async runningThreads(): Promise<ReadonlySet<string>> {
    return this.guard("reading thread leases", () => this.leases.held());
  }

  /**
   * Takes a thread for one run, across processes on this file and handles in this process
   * (a lease row: `sqlite-lease.ts`). A read-only handle writes nothing and takes nothing.
   * @throws ThreadBusyError when another run holds the thread.
   */
  async claim(threadId: string, onLost: (e: Error) => void): Promise<ThreadClaim> {
    if (this.db.readonly) return { release: async () => {} };
    try {
      return this.leases.claim(threadId, onLost);
    } catch (e) {
      if (e instanceof CheckpointError) throw e;
      throw new CheckpointError(`checkpoint database ${this.path}: taking thread ${threadId} failed: ${(e as Error).message}`, {}, { cause: e });
    }
  }

  async getTuple(config: CheckpointConfig): Promise<CheckpointTuple | undefined> {
    return this.guard("read", () => {
      const ns = config.namespace ?? "";
      const row = (config.checkpointId !== undefined ? this.stmt.byId.get(config.threadId, ns, config.checkpointId) : this.stmt.latest.get(config.threadId, ns)) as Row | undefined;
      return row ? this.tuple(row) : undefined;
    });
  }

  async list(threadId: string, options: ListOptions = {}): Promise<CheckpointTuple[]> {
    return this.guard("list", () => {
      const ns = options.namespace ?? "";
      let below = Number.MAX_SAFE_INTEGER;
      if (options.before !== undefined) below = (this.stmt.seqOf.get(threadId, ns, options.before) as { seq: number } | undefined)?.seq ?? 0;
      const out: CheckpointTuple[] = [];
      const status = options.pendingWrites === "status";
      // A long listing reads the thread's writes in one query instead of one per checkpoint.
      const writes = options.limit === undefined || options.limit > 32 ? this.writesByCheckpoint(threadId, ns, status) : undefined;
      const metadataOf = metadataReader();
      let prev: Row | undefined;
      for (const row of this.stmt.list.iterate(threadId, ns, below) as IterableIterator<Row>) {
        if (options.limit !== undefined && out.length >= options.limit) break;
        // What repeats from row to row is kept once (the tuples hold these strings): the
        // thread and namespace asked for (not selected), and the previous row's graph and blueprint hash.
        row.thread_id = threadId;
        row.ns = ns;
        if (prev !== undefined) {
          if (row.hash === prev.hash) row.hash = prev.hash;
          if (row.graph === prev.graph) row.graph = prev.graph;
        }
        prev = row;
        const metadata = metadataOf(row);
        if (!metadataMatches(metadata, options.filter)) continue;
        out.push(this.tuple(row, metadata, writes ? (writes.get(row.id) ?? NO_WRITES) : status ? this.readWrites(this.stmt.statusWritesOf.all(row.thread_id, row.ns, row.id) as WriteRead[]) : undefined));
      }
      return out;
    });
  }

  /** Runs a transaction; the blob planner learns what it stored only once it committed. */
  private committing(tx: () => void): void {
    this.planned = [];
    try {
      tx();
      for (const commit of this.planned) commit();
    } finally {
      this.planned = [];
    }
  }

  /**
   * The checkpoint's row, its values replaced by `refs`; the blobs of the channels that
   * changed since the previous checkpoint of the thread are inserted (inside the
   * caller's transaction).
   */
  private checkpointRow(c: Checkpoint, metadata: CheckpointMetadata): unknown[] {
    const { refs, blobs, commit } = this.planner.plan(c);
    for (const b of blobs) this.stmt.insertBlob.run(c.threadId, c.namespace, c.id, b.channel, b.kind, b.base, b.value);
    this.planned.push(commit);
    return [c.threadId, c.namespace, c.id, c.parentId ?? null, c.step, metadata.source, c.graph, c.blueprintHash, c.ts, checkpointJson(c, refs), metadataJson(metadata, c.step)];
  }

  /** The value of `channel` from the blob of checkpoint `ref` (following append links). */
  private loadBlob(threadId: string, ns: string, ref: string, channel: string): unknown {
    try {
      return rebuildValue((at) => this.stmt.blob.get(threadId, ns, at, channel) as StoredBlob | undefined, ref, channel);
    } catch (e) {
      throw new CheckpointError(`checkpoint database ${this.path}, thread ${threadId}: ${(e as Error).message}`, {}, { cause: e });
    }
  }

  async put(checkpoint: Checkpoint, metadata: CheckpointMetadata): Promise<Required<CheckpointConfig>> {
    const b = this.buffer;
    this.buffer = { regular: [], special: [] };
    try {
      this.putTx(checkpoint, metadata, b);
    } catch (e) {
      throw new CheckpointError(`checkpoint database ${this.path}: saving checkpoint ${checkpoint.id} of thread ${checkpoint.threadId} failed: ${(e as Error).message}`, {}, { cause: e });
    }
    return { threadId: checkpoint.threadId, namespace: checkpoint.namespace, checkpointId: checkpoint.id };
  }

  /** Every operation in one transaction (the `async` durability path). */
  async putBatch(ops: readonly BatchOp[]): Promise<void> {
    try {
      this.batchTx(ops);
    } catch (e) {
      throw new CheckpointError(`checkpoint database ${this.path}: saving ${ops.length} queued operations failed: ${(e as Error).message}`, {}, { cause: e });
    }
  }

  private bufferWrites(config: CheckpointConfig, writes: readonly (readonly [string, unknown])[], taskId: string): void {
    const ns = config.namespace ?? "";
    let i = 0;
    for (const [channel, value] of writes) {
      const json = value === undefined ? null : JSON.stringify(value);
      if (isSpecial(channel)) this.buffer.special.push([config.threadId, ns, config.checkpointId!, taskId, SPECIAL_INDEX[channel] ?? -100, channel, json]);
      else this.buffer.regular.push([config.threadId, ns, config.checkpointId!, taskId, i++, channel, json]);
    }
  }

  /** Batches the rows; they are written in one transaction at the next `put`, read, or event-loop turn. */
  putWrites(config: CheckpointConfig, writes: readonly (readonly [string, unknown])[], taskId: string): Promise<void> {
    if (config.checkpointId === undefined) return Promise.reject(new CheckpointError("putWrites needs a checkpoint id"));
    this.bufferWrites(config, writes, taskId);
    this.flushing ??= new Promise<void>((resolve, reject) =>
      setImmediate(() => {
        this.flushing = undefined;
        try {
          this.flush();
          resolve();
        } catch (e) {
          reject(new CheckpointError(`checkpoint database ${this.path}: saving pending writes failed: ${(e as Error).message}`, {}, { cause: e }));
        }
      }),
    );
    return this.flushing;
  }

  async deleteThread(threadId: string): Promise<void> {
    this.guard("delete", () =>
      this.db.transaction(() => {
        this.stmt.deleteWrites.run(threadId);
        this.stmt.deleteBlobs.run(threadId);
        this.planner.forget(threadId);
        this.stmt.deleteCheckpoints.run(threadId);
      })(),
    );
  }

  async copyThread(from: string, to: string): Promise<void> {
    this.guard("copy", () => {
      if (this.stmt.hasThread.get(to)) throw new CheckpointError(`thread ${to} already exists`);
      this.db.transaction(() => {
        this.stmt.copyCheckpoints.run(to, from);
        this.stmt.copyWrites.run(to, from);
        this.stmt.copyBlobs.run(to, from);
      })();
    });
  }

  async prune(options: PruneOptions = {}): Promise<number> {
    return this.guard("prune", () => {
      const keep = Math.max(0, Math.floor(options.keepLast ?? 1));
      const threads = options.threads;
      const where = threads ? `WHERE thread_id IN (${threads.map(() => "?").join(", ") || "NULL"})` : "";
      const del = this.db.prepare(
        `DELETE FROM checkpoints WHERE seq IN (SELECT seq FROM (SELECT seq, ROW_NUMBER() OVER (PARTITION BY thread_id, ns ORDER BY seq DESC) AS rn FROM checkpoints ${where}) WHERE rn > ?)`,
      );
      return this.db.transaction(() => {
        const n = del.run(...(threads ?? []), keep).changes;
        this.stmt.orphanWrites.run();
        if (n) this.collectBlobs(threads);
        return n;
      })();
    });
  }

  /** Deletes blobs no remaining checkpoint reaches (directly or as the base of an append chain). */
  private collectBlobs(threads: readonly string[] | undefined): void {
    const ids = threads ?? (this.db.prepare("SELECT DISTINCT thread_id FROM blobs").all() as { thread_id: string }[]).map((r) => r.thread_id);
    const rows = this.db.prepare("SELECT ns, checkpoint FROM checkpoints WHERE thread_id = ?");
    const blobs = this.db.prepare("SELECT ns, checkpoint_id, channel, base FROM blobs WHERE thread_id = ?");
    const drop = this.db.prepare("DELETE FROM blobs WHERE thread_id = ? AND ns = ? AND checkpoint_id = ? AND channel = ?");
    for (const thread of ids) {
      const base = new Map<string, string | null>();
      const all = blobs.all(thread) as { ns: string; checkpoint_id: string; channel: string; base: string | null }[];
      for (const b of all) base.set(`${b.ns}\u0000${b.checkpoint_id}\u0000${b.channel}`, b.base);
      const live = liveBlobs(
        (function* () {
          for (const r of rows.iterate(thread) as IterableIterator<{ ns: string; checkpoint: string }>) yield { ns: r.ns, refs: refsOf(r.checkpoint) ?? {} };
        })(),
        base,
      );
      for (const b of all) if (!live.has(`${b.ns}\u0000${b.checkpoint_id}\u0000${b.channel}`)) drop.run(thread, b.ns, b.checkpoint_id, b.channel);
    }
    this.planner.forget();
  }

  async threads(options: ThreadsOptions = {}): Promise<ThreadSummary[]> {
    return this.guard("list threads", () =>
      ((options.threadId === undefined ? this.stmt.threads.all() : this.stmt.thread.all(options.threadId)) as (Row & { cnt: number })[]).map((row) => {
        const t = this.tuple(row);
        return { threadId: row.thread_id, graph: t.checkpoint.graph, checkpoints: row.cnt, step: t.checkpoint.step, updatedAt: t.checkpoint.ts, latestId: t.checkpoint.id, ...outcomeOf(t) };
      }),
    );
  }

  close(): void {
    try {
      this.flush();
    } finally {
      if (this.db.open) this.db.close();
    }
  }

  /**
   * Every pending write of a thread's namespace, by checkpoint id (per checkpoint in
   * `writesOf` order); with `status`, only those `ListOptions.pendingWrites: "status"` asks for.
   */
  private writesByCheckpoint(threadId: string, ns: string, status: boolean): Map<string, PendingWriteRecord[]> {
    const out = new Map<string, PendingWriteRecord[]>();
    for (const w of (status ? this.stmt.statusWritesOfThread : this.stmt.writesOfThread).iterate(threadId, ns) as IterableIterator<WriteRead & { checkpoint_id: string }>) {
      const rec = { taskId: w.task_id, channel: w.channel, value: w.value === null ? undefined : JSON.parse(w.value) };
      const list = out.get(w.checkpoint_id);
      if (list) list.push(rec);
      else out.set(w.checkpoint_id, [rec]);
    }
    return out;
  }

  /** Pending-write records from their rows. */
  private readWrites(rows: readonly WriteRead[]): PendingWriteRecord[] {
    return rows.map((w) => ({ taskId: w.task_id, channel: w.channel, value: w.value === null ? undefined : JSON.parse(w.value) }));
  }

  private metadataOf(row: Row): CheckpointMetadata {
    return readMetadata(row);
  }

  private tuple(row: Row, metadata: CheckpointMetadata = this.metadataOf(row), writes?: readonly PendingWriteRecord[]): CheckpointTuple {
    // The loader keeps the thread and namespace, not the row (its JSON texts): a listing's tuples hold it until their values are read.
    const threadId = row.thread_id;
    const ns = row.ns;
    const checkpoint = readCheckpoint(row, (refs) => {
      const values: Record<string, unknown> = {};
      for (const channel of Object.keys(refs)) values[channel] = this.loadBlob(threadId, ns, refs[channel], channel);
      return values;
    });
    const pendingWrites: readonly PendingWriteRecord[] = writes ?? this.readWrites(this.stmt.writesOf.all(row.thread_id, row.ns, row.id) as WriteRead[]);
    return {
      config: { threadId: row.thread_id, namespace: row.ns, checkpointId: row.id },
      checkpoint,
      metadata,
      ...(checkpoint.parentId !== undefined ? { parentConfig: { threadId: row.thread_id, namespace: row.ns, checkpointId: checkpoint.parentId } } : {}),
      pendingWrites,
    };
  }
}
