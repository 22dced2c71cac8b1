/**
 * Reading and editing child runs' state (`runtime.md` §3), after LangGraph's
 * `getState(config, { subgraphs: true })`, `getStateHistory` and `updateState` with a
 * `checkpoint_ns` in the config (langgraphjs `libs/langgraph-core/src/pregel/index.ts`,
 * `_prepareStateSnapshot` and `getState`):
 *
 * - a snapshot taken with `subgraphs: true` carries, for each pending task that runs a
 *   child graph and has checkpointed, the child's own snapshot at its latest checkpoint,
 *   nested the same way (`StateSnapshot.subgraphs`, by task id; LangGraph puts it in
 *   `tasks[i].state`);
 * - `namespace` addresses a child run: its snapshot, its history, or an edit of its state.
 *
 * A namespace is the full form the runtime writes (`1.0:review`, `namespace.ts`) or a
 * path of node names (`"review"`, `"outer|inner"`), resolved level by level to the newest
 * child run of that node on the thread's current history.
 */
import type { CheckpointTuple, Checkpointer, ListOptions } from "./checkpoint/types.js";
import { DEFAULT_MAX_SUBGRAPH_DEPTH, NamespaceError } from "./errors.js";
import { childNamespace, parseNamespacePath, type NamespaceSegment } from "./namespace.js";
import { childGraphsOf, levelRefusal } from "./namespace-binding.js";
import { childOwner } from "./persistent-child.js";
import { getStateHistory, snapshot, type StateSnapshot, type UpdatableGraph } from "./threads.js";
import { holdingThreads } from "./thread-hold.js";
import { updateState, updateStateHeld, type UpdateStateOptions } from "./update-state.js";

/** A compiled graph that can name the compiled graphs its tasks run as child runs. */
export interface NestedGraph extends UpdatableGraph {
  /** The compiled graph `name` (same file or registry) as a child of this one; undefined when unknown. */
  subgraph(name: string): NestedGraph | undefined;
}

/** Options of `getState` for child runs. */
export interface SubgraphStateOptions {
  /** Include the snapshots of pending tasks' child runs (nested), in `StateSnapshot.subgraphs`. */
  readonly subgraphs?: boolean;
  /** Read this child run instead of the root graph (full namespace or node path). */
  readonly namespace?: string;
}

/** A namespace resolved against a thread: its full form, its levels and the compiled graph that runs there. */
export interface ResolvedNamespace {
  readonly namespace: string;
  readonly segments: readonly NamespaceSegment[];
  readonly graph: NestedGraph;
}

/**
 * Resolves `ns` (full form or node path) against the thread. A node level picks the
 * newest checkpoint of its level whose next tasks include that node with a child run
 * that checkpointed. A full level must be a child run the blueprint allows there
 * (`namespace-binding.ts`): a task of a node of the parent graph (or that node itself,
 * when persistent) and a graph that node binds — deny by default, whatever graphs the
 * file or the registry know.
 *
 * @throws NamespaceError reason `malformed` for a malformed namespace or nesting deeper
 *   than the default subgraph depth; reason `not_found` for a level no node of its parent
 *   graph runs, or a node with no child run on the thread.
 */
export async function resolveNamespace(g: NestedGraph, saver: Checkpointer, threadId: string, ns: string): Promise<ResolvedNamespace> {
  const steps = parseNamespacePath(ns);
  if (steps.length > DEFAULT_MAX_SUBGRAPH_DEPTH) throw new NamespaceError(`checkpoint namespace \`${ns.slice(0, 64)}…\` nests ${steps.length} levels (at most ${DEFAULT_MAX_SUBGRAPH_DEPTH})`, ns.slice(0, 64));
  let graph = g;
  let current = "";
  const segments: NamespaceSegment[] = [];
  for (const step of steps) {
    let seg: NamespaceSegment;
    if ("node" in step) {
      const found = await newestChildRun(graph, saver, threadId, current, step.node);
      if (!found) throw new NamespaceError(`thread \`${threadId}\` has no child run of node \`${step.node}\`${current ? ` in namespace \`${current}\`` : ""}`, ns, { graph: graph.blueprint.id, node: step.node }, "not_found");
      seg = found;
    } else {
      seg = step;
      const refusal = await levelRefusal(graph, saver, threadId, current, seg);
      if (refusal) throw new NamespaceError(`checkpoint namespace \`${ns}\`: ${refusal}`, ns, { graph: graph.blueprint.id }, "not_found");
    }
    const child = graph.subgraph(seg.graph);
    if (!child) throw new NamespaceError(`checkpoint namespace \`${ns}\`: graph \`${seg.graph}\` is not a graph \`${graph.blueprint.id}\` can run`, ns, { graph: graph.blueprint.id }, "not_found");
    segments.push(seg);
    current = childNamespace(current, seg.taskId, seg.graph, seg.lineage);
    graph = child;
  }
  return { namespace: current, segments, graph };
}

/**
 * The newest child run of `node` started from namespace `ns` (its segment), or undefined.
 * A persistent subgraph node's level is the node's namespace on the newest branch that has one.
 */
