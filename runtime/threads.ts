/**
 * Time travel over a thread's checkpoints (`runtime.md` §3, after LangGraph's
 * `getState` / `getStateHistory` / `updateState`): read any checkpoint, write values
 * through the same reducers as a node would (a new checkpoint, source `update`), or fork
 * a checkpoint into a new thread (source `fork`). History is never mutated: every
 * operation adds a checkpoint.
 */
import type { Blueprint } from "../compiler/index.js";
import type { Registry } from "../registry/index.js";
import {
  SPECIAL,
  pendingInterrupts,
  threadStatus,
  type CheckpointMetadata,
  type Checkpointer,
  type CheckpointSource,
  type CheckpointTuple,
  type ListOptions,
  type PendingInterrupt,
  type RecordedError,
  type ThreadStatus,
} from "./checkpoint/types.js";
import { BlueprintMismatchError, CheckpointError, InvalidUpdateError } from "./errors.js";
import { boundaryInterrupts } from "./interrupt.js";
import { clonePlanner, plan, type GraphIndex, type PlannedTask } from "./plan.js";
import { newId } from "./run.js";
import type { ChannelTable, PendingWrite } from "./state.js";
import { taskScope } from "./task.js";

/** A thread at one checkpoint, as `getState` returns it. */
export interface StateSnapshot {
  readonly threadId: string;
  readonly checkpointId: string;
  readonly parentId?: string;
  readonly namespace: string;
  readonly graph: string;
  readonly blueprintHash: string;
  readonly step: number;
  readonly source: CheckpointSource;
  /** ms since the Unix epoch. */
  readonly createdAt: number;
  /** Channel values (tracked channels). */
  readonly values: Readonly<Record<string, unknown>>;
  /** Tasks of the next superstep, with their send arguments. */
  readonly next: readonly PlannedTask[];
  /** Interrupts waiting for an answer. */
  readonly interrupts: readonly PendingInterrupt[];
  readonly status: ThreadStatus;
  readonly errors: readonly RecordedError[];
  readonly metadata: CheckpointMetadata;
}

/** What `updateState` needs from a compiled graph. */
export interface UpdatableGraph {
  readonly blueprint: Blueprint;
  readonly channels: ChannelTable;
  readonly index: GraphIndex;
  readonly registry: Registry;
}

export function snapshot(t: CheckpointTuple): StateSnapshot {
  const c = t.checkpoint;
  return {
    threadId: c.threadId,
    checkpointId: c.id,
    ...(c.parentId !== undefined ? { parentId: c.parentId } : {}),
    namespace: c.namespace,
    graph: c.graph,
    blueprintHash: c.blueprintHash,
    step: c.step,
    source: t.metadata.source,
    createdAt: c.ts,
    values: c.values,
    next: c.next,
    interrupts: pendingInterrupts(t),
    status: threadStatus(t),
    errors: c.errors,
    metadata: t.metadata,
  };
}

/** The thread at its latest checkpoint (or `checkpointId`); undefined when there is none. */
export async function getState(saver: Checkpointer, threadId: string, checkpointId?: string): Promise<StateSnapshot | undefined> {
  const t = await saver.getTuple({ threadId, ...(checkpointId !== undefined ? { checkpointId } : {}) });
  return t ? snapshot(t) : undefined;
}

/** Every checkpoint of the thread, newest first. */
export async function getStateHistory(saver: Checkpointer, threadId: string, options: ListOptions = {}): Promise<StateSnapshot[]> {
  return (await saver.list(threadId, options)).map(snapshot);
}

export interface UpdateStateOptions {
  /** Write as this node: its routes then pick the next tasks, as if it had run. */
  readonly asNode?: string;
  /** The route label `asNode` takes, when it has labelled routes. */
  readonly route?: string;
  readonly allowBlueprintChange?: boolean;
}

/**
 * Writes `values` into the thread's latest state through the channel reducers (validated
 * like any write) and saves the result as a new checkpoint (source `update`). With
 * `asNode` the next tasks are that node's successors; otherwise they stay as they were.
 *
 * @throws CheckpointError when the thread has no checkpoint or `asNode` is no node;
 *   BlueprintMismatchError under a changed blueprint; InvalidUpdateError for a bad write.
 */
