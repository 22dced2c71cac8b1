/**
 * Which child runs a graph's tasks can have, as the compiled blueprint says — the check a
 * checkpoint namespace (caller text: HTTP, CLI, `getState`/`updateState`/travel options)
 * must pass level by level before any checkpoint is read or written there. Deny by
 * default: a level names a child run only when its owner is a node of the parent graph
 * (a persistent subgraph node by name, or a task of the parent's history by id) and its
 * graph is one that node binds:
 *
 * - a `subgraph` node (persistent or not): its `graph`;
 * - a node whose kind calls `runGraph` at run time (`repl_agent`, custom kinds): the
 *   graphs it binds (`graph`, `graphs`) — the only ones its authorisation check lets it run;
 * - an implicit graph send target: the graph a node of the parent `send`s to.
 *
 * Any other graph name — a sibling graph of the file, a registry graph no node binds — is
 * `NamespaceError` reason `not_found`, even when the registry or the file knows it.
 * LangGraph resolves `checkpoint_ns` against the graph's own subgraph nodes the same way
 * (langgraphjs `libs/langgraph-core/src/pregel/index.ts`, `getSubgraphsAsync`).
 */
import type { NodeSpec } from "../compiler/index.js";
import type { Checkpointer, CheckpointTuple } from "./checkpoint/types.js";
import { childNamespace, parentsOf, type NamespaceSegment } from "./namespace.js";
import type { PlannedTask } from "./planner-state.js";
import type { UpdatableGraph } from "./threads.js";

/** The graphs node `spec` binds for child runs of its own tasks (`graph`, and a `repl_agent`'s `graphs`). */
export function boundGraphs(spec: NodeSpec): string[] {
  return [...new Set([...(spec.graph !== undefined ? [spec.graph] : []), ...(spec.graphs ?? [])])];
}

/** True when some node of `g` sends to graph `graph` (so an implicit task of that graph can exist). */
function sendsToGraph(g: UpdatableGraph, graph: string): boolean {
  for (const spec of g.index.nodes.values()) if (spec.sends?.some((s) => s.targetKind === "graph" && s.target === graph)) return true;
  return false;
}

/**
 * The graphs a task of `g` may run as child runs (see the module comment): the graph of an
 * implicit graph send target, else the graphs its node binds; none for a node that binds
 * no graph, an implicit agent target or a node `g` does not have.
 */
export function childGraphsOf(g: UpdatableGraph, task: PlannedTask): string[] {
  if (task.implicit === "graph") return sendsToGraph(g, task.node) ? [task.node] : [];
  if (task.implicit) return [];
  const spec = g.index.nodes.get(task.node);
  return spec ? boundGraphs(spec) : [];
}

/**
 * Why `seg` is no child run of a task of `g` started from namespace `parentNs` of thread
 * `threadId`; undefined when it is one. A persistent level must name a `persistent`
 * subgraph node of `g` and that node's graph (and a lineage, one the parent's checkpoints
 * record). A task level's task is looked up in the
 * parent's checkpoints: the one the child's own checkpoints record (`parents`), else one
 * on the level's lineage whose next tasks hold it; its node must bind the level's graph.
 * Reads the parent's history; writes nothing.
 */
export async function levelRefusal(g: UpdatableGraph, saver: Checkpointer, threadId: string, parentNs: string, seg: NamespaceSegment): Promise<string | undefined> {
  const id = g.blueprint.id;
  if (seg.persistent) {
    const spec = g.index.nodes.get(seg.taskId);
    if (!spec) return `graph \`${id}\` has no node \`${seg.taskId}\``;
    if (!spec.persistent || spec.graph !== seg.graph) return `node \`${seg.taskId}\` of graph \`${id}\` keeps no persistent subgraph \`${seg.graph}\`${spec.graph !== undefined && spec.persistent ? ` (it keeps \`${spec.graph}\`)` : ""}`;
    // A lineage (a replayed or forked branch) must be one the parent's history has.
    if (seg.lineage !== undefined && !(await hasLineage(saver, threadId, parentNs, seg.lineage))) return `graph \`${id}\`${parentNs ? ` (namespace \`${parentNs}\`)` : ""} has no lineage \`${seg.lineage}\` in its checkpoints`;
    return undefined;
  }
  const task = await taskOf(saver, threadId, parentNs, seg);
  if (!task) return `graph \`${id}\`${parentNs ? ` (namespace \`${parentNs}\`)` : ""} has no task \`${seg.taskId}\` in its checkpoints${seg.lineage !== undefined ? ` on lineage \`${seg.lineage}\`` : ""}`;
  const graphs = childGraphsOf(g, task);
  if (!graphs.includes(seg.graph)) {
    const what = task.implicit ? `send target \`${task.node}\`` : `node \`${task.node}\``;
    return `task \`${seg.taskId}\` (${what} of graph \`${id}\`) runs no graph \`${seg.graph}\` (${graphs.length ? `it binds ${graphs.map((x) => `\`${x}\``).join(", ")}` : "it binds no graph"})`;
  }
  return undefined;
}

