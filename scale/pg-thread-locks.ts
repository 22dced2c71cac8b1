/**
 * Per-thread locks of the Postgres store (`PostgresCheckpointer`, issue 13 §1): a thread
 * this process writes is held through a session-level advisory lock on a connection of
 * its own, and every write transaction of the thread runs on that connection, in order.
 * A second process that tries the same thread gets `ThreadBusyError` and writes nothing
 * (no lost update). A process that dies loses its connections, and Postgres releases the
 * locks with them, so another worker can continue the thread.
 *
 * Lock connections are reused: a released thread's connection (unlocked) waits idle for
 * the next thread (at most `spare` of them), so a queue worker running many short runs
 * does not pay a Postgres connection (a backend process) per run.
 */
import { createHash } from "node:crypto";
import pg from "pg";
import { ThreadBusyError } from "./errors.js";

/** A thread this process holds: its locked connection and the chain its writes run on, in order. */
interface HeldThread {
  readonly conn: Conn;
  chain: Promise<unknown>;
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
  /** SQL run first in every write transaction, with the thread id as `$1` (the thread row's lock). */
  readonly begin: string;
  /** Unlocked connections kept for reuse (default 8). */
  readonly spare?: number;
  /** Called after each committed transaction (statistics). */
  readonly onCommit?: () => void;
}

/** Something to run SQL on: a connection, or a `ThreadLocks.batch` that sends every statement at once. */
export interface Sql {
  query(text: string, values?: readonly unknown[]): Promise<unknown>;
}

/** A value as an SQL literal (standard_conforming_strings on, Postgres' default since 9.1). */
export function sqlLiteral(v: unknown): string {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new TypeError(`not a finite number: ${v}`);
    return String(v);
  }
  if (typeof v === "bigint") return String(v);
  if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
  const s = typeof v === "string" ? v : JSON.stringify(v);
  if (s.includes("\0")) throw new TypeError("text with a NUL character cannot be stored in Postgres");
  return s.includes("\\") ? ` E'${s.replaceAll("\\", "\\\\").replaceAll("'", "''")}'` : `'${s.replaceAll("'", "''")}'`;
}

/** `text` with its `$n` placeholders replaced by the literals of `values` (one pass: values are not rescanned). */
export function inlineSql(text: string, values: readonly unknown[]): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => sqlLiteral(values[Number(n) - 1]));
}

export class ThreadLocks {
  private readonly held = new Map<string, Promise<HeldThread>>();
  private readonly idle: Conn[] = [];
  private closed = false;

  constructor(private readonly options: ThreadLocksOptions) {}

  /** The 64-bit advisory lock key of a thread in this schema. */
  private key(threadId: string): string {
    return createHash("sha256").update(`${this.options.schema}\0${threadId}`).digest().readBigInt64BE(0).toString();
  }

  /** A connection for a lock: an idle one, else a new one. */
  private async connection(): Promise<Conn> {
    for (let c = this.idle.pop(); c; c = this.idle.pop()) {
      if (!c.lost) return c;
      await c.client.end().catch(() => undefined);
    }
    // Named after the schema, so operators (and tests) can tell lock connections apart in pg_stat_activity.
    const client = new pg.Client({ connectionString: this.options.connectionString, application_name: `ragraph-lock:${this.options.schema}`.slice(0, 63) });
    const conn: Conn = { client, lost: false };
    client.on("error", () => {
      conn.lost = true;
    });
    await client.connect();
    return conn;
  }

  /** The thread's locked connection, taking the lock on first use. @throws ThreadBusyError */
  hold(threadId: string): Promise<HeldThread> {
    let h = this.held.get(threadId);
    if (!h) {
      h = (async () => {
        const conn = await this.connection();
        const { rows } = await conn.client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS ok", [this.key(threadId)]);
        if (!rows[0]?.ok) {
          this.recycle(conn);
          throw new ThreadBusyError(threadId);
        }
        return { conn, chain: Promise.resolve() };
      })();
      this.held.set(threadId, h);
      h.catch(() => this.held.delete(threadId));
    }
    return h.then((held) => {
      if (!held.conn.lost) return held;
      // The connection broke (Postgres restarted): the lock went with it; take it again.
      this.held.delete(threadId);
      return this.hold(threadId);
    });
  }

  /** Runs `f` in one transaction on the thread's locked connection, after the thread's earlier writes. */
  async transaction<T>(threadId: string, f: (c: pg.ClientBase) => Promise<T>): Promise<T> {
    const held = await this.hold(threadId);
    const run = held.chain.then(async () => {
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
    held.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Like `transaction`, but `f` only queues statements (their results are not read), and
   * the transaction goes to Postgres as one simple-protocol query: `BEGIN; …; COMMIT` in
   * one round trip instead of one per statement. For the write paths of a superstep.
   */
  async batch<T>(threadId: string, f: (sql: Sql) => T | Promise<T>): Promise<T> {
    const held = await this.hold(threadId);
    const run = held.chain.then(async () => {
      const statements = ["BEGIN", inlineSql(this.options.begin, [threadId])];
      const sql: Sql = {
        query: (text, values) => {
          statements.push(values?.length ? inlineSql(text, values) : text);
          return Promise.resolve();
        },
      };
      const out = await f(sql);
      statements.push("COMMIT");
      const c = held.conn.client;
      try {
        await c.query(statements.join(";\n"));
      } catch (e) {
        await c.query("ROLLBACK").catch(() => undefined);
        throw e;
      }
      this.options.onCommit?.();
      return out;
    });
    held.chain = run.catch(() => undefined);
    return run;
  }

  /** Unlocks a thread after its queued transactions; its connection waits for reuse. */
  async release(threadId: string): Promise<void> {
    const h = this.held.get(threadId);
    if (!h) return;
    this.held.delete(threadId);
    const held = await h.catch(() => undefined);
    if (!held) return;
    await held.chain;
    const { conn } = held;
    const unlocked = await conn.client.query<{ ok: boolean }>("SELECT pg_advisory_unlock($1::bigint) AS ok", [this.key(threadId)]).then(
      (r) => r.rows[0]?.ok === true,
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

  /** Threads this process holds. */
  threads(): string[] {
    return [...this.held.keys()];
  }

  /** Releases every thread and closes every lock connection. */
  async close(): Promise<void> {
    await Promise.all(this.threads().map((t) => this.release(t)));
    this.closed = true;
    await Promise.all(this.idle.splice(0).map((c) => c.client.end().catch(() => undefined)));
  }
}
