/**
 * Time travel to a child run's checkpoint (`runtime.md` §3): `invoke(null, { threadId,
 * checkpointId, checkpointNs })` or `resume(thread, command, { checkpointId, checkpointNs })`
 * replays the thread from a checkpoint of a subgraph run, after LangGraph's
 * "direct-to-subgraph time travel" (langgraphjs PR #7115 and #7498:
 * `libs/langgraph-core/src/pregel/loop.ts`, `isDirectSubgraphTimeTravel`, and the cases
 * of `src/tests/time_travel.test.ts`).
 *
 * The root run cannot start inside a child, so the travel is prepared as a branch of the
 * thread's history, then the thread resumes from its new head:
 * 1. the root checkpoint the child (or its outermost ancestor) ran from is copied as the
 *    thread's head (source `fork`, parent that checkpoint, a new `lineage`), as a replay
 *    of it would (`start.ts`);
 * 2. the child namespaces of that new branch are seeded, level by level, with copies of
 *    the checkpoints each enclosing child run ran the next level from, and at the
 *    innermost level with a copy of the target checkpoint (source `fork`,
 *    `metadata.replayOf`, `metadata.travelFrom`);
 * 3. resuming the head re-runs the root's task, whose child run finds its seeded
 *    checkpoint and continues from it: the target's next tasks run again (what they saved
 *    then is not reused, so an interrupt asks again, as in a root replay), the tasks that
 *    ran before it do not. Child runs below the target start afresh.
 * The target's questions stay pending on the new branch (their `__interrupt__` records are
 * copied up the levels), so a `resume` with answers answers them directly.
 *
 * History is never mutated: the original branch and its child runs keep every checkpoint.
 */

import { copiedFields, SPECIAL, type CheckpointMetadata, type Checkpointer, type CheckpointTuple, type PendingInterrupt } from "./checkpoint/types.js";
import { BlueprintMismatchError, CheckpointError, NamespaceError } from "./errors.js";
import { childNamespace, formatNamespace, parentsOf, type NamespaceSegment } from "./namespace.js";
import { resolveNamespace, type NestedGraph } from "./subgraph-state.js";
import { holdingThreads } from "./thread-hold.js";

export interface TravelOptions {
  /** Travel even though a level's blueprint hash differs from its checkpoint's. */
  readonly allowBlueprintChange?: boolean;
}

/** Where a travel left the thread. */
export interface TravelResult {
  /** The root fork: the thread's new head, which the run resumes. */
  readonly checkpointId: string;
  /** The target's copy in its new namespace (where the child run continues). */
  readonly namespace: string;
  readonly seededId: string;
}

const newCheckpointId = (step: number) => `${step}-${globalThis.crypto.randomUUID().slice(0, 8)}`;

/**
 * Prepares the thread for a run from checkpoint `checkpointId` (default: the latest) of
 * the child run `ns` (full namespace or node path); see the module comment. The caller
 * then resumes the thread from its head.
 *
 * @throws NamespaceError when `ns` is malformed, names no child run, or no enclosing
 *   checkpoint ran it; CheckpointError when the checkpoint does not exist;
 *   BlueprintMismatchError when a level's graph changed (without `allowBlueprintChange`);
 *   ThreadBusyError when a run holds the thread (it is held meanwhile, `thread-hold.ts`).
 */
export function travelToSubgraph(g: NestedGraph, saver: Checkpointer, threadId: string, ns: string, checkpointId: string | undefined, options: TravelOptions = {}): Promise<TravelResult> {
  return holdingThreads(saver, [threadId], () => travelToSubgraphHeld(g, saver, threadId, ns, checkpointId, options));
}

