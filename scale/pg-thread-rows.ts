/**
 * Whole-thread SQL of the Postgres checkpoint store (split out of
 * `postgres-checkpointer.ts`): deleting a thread's rows, copying them to a new thread id,
 * and pruning old checkpoints in one transaction. Each runs on a client the caller holds
 * (the thread's locked connection, or a pooled one), inside the caller's error handling.
 */
import type pg from "pg";
import { CheckpointError } from "../runtime/index.js";
import { pruneCheckpoints } from "./pg-blobs.js";

/** Deletes every write, blob and checkpoint row of `threadId` (`q`: the quoted schema). */
export async function deleteThreadRows(c: pg.ClientBase, q: string, threadId: string): Promise<void> {
  await c.query(`DELETE FROM ${q}.writes WHERE thread_id = $1`, [threadId]);
  await c.query(`DELETE FROM ${q}.blobs WHERE thread_id = $1`, [threadId]);
  await c.query(`DELETE FROM ${q}.checkpoints WHERE thread_id = $1`, [threadId]);
}

/**
 * Copies thread `from`'s checkpoints (in order), writes and blobs to thread `to`.
 *
 * @throws CheckpointError when thread `to` already has checkpoints.
 */
export async function copyThreadRows(c: pg.ClientBase, q: string, from: string, to: string): Promise<void> {
  const { rows } = await c.query(`SELECT 1 FROM ${q}.checkpoints WHERE thread_id = $1 LIMIT 1`, [to]);
  if (rows.length) throw new CheckpointError(`thread ${to} already exists`);
  await c.query(
    `INSERT INTO ${q}.checkpoints (thread_id, ns, id, parent_id, step, source, graph, hash, created_at, checkpoint, metadata)
           SELECT $1, ns, id, parent_id, step, source, graph, hash, created_at, checkpoint, metadata FROM ${q}.checkpoints WHERE thread_id = $2 ORDER BY seq`,
    [to, from],
  );
  await c.query(`INSERT INTO ${q}.writes (thread_id, ns, checkpoint_id, task_id, idx, channel, value) SELECT $1, ns, checkpoint_id, task_id, idx, channel, value FROM ${q}.writes WHERE thread_id = $2`, [to, from]);
  await c.query(`INSERT INTO ${q}.blobs (thread_id, ns, checkpoint_id, channel, kind, base, value) SELECT $1, ns, checkpoint_id, channel, kind, base, value FROM ${q}.blobs WHERE thread_id = $2`, [to, from]);
}

/**
 * Prunes checkpoints (keeping the last `keep` per thread and namespace, of `threads` or
 * all) in one transaction on a pooled connection, rolled back on failure.
 *
 * @returns the number of checkpoints deleted.
 */
export async function pruneInTransaction(pool: pg.Pool, q: string, keep: number, threads: Parameters<typeof pruneCheckpoints>[3]): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const deleted = await pruneCheckpoints(client, q, keep, threads);
    await client.query("COMMIT");
    return deleted;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
