/**
 * Thread leases of the SQLite store (`SqliteCheckpointer.claim`): one run of a thread at a
 * time across every process that opens the file (`rag run --thread T` and `rag resume T`
 * in two terminals, the studio and a CLI run), and across handles in one process. Before,
 * two such runs both started from the thread's latest checkpoint and spend and together
 * spent its budget twice over (their checkpoints interleaved too).
 *
 * A lease is a row of `thread_leases` — the thread, a random owner token per claim, the
 * owner's pid and host name, and an expiry — inserted in an IMMEDIATE transaction (the
 * database's write lock: two claims cannot both see the thread free). The holder renews
 * the expiry every `ttlMs / 3` (a timer that does not keep the process alive) and deletes
 * its row when the run ends. A lease is stale, and taken over, when it expired (its holder
 * stopped renewing it: a machine gone, a process frozen) or when its holder is a process of
 * this host that no longer exists (killed: no wait for the expiry). A holder whose lease
 * was taken over finds out at its next renewal and its run is cancelled (`onLost`).
 *
 * The table is created on the first claim (`IF NOT EXISTS`: files of older versions gain
 * it; older versions ignore it). Schema: `thread_leases(thread_id PRIMARY KEY, owner, pid,
 * host, expires_at ms)`.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type BetterSqlite3 from "better-sqlite3";
import { ThreadBusyError } from "../errors.js";
import type { ThreadClaim } from "./types.js";

/** Default lease time, ms: renewed every third of it. */
export const LEASE_MS = 30_000;

interface LeaseRow {
  owner: string;
  pid: number;
  host: string;
  expires_at: number;
}

/** True when process `pid` exists on this host (EPERM: it exists, owned by another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface LeaseOptions {
  /** Lease time, ms (default `LEASE_MS`). */
  readonly ttlMs?: number;
  /** The clock, ms since the epoch (default `Date.now`). */
  readonly now?: () => number;
}

/** Leases of one database handle. */
export class ThreadLeases {
  private ready = false;
  private readonly host = hostname();
  private readonly ttl: number;
  private readonly now: () => number;

  constructor(
    private readonly db: BetterSqlite3.Database,
    options: LeaseOptions = {},
  ) {
    this.ttl = options.ttlMs ?? LEASE_MS;
    this.now = options.now ?? Date.now;
  }

  private table(): void {
    if (this.ready) return;
    this.db.exec("CREATE TABLE IF NOT EXISTS thread_leases (thread_id TEXT PRIMARY KEY, owner TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID");
    this.ready = true;
  }

  /** Why `row` still holds its thread, or undefined when it is stale (expired, or its process of this host is gone). */
  private holder(row: LeaseRow | undefined): string | undefined {
    if (!row || row.expires_at <= this.now()) return undefined;
    if (row.host === this.host && row.pid !== process.pid && !alive(row.pid)) return undefined;
    return row.host === this.host ? (row.pid === process.pid ? "another run of this process" : `process ${row.pid}`) : `process ${row.pid} on ${row.host}`;
  }

  /**
   * The threads a live lease holds now: a run of any process on this file is executing
   * them (stale leases, of expired or vanished holders, are left out). Empty before any
   * lease was ever taken on the file (no table yet).
   */
  held(): Set<string> {
    const out = new Set<string>();
    const table = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'thread_leases'").get();
    if (!table) return out;
    for (const row of this.db.prepare("SELECT thread_id, owner, pid, host, expires_at FROM thread_leases").all() as (LeaseRow & { thread_id: string })[]) {
      if (this.holder(row)) out.add(row.thread_id);
    }
    return out;
  }

  /**
   * Takes the lease of `threadId` (see the module). `onLost` is called once if a renewal
   * finds the lease taken over.
   *
   * @throws ThreadBusyError when a live lease of another claim holds the thread.
   */
  claim(threadId: string, onLost: (e: Error) => void): ThreadClaim {
    this.table();
    const owner = randomUUID();
    const take = this.db.transaction(() => {
      const row = this.db.prepare("SELECT owner, pid, host, expires_at FROM thread_leases WHERE thread_id = ?").get(threadId) as LeaseRow | undefined;
      const by = this.holder(row);
      if (by) throw new ThreadBusyError(threadId, `thread ${threadId} is busy: ${by} is running it (its lease in ${this.db.name}); retry when that run has ended`);
      this.db.prepare("INSERT OR REPLACE INTO thread_leases (thread_id, owner, pid, host, expires_at) VALUES (?, ?, ?, ?, ?)").run(threadId, owner, process.pid, this.host, this.now() + this.ttl);
    });
    take.immediate();
    const renew = this.db.prepare("UPDATE thread_leases SET expires_at = ? WHERE thread_id = ? AND owner = ?");
    let held = true;
    const timer = setInterval(() => {
      if (!held || !this.db.open) return clearInterval(timer);
      let kept: boolean;
      try {
        kept = renew.run(this.now() + this.ttl, threadId, owner).changes === 1;
      } catch {
        return; // the file is busy or gone for a moment: the next renewal tries again
      }
      if (kept) return;
      held = false;
      clearInterval(timer);
      onLost(new ThreadBusyError(threadId, `thread ${threadId}: this run's lease expired and another run took the thread over; this run was stopped`));
    }, Math.max(1, Math.floor(this.ttl / 3)));
    timer.unref();
    return {
      release: async () => {
        if (!held) return;
        held = false;
        clearInterval(timer);
        if (!this.db.open) return;
        try {
          this.db.prepare("DELETE FROM thread_leases WHERE thread_id = ? AND owner = ?").run(threadId, owner);
        } catch {
          /* the lease expires by itself */
        }
      },
    };
  }
}
