/**
 * Thread editing (`runtime.md` §3, after LangGraph's `updateState` / `bulkUpdateState`):
 * write values into a thread through the channel reducers, as a new checkpoint (source
 * `update`) whose parent is the checkpoint edited. History is never mutated: editing an
 * older checkpoint forks the thread there (the new checkpoint becomes its head).
 *
 * What the new checkpoint schedules:
 * - without `asNode`, the tasks of the edited checkpoint stay scheduled, and on the
 *   thread's head the interrupts they were paused on stay pending (answer them with a
 *   resume, or `Command({resume, update})` in one call);
 * - `asNode: X` writes as if node X had run: the next tasks are X's successors (its
 *   routes see the updated state; `route` picks a label);
 * - `asNode: "END"` clears the next tasks (and their interrupts): the thread is done.
 * On the head, the next step's tasks that already finished (their writes were saved
 * before a pause or a failure) are applied first and leave the schedule, their
 * successors join it — LangGraph applies a head's pending writes the same way.
 */
import { didYouMean } from "../grammar/index.js";
import { copiedFields, recordedAnswers, SPECIAL, type CheckpointMetadata, type Checkpointer, type CheckpointTuple, type PendingWriteRecord } from "./checkpoint/types.js";
import { BlueprintMismatchError, CheckpointError, InvalidUpdateError } from "./errors.js";
import { boundaryInterrupts } from "./interrupt.js";
import { checkUntrustedValue, UnsafeJsonError } from "./safe-json.js";
import { parseNamespace } from "./namespace.js";
import { callerOf } from "./persistent-child.js";
import { plan } from "./plan.js";
import { clonePlanner, type Completion, type PlannedTask } from "./planner-state.js";
import type { PendingWrite } from "./state.js";
import { byChannel, StateGauge, stateBound } from "./state-size.js";
import { taskScope } from "./task.js";
import { holdingThreads } from "./thread-hold.js";
import { finishedTasks, snapshot, type StateSnapshot, type UpdatableGraph } from "./threads.js";

/** The end of the graph as an `asNode` (LangGraph's `END` / `__end__`): clears the next tasks. */
export const END_NODE = "END";

export interface UpdateStateOptions {
  /** Write as this node: its routes then pick the next tasks, as if it had run. `"END"` (or `"__end__"`) clears the next tasks. */
  readonly asNode?: string;
  /** The route label `asNode` takes, when it has labelled routes. */
  readonly route?: string;
  /** Edit this checkpoint instead of the thread's latest (a fork inside the thread). */
  readonly checkpointId?: string;
  /**
   * Edit a child run's state: the checkpoint namespace of a subgraph run (`namespace.ts`;
   * `checkpointId` then names a checkpoint of that namespace). Through a compiled graph it
   * may also be a node path (`"review"`, `"outer|inner"`), resolved by `subgraph-state.ts`.
   */
  readonly namespace?: string;
  readonly allowBlueprintChange?: boolean;
  /** The bound on the state the edit leaves, bytes of JSON (a resume passes its `RunOptions.maxStateBytes`); else the registry's `runLimits`, else `MAX_STATE_BYTES`. */
  readonly maxStateBytes?: number;
}

/**
 * Writes `values` into the thread's latest state (or checkpoint `checkpointId`) through
 * the channel reducers (validated like any write) and saves the result as a new
 * checkpoint (source `update`); see the module comment for what it schedules. Holds the
 * thread meanwhile, as a run does (`thread-hold.ts`).
 *
 * @throws ThreadBusyError when a run (or another edit) holds the thread: nothing is read
 *   or written; CheckpointError when the thread or checkpoint does not exist, or `asNode`
 *   is no node; BlueprintMismatchError under a changed blueprint; InvalidUpdateError for a
 *   bad write (a key of `values` that is no state field is named, with a did-you-mean) or
 *   `values` that are not an object; StateSizeError when the edit would grow the thread's
 *   state past its bound (`maxStateBytes`), before anything is saved.
 */
export function updateState(g: UpdatableGraph, saver: Checkpointer, threadId: string, values: Readonly<Record<string, unknown>> | null, options: UpdateStateOptions = {}): Promise<StateSnapshot> {
  return holdingThreads(saver, [threadId], () => updateStateHeld(g, saver, threadId, values, options));
}

