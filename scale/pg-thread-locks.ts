/**
 * Per-thread locks of the Postgres store (`PostgresCheckpointer`, issue 13 §1): a thread
 * this process writes is held through a session-level advisory lock on a connection of
 * its own, and every write of the thread runs on that connection, in order. A second
 * process that tries the same thread gets `ThreadBusyError` and writes nothing (no lost
 * update). A process that dies loses its connections, and Postgres releases the locks
 * with them, so another worker can continue the thread.
 *
 * The lock costs no round trip of its own: the thread's first statement here takes it
 * (`pg_try_advisory_lock` inside the statement — a write that inserts nothing, or a read
 * that reads nothing, when it fails); `hold` takes it alone.
 *
 * Lock connections are reused: a released thread's connection (unlocked) waits idle for
 * the next thread (at most `spare` of them), so a queue worker running many short runs
 * does not pay a Postgres connection (a backend process) per run.
 */
import { createHash } from "node:crypto";
import pg from "pg";
import { ThreadBusyError } from "./errors.js";
import type { NamedStatement } from "./pg-statements.js";

/** A thread this process holds: its connection and the chain its writes run on, in order. */
interface HeldThread {
  readonly conn: Conn;
  chain: Promise<unknown>;
  /** The session holds the thread's advisory lock. */
  locked: boolean;
  /** The session may hold it (a statement that tries it failed): `release` unlocks. */
  mayHold: boolean;
  /** Another process holds the thread: what is still queued here fails with ThreadBusy. */
  busy: boolean;
}

/** A lock connection; `lost` once it broke (Postgres restarted: its locks went with it). */
interface Conn {
  readonly client: pg.Client;
  lost: boolean;
}

export interface ThreadLocksOptions {
  readonly connectionString: string;
  /** Schema the locks belong to (part of the lock key and of the connections' `application_name`). */
  readonly schema: string;
  /** SQL run first in every `transaction`, with the thread id as `$1` (the thread row's lock). */
  readonly begin: string;
  /** Unlocked connections kept for reuse (default 8). */
  readonly spare?: number;
  /** Called after each committed write (statistics). */
  readonly onCommit?: () => void;
  /** The `pg` client class lock connections are made with (default `pg.Client`). */
  readonly Client?: typeof pg.Client;
}

export class ThreadLocks {
  private readonly held = new Map<string, Promise<HeldThread>>();
  private readonly idle: Conn[] = [];
  /** A connection being opened ahead of need (`warm`). */
  private warming: Promise<Conn> | undefined;
  private closed = false;

  constructor(private readonly options: ThreadLocksOptions) {}

  /** The 64-bit advisory lock key of a thread in this schema (decimal text). */
  key(threadId: string): string {
    return createHash("sha256").update(`${this.options.schema}\0${threadId}`).digest().readBigInt64BE(0).toString();
  }

  /** A connection for a lock: an idle one, else one being opened ahead (`warm`), else a new one. */
  private async connection(): Promise<Conn> {
    for (let c = this.idle.pop(); c; c = this.idle.pop()) {
      if (!c.lost) return c;
      await c.client.end().catch(() => undefined);
    }
    const warming = this.warming;
    this.warming = undefined;
    if (warming) {
      const c = await warming.catch(() => undefined);
      if (c && !c.lost) return c;
    }
    return this.open();
  }

  /**
   * Starts opening a lock connection now when none is idle, so the next thread's first
   * write does not wait for a Postgres connection (a run's start reads the thread first).
   */
  warm(threadId: string): void {
    if (this.closed || this.idle.length || this.warming || this.held.has(threadId)) return;
    const w = this.open();
    w.catch(() => undefined);
    this.warming = w;
  }

  /** Opens a new lock connection. */
  private async open(): Promise<Conn> {
    // Named after the schema, so operators (and tests) can tell lock connections apart in pg_stat_activity.
    const Client = this.options.Client ?? pg.Client;
    const client = new Client({ connectionString: this.options.connectionString, application_name: `ragraph-lock:${this.options.schema}`.slice(0, 63) });
    const conn: Conn = { client, lost: false };
    client.on("error", () => {
      conn.lost = true;
    });
    await client.connect();
    return conn;
  }

  /** The thread's entry (its connection; not necessarily locked yet). */
  private entry(threadId: string): Promise<HeldThread> {
    let h = this.held.get(threadId);
    if (!h) {
      h = this.connection().then((conn) => ({ conn, chain: Promise.resolve(), locked: false, mayHold: false, busy: false }));
      this.held.set(threadId, h);
      h.catch(() => this.held.delete(threadId));
    }
    return h.then((held) => {
      if (!held.conn.lost) return held;
      // The connection broke (Postgres restarted): the lock went with it; the next write takes it again.
      if (this.held.get(threadId) === h) this.held.delete(threadId);
      return this.entry(threadId);
    });
  }

  /** Runs `f` on the thread's chain (after its earlier writes); fails with ThreadBusy once the thread was found busy. */
  private async onChain<T>(threadId: string, f: (held: HeldThread) => Promise<T>): Promise<T> {
    const held = await this.entry(threadId);
    const run = held.chain.then(() => {
      if (held.busy) throw new ThreadBusyError(threadId);
      return f(held);
    });
    held.chain = run.catch(() => undefined);
    return run;
  }

