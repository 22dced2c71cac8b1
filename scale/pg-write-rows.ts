/**
 * How the Postgres checkpointer's saves become rows (`postgres-checkpointer.ts`): a task's
 * channel writes as `writes` rows (`rowsOf`), a checkpoint as its row and the blobs of the
 * channels it changed (`planCheckpoint`, `runtime/checkpoint/blobs.ts`), the batched rows
 * of some threads taken from the rest (`takeRows`), and the rows one statement may insert
 * (`uniqueRows`). Pure: no connection, no state of the store.
 */
import {
  checkpointJson,
  isSpecial,
  metadataJson,
  SPECIAL_INDEX,
  type BlobPlanner,
  type Checkpoint,
  type CheckpointColumns,
  type CheckpointConfig,
  type CheckpointMetadata,
} from "../runtime/index.js";
import type { CheckpointInsert, WriteRow } from "./pg-statements.js";

/**
 * The `writes` rows of one task's channel writes against `config`'s checkpoint (which the
 * caller checked is set): ordinary writes numbered from 0 in order, runtime records at
 * their fixed negative index (`SPECIAL_INDEX`); values as JSON text (`null` for undefined).
 */
export function rowsOf(config: CheckpointConfig, writes: readonly (readonly [string, unknown])[], taskId: string): WriteRow[] {
  const ns = config.namespace ?? "";
  let i = 0;
  return writes.map(([channel, value]) => {
    const json = value === undefined ? null : JSON.stringify(value);
    return [config.threadId, ns, config.checkpointId!, taskId, isSpecial(channel) ? (SPECIAL_INDEX[channel] ?? -100) : i++, channel, json];
  });
}

/** The row and blobs of a checkpoint, with the planner's commit (call it once the statement committed). */
export function planCheckpoint(planner: BlobPlanner, checkpoint: Checkpoint, metadata: CheckpointMetadata): { insert: CheckpointInsert; commit: () => void } {
  const { refs, blobs, commit } = planner.plan(checkpoint);
  const row: CheckpointColumns = {
    thread_id: checkpoint.threadId,
    ns: checkpoint.namespace,
    id: checkpoint.id,
    parent_id: checkpoint.parentId ?? null,
    step: checkpoint.step,
    source: metadata.source,
    graph: checkpoint.graph,
    hash: checkpoint.blueprintHash,
    created_at: checkpoint.ts,
    checkpoint: checkpointJson(checkpoint, refs),
    metadata: metadataJson(metadata, checkpoint.step),
  };
  return { insert: { row, blobs }, commit };
}

/** `buffer`'s rows of thread `threadId` (every thread when undefined) grouped by thread, and the rows left, in order. */
export function takeRows(buffer: readonly WriteRow[], threadId?: string): { taken: Map<string, WriteRow[]>; kept: WriteRow[] } {
  const taken = new Map<string, WriteRow[]>();
  const kept: WriteRow[] = [];
  for (const r of buffer) {
    if (threadId !== undefined && r[0] !== threadId) kept.push(r);
    else {
      const list = taken.get(r[0]);
      if (list) list.push(r);
      else taken.set(r[0], [r]);
    }
  }
  return { taken, kept };
}

/** One row per (namespace, checkpoint, task, index): ordinary writes are saved once (first wins), runtime records replaced (last wins). */
export function uniqueRows(rows: readonly WriteRow[]): WriteRow[] {
  const unique = new Map<string, WriteRow>();
  for (const r of rows) {
    const key = `${r[1]}\0${r[2]}\0${r[3]}\0${r[4]}`;
    if (isSpecial(r[5]) || !unique.has(key)) unique.set(key, r);
  }
  return [...unique.values()];
}