/** `travelToSubgraph` by a caller that holds the thread already (the run about to resume it). */
export async function travelToSubgraphHeld(g: NestedGraph, saver: Checkpointer, threadId: string, ns: string, checkpointId: string | undefined, options: TravelOptions = {}): Promise<TravelResult> {
  const at = await resolveNamespace(g, saver, threadId, ns);
  const segs = at.segments;
  if (!segs.length) throw new NamespaceError("time travel with `checkpointNs` needs a child run's namespace; for the root graph pass `checkpointId` alone", ns);
  const target = await saver.getTuple({ threadId, namespace: at.namespace, ...(checkpointId !== undefined ? { checkpointId } : {}) });
  if (!target) throw new CheckpointError(`thread \`${threadId}\` has no checkpoint${checkpointId !== undefined ? ` \`${checkpointId}\`` : ""} in namespace \`${at.namespace}\``, { graph: at.graph.blueprint.id });

  // The checkpoint each enclosing level ran the next level from, outermost first, with its graph.
  const parents = parentsOf(target.metadata);
  const levels: { tuple: CheckpointTuple; graph: NestedGraph }[] = [];
  let graph = g;
  for (let i = 0; i < segs.length; i++) {
    const levelNs = formatNamespace(segs.slice(0, i));
    const tuple = await ranFrom(saver, threadId, levelNs, segs[i], parents[levelNs]);
    if (!tuple) throw new NamespaceError(`thread \`${threadId}\` has no checkpoint${levelNs ? ` in namespace \`${levelNs}\`` : ""} that runs task \`${segs[i].taskId}\` (the parent of \`${at.namespace}\`)`, ns, { graph: graph.blueprint.id }, "not_found");
    levels.push({ tuple, graph });
    const child = graph.subgraph(segs[i].graph);
    if (!child) throw new NamespaceError(`graph \`${graph.blueprint.id}\` runs no graph \`${segs[i].graph}\` (level ${i + 1} of \`${at.namespace}\`)`, ns, { graph: graph.blueprint.id }, "not_found");
    graph = child;
  }
  for (const [i, l] of [...levels, { tuple: target, graph: at.graph }].entries()) {
    if (l.tuple.checkpoint.blueprintHash !== l.graph.blueprint.hash && !options.allowBlueprintChange) {
      throw new BlueprintMismatchError(threadId, l.tuple.checkpoint.blueprintHash, l.graph.blueprint.hash, { graph: l.graph.blueprint.id, ...(i > 0 ? { taskId: segs[i - 1].taskId } : {}) });
    }
  }

  // The target's questions (node interrupts raised from it, graph-level ones it pauses on), now asked in the new namespace.
  const asks = target.pendingWrites.filter((w) => w.channel === SPECIAL.interrupt);
  const ts = Date.now();
  const travelFrom = { namespace: at.namespace, checkpointId: target.checkpoint.id };
  const newParents: Record<string, string> = {};
  let current = "";
  let seeded: { config: Required<{ threadId: string; namespace: string; checkpointId: string }> } | undefined;
  const ancestors: { threadId: string; namespace: string; checkpointId: string; taskId: string }[] = [];
  for (const [i, t] of [...levels.map((l) => l.tuple), target].entries()) {
    const root = i === 0;
    const id = newCheckpointId(t.checkpoint.step);
    // The root copy descends from the checkpoint it copies (a replay, `start.ts`); a child
    // namespace of the new branch starts with its seed (`travelFrom` says where it came from).
    // The root copy records what the line had spent when it left the copied checkpoint (`copiedFields`).
    const { parentId: _parent, ...rest } = copiedFields(t);
    const checkpoint = { ...rest, id, namespace: current, ts, ...(root ? { parentId: t.checkpoint.id } : {}) };
    const metadata: Record<string, unknown> = { ...t.metadata, source: "fork", replayOf: t.checkpoint.id, travelFrom };
    delete metadata.steering;
    if (root) metadata.lineage = id;
    else {
      delete metadata.lineage;
      metadata.parents = { ...newParents };
      // Where the seed came from: a persistent subgraph below it starts from its state as of there (`persistent-child.ts`).
      metadata.seededFrom = { namespace: t.checkpoint.namespace, checkpointId: t.checkpoint.id };
    }
    const config = await saver.put(checkpoint, metadata as CheckpointMetadata);
    newParents[current] = id;
    if (i < segs.length) {
      // A persistent level names its node: the task that called it is the one the checkpoint ran.
      const taskId = segs[i].persistent ? (t.checkpoint.next.find((x) => x.node === segs[i].taskId)?.id ?? segs[i].taskId) : segs[i].taskId;
      ancestors.push({ ...config, taskId });
      // The root fork's lineage names the child namespace; seeds below carry none.
      current = childNamespace(current, segs[i].taskId, segs[i].graph, root ? id : undefined);
    } else seeded = { config };
  }
  const moved = (list: readonly PendingInterrupt[]) => list.map((x) => (x.namespace === at.namespace ? { ...x, namespace: current } : x));
  for (const w of asks) await saver.putWrites(seeded!.config, [[w.channel, moved(w.value as PendingInterrupt[])]], w.taskId);
  const questions = moved([...target.checkpoint.interrupts, ...asks.flatMap((w) => w.value as PendingInterrupt[])]);
  if (questions.length) for (const a of ancestors) await saver.putWrites(a, [[SPECIAL.interrupt, questions]], a.taskId);
  return { checkpointId: ancestors[0].checkpointId, namespace: current, seededId: seeded!.config.checkpointId };
}

/**
 * The checkpoint of `ns` that ran task `seg.taskId` (on a persistent level, a task of node
 * `seg.taskId`): the one the child's metadata records (`parents`), else the newest on the
 * segment's lineage whose next tasks hold it.
 */
async function ranFrom(saver: Checkpointer, threadId: string, ns: string, seg: NamespaceSegment, recorded: string | undefined): Promise<CheckpointTuple | undefined> {
  const runs = (t: CheckpointTuple | undefined) => t !== undefined && t.checkpoint.next.some((x) => (seg.persistent ? x.node : x.id) === seg.taskId);
  if (recorded !== undefined) {
    const t = await saver.getTuple({ threadId, namespace: ns, checkpointId: recorded });
    if (runs(t)) return t;
  }
  for (const t of await saver.list(threadId, { namespace: ns })) {
    const lineage = typeof t.metadata.lineage === "string" ? t.metadata.lineage : undefined;
    if (lineage === seg.lineage && runs(t)) return t;
  }
  return undefined;
}