  /** Another process holds the thread: forgets it here and frees the connection (it holds no lock). */
  private busy(threadId: string, held: HeldThread): never {
    held.busy = true;
    const h = this.held.get(threadId);
    if (h) void h.then((x) => x === held && this.held.get(threadId) === h && this.held.delete(threadId));
    void held.chain.then(() => this.recycle(held.conn));
    throw new ThreadBusyError(threadId);
  }

  /** Takes the thread's lock now (if this process does not hold it yet). @throws ThreadBusyError */
  async hold(threadId: string): Promise<void> {
    await this.onChain(threadId, async (held) => {
      if (held.locked) return;
      held.mayHold = true;
      const { rows } = await held.conn.client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS ok", [this.key(threadId)]);
      if (!rows[0]?.ok) this.busy(threadId, held);
      held.locked = true;
    });
  }

  /**
   * Runs one statement of the thread on its connection, after the thread's earlier
   * writes, and returns its first row; a write commits on its own (one statement, one
   * round trip). `params` gets the advisory lock key when the statement must take the
   * lock (the thread's first statement here), else null; the statement returns `ok`,
   * false when another session holds the lock (then it must have done nothing).
   *
   * @param write counts a committed write (`onCommit`).
   * @throws ThreadBusyError when another process holds the thread.
   */
  async run<R extends { ok: boolean }>(threadId: string, statement: NamedStatement, params: (lockKey: string | null) => unknown[], write: boolean): Promise<R> {
    return this.onChain(threadId, async (held) => {
      const taking = !held.locked;
      if (taking) held.mayHold = true;
      const { rows } = await held.conn.client.query<R>({ name: statement.name, text: statement.text, values: params(taking ? this.key(threadId) : null) });
      if (!rows[0]?.ok) this.busy(threadId, held);
      held.locked = true;
      if (write) this.options.onCommit?.();
      return rows[0];
    });
  }

  /** Runs `f` in one transaction on the thread's locked connection, after the thread's earlier writes. @throws ThreadBusyError */
  async transaction<T>(threadId: string, f: (c: pg.ClientBase) => Promise<T>): Promise<T> {
    await this.hold(threadId);
    return this.onChain(threadId, async (held) => {
      const c = held.conn.client;
      await c.query("BEGIN");
      try {
        await c.query(this.options.begin, [threadId]);
        const out = await f(c);
        await c.query("COMMIT");
        this.options.onCommit?.();
        return out;
      } catch (e) {
        await c.query("ROLLBACK").catch(() => undefined);
        throw e;
      }
    });
  }

  /** Unlocks a thread after its queued writes; its connection waits for reuse. */
  async release(threadId: string): Promise<void> {
    const h = this.held.get(threadId);
    if (!h) return;
    this.held.delete(threadId);
    const held = await h.catch(() => undefined);
    if (!held) return;
    await held.chain;
    if (held.busy) return; // recycled by `busy`
    const { conn } = held;
    if (!held.mayHold) return this.recycle(conn);
    // Every advisory lock of the session: a statement that failed after taking the lock left it held (session locks ignore rollbacks), maybe twice.
    const unlocked = await conn.client.query("SELECT pg_advisory_unlock_all()").then(
      () => true,
      () => false,
    );
    if (unlocked) this.recycle(conn);
    else await conn.client.end().catch(() => undefined);
  }

  /** Keeps an unlocked connection for the next thread, or closes it. */
  private recycle(conn: Conn): void {
    if (this.closed || conn.lost || this.idle.length >= (this.options.spare ?? 8)) void conn.client.end().catch(() => undefined);
    else this.idle.push(conn);
  }

  /**
   * The keys (`key`) of the advisory locks another process's session holds in this
   * database now (`pg_locks`, this process's own lock connections left out): the threads
   * other processes are running, when mapped back through `key`.
   */
  async heldElsewhere(pool: pg.Pool): Promise<ReadonlySet<string>> {
    const [own, locks] = await Promise.all([
      this.backendPids(),
      pool.query<{ key: string; pid: number }>(
        "SELECT ((classid::bigint << 32) | objid::bigint)::text AS key, pid FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
      ),
    ]);
    return new Set(locks.rows.filter((r) => !own.has(r.pid)).map((r) => r.key));
  }

  /**
   * Backend process ids of this process's lock connections (idle and holding), to tell
   * the advisory locks in `pg_locks` that are this process's from other processes'.
   */
  private async backendPids(): Promise<ReadonlySet<number>> {
    const held = await Promise.all([...this.held.values()].map((h) => h.then((x) => x.conn, () => undefined)));
    const pids = new Set<number>();
    for (const c of [...this.idle, ...held]) {
      const pid: unknown = (c?.client as { processID?: unknown } | undefined)?.processID;
      if (typeof pid === "number") pids.add(pid);
    }
    return pids;
  }

  /** Threads this process holds (or is taking). */
  threads(): string[] {
    return [...this.held.keys()];
  }

  /** Releases every thread and closes every lock connection. */
  async close(): Promise<void> {
    await Promise.all(this.threads().map((t) => this.release(t)));
    this.closed = true;
    const warming = this.warming;
    this.warming = undefined;
    const spare = await warming?.catch(() => undefined);
    if (spare) this.idle.push(spare);
    await Promise.all(this.idle.splice(0).map((c) => c.client.end().catch(() => undefined)));
  }
}