/** `updateState` by a caller that holds the thread already (a run applying a resume's `update`). */
export async function updateStateHeld(g: UpdatableGraph, saver: Checkpointer, threadId: string, values: Readonly<Record<string, unknown>> | null, options: UpdateStateOptions = {}): Promise<StateSnapshot> {
  const bp = g.blueprint;
  // A string or a list (LangGraph's `[[key, value], …]` update) read as an object named its
  // indices as unknown fields (`0` is not a state field).
  if (values !== null && (typeof values !== "object" || Array.isArray(values))) {
    throw new InvalidUpdateError(`updateState: the values must be an object of state fields (field → value), not ${Array.isArray(values) ? "a list" : `a ${typeof values}`}`, "", { graph: bp.id });
  }
  const namespace = options.namespace ?? "";
  const t = await saver.getTuple({ threadId, namespace, ...(options.checkpointId !== undefined ? { checkpointId: options.checkpointId } : {}) });
  if (!t) throw new CheckpointError(`thread \`${threadId}\` has no checkpoint${options.checkpointId !== undefined ? ` \`${options.checkpointId}\`` : ""}${namespace ? ` in namespace \`${namespace}\`` : ""} to update`, { graph: bp.id });
  const ck = t.checkpoint;
  if (ck.blueprintHash !== bp.hash && !options.allowBlueprintChange) throw new BlueprintMismatchError(threadId, ck.blueprintHash, bp.hash, { graph: bp.id });
  const asNode = options.asNode === "__end__" ? END_NODE : options.asNode;
  if (asNode !== undefined && asNode !== END_NODE && !g.index.nodes.has(asNode)) throw new CheckpointError(`updateState: graph \`${bp.id}\` has no node \`${asNode}\``, { graph: bp.id });
  const head = options.checkpointId === undefined ? t : await saver.getTuple({ threadId, namespace: ck.namespace });
  const onHead = head?.checkpoint.id === ck.id;

  const step = ck.step + 1;
  const finished = onHead ? finishedTasks(t).filter((f) => f.done.ok) : [];
  const writes: PendingWrite[] = finished.flatMap((f) => f.writes.map(([channel, value]) => ({ channel, value, taskId: f.task.id, node: f.task.node })));
  const node = asNode ?? "__update__";
  // Named here, not as a write of the internal `__update__` node deep in the reducers.
  for (const channel of Object.keys(values ?? {})) {
    if (g.channels.channels.has(channel)) continue;
    const fields = [...g.channels.channels.keys()];
    const hint = didYouMean(channel, fields);
    throw new InvalidUpdateError(`updateState: \`${channel}\` is not a state field of graph \`${bp.id}\`${hint ? ` — did you mean \`${hint}\`?` : ""} (fields: ${fields.join(", ") || "none"})`, channel, { graph: bp.id });
  }
  for (const [channel, value] of Object.entries(values ?? {})) {
    // Untrusted data, as a run input (`checkInput`): judged before any reducer or checkpoint sees it.
    try {
      checkUntrustedValue(value);
    } catch (e) {
      if (e instanceof UnsafeJsonError) throw new InvalidUpdateError(`updateState: the value for \`${channel}\` is refused: it ${e.message}`, channel, { graph: bp.id });
      throw e;
    }
    writes.push({ channel, value, taskId: "update", node });
  }
  const restored = g.channels.restore(ck.values);
  const applied = g.channels.apply(restored, writes, g.registry, step);
  // The whole state's bound (`state-size.ts`), as a run's step: an edit that grows the state past it saves nothing.
  const gauge = new StateGauge(stateBound(options.maxStateBytes, g.registry), g.channels);
  gauge.measure(restored);
  const was = gauge.total;
  gauge.applied(restored, applied.state, applied.changed, byChannel(writes));
  if (gauge.total > was) gauge.verify({ graph: bp.id, step });

  const planner = clonePlanner(ck.planner);
  const done = new Set(finished.map((f) => f.task.id));
  const completions: Completion[] = finished.map((f) => ({ task: f.task, ok: true, ...(f.done.route !== undefined ? { route: f.done.route } : {}), ...(f.done.result !== undefined ? { result: f.done.result } : {}) }));
  if (asNode !== undefined && asNode !== END_NODE) completions.push({ task: { id: `${step}.update`, node: asNode, trigger: "edge" }, ok: true, ...(options.route !== undefined ? { route: options.route } : {}) });
  const planned = completions.length && asNode !== END_NODE ? planNext(g, planner, completions, applied.state, ck.input, ck.runId, threadId, step, namespace, t.metadata) : [];
  let next: readonly PlannedTask[];
  if (asNode === END_NODE) next = [];
  else if (asNode !== undefined) next = planned;
  else next = [...ck.next.filter((x) => !done.has(x.id)), ...planned];
  const kept = new Set(next.map((x) => x.id));
  const interrupts = asNode === undefined && !planned.length && !done.size ? ck.interrupts.filter((i) => i.kind === "after" || kept.has(i.taskId)) : boundaryInterrupts(bp, [], next, ck.namespace);

  const versions = { ...ck.versions };
  for (const c of applied.changed) versions[c] = (versions[c] ?? 0) + 1;
  const checkpoint = {
    // With what the line had spent when it left `ck` (its `__spend__` records are not carried): an edit never lowers it.
    ...copiedFields(t),
    id: `${step}-${globalThis.crypto.randomUUID().slice(0, 8)}`,
    parentId: ck.id,
    step,
    ts: Date.now(),
    values: g.channels.tracked(applied.state),
    versions,
    seen: asNode !== undefined && asNode !== END_NODE ? { [asNode]: ck.versions } : {},
    next,
    detached: asNode === END_NODE ? [] : ck.detached,
    planner,
    interrupts,
  };
  // An update of an older checkpoint forks the history: a new branch (`lineage`) whose child runs start afresh.
  const metadata: CheckpointMetadata = { ...t.metadata, source: "update", step, runId: ck.runId, changed: applied.changed, ran: asNode !== undefined && asNode !== END_NODE ? [asNode] : [], ...(onHead ? {} : { lineage: checkpoint.id }) };
  delete (metadata as { steering?: string }).steering;
  const config = await saver.put(checkpoint, metadata);
  // On the head, node interrupts of tasks still scheduled stay pending (their task runs again on resume and asks the same).
  const carried: PendingWriteRecord[] = onHead ? pendingRecords(t, kept) : [];
  for (const w of carried) await saver.putWrites(config, [[w.channel, w.value]], w.taskId);
  return snapshot({ config, checkpoint, metadata, parentConfig: t.config, pendingWrites: carried }, g);
}

