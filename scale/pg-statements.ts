/**
 * The hot statements of the Postgres store (`PostgresCheckpointer`), each one named
 * (prepared) statement — parsed and planned once per connection, then only bound and
 * executed — with rows passed as arrays (`unnest`), so the statement text never depends
 * on how many rows there are:
 *
 * - `writeStatement`: a superstep's whole transaction — the thread's row lock (upsert of
 *   `threads`), the batched pending writes, the checkpoints and their blobs — as ONE
 *   statement (data-modifying CTEs), so it commits on its own in one round trip, with
 *   no `BEGIN`/`COMMIT`. It can take the thread's advisory lock in the same statement
 *   (`lockKey`): when another session holds it, nothing is inserted and `ok` is false.
 * - `readStatement`: a checkpoint (latest, or by id) with its pending writes and every
 *   blob its values need (the refs and the append chains below them) in one round trip.
 *
 * After LangGraph's `PostgresSaver`, which also reads a checkpoint, its writes and its
 * blobs in one query.
 */
import { createHash } from "node:crypto";
import { CheckpointError, type BlobRow, type CheckpointColumns } from "../runtime/index.js";

/** A named statement (`pg` prepares it once per connection under `name`). */
export interface NamedStatement {
  readonly name: string;
  readonly text: string;
}

/** [thread, ns, checkpoint, task, idx, channel, value JSON]: one pending write. */
export type WriteRow = [string, string, string, string, number, string, string | null];

/** One checkpoint to insert: its columns and the blobs of the channels it changed. */
export interface CheckpointInsert {
  readonly row: CheckpointColumns;
  readonly blobs: readonly BlobRow<string>[];
}

/** A statement name unique to its text (the same text always gets the same name). */
function named(text: string): NamedStatement {
  return { name: `rg_${createHash("sha256").update(text).digest("hex").slice(0, 24)}`, text };
}

/**
 * The write statement of schema `q` (quoted). Parameters: `$1` thread, `$2` advisory
 * lock key (bigint as text; NULL: the session holds it already), `$3…$8` pending writes
 * (ns, checkpoint, task, idx, channel, value), `$9…$18` checkpoints (ns, id, parent,
 * step, source, graph, hash, created_at, checkpoint, metadata), `$19…$24` blobs (ns,
 * checkpoint, channel, kind, base, value). Returns one row `{ ok }`.
 *
 * Pending writes: an ordinary write is saved once (a row already stored wins); a runtime
 * record (negative `idx`) replaces the stored one. Callers pass each key once.
 */
export function writeStatement(q: string): NamedStatement {
  return named(`WITH lk AS MATERIALIZED (SELECT CASE WHEN $2::bigint IS NULL THEN TRUE ELSE pg_try_advisory_lock($2::bigint) END AS ok),
t AS (INSERT INTO ${q}.threads (thread_id, updated_at) SELECT $1::text, (extract(epoch from clock_timestamp()) * 1000)::bigint FROM lk WHERE lk.ok
  ON CONFLICT (thread_id) DO UPDATE SET updated_at = EXCLUDED.updated_at),
w AS (INSERT INTO ${q}.writes (thread_id, ns, checkpoint_id, task_id, idx, channel, value)
  SELECT $1::text, u.ns, u.checkpoint_id, u.task_id, u.idx, u.channel, u.value FROM lk, unnest($3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[]) AS u(ns, checkpoint_id, task_id, idx, channel, value) WHERE lk.ok
  ON CONFLICT (thread_id, ns, checkpoint_id, task_id, idx) DO UPDATE SET channel = EXCLUDED.channel, value = EXCLUDED.value WHERE EXCLUDED.idx < 0),
c AS (INSERT INTO ${q}.checkpoints (thread_id, ns, id, parent_id, step, source, graph, hash, created_at, checkpoint, metadata)
  SELECT $1::text, u.ns, u.id, u.parent_id, u.step, u.source, u.graph, u.hash, u.created_at, u.checkpoint, u.metadata
  FROM lk, unnest($9::text[], $10::text[], $11::text[], $12::int[], $13::text[], $14::text[], $15::text[], $16::bigint[], $17::text[], $18::text[]) WITH ORDINALITY AS u(ns, id, parent_id, step, source, graph, hash, created_at, checkpoint, metadata, ord)
  WHERE lk.ok ORDER BY u.ord),
b AS (INSERT INTO ${q}.blobs (thread_id, ns, checkpoint_id, channel, kind, base, value)
  SELECT $1::text, u.ns, u.checkpoint_id, u.channel, u.kind, u.base, u.value FROM lk, unnest($19::text[], $20::text[], $21::text[], $22::text[], $23::text[], $24::text[]) AS u(ns, checkpoint_id, channel, kind, base, value) WHERE lk.ok)
SELECT ok FROM lk`);
}

/** The checkpoint columns, in the order of `writeStatement`'s `$9`…`$18` (parameters 6–15 after the thread and lock key). */
const CHECKPOINT_COLUMNS = ["ns", "id", "parent_id", "step", "source", "graph", "hash", "created_at", "checkpoint", "metadata"] as const;
/** A blob's own columns, in the order of `$21`…`$24` (after its checkpoint's `ns` and `id`). */
const BLOB_COLUMNS = ["channel", "kind", "base", "value"] as const;

/**
 * The parameters of `writeStatement`: `rows` (all of thread `threadId`, each key once)
 * and `checkpoints` (in insertion order). `lockKey`: take the thread's advisory lock too.
 */