/** True when some checkpoint of namespace `ns` of the thread is on lineage `lineage` (`metadata.lineage`). */
async function hasLineage(saver: Checkpointer, threadId: string, ns: string, lineage: string): Promise<boolean> {
  for (const t of await saver.list(threadId, { namespace: ns })) if (t.metadata.lineage === lineage) return true;
  return false;
}

/** The planned task `seg.taskId` of the parent namespace `ns` that ran the child `seg` (see `levelRefusal`). */
async function taskOf(saver: Checkpointer, threadId: string, ns: string, seg: NamespaceSegment): Promise<PlannedTask | undefined> {
  const find = (t: CheckpointTuple | undefined) => t?.checkpoint.next.find((x) => x.id === seg.taskId);
  const head = await saver.getTuple({ threadId, namespace: childNamespace(ns, seg.taskId, seg.graph, seg.lineage) });
  const recorded = head ? parentsOf(head.metadata)[ns] : undefined;
  if (recorded !== undefined) {
    const task = find(await saver.getTuple({ threadId, namespace: ns, checkpointId: recorded }));
    if (task) return task;
  }
  for (const t of await saver.list(threadId, { namespace: ns })) {
    const lineage = typeof t.metadata.lineage === "string" ? t.metadata.lineage : undefined;
    if (lineage !== seg.lineage) continue;
    const task = find(t);
    if (task) return task;
  }
  return undefined;
}

/**
 * Why checkpoint `tuple` (of a child run, namespace `levels`) was not made along the path
 * `chain` names; undefined when it was. `chain[i]` is the graph the run at level `i` ran
 * (`chain[0]` the root; `levels.length` entries). For each level the checkpoint the child
 * records as its parent's (`metadata.parents`) must exist, be made by `chain[i]`'s
 * blueprint, and (a task level) plan the level's task, whose node binds the level's graph
 * (`childGraphsOf`) — or (a persistent level) name a persistent node of `chain[i]` keeping
 * that graph. A distributed branch job of a child run is checked this way (`RunWorker`):
 * its root hash and namespace are job data, so a forged job could otherwise reach the
 * child's blueprint from another root (with other enclosing `budget` blocks) or through a
 * level no node binds. One `getTuple` per level; writes nothing.
 */
export async function ancestryRefusal(chain: readonly UpdatableGraph[], saver: Checkpointer, tuple: CheckpointTuple, levels: readonly NamespaceSegment[]): Promise<string | undefined> {
  const parents = parentsOf(tuple.metadata);
  const threadId = tuple.checkpoint.threadId;
  let ns = "";
  for (const [i, seg] of levels.entries()) {
    const g = chain[i];
    if (!g) return `namespace level ${i + 1} has no graph`;
    const where = ns === "" ? "the root run" : `namespace \`${ns}\``;
    const id = parents[ns];
    const parent = id === undefined ? undefined : await saver.getTuple({ threadId, namespace: ns, checkpointId: id });
    if (!parent) return `checkpoint ${tuple.checkpoint.id} records no checkpoint of ${where} it descends from`;
    if (parent.checkpoint.blueprintHash !== g.blueprint.hash) return `${where} of thread ${threadId} was run by blueprint ${parent.checkpoint.blueprintHash.slice(0, 19)}…, not by \`${g.blueprint.id}\` (${g.blueprint.hash.slice(0, 19)}…)`;
    if (seg.persistent) {
      const refusal = await levelRefusal(g, saver, threadId, ns, seg);
      if (refusal) return refusal;
    } else {
      const task = parent.checkpoint.next.find((t) => t.id === seg.taskId);
      if (!task) return `checkpoint ${parent.checkpoint.id} of ${where} plans no task \`${seg.taskId}\``;
      const graphs = childGraphsOf(g, task);
      if (!graphs.includes(seg.graph)) return `task \`${seg.taskId}\` (node \`${task.node}\` of graph \`${g.blueprint.id}\`) runs no graph \`${seg.graph}\``;
    }
    ns = childNamespace(ns, seg.taskId, seg.graph, seg.lineage);
  }
  return undefined;
}