/** The `__interrupt__` records of still-scheduled tasks, and the answers already given (a task asking twice keeps its first answer). */
function pendingRecords(t: CheckpointTuple, kept: ReadonlySet<string>): PendingWriteRecord[] {
  const done = new Set(t.pendingWrites.filter((w) => w.channel === SPECIAL.task).map((w) => w.taskId));
  const out: PendingWriteRecord[] = t.pendingWrites.filter((w) => w.channel === SPECIAL.interrupt && kept.has(w.taskId) && !done.has(w.taskId));
  const answered = recordedAnswers(t);
  if (out.length && Object.keys(answered).length) out.push({ taskId: SPECIAL.resume, channel: SPECIAL.resume, value: answered });
  return out;
}

function planNext(g: UpdatableGraph, planner: ReturnType<typeof clonePlanner>, completions: readonly Completion[], state: Readonly<Record<string, unknown>>, input: Readonly<Record<string, unknown>>, runId: string, threadId: string, step: number, namespace: string, caller: Readonly<Record<string, unknown>>): PlannedTask[] {
  const run = { runId, rootRunId: runId, threadId, graph: g.blueprint.id, namespace: g.blueprint.id, checkpointNs: namespace, depth: 0 };
  // A child run's task ids start with its parent task's id (`run.ts`): planned tasks of an edited child run do too.
  const last = namespace ? parseNamespace(namespace).at(-1) : undefined;
  // A persistent level names its node; its tasks are prefixed with the task of the call that wrote the checkpoint.
  const owner = last?.persistent ? callerOf(caller)?.task : last?.taskId;
  const prefix = owner !== undefined ? `${owner}/` : "";
  return plan(planner, completions, {
    index: g.index,
    state,
    step,
    scope: (x, result) => taskScope(x, { state, input, run, step }, { result: result ?? null }),
    taskId: (i) => `${prefix}${step + 1}.${i}`,
  }).tasks;
}