export async function updateState(g: UpdatableGraph, saver: Checkpointer, threadId: string, values: Readonly<Record<string, unknown>>, options: UpdateStateOptions = {}): Promise<StateSnapshot> {
  const bp = g.blueprint;
  const t = await saver.getTuple({ threadId });
  if (!t) throw new CheckpointError(`thread \`${threadId}\` has no checkpoint to update`, { graph: bp.id });
  const ck = t.checkpoint;
  if (ck.blueprintHash !== bp.hash && !options.allowBlueprintChange) throw new BlueprintMismatchError(threadId, ck.blueprintHash, bp.hash, { graph: bp.id });
  const asNode = options.asNode;
  if (asNode !== undefined && !g.index.nodes.has(asNode)) throw new CheckpointError(`updateState: graph \`${bp.id}\` has no node \`${asNode}\``, { graph: bp.id });
  const step = ck.step + 1;
  const node = asNode ?? "__update__";
  const writes: PendingWrite[] = Object.entries(values).map(([channel, value]) => ({ channel, value, taskId: "update", node }));
  if (!writes.length && asNode === undefined) throw new InvalidUpdateError("updateState needs values to write (or asNode)", "", { graph: bp.id });
  const applied = g.channels.apply(g.channels.restore(ck.values), writes, g.registry, step);
  const planner = clonePlanner(ck.planner);
  let next = ck.next;
  let interrupts = ck.interrupts;
  if (asNode !== undefined) {
    const task: PlannedTask = { id: `${step}.update`, node: asNode, trigger: "edge" };
    const run = { runId: ck.runId, rootRunId: ck.runId, threadId, graph: bp.id, namespace: bp.id, depth: 0 };
    next = plan(planner, [{ task, ok: true, ...(options.route !== undefined ? { route: options.route } : {}) }], {
      index: g.index,
      state: applied.state,
      step,
      scope: (x, result) => taskScope(x, { state: applied.state, input: ck.input, run, step }, { result: result ?? null }),
      taskId: (i) => `${step + 1}.${i}`,
    }).tasks;
    interrupts = boundaryInterrupts(bp, [], next, ck.namespace);
  }
  const versions = { ...ck.versions };
  for (const c of applied.changed) versions[c] = (versions[c] ?? 0) + 1;
  const checkpoint = {
    ...ck,
    id: `${step}-${globalThis.crypto.randomUUID().slice(0, 8)}`,
    parentId: ck.id,
    step,
    ts: Date.now(),
    values: g.channels.tracked(applied.state),
    versions,
    seen: asNode !== undefined ? { [asNode]: ck.versions } : {},
    next,
    planner,
    interrupts,
  };
  const metadata: CheckpointMetadata = { ...t.metadata, source: "update", step, runId: ck.runId, changed: applied.changed, ran: asNode !== undefined ? [asNode] : [] };
  delete (metadata as { steering?: string }).steering;
  await saver.put(checkpoint, metadata);
  return snapshot({ config: { threadId, namespace: ck.namespace, checkpointId: checkpoint.id }, checkpoint, metadata, parentConfig: t.config, pendingWrites: [] });
}

/**
 * Copies one checkpoint into a new thread (source `fork`, `metadata.forkedFrom` names
 * the original); resuming the new thread re-runs from there. Interrupts the checkpoint
 * was waiting on are pending in the fork too (answers are not copied), so a fork can
 * answer a question differently. The original thread is not touched.
 *
 * @throws CheckpointError when the checkpoint does not exist or the new thread does.
 */
export async function fork(saver: Checkpointer, threadId: string, checkpointId: string, newThreadId: string = newId("thread")): Promise<StateSnapshot> {
  const t = await saver.getTuple({ threadId, checkpointId });
  if (!t) throw new CheckpointError(`thread \`${threadId}\` has no checkpoint \`${checkpointId}\``);
  if (await saver.getTuple({ threadId: newThreadId })) throw new CheckpointError(`thread \`${newThreadId}\` already exists; fork into a new thread id`);
  const { parentId: _parent, ...rest } = t.checkpoint;
  const checkpoint = { ...rest, id: `${rest.step}-${globalThis.crypto.randomUUID().slice(0, 8)}`, threadId: newThreadId, ts: Date.now() };
  const metadata: CheckpointMetadata = { ...t.metadata, source: "fork", forkedFrom: { threadId, checkpointId: t.checkpoint.id } };
  const config = { threadId: newThreadId, namespace: checkpoint.namespace, checkpointId: checkpoint.id };
  await saver.put(checkpoint, metadata);
  // The fork waits on the same questions (answer them differently there); tasks re-run.
  const done = new Set(t.pendingWrites.filter((w) => w.channel === SPECIAL.task).map((w) => w.taskId));
  const asks = t.pendingWrites.filter((w) => w.channel === SPECIAL.interrupt && !done.has(w.taskId));
  for (const w of asks) await saver.putWrites(config, [[w.channel, w.value]], w.taskId);
  return snapshot({ config, checkpoint, metadata, pendingWrites: asks });
}
