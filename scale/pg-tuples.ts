/**
 * Checkpoint tuples from the Postgres checkpointer's rows (postgres-checkpointer.ts): a
 * checkpoint row, its pending writes and the blobs its values reference, whose values are
 * rebuilt on first access (`runtime/checkpoint/blobs.ts`).
 */
import type pg from "pg";
import { CheckpointError, outcomeOf, readCheckpoint, readMetadata, rebuildValue, type CheckpointColumns, type CheckpointTuple, type PendingWriteRecord, type StoredBlob, type ThreadSummary } from "../runtime/index.js";
import { blobsFor } from "./pg-blobs.js";
import type { ReadRow } from "./pg-statements.js";

/**
 * Tuples of checkpoint `rows` with their pending writes and blobs, fetched in parallel (two
 * pooled connections: one round trip of latency). `q` is the quoted schema; `where` names
 * the store in errors.
 */
export async function readTuples(pool: pg.Pool, q: string, rows: readonly CheckpointColumns[], where: string): Promise<CheckpointTuple[]> {
  if (!rows.length) return [];
  const [{ rows: ws }, blobs] = await Promise.all([
    pool.query<{ thread_id: string; ns: string; checkpoint_id: string; task_id: string; channel: string; value: string | null }>(
      `SELECT w.thread_id, w.ns, w.checkpoint_id, w.task_id, w.channel, w.value FROM ${q}.writes w
       JOIN UNNEST($1::text[], $2::text[], $3::text[]) AS k(thread_id, ns, id) ON w.thread_id = k.thread_id AND w.ns = k.ns AND w.checkpoint_id = k.id
       ORDER BY w.task_id COLLATE "C", w.idx`,
      [rows.map((r) => r.thread_id), rows.map((r) => r.ns), rows.map((r) => r.id)],
    ),
    blobsFor(pool, q, rows),
  ]);
  const byKey = new Map<string, PendingWriteRecord[]>();
  for (const w of ws) {
    const key = `${w.thread_id}\0${w.ns}\0${w.checkpoint_id}`;
    const rec = { taskId: w.task_id, channel: w.channel, value: w.value === null ? undefined : JSON.parse(w.value) };
    const list = byKey.get(key);
    if (list) list.push(rec);
    else byKey.set(key, [rec]);
  }
  return rows.map((row) => tupleOf(where, row, byKey.get(`${row.thread_id}\0${row.ns}\0${row.id}`) ?? [], blobs));
}

/** The tuple of a `readStatement` row (checkpoint, writes and blobs in one row). */
export function tupleOfReadRow(where: string, row: ReadRow): CheckpointTuple {
  const blobs = new Map<string, StoredBlob>();
  for (const [at, channel, kind, base, value] of row.blobs ?? []) blobs.set(`${row.thread_id}\0${row.ns}\0${at}\0${channel}`, { kind, base, value });
  const writes = (row.writes ?? []).map(([taskId, channel, value]) => ({ taskId, channel, value: value === null ? undefined : (JSON.parse(value) as unknown) }));
  return tupleOf(where, row, writes, blobs);
}

/**
 * The tuple of a checkpoint row, its pending writes and the blobs its values need (keyed
 * `thread\0ns\0checkpoint\0channel`).
 *
 * @throws CheckpointError (on reading a value) when a blob chain is broken.
 */
function tupleOf(where: string, row: CheckpointColumns, pendingWrites: PendingWriteRecord[], blobs: ReadonlyMap<string, StoredBlob>): CheckpointTuple {
  const checkpoint = readCheckpoint(row, (refs) => {
    const values: Record<string, unknown> = {};
    for (const channel of Object.keys(refs)) {
      try {
        values[channel] = rebuildValue((at) => blobs.get(`${row.thread_id}\0${row.ns}\0${at}\0${channel}`), refs[channel], channel);
      } catch (e) {
        throw new CheckpointError(`${where}, thread ${row.thread_id}: ${(e as Error).message}`, {}, { cause: e });
      }
    }
    return values;
  });
  return {
    config: { threadId: row.thread_id, namespace: row.ns, checkpointId: row.id },
    checkpoint,
    metadata: readMetadata(row),
    ...(checkpoint.parentId !== undefined ? { parentConfig: { threadId: row.thread_id, namespace: row.ns, checkpointId: checkpoint.parentId } } : {}),
    pendingWrites,
  };
}

/**
 * The summary of each thread of the schema with a root checkpoint, most recently updated
 * first (`Checkpointer.threads`); with `only`, that thread's alone. `q` is the quoted
 * schema; `where` names the store in errors.
 */
export async function threadSummaries(pool: pg.Pool, q: string, where: string, only?: string): Promise<ThreadSummary[]> {
  const { rows } = await pool.query<CheckpointColumns & { cnt: string }>(
    `SELECT c.thread_id, c.ns, c.id, c.parent_id, c.step, c.source, c.graph, c.hash, c.created_at, c.checkpoint, c.metadata, n.cnt FROM ${q}.checkpoints c
     JOIN (SELECT MAX(seq) AS mx, COUNT(*) AS cnt FROM ${q}.checkpoints WHERE ns = ''${only === undefined ? " GROUP BY thread_id" : " AND thread_id = $1"}) n ON c.seq = n.mx
     ORDER BY c.seq DESC`,
    only === undefined ? [] : [only],
  );
  const tuples = await readTuples(pool, q, rows, where);
  return tuples.map((t, i) => ({
    threadId: t.config.threadId,
    graph: t.checkpoint.graph,
    checkpoints: Number(rows[i].cnt),
    step: t.checkpoint.step,
    updatedAt: t.checkpoint.ts,
    latestId: t.checkpoint.id,
    ...outcomeOf(t),
  }));
}
