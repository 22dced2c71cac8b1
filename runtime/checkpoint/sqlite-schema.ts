/**
 * The SQLite checkpointer's schema (3, see `sqlite.ts` for the layout), the opening of a
 * database file with its pragmas and migrations, and the prepared statements the
 * checkpointer runs. Split from `sqlite.ts` so that file holds the checkpointer's logic.
 */
import { makeFolders } from "../../registry/make-folders.js";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { CheckpointError } from "../errors.js";

const SCHEMA_VERSION = 3;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS checkpoints (
  seq INTEGER PRIMARY KEY,
  thread_id TEXT NOT NULL,
  ns TEXT NOT NULL,
  id TEXT NOT NULL,
  parent_id TEXT,
  step INTEGER NOT NULL,
  source TEXT NOT NULL,
  graph TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  checkpoint TEXT NOT NULL,
  metadata TEXT NOT NULL,
  UNIQUE (thread_id, ns, id)
);
CREATE TABLE IF NOT EXISTS writes (
  thread_id TEXT NOT NULL,
  ns TEXT NOT NULL,
  checkpoint_id TEXT NOT NULL,
  task_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  channel TEXT NOT NULL,
  value TEXT,
  PRIMARY KEY (thread_id, ns, checkpoint_id, task_id, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS blobs (
  thread_id TEXT NOT NULL,
  ns TEXT NOT NULL,
  checkpoint_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  kind TEXT NOT NULL,
  base TEXT,
  value TEXT,
  PRIMARY KEY (thread_id, ns, checkpoint_id, channel)
) WITHOUT ROWID;
`;

/** A `checkpoints` row as the statements select it (`seq` left out). */
export interface Row {
  thread_id: string;
  ns: string;
  id: string;
  parent_id: string | null;
  step: number;
  source: string;
  graph: string;
  hash: string;
  created_at: number;
  checkpoint: string;
  metadata: string;
}

let Database: typeof BetterSqlite3 | undefined;

/**
 * Opens (creating when needed, with its directory) the database at `path` (`:memory:`
 * for a private in-memory one): WAL mode, `synchronous = NORMAL`, a 5 s busy timeout,
 * and the schema created or migrated to version {SCHEMA_VERSION} unless `readonly`.
 *
 * @throws CheckpointError when the file cannot be opened, has a newer schema, or
 *   better-sqlite3's native module is not built.
 */
export function openDatabase(path: string, readonly: boolean): BetterSqlite3.Database {
  try {
    Database ??= createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
    if (path !== ":memory:" && !readonly) makeFolders(dirname(path));
    const db = new Database(path, { readonly, fileMustExist: readonly });
    db.pragma("busy_timeout = 5000");
    if (!readonly) {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      const version = db.pragma("user_version", { simple: true }) as number;
      if (version > SCHEMA_VERSION) throw new Error(`it was written by a newer ragraph (schema ${version}, this one reads ${SCHEMA_VERSION})`);
      db.exec(SCHEMA);
      // Schema 3: one index on checkpoints, (thread_id, ns, id), whose entries carry `seq`
      // (the rowid) for ordering; a second index cost every superstep's commit a page.
      if (version < 3) db.exec("DROP INDEX IF EXISTS checkpoints_by_thread");
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }
    return db;
  } catch (e) {
    const message = (e as Error).message;
    // better-sqlite3 installed without its install script (`npm install --ignore-scripts`,
    // or a package manager that asks before running install scripts): its native module is
    // missing, and its own message lists a dozen paths it tried.
    const why = /Could not locate the bindings file/.test(message) ? "better-sqlite3's native module is not built (its install script did not run): run `npm rebuild better-sqlite3`" : message;
    throw new CheckpointError(`cannot open the checkpoint database ${path}: ${why}`, {}, { cause: e });
  }
}

/** The checkpointer's prepared statements (`prepareStatements`). */
export interface Statements {
  readonly insertCheckpoint: BetterSqlite3.Statement;
  readonly insertWrite: BetterSqlite3.Statement;
  readonly upsertWrite: BetterSqlite3.Statement;
  readonly latest: BetterSqlite3.Statement;
  readonly byId: BetterSqlite3.Statement;
  readonly seqOf: BetterSqlite3.Statement;
  /** A namespace's rows before a `seq`, newest first, without `thread_id` and `ns` (the caller has them). */
  readonly list: BetterSqlite3.Statement;
  readonly writesOf: BetterSqlite3.Statement;
  readonly writesOfThread: BetterSqlite3.Statement;
  /** A checkpoint's writes as `ListOptions.pendingWrites: "status"` asks (no channel write, no completion's value). */
  readonly statusWritesOf: BetterSqlite3.Statement;
  /** `statusWritesOf` for every checkpoint of a thread's namespace. */
  readonly statusWritesOfThread: BetterSqlite3.Statement;
  readonly threads: BetterSqlite3.Statement;
  /** One thread's row as `threads` gives it (none when it has no root checkpoint). */
  readonly thread: BetterSqlite3.Statement;
  readonly hasThread: BetterSqlite3.Statement;
  readonly deleteCheckpoints: BetterSqlite3.Statement;
  readonly deleteWrites: BetterSqlite3.Statement;
  readonly copyCheckpoints: BetterSqlite3.Statement;
  readonly copyWrites: BetterSqlite3.Statement;
  readonly insertBlob: BetterSqlite3.Statement;
  readonly blob: BetterSqlite3.Statement;
  readonly refsOf: BetterSqlite3.Statement;
  readonly deleteBlobs: BetterSqlite3.Statement;
  readonly copyBlobs: BetterSqlite3.Statement;
  readonly orphanWrites: BetterSqlite3.Statement;
}

/** The value a `"status"` listing reads of a write row (`ListOptions.pendingWrites`): none for a task's completion. */
const STATUS_VALUE = "CASE WHEN channel = '__task__' THEN NULL ELSE value END AS value";
/**
 * The write rows of a `"status"` listing (`ListOptions.pendingWrites`): the questions,
 * answers, failures and spend records, and the completions of a checkpoint that has a
 * question or a failure (they tell which questions are still open and which failure
 * still stands: `taskQuestions`, `failedTask`).
 */
const STATUS_ROWS = `(channel IN ('__interrupt__', '__resume__', '__error__', '__spend__') OR (channel = '__task__' AND EXISTS (SELECT 1 FROM writes x WHERE x.thread_id = w.thread_id AND x.ns = w.ns AND x.checkpoint_id = w.checkpoint_id AND x.channel IN ('__interrupt__', '__error__'))))`;

/** The checkpointer's prepared statements on `db` (prepared once per open). */
export function prepareStatements(db: BetterSqlite3.Database): Statements {
  const cols = "thread_id, ns, id, parent_id, step, source, graph, hash, created_at, checkpoint, metadata";
  return {
    insertCheckpoint: db.prepare("INSERT INTO checkpoints (thread_id, ns, id, parent_id, step, source, graph, hash, created_at, checkpoint, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
    insertWrite: db.prepare("INSERT OR IGNORE INTO writes (thread_id, ns, checkpoint_id, task_id, idx, channel, value) VALUES (?, ?, ?, ?, ?, ?, ?)"),
    upsertWrite: db.prepare("INSERT OR REPLACE INTO writes (thread_id, ns, checkpoint_id, task_id, idx, channel, value) VALUES (?, ?, ?, ?, ?, ?, ?)"),
    latest: db.prepare(`SELECT ${cols} FROM checkpoints WHERE thread_id = ? AND ns = ? ORDER BY seq DESC LIMIT 1`),
    byId: db.prepare(`SELECT ${cols} FROM checkpoints WHERE thread_id = ? AND ns = ? AND id = ?`),
    seqOf: db.prepare("SELECT seq FROM checkpoints WHERE thread_id = ? AND ns = ? AND id = ?"),
    // Without the thread and namespace columns: the listing sets them from its arguments.
    list: db.prepare("SELECT id, parent_id, step, source, graph, hash, created_at, checkpoint, metadata FROM checkpoints WHERE thread_id = ? AND ns = ? AND seq < ? ORDER BY seq DESC"),
    writesOf: db.prepare("SELECT task_id, channel, value FROM writes WHERE thread_id = ? AND ns = ? AND checkpoint_id = ? ORDER BY task_id, idx"),
    writesOfThread: db.prepare("SELECT checkpoint_id, task_id, channel, value FROM writes WHERE thread_id = ? AND ns = ? ORDER BY checkpoint_id, task_id, idx"),
    // The value column of a `__task__` record is never read (nor its overflow pages).
    statusWritesOf: db.prepare(`SELECT task_id, channel, ${STATUS_VALUE} FROM writes w WHERE thread_id = ? AND ns = ? AND checkpoint_id = ? AND ${STATUS_ROWS} ORDER BY task_id, idx`),
    statusWritesOfThread: db.prepare(`SELECT checkpoint_id, task_id, channel, ${STATUS_VALUE} FROM writes w WHERE thread_id = ? AND ns = ? AND ${STATUS_ROWS} ORDER BY checkpoint_id, task_id, idx`),
    threads: db.prepare(
      `SELECT c.thread_id, c.ns, c.id, c.parent_id, c.step, c.source, c.graph, c.hash, c.created_at, c.checkpoint, c.metadata, n.cnt FROM checkpoints c
       JOIN (SELECT MAX(seq) AS mx, COUNT(*) AS cnt FROM checkpoints WHERE ns = '' GROUP BY thread_id) n ON c.seq = n.mx
       ORDER BY c.seq DESC`,
    ),
    thread: db.prepare(
      `SELECT c.thread_id, c.ns, c.id, c.parent_id, c.step, c.source, c.graph, c.hash, c.created_at, c.checkpoint, c.metadata, n.cnt FROM checkpoints c
       JOIN (SELECT MAX(seq) AS mx, COUNT(*) AS cnt FROM checkpoints WHERE thread_id = ? AND ns = '') n ON c.seq = n.mx`,
    ),
    hasThread: db.prepare("SELECT 1 FROM checkpoints WHERE thread_id = ? LIMIT 1"),
    deleteCheckpoints: db.prepare("DELETE FROM checkpoints WHERE thread_id = ?"),
    deleteWrites: db.prepare("DELETE FROM writes WHERE thread_id = ?"),
    copyCheckpoints: db.prepare(
      "INSERT INTO checkpoints (thread_id, ns, id, parent_id, step, source, graph, hash, created_at, checkpoint, metadata) SELECT ?, ns, id, parent_id, step, source, graph, hash, created_at, checkpoint, metadata FROM checkpoints WHERE thread_id = ? ORDER BY seq",
    ),
    copyWrites: db.prepare("INSERT INTO writes (thread_id, ns, checkpoint_id, task_id, idx, channel, value) SELECT ?, ns, checkpoint_id, task_id, idx, channel, value FROM writes WHERE thread_id = ?"),
    insertBlob: db.prepare("INSERT OR REPLACE INTO blobs (thread_id, ns, checkpoint_id, channel, kind, base, value) VALUES (?, ?, ?, ?, ?, ?, ?)"),
    blob: db.prepare("SELECT kind, base, value FROM blobs WHERE thread_id = ? AND ns = ? AND checkpoint_id = ? AND channel = ?"),
    refsOf: db.prepare("SELECT checkpoint FROM checkpoints WHERE thread_id = ? AND ns = ? AND id = ?"),
    deleteBlobs: db.prepare("DELETE FROM blobs WHERE thread_id = ?"),
    copyBlobs: db.prepare("INSERT INTO blobs (thread_id, ns, checkpoint_id, channel, kind, base, value) SELECT ?, ns, checkpoint_id, channel, kind, base, value FROM blobs WHERE thread_id = ?"),
    orphanWrites: db.prepare("DELETE FROM writes WHERE NOT EXISTS (SELECT 1 FROM checkpoints c WHERE c.thread_id = writes.thread_id AND c.ns = writes.ns AND c.id = writes.checkpoint_id)"),
  };
}