export function writeParams(threadId: string, lockKey: string | null, rows: readonly WriteRow[], checkpoints: readonly CheckpointInsert[]): unknown[] {
  const p: unknown[][] = Array.from({ length: 22 }, () => []);
  for (const r of rows) for (let i = 0; i < 6; i++) p[i].push(r[i + 1]);
  for (const { row, blobs } of checkpoints) {
    for (let i = 0; i < CHECKPOINT_COLUMNS.length; i++) p[6 + i].push(row[CHECKPOINT_COLUMNS[i]!]);
    for (const b of blobs) {
      p[16].push(row.ns);
      p[17].push(row.id);
      for (let i = 0; i < BLOB_COLUMNS.length; i++) p[18 + i].push(b[BLOB_COLUMNS[i]!]);
    }
  }
  return [threadId, lockKey, ...p];
}

/** A checkpoint row as `readStatement` returns it: its pending writes and blobs as JSON. */
export interface ReadRow extends CheckpointColumns {
  /** [task, channel, value JSON text], by task (bytewise) then index. */
  readonly writes: [string, string, string | null][] | null;
  /** [checkpoint, channel, kind, base, value JSON text]. */
  readonly blobs: [string, string, string, string | null, string | null][] | null;
}

/** A `ReadRow` of a statement that also tried the thread's lock: `ok` false when another session holds it (then no checkpoint columns). */
export interface LockedReadRow extends Partial<ReadRow> {
  readonly ok: boolean;
}

/**
 * The read statement of schema `q`: `$1` thread, `$2` namespace, then by `mode`:
 * `latest` (the latest checkpoint), `byId` (`$3` the checkpoint id), or `lock` (`$3` the
 * thread's advisory lock key, NULL when the session holds it: takes the lock, then reads
 * the latest checkpoint only when it got it). Returns at most one `ReadRow` (`lock`:
 * exactly one `LockedReadRow`).
 */
export function readStatement(q: string, mode: "latest" | "byId" | "lock"): NamedStatement {
  const where = mode === "byId" ? "thread_id = $1 AND ns = $2 AND id = $3" : `thread_id = $1 AND ns = $2${mode === "lock" ? " AND (SELECT ok FROM lk)" : ""} ORDER BY seq DESC LIMIT 1`;
  const lock = mode === "lock" ? "lk AS MATERIALIZED (SELECT CASE WHEN $3::bigint IS NULL THEN TRUE ELSE pg_try_advisory_lock($3::bigint) END AS ok),\n" : "";
  const read = `c.*,
  (SELECT json_agg(json_build_array(w.task_id, w.channel, w.value) ORDER BY w.task_id COLLATE "C", w.idx) FROM ${q}.writes w WHERE w.thread_id = c.thread_id AND w.ns = c.ns AND w.checkpoint_id = c.id) AS writes,
  (SELECT json_agg(json_build_array(b.checkpoint_id, b.channel, b.kind, b.base, b.value)) FROM ${q}.blobs b JOIN k ON b.thread_id = k.thread_id AND b.ns = k.ns AND b.checkpoint_id = k.checkpoint_id AND b.channel = k.channel) AS blobs`;
  return named(`WITH RECURSIVE ${lock}c AS MATERIALIZED (SELECT thread_id, ns, id, parent_id, step, source, graph, hash, created_at, checkpoint, metadata FROM ${q}.checkpoints WHERE ${where}),
k AS (
  SELECT c.thread_id, c.ns, r.value AS checkpoint_id, r.key AS channel FROM c, json_each_text(c.checkpoint::json -> 'refs') AS r
  UNION
  SELECT b.thread_id, b.ns, b.base, b.channel FROM ${q}.blobs b JOIN k ON b.thread_id = k.thread_id AND b.ns = k.ns AND b.checkpoint_id = k.checkpoint_id AND b.channel = k.channel WHERE b.base IS NOT NULL
)
${mode === "lock" ? `SELECT lk.ok, ${read} FROM lk LEFT JOIN c ON TRUE` : `SELECT ${read} FROM c`}`);
}

/**
 * The branch-record insert of schema `q` (`putBranchWrites`): `$1…$7` the rows' columns
 * (thread, ns, checkpoint, task, idx, channel, value); a row already stored wins.
 */
export function branchStatement(q: string): NamedStatement {
  return named(`INSERT INTO ${q}.writes (thread_id, ns, checkpoint_id, task_id, idx, channel, value) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[]) ON CONFLICT DO NOTHING`);
}

/**
 * The upsert of a distributed branch's budget record (`putBranchSpend`) in schema `q`:
 * `$1…$7` one row's columns; a stored row of the same key is replaced.
 */
export function branchSpendStatement(q: string): NamedStatement {
  return named(`INSERT INTO ${q}.writes (thread_id, ns, checkpoint_id, task_id, idx, channel, value) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (thread_id, ns, checkpoint_id, task_id, idx) DO UPDATE SET value = EXCLUDED.value`);
}

/**
 * A unique-key violation on a checkpoint as the CheckpointError the conformance suite
 * expects; other errors as they are. The statement inserts the checkpoint and its blobs
 * in no set order, so a repeated id may first hit the blobs' key (a blob row is keyed by
 * the checkpoint that stored it).
 */
export function duplicateCheckpointError(e: unknown, threadId: string): unknown {
  const err = e as { code?: string; constraint?: string; detail?: string };
  const constraint = String(err.constraint ?? "");
  if (err.code !== "23505" || !(constraint.startsWith("checkpoints") || constraint === "blobs_pkey")) return e;
  const detail = err.detail ?? "";
  const id = (/\(thread_id, ns, id\)=\([^,]*, [^,]*, ([^)]*)\)/.exec(detail) ?? /\(thread_id, ns, checkpoint_id, channel\)=\([^,]*, [^,]*, ([^,]*), /.exec(detail))?.[1];
  return new CheckpointError(`checkpoint ${id ?? "(same id)"} already exists in thread ${threadId}`);
}
