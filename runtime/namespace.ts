/**
 * Checkpoint namespaces of child runs (`runtime.md` §3). A subgraph node (or a graph send
 * target, or a node kind calling `runGraph`) runs its graph as a child run in the same
 * thread; the child checkpoints under its own namespace:
 *
 *     <parent task id>:<graph>[@<lineage>]        one level (`1.0:review`)
 *     <node>:<graph>[@<lineage>]                  a persistent subgraph node's level (`review:review`)
 *     <level>|<level>|…                           nested (`1.0:outer|1.0/1.0:inner`)
 *
 * `@<lineage>` names the branch of the parent's history the child ran on (a replay or a
 * fork of an older parent checkpoint starts one; `CheckpointMetadata.lineage`). The root
 * graph's namespace is `""`.
 *
 * A `persistent true` subgraph node keeps one child state across its calls: its level
 * names the node instead of the task (task ids start with a digit, node names never do),
 * so every call of the node on the same branch checkpoints in the same namespace
 * (`persistent-child.ts`). LangGraph does the same for a subgraph compiled with
 * `checkpointer: true` (its namespace keeps the node names and drops the task ids:
 * langgraphjs `libs/langgraph-core/src/pregel/index.ts`, `_streamIterator`).
 *
 * LangGraph spells a level `<node name>:<task id>` and joins levels with `|` too
 * (`CHECKPOINT_NAMESPACE_SEPARATOR`, `CHECKPOINT_NAMESPACE_END` in
 * langgraphjs `libs/langgraph-core/src/constants.ts`), and its `getState` also accepts a
 * namespace of node names only (`recastCheckpointNamespace`). ragraph accepts that
 * "node path" form where a namespace is read (`subgraph-state.ts` resolves it against the
 * thread's history); runs always write the full form.
 */
import { NamespaceError } from "./errors.js";

/** Separates the levels of a nested namespace. */
export const NS_SEPARATOR = "|";
/** Separates a level's parent task id from the graph it runs. */
export const NS_TASK_END = ":";
/** Introduces a level's lineage (the parent's history branch). */
export const NS_LINEAGE = "@";

/** Longest namespace accepted from a caller (characters); deeper nesting is refused before any lookup. */
export const MAX_NAMESPACE_LENGTH = 4096;

/** One level of a full namespace. */
export interface NamespaceSegment {
  /**
   * Id of the parent's task that ran the child (`1.0`, `1.0/2.1` for a grandchild); on a
   * persistent level (`persistent`), the name of the node whose calls share the level.
   */
  readonly taskId: string;
  /** Graph the child run executes. */
  readonly graph: string;
  /** History branch of the parent the child ran on (absent on the original line). */
  readonly lineage?: string;
  /** A persistent subgraph node's level: `taskId` is the node's name, the same for all its calls. */
  readonly persistent?: true;
}

/** True when `owner` (the part of a level before `:`) is a node name rather than a task id: a persistent level. */
export function isPersistentOwner(owner: string): boolean {
  const c = owner.charCodeAt(0);
  return !(c >= 48 && c <= 57);
}

/** One level of a namespace as a caller may write it: a full segment, or a node (or graph) name to resolve. */
export type NamespaceStep = NamespaceSegment | { readonly node: string };

/**
 * The namespace of a child run of `taskId` executing `graph` (`child.ts` names child runs
 * with it); for a persistent subgraph node, pass the node's name as `taskId`.
 */
export function childNamespace(parent: string, taskId: string, graph: string, lineage?: string): string {
  return `${parent ? `${parent}${NS_SEPARATOR}` : ""}${taskId}${NS_TASK_END}${graph}${lineage !== undefined ? `${NS_LINEAGE}${lineage}` : ""}`;
}

/** The namespace of the run that started the child run of `ns` (`""` for a first-level child). */
export function parentNamespace(ns: string): string {
  const i = ns.lastIndexOf(NS_SEPARATOR);
  return i < 0 ? "" : ns.slice(0, i);
}

/** Formats full segments (the inverse of `parseNamespace`). */
export function formatNamespace(segments: readonly NamespaceSegment[]): string {
  return segments.reduce((ns, s) => childNamespace(ns, s.taskId, s.graph, s.lineage), "");
}

/**
 * Splits a namespace into its levels: a level with `:` is a full segment, one without is
 * a node (or implicit graph send target) name to resolve. `""` is the root (no levels).
 *
 * @throws NamespaceError for an empty level, an empty task id, graph or lineage, or a
 *   namespace over `MAX_NAMESPACE_LENGTH` characters.
 */
export function parseNamespacePath(ns: string): NamespaceStep[] {
  if (typeof ns !== "string") throw new NamespaceError(`a checkpoint namespace is a string, got ${typeof ns}`, String(ns));
  if (ns.length > MAX_NAMESPACE_LENGTH) throw new NamespaceError(`checkpoint namespace is ${ns.length} characters long (at most ${MAX_NAMESPACE_LENGTH})`, ns.slice(0, 64));
  if (ns === "") return [];
  return ns.split(NS_SEPARATOR).map((level): NamespaceStep => {
    if (!level) throw new NamespaceError(`checkpoint namespace \`${ns}\` has an empty level`, ns);
    const colon = level.indexOf(NS_TASK_END);
    if (colon < 0) {
      if (level.includes(NS_LINEAGE)) throw new NamespaceError(`checkpoint namespace \`${ns}\`: level \`${level}\` has a lineage but no task id (write \`<task id>:<graph>@<lineage>\`)`, ns);
      return { node: level };
    }
    const taskId = level.slice(0, colon);
    const rest = level.slice(colon + 1);
    const at = rest.lastIndexOf(NS_LINEAGE);
    const graph = at < 0 ? rest : rest.slice(0, at);
    const lineage = at < 0 ? undefined : rest.slice(at + 1);
    if (!taskId || !graph || lineage === "") throw new NamespaceError(`checkpoint namespace \`${ns}\`: level \`${level}\` is not \`<task id>:<graph>[@<lineage>]\``, ns);
    const persistent = isPersistentOwner(taskId) ? { persistent: true as const } : {};
    return lineage !== undefined ? { taskId, graph, lineage, ...persistent } : { taskId, graph, ...persistent };
  });
}

/**
 * Splits a full namespace into its segments.
 *
 * @throws NamespaceError when a level is malformed or names a node instead of `<task id>:<graph>`.
 */
export function parseNamespace(ns: string): NamespaceSegment[] {
  return parseNamespacePath(ns).map((s) => {
    if ("node" in s) throw new NamespaceError(`checkpoint namespace \`${ns}\`: level \`${s.node}\` names no task (write \`<task id>:<graph>\`)`, ns);
    return s;
  });
}

/** The `parents` map (namespace → checkpoint id) of a run's metadata; `{}` when absent or malformed. */
export function parentsOf(metadata: Readonly<Record<string, unknown>> | undefined): Record<string, string> {
  const p = metadata?.parents;
  if (!p || typeof p !== "object" || Array.isArray(p)) return {};
  // Null-prototype: the keys are namespaces read back from storage.
  const out = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(p)) if (typeof v === "string") out[k] = v;
  return out;
}
