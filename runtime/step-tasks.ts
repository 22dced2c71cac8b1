/**
 * The tasks of the superstep run from a checkpoint, read back from what the checkpoint
 * saved (`runtime.md` §2, pending writes): its `next` tasks, each with how it ended —
 * completed with its writes and result, failed, paused on a question, or not (yet) run.
 * A thread's timeline can be drawn from its history with this alone, long after the run
 * and its events are gone (the studio's thread picker; LangGraph's `StateSnapshot.tasks`
 * carries the same facts).
 */
import { SPECIAL, isSpecial, type CheckpointTuple, type PendingInterrupt } from "./checkpoint/types.js";
import type { BranchRef, PlannedTask } from "./planner-state.js";

/**
 * How a task run from a checkpoint ended, as its records say: `ok` (completed: its writes
 * were saved), `failed` (it failed the run: `error`), `handled` (it failed and an
 * `optional` branch or `on_error` route took the failure), `interrupted` (it asked a
 * person and has not completed since), `pending` (no record: not run yet, cancelled,
 * crashed, or held by a graph-level `interrupt before`).
 */
export type StepTaskStatus = "ok" | "failed" | "handled" | "interrupted" | "pending";

/** One task of the superstep run from a checkpoint. */
export interface StepTask {
  readonly id: string;
  /** Node name, or the agent/graph name of an implicit send target. */
  readonly node: string;
  readonly trigger: PlannedTask["trigger"];
  /** The node that routed, sent or jumped to it. */
  readonly from?: string;
  /** Its fan-out branch (send targets and their successors). */
  readonly branch?: BranchRef;
  /** A send packet's arguments. */
  readonly args?: unknown;
  readonly status: StepTaskStatus;
  /** Channels it wrote (status `ok`), in write order, each once. */
  readonly writes: readonly string[];
  /** Its result (status `ok`, when it returned one). */
  readonly result?: unknown;
  /** Its error as data (statuses `failed` and `handled`). */
  readonly error?: Readonly<Record<string, unknown>>;
  /** What it asked (status `interrupted`). */
  readonly interrupts?: readonly PendingInterrupt[];
}

/** The tasks of the superstep run from checkpoint `t` (its `next`, in order), with their outcomes. */
export function stepTasks(t: Pick<CheckpointTuple, "checkpoint" | "pendingWrites">): StepTask[] {
  const done = new Map<string, { ok: boolean; result?: unknown; error?: Readonly<Record<string, unknown>> }>();
  const failed = new Map<string, Readonly<Record<string, unknown>>>();
  const asked = new Map<string, PendingInterrupt[]>();
  const writes = new Map<string, string[]>();
  for (const w of t.pendingWrites) {
    if (w.channel === SPECIAL.task) done.set(w.taskId, w.value as { ok: boolean });
    else if (w.channel === SPECIAL.error) failed.set(w.taskId, (w.value ?? {}) as Record<string, unknown>);
    else if (w.channel === SPECIAL.interrupt) asked.set(w.taskId, w.value as PendingInterrupt[]);
    else if (!isSpecial(w.channel)) {
      const l = writes.get(w.taskId);
      if (!l) writes.set(w.taskId, [w.channel]);
      else if (!l.includes(w.channel)) l.push(w.channel);
    }
  }
  return t.checkpoint.next.map((task) => {
    const base = {
      id: task.id,
      node: task.node,
      trigger: task.trigger,
      ...(task.from !== undefined ? { from: task.from } : {}),
      ...(task.branch !== undefined ? { branch: task.branch } : {}),
      ...(task.args !== undefined ? { args: task.args } : {}),
    };
    const d = done.get(task.id);
    if (d?.ok) return { ...base, status: "ok", writes: writes.get(task.id) ?? [], ...(d.result !== undefined ? { result: d.result } : {}) };
    if (d) return { ...base, status: "handled", writes: [], ...(d.error ? { error: d.error } : {}) };
    const e = failed.get(task.id);
    if (e) return { ...base, status: "failed", writes: [], error: e };
    const q = asked.get(task.id);
    if (q) return { ...base, status: "interrupted", writes: [], interrupts: q };
    return { ...base, status: "pending", writes: [] };
  });
}
