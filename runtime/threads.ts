/**
 * Time travel over a thread's checkpoints (`runtime.md` §3, after LangGraph's
 * `getState` / `getStateHistory`): read any checkpoint (with the writes of tasks that
 * finished after it applied), or fork a checkpoint into a new thread (source `fork`).
 * Writing into a thread is `update-state.ts`. History is never mutated: every operation
 * adds a checkpoint.
 */
import type { Blueprint } from "../compiler/index.js";
import type { Registry, Spend } from "../registry/index.js";
import {
  SPECIAL,
  failedTask,
  isSpecial,
  pendingInterrupts,
  spendOf,
  copiedFields,
  threadStatus,
  type CheckpointMetadata,
  type Checkpointer,
  type CheckpointSource,
  type CheckpointTuple,
  type ListOptions,
  type PendingInterrupt,
  type RecordedError,
  type TaskError,
  type ThreadStatus,
} from "./checkpoint/types.js";
import { CheckpointError } from "./errors.js";
import { defineLazyValues } from "./checkpoint/lazy-values.js";
import type { GraphIndex } from "./graph-index.js";
import type { PlannedTask } from "./planner-state.js";
import { holdingThreads } from "./thread-hold.js";
import type { ChannelTable, PendingWrite } from "./state.js";

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
  /**
   * Channel values (tracked channels). Read through a compiled graph (`graph.getState`),
   * they include the writes of the next step's tasks that already finished (saved as
   * pending writes before a pause, a failure or a crash), as LangGraph's `getState` does.
   */
  readonly values: Readonly<Record<string, unknown>>;
  /** Tasks of the next superstep still to run (with their send arguments): finished ones are left out when their writes are applied. */
  readonly next: readonly PlannedTask[];
  /** Interrupts waiting for an answer. */
  readonly interrupts: readonly PendingInterrupt[];
  readonly status: ThreadStatus;
  readonly errors: readonly RecordedError[];
  /** The task failure that failed the run from this checkpoint (status `failed`). */
  readonly error?: TaskError;
  readonly metadata: CheckpointMetadata;
  /**
   * With `getState(…, { subgraphs: true })`: the child run of each pending task that
   * runs a graph and has checkpointed, as its own snapshot (nested the same way), by task
   * id (`subgraph-state.ts`; LangGraph's `tasks[i].state`). Absent otherwise.
   */
  readonly subgraphs?: Readonly<Record<string, StateSnapshot>>;
  /**
   * Root namespace: what the thread's line had spent under budgets when it left this
   * checkpoint — the spend the checkpoint recorded plus the `__spend__` records of runs
   * from it (calls in flight at their reservation; `spentAt`), tokens (input + output)
   * and USD, in total and per node. What a resume, retry or fork from here starts from.
   * Absent when nothing was spent, and in a child run's snapshot (spend is kept at the
   * root). A corrupted stored figure reads as `Infinity` (`null` in JSON): the budget is
   * closed.
   */
  readonly spend?: Spend;
}

/** What `getState` needs from a compiled graph to apply the pending writes of finished tasks. */
export interface SnapshotGraph {
  readonly blueprint: Blueprint;
  readonly channels: ChannelTable;
  readonly registry: Registry;
}

/** What `updateState` needs from a compiled graph. */
export interface UpdatableGraph extends SnapshotGraph {
  readonly index: GraphIndex;
}

/**
 * The snapshot of a checkpoint tuple. With `g`, the channel writes of next-step tasks
 * that finished (a `__task__` record saying ok) are applied through the reducers, in the
 * order of `next`, and those tasks leave `next`.
 */
export function snapshot(t: CheckpointTuple, g?: SnapshotGraph): StateSnapshot {
  const c = t.checkpoint;
  const error = failedTask(t);
  const applied = g ? applyFinished(g, t) : undefined;
  // Built in one order, `values` a shared lazy accessor (`lazy-values.ts`), so the
  // snapshots of a long history share one hidden class instead of each being a property
  // dictionary; the optional fields are added last.
  const s = {
    threadId: c.threadId,
    checkpointId: c.id,
    namespace: c.namespace,
    graph: c.graph,
    blueprintHash: c.blueprintHash,
    step: c.step,
    source: t.metadata.source,
    createdAt: c.ts,
  };
  // Read on first access: a checkpointer that loads values lazily (SQLite, Postgres)
  // then lists history without ever reading one.
  const out = defineLazyValues(s, applied ? () => applied.values : () => c.values) as unknown as { -readonly [K in keyof StateSnapshot]: StateSnapshot[K] };
  out.next = applied?.next ?? c.next;
  out.interrupts = pendingInterrupts(t);
  out.status = threadStatus(t);
  out.errors = c.errors;
  out.metadata = t.metadata;
  if (c.parentId !== undefined) out.parentId = c.parentId;
  if (error) out.error = error;
  const spent = spendOf(t).spend;
  if (spent) out.spend = spent;
  return out;
}

/**
 * Finished next-step tasks of a checkpoint, in `next` order, with their saved channel
 * writes and their `__task__` record (`ok`; a handled failure's `error`).
 */
