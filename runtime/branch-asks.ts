/**
 * Who asked for the calls a distributed branch of a child run may execute, read from the
 * checkpoint store. In one process a child run's `tool_executor` finds the records of its
 * own run and then of the runs enclosing it (`ModelAsks.enclosing`: a parent's model asked,
 * and the conversation was handed to the child as input). A branch job of that child ran
 * with its own checkpoint's records only, so the same call was refused as asked by no
 * model ("no model of this run made this call") — the distributed run behaved otherwise
 * than the in-process one. The enclosing records are those of the parent checkpoints the
 * child's checkpoint descends from (`metadata.parents`, the checkpoints `ancestryRefusal`
 * checks), read from the store: never from the job, which any Redis peer could write.
 */
import type { Checkpointer, CheckpointTuple } from "./checkpoint/types.js";
import { ModelAsks } from "./model-asks.js";
import { childNamespace, parentsOf, type NamespaceSegment } from "./namespace.js";

/**
 * The model-ask records of the runs enclosing the child run whose checkpoint is `tuple`
 * (namespace `levels`, root first), chained as in-process (`enclosing` of each the records
 * of the run around it); undefined for a root checkpoint (no levels). A parent checkpoint
 * the child does not record, or that the store lacks, contributes no records (its calls are
 * then refused, as before; `ancestryRefusal` refuses such a branch first).
 *
 * @throws CheckpointError when the store fails. One `getTuple` per level.
 */
export async function enclosingAsks(saver: Checkpointer, tuple: CheckpointTuple, levels: readonly NamespaceSegment[]): Promise<ModelAsks | undefined> {
  const parents = parentsOf(tuple.metadata);
  const threadId = tuple.checkpoint.threadId;
  let ns = "";
  let outer: ModelAsks | undefined;
  for (const seg of levels) {
    const id = parents[ns];
    const parent = id === undefined ? undefined : await saver.getTuple({ threadId, namespace: ns, checkpointId: id });
    const asks = new ModelAsks(parent?.checkpoint.asks);
    asks.enclosing = outer;
    outer = asks;
    ns = childNamespace(ns, seg.taskId, seg.graph, seg.lineage);
  }
  return outer;
}
