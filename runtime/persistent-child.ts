/**
 * Persistent subgraphs (`runtime.md` §3, "Persistent subgraphs"): a `persistent true`
 * subgraph node keeps one child state per thread and branch of its history. Every call of
 * the node checkpoints in the same namespace (`<node>:<graph>[@<lineage>]`,
 * `namespace.ts`), and a new call starts on top of the state the previous call left: its
 * input goes through the child's reducers, its entry nodes run again.
 *
 * After LangGraph.js's subgraph compiled with `checkpointer: true` (langgraphjs
 * `libs/langgraph-core/src/pregel/index.ts`, `_streamIterator`: the task ids are dropped
 * from the checkpoint namespace, so each call continues the namespace's latest
 * checkpoint), and its replay rule (PR #7038 and the "Stateful subgraph replay" and
 * "Nested and parallel subgraph state on replay" cases of
 * `libs/langgraph-core/src/tests/time_travel_extended.test.ts`): a replay or fork of an
 * older parent checkpoint gives the subgraph the state it had *at that checkpoint*, not
 * its latest.
 *
 * Here a replayed or forked branch (a new `lineage`) checkpoints in a namespace of its own,
 * so the original branch's history is never rewritten. The first call on the new branch
 * seeds that namespace with a copy (source `fork`, `metadata.seededFrom`) of the child's
 * checkpoint as of the branch point: the newest checkpoint of the old branch's namespace
 * written by a call that had finished by then (each checkpoint records its call in
 * `metadata.caller`: the parent's task and step). Nested persistent subgraphs follow
 * their parent's seed the same way, level by level.
 *
 * A call that paused (or crashed) resumes: the namespace's head then names the same parent
 * task as its caller. Two calls of one persistent node in one superstep are refused
 * (`ConcurrentSubgraphError`) — both would continue the same state.
 */
import type { NodeSpec } from "../compiler/index.js";
import type { CheckpointMetadata, Checkpointer, CheckpointTuple } from "./checkpoint/types.js";
import { ConcurrentSubgraphError, type ErrorWhere } from "./errors.js";
import { childNamespace } from "./namespace.js";
import type { PlannedTask } from "./planner-state.js";

/** Which call of a persistent subgraph wrote a checkpoint: the parent's task, and the parent's step it ran in. */
export interface CallerRecord {
  readonly task: string;
  readonly step: number;
}

/** Where a seeded checkpoint was copied from. */
export interface SeedRecord {
  readonly namespace: string;
  readonly checkpointId: string;
}

/** Forks followed back when looking for a branch point's state (a bound on corrupt or cyclic metadata). */
const MAX_HOPS = 256;

/** True when `task`'s child run of `graph` is its node's persistent subgraph (`persistent true` on a subgraph node of that graph). */
export function isPersistentCall(nodes: ReadonlyMap<string, NodeSpec>, task: PlannedTask, graph: string): boolean {
  if (task.implicit) return false;
  const spec = nodes.get(task.node);
  return spec?.persistent === true && spec.graph === graph;
}

/**
 * The node whose grants a child run started by `task` is held to: the sending node for a
 * send to a graph (an implicit task), else the task's own node.
 */
export function callingNode(nodes: ReadonlyMap<string, NodeSpec>, task: PlannedTask): NodeSpec | undefined {
  return task.implicit ? (task.from !== undefined ? nodes.get(task.from) : undefined) : nodes.get(task.node);
}

/** The first part of the namespace level of `task`'s child run of `graph`: the node's name for a persistent call, else the task id. */
export function childOwner(nodes: ReadonlyMap<string, NodeSpec>, task: PlannedTask, graph: string): string {
  return isPersistentCall(nodes, task, graph) ? task.node : task.id;
}

/** `metadata.caller` of a persistent child's checkpoint; undefined when absent or malformed (a seed has none). */
export function callerOf(metadata: Readonly<Record<string, unknown>> | undefined): CallerRecord | undefined {
  const c = metadata?.caller as { task?: unknown; step?: unknown } | undefined;
  return c && typeof c === "object" && typeof c.task === "string" && typeof c.step === "number" ? { task: c.task, step: c.step } : undefined;
}

/** `metadata.seededFrom` of a seeded checkpoint; undefined when absent or malformed. */
export function seededFromOf(metadata: Readonly<Record<string, unknown>> | undefined): SeedRecord | undefined {
  const s = metadata?.seededFrom as { namespace?: unknown; checkpointId?: unknown } | undefined;
  return s && typeof s === "object" && typeof s.namespace === "string" && typeof s.checkpointId === "string" ? { namespace: s.namespace, checkpointId: s.checkpointId } : undefined;
}

/**
 * The persistent calls of one parent run, by child namespace: a second task calling the
 * same persistent node in the same superstep is refused before its child run starts.
 */