async function newestChildRun(g: NestedGraph, saver: Checkpointer, threadId: string, ns: string, node: string): Promise<NamespaceSegment | undefined> {
  const spec = g.index.nodes.get(node);
  if (spec?.persistent && spec.graph !== undefined) {
    const tried = new Set<string | undefined>();
    for (const t of await saver.list(threadId, { namespace: ns })) {
      const lineage = typeof t.metadata.lineage === "string" ? t.metadata.lineage : undefined;
      if (tried.has(lineage)) continue;
      tried.add(lineage);
      if (await saver.getTuple({ threadId, namespace: childNamespace(ns, node, spec.graph, lineage) })) return { taskId: node, graph: spec.graph, persistent: true, ...(lineage !== undefined ? { lineage } : {}) };
    }
    return undefined;
  }
  for (const t of await saver.list(threadId, { namespace: ns })) {
    const lineage = typeof t.metadata.lineage === "string" ? t.metadata.lineage : undefined;
    for (const task of t.checkpoint.next) {
      if (task.node !== node) continue;
      for (const graph of childGraphsOf(g, task)) {
        if (await saver.getTuple({ threadId, namespace: childNamespace(ns, task.id, graph, lineage) })) return { taskId: task.id, graph, ...(lineage !== undefined ? { lineage } : {}) };
      }
    }
  }
  return undefined;
}

/**
 * The snapshot of `t` read through `g`; with `subgraphs`, each pending task's child run
 * (its latest checkpoint) is attached under `subgraphs[taskId]`, recursively, at most
 * `depth` levels down.
 */
export async function nestedSnapshot(g: NestedGraph, saver: Checkpointer, t: CheckpointTuple, subgraphs: boolean, depth: number = DEFAULT_MAX_SUBGRAPH_DEPTH, applyFinished = true): Promise<StateSnapshot> {
  const s = snapshot(t, applyFinished ? g : undefined);
  if (!subgraphs || depth <= 0) return s;
  const lineage = typeof t.metadata.lineage === "string" ? t.metadata.lineage : undefined;
  const children: Record<string, StateSnapshot> = Object.create(null) as Record<string, StateSnapshot>;
  for (const task of s.next) {
    for (const name of childGraphsOf(g, task)) {
      const ct = await saver.getTuple({ threadId: t.checkpoint.threadId, namespace: childNamespace(t.checkpoint.namespace, childOwner(g.index.nodes, task, name), name, lineage) });
      const child = ct ? g.subgraph(name) : undefined;
      if (ct && child) {
        children[task.id] = await nestedSnapshot(child, saver, ct, true, depth - 1);
        break;
      }
    }
  }
  (s as { subgraphs?: Readonly<Record<string, StateSnapshot>> }).subgraphs = children;
  return s;
}

/**
 * The thread (or the child run `options.namespace` names) at its latest checkpoint or at
 * `checkpointId` (a checkpoint of that namespace); undefined when there is none.
 *
 * @throws NamespaceError when the namespace is malformed or names no child run.
 */
export async function getNestedState(g: NestedGraph, saver: Checkpointer, threadId: string, checkpointId: string | undefined, options: SubgraphStateOptions = {}): Promise<StateSnapshot | undefined> {
  const at = options.namespace ? await resolveNamespace(g, saver, threadId, options.namespace) : { namespace: "", graph: g };
  const t = await saver.getTuple({ threadId, namespace: at.namespace, ...(checkpointId !== undefined ? { checkpointId } : {}) });
  // A checkpoint asked for by id shows what was saved with it (see `getState`).
  return t ? nestedSnapshot(at.graph, saver, t, Boolean(options.subgraphs), DEFAULT_MAX_SUBGRAPH_DEPTH, checkpointId === undefined) : undefined;
}

/**
 * The checkpoints of the thread's root run, or of the child run `options.namespace`
 * names, newest first.
 *
 * @throws NamespaceError when the namespace is malformed or names no child run.
 */
export async function getNestedHistory(g: NestedGraph, saver: Checkpointer, threadId: string, options: ListOptions = {}): Promise<StateSnapshot[]> {
  // Each checkpoint with the values saved with it (see `getStateHistory`).
  if (!options.namespace) return getStateHistory(saver, threadId, options);
  const at = await resolveNamespace(g, saver, threadId, options.namespace);
  return getStateHistory(saver, threadId, { ...options, namespace: at.namespace });
}

/**
 * `updateState` of a child run: writes `values` through the child graph's reducers into
 * the head of `options.namespace` (or its checkpoint `options.checkpointId`). On the head
 * of a paused child, its pending interrupts stay pending: resuming the parent re-runs the
 * parent's task, whose child run continues from the edited checkpoint.
 *
 * @throws NamespaceError when the namespace names no child run; the errors of `updateState`
 *   (ThreadBusyError when a run holds the thread).
 */
export function updateNestedState(g: NestedGraph, saver: Checkpointer, threadId: string, values: Readonly<Record<string, unknown>> | null, options: UpdateStateOptions = {}): Promise<StateSnapshot> {
  if (!options.namespace) return updateState(g, saver, threadId, values, options);
  const ns = options.namespace;
  // The thread is held from the namespace's resolution to the write (`thread-hold.ts`).
  return holdingThreads(saver, [threadId], async () => {
    const at = await resolveNamespace(g, saver, threadId, ns);
    return updateStateHeld(at.graph, saver, threadId, values, { ...options, namespace: at.namespace });
  });
}
