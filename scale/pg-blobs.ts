/**
 * The blob queries of the Postgres checkpointer (migration 3, values by version;
 * `runtime/checkpoint/blobs.ts`): reading every blob a set of checkpoints needs, append
 * chains included, in one recursive query; and deleting the blobs no checkpoint reaches
 * any more (after `prune`/`deleteThread`). `q` is the quoted schema name.
 */
import type pg from "pg";
import { liveBlobs, refsOf, type CheckpointColumns, type StoredBlob } from "../runtime/index.js";

/**
 * Every blob the rows' values need (their refs and the append chains below them), in
 * one recursive query, keyed `thread\0ns\0checkpoint\0channel`.
 */
export async function blobsFor(pool: pg.Pool, q: string, rows: readonly CheckpointColumns[]): Promise<Map<string, StoredBlob>> {
  const keys: [string, string, string, string][] = [];
  for (const r of rows) {
    const refs = refsOf(r.checkpoint);
    if (refs) for (const channel of Object.keys(refs)) keys.push([r.thread_id, r.ns, refs[channel], channel]);
  }
  const out = new Map<string, StoredBlob>();
  if (!keys.length) return out;
  const { rows: found } = await pool.query<{ thread_id: string; ns: string; checkpoint_id: string; channel: string; kind: string; base: string | null; value: string | null }>(
    `WITH RECURSIVE k AS (
       SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[]) AS u(thread_id, ns, checkpoint_id, channel)
       UNION
       SELECT b.thread_id, b.ns, b.base, b.channel FROM ${q}.blobs b JOIN k ON b.thread_id = k.thread_id AND b.ns = k.ns AND b.checkpoint_id = k.checkpoint_id AND b.channel = k.channel WHERE b.base IS NOT NULL
     )
     SELECT b.thread_id, b.ns, b.checkpoint_id, b.channel, b.kind, b.base, b.value FROM ${q}.blobs b JOIN k ON b.thread_id = k.thread_id AND b.ns = k.ns AND b.checkpoint_id = k.checkpoint_id AND b.channel = k.channel`,
    [keys.map((k) => k[0]), keys.map((k) => k[1]), keys.map((k) => k[2]), keys.map((k) => k[3])],
  );
  for (const b of found) out.set(`${b.thread_id}\0${b.ns}\0${b.checkpoint_id}\0${b.channel}`, b);
  return out;
}

/** Deletes blobs no remaining checkpoint reaches (inside the caller's transaction). */
export async function collectBlobs(client: pg.ClientBase, q: string, threads: readonly string[] | undefined): Promise<void> {
  const only = threads ? " WHERE thread_id = ANY($1::text[])" : "";
  const params = threads ? [[...threads]] : [];
  const { rows: blobs } = await client.query<{ thread_id: string; ns: string; checkpoint_id: string; channel: string; base: string | null }>(`SELECT thread_id, ns, checkpoint_id, channel, base FROM ${q}.blobs${only}`, params);
  if (!blobs.length) return;
  const { rows: cps } = await client.query<{ thread_id: string; ns: string; checkpoint: string }>(`SELECT thread_id, ns, checkpoint FROM ${q}.checkpoints${only}`, params);
  const byThread = new Map<string, { base: Map<string, string | null>; rows: { ns: string; refs: Record<string, string> }[] }>();
  const of = (t: string) => {
    let e = byThread.get(t);
    if (!e) byThread.set(t, (e = { base: new Map(), rows: [] }));
    return e;
  };
  for (const b of blobs) of(b.thread_id).base.set(`${b.ns}\0${b.checkpoint_id}\0${b.channel}`, b.base);
  for (const c of cps) of(c.thread_id).rows.push({ ns: c.ns, refs: refsOf(c.checkpoint) ?? {} });
  const dead: [string[], string[], string[], string[]] = [[], [], [], []];
  for (const [thread, e] of byThread) {
    const live = liveBlobs(e.rows, e.base);
    for (const key of e.base.keys()) {
      if (live.has(key)) continue;
      const [ns, id, channel] = key.split("\0");
      dead[0].push(thread);
      dead[1].push(ns);
      dead[2].push(id);
      dead[3].push(channel);
    }
  }
  if (dead[0].length) {
    await client.query(
      `DELETE FROM ${q}.blobs b USING UNNEST($1::text[], $2::text[], $3::text[], $4::text[]) AS d(thread_id, ns, checkpoint_id, channel) WHERE b.thread_id = d.thread_id AND b.ns = d.ns AND b.checkpoint_id = d.checkpoint_id AND b.channel = d.channel`,
      dead,
    );
  }
}

/**
 * Deletes all but the newest `keep` checkpoints per thread and namespace (of `threads`,
 * else every thread), the pending writes of the checkpoints gone and the blobs nothing
 * references any more (`collectBlobs`); returns how many checkpoints went. Run inside the
 * caller's transaction on `client`; `q` is the quoted schema.
 */
export async function pruneCheckpoints(client: pg.ClientBase, q: string, keep: number, threads: readonly string[] | undefined): Promise<number> {
  const where = threads ? "WHERE thread_id = ANY($2::text[])" : "";
  const params: unknown[] = threads ? [keep, [...threads]] : [keep];
  const del = await client.query(`DELETE FROM ${q}.checkpoints WHERE seq IN (SELECT seq FROM (SELECT seq, ROW_NUMBER() OVER (PARTITION BY thread_id, ns ORDER BY seq DESC) AS rn FROM ${q}.checkpoints ${where}) x WHERE rn > $1)`, params);
  await client.query(`DELETE FROM ${q}.writes w WHERE NOT EXISTS (SELECT 1 FROM ${q}.checkpoints c WHERE c.thread_id = w.thread_id AND c.ns = w.ns AND c.id = w.checkpoint_id)`);
  if (del.rowCount) await collectBlobs(client, q, threads);
  return del.rowCount ?? 0;
}