export class PersistentCalls {
  private readonly calls = new Map<string, { readonly step: number; readonly taskId: string }>();

  /**
   * Records that `taskId` calls the persistent child `ns` in superstep `step`. Synchronous,
   * so two tasks of one step cannot both pass.
   *
   * @throws ConcurrentSubgraphError when another task of `step` already called `ns`.
   */
  claim(ns: string, step: number, taskId: string, where: ErrorWhere): void {
    const prev = this.calls.get(ns);
    if (prev && prev.step === step && prev.taskId !== taskId) throw new ConcurrentSubgraphError(ns, [prev.taskId, taskId], where);
    if (!prev || prev.step !== step) this.calls.set(ns, { step, taskId });
  }
}

/** Where a persistent child runs. */
export interface PersistentPlace {
  readonly threadId: string;
  /** The child's namespace (`childNamespace(parentNs, node, graph, lineage)`). */
  readonly namespace: string;
  /** The parent run's namespace and lineage. */
  readonly parentNs: string;
  readonly lineage: string | undefined;
  readonly node: string;
  readonly graph: string;
}

/**
 * Prepares a call of a persistent child: true when the call resumes (the namespace's head
 * was written by this same parent task, which paused or crashed); false for a new call,
 * which starts on top of the head — after seeding an empty namespace of a replayed or
 * forked branch with the child's state as of the branch point.
 */
export async function preparePersistentCall(saver: Checkpointer, at: PersistentPlace, caller: CallerRecord, parents: Readonly<Record<string, string>>): Promise<boolean> {
  const head = await saver.getTuple({ threadId: at.threadId, namespace: at.namespace });
  if (head) return callerOf(head.metadata)?.task === caller.task;
  const base = await stateAtBranchPoint(saver, at);
  if (base) await seed(saver, base, at.namespace, parents);
  return false;
}

/**
 * The checkpoint a branch of namespace `ns` was derived from: for a lineage, the
 * checkpoint its fork copied (`parentId` of the fork); for a child namespace seeded by a
 * fork, the checkpoint its oldest checkpoint was copied from. Undefined on an original line.
 */
async function originOf(saver: Checkpointer, threadId: string, ns: string, lineage: string | undefined): Promise<CheckpointTuple | undefined> {
  if (lineage !== undefined) {
    const fork = await saver.getTuple({ threadId, namespace: ns, checkpointId: lineage });
    const from = fork?.checkpoint.parentId;
    return from !== undefined ? saver.getTuple({ threadId, namespace: ns, checkpointId: from }) : undefined;
  }
  if (ns === "") return undefined;
  const oldest = (await saver.list(threadId, { namespace: ns })).at(-1);
  const from = seededFromOf(oldest?.metadata);
  return from ? saver.getTuple({ threadId, namespace: from.namespace, checkpointId: from.checkpointId }) : undefined;
}

/**
 * The persistent child's checkpoint as of the point its parent's branch was derived from
 * (following forks back while the older branch never called the node); undefined when
 * the child had no state there.
 */
async function stateAtBranchPoint(saver: Checkpointer, at: PersistentPlace): Promise<CheckpointTuple | undefined> {
  let ns = at.parentNs;
  let lineage = at.lineage;
  for (let hops = 0; hops < MAX_HOPS; hops++) {
    const q = await originOf(saver, at.threadId, ns, lineage);
    if (!q) return undefined;
    const qLineage = typeof q.metadata.lineage === "string" ? q.metadata.lineage : undefined;
    const source = await saver.list(at.threadId, { namespace: childNamespace(q.checkpoint.namespace, at.node, at.graph, qLineage) });
    if (source.length) {
      // Calls in steps up to q's had finished when q was saved (a task of step k writes into checkpoint k).
      return source.find((t) => {
        const c = callerOf(t.metadata);
        return c === undefined || c.step <= q.checkpoint.step;
      });
    }
    ns = q.checkpoint.namespace;
    lineage = qLineage;
  }
  return undefined;
}

/** Copies `from` as the first checkpoint of namespace `ns` (source `fork`, `metadata.seededFrom`). */
async function seed(saver: Checkpointer, from: CheckpointTuple, ns: string, parents: Readonly<Record<string, string>>): Promise<void> {
  const { parentId: _parent, ...rest } = from.checkpoint;
  const checkpoint = { ...rest, id: `${from.checkpoint.step}-${globalThis.crypto.randomUUID().slice(0, 8)}`, namespace: ns, ts: Date.now() };
  const metadata: Record<string, unknown> = { ...from.metadata, source: "fork", seededFrom: { namespace: from.checkpoint.namespace, checkpointId: from.checkpoint.id }, parents: { ...parents } };
  delete metadata.caller;
  delete metadata.lineage;
  delete metadata.steering;
  await saver.put(checkpoint, metadata as CheckpointMetadata);
}