export function finishedTasks(t: Pick<CheckpointTuple, "checkpoint" | "pendingWrites">): { task: PlannedTask; done: { ok: boolean; route?: string; result?: unknown; error?: Readonly<Record<string, unknown>> }; writes: [string, unknown][] }[] {
  const done = new Map<string, { ok: boolean; route?: string; result?: unknown; error?: Readonly<Record<string, unknown>> }>();
  const writes = new Map<string, [string, unknown][]>();
  for (const w of t.pendingWrites) {
    if (w.channel === SPECIAL.task) done.set(w.taskId, w.value as { ok: boolean });
    else if (!isSpecial(w.channel)) {
      const l = writes.get(w.taskId);
      if (l) l.push([w.channel, w.value]);
      else writes.set(w.taskId, [[w.channel, w.value]]);
    }
  }
  if (!done.size) return [];
  const out: ReturnType<typeof finishedTasks> = [];
  for (const task of t.checkpoint.next) {
    const d = done.get(task.id);
    if (d) out.push({ task, done: d, writes: writes.get(task.id) ?? [] });
  }
  return out;
}

function applyFinished(g: SnapshotGraph, t: CheckpointTuple): { values: Readonly<Record<string, unknown>>; next: readonly PlannedTask[] } | undefined {
  const finished = finishedTasks(t).filter((f) => f.done.ok);
  if (!finished.length) return undefined;
  const writes: PendingWrite[] = finished.flatMap((f) => f.writes.map(([channel, value]) => ({ channel, value, taskId: f.task.id, node: f.task.node })));
  const gone = new Set(finished.map((f) => f.task.id));
  try {
    const applied = g.channels.apply(g.channels.restore(t.checkpoint.values), writes, g.registry, t.checkpoint.step + 1);
    return { values: g.channels.tracked(applied.state), next: t.checkpoint.next.filter((x) => !gone.has(x.id)) };
  } catch {
    // Writes that cannot be applied (a blueprint changed since) leave the checkpoint as saved.
    return undefined;
  }
}

/**
 * The thread at its latest checkpoint (or `checkpointId`); undefined when there is none.
 * With `g`, the latest checkpoint shows its finished tasks' writes applied (see
 * `snapshot`); a checkpoint asked for by id shows the values saved with it — as
 * LangGraph's `getState` applies pending writes only without a `checkpoint_id`.
 */
export async function getState(saver: Checkpointer, threadId: string, checkpointId?: string, g?: SnapshotGraph): Promise<StateSnapshot | undefined> {
  const t = await saver.getTuple({ threadId, ...(checkpointId !== undefined ? { checkpointId } : {}) });
  return t ? snapshot(t, checkpointId === undefined ? g : undefined) : undefined;
}

/**
 * Every checkpoint of the thread, newest first, each with the values saved with it: the
 * writes of the step run from a checkpoint belong to the next one (LangGraph's
 * `getStateHistory` does not apply pending writes either). The checkpoints are listed
 * with only the pending writes a snapshot reads (`ListOptions.pendingWrites: "status"`):
 * no channel write or completion is parsed, and no value is loaded until read.
 */
export async function getStateHistory(saver: Checkpointer, threadId: string, options: ListOptions = {}): Promise<StateSnapshot[]> {
  return (await saver.list(threadId, { ...options, pendingWrites: "status" })).map((t) => snapshot(t));
}

/**
 * Copies one checkpoint into a new thread (source `fork`, `metadata.forkedFrom` names
 * the original); resuming the new thread re-runs from there. Interrupts the checkpoint
 * was waiting on are pending in the fork too (answers are not copied), so a fork can
 * answer a question differently. The original thread is not touched. Both threads are
 * held meanwhile, as a run holds its thread (`thread-hold.ts`): the original, whose
 * checkpoint's records (questions, spend) a live run may still be writing, and the new
 * one, which must not exist when it is written.
 *
 * @throws CheckpointError when the checkpoint does not exist or the new thread does;
 *   ThreadBusyError when a run holds either thread (nothing is written).
 */
export async function fork(saver: Checkpointer, threadId: string, checkpointId: string, newThreadId: string = `thread-${globalThis.crypto.randomUUID().slice(0, 13)}`): Promise<StateSnapshot> {
  if (newThreadId === threadId) throw new CheckpointError(`thread \`${newThreadId}\` already exists; fork into a new thread id`);
  return holdingThreads(saver, [threadId, newThreadId], () => forkHeld(saver, threadId, checkpointId, newThreadId));
}

async function forkHeld(saver: Checkpointer, threadId: string, checkpointId: string, newThreadId: string): Promise<StateSnapshot> {
  const t = await saver.getTuple({ threadId, checkpointId });
  if (!t) throw new CheckpointError(`thread \`${threadId}\` has no checkpoint \`${checkpointId}\``);
  if (await saver.getTuple({ threadId: newThreadId })) throw new CheckpointError(`thread \`${newThreadId}\` already exists; fork into a new thread id`);
  // The new thread starts from what the original had spent when it left the checkpoint (`copiedFields`).
  const { parentId: _parent, ...rest } = copiedFields(t);
  const checkpoint = { ...rest, id: `${rest.step}-${globalThis.crypto.randomUUID().slice(0, 8)}`, threadId: newThreadId, ts: Date.now() };
  const metadata: CheckpointMetadata = { ...t.metadata, source: "fork", forkedFrom: { threadId, checkpointId: t.checkpoint.id } };
  const config = { threadId: newThreadId, namespace: checkpoint.namespace, checkpointId: checkpoint.id };
  await saver.put(checkpoint, metadata);
  // The fork waits on the same questions (answer them differently there), also those the
  // original answered since (its task's completion is not copied); tasks re-run.
  const asks = t.pendingWrites.filter((w) => w.channel === SPECIAL.interrupt);
  for (const w of asks) await saver.putWrites(config, [[w.channel, w.value]], w.taskId);
  return snapshot({ config, checkpoint, metadata, pendingWrites: asks });
}
