/**
 * The tasks of the superstep run from a checkpoint, read back from what the checkpoint
 * saved (`runtime.md` §2, pending writes): its `next` tasks, each with how it ended —
 * completed with its writes and result, failed, paused on a question, or not (yet) run.
 * A thread's timeline can be drawn from its history with this alone, long after the run
 * and its events are gone (the studio's thread picker; LangGraph's `StateSnapshot.tasks`
 * carries the same facts).
 */
import { SPECIAL, taskQuestions, type CheckpointTuple, type PendingInterrupt } from "./checkpoint/types.js";
import type { BranchRef, PlannedTask } from "./planner-state.js";
import { finishedTasks } from "./threads.js";

/**
 * How a task run from a checkpoint ended, as its records say: `ok` (completed: its writes
 * were saved), `failed` (it failed the run: `error`), `handled` (it failed and an
 * `optional` branch or `on_error` route took the failure), `interrupted` (it asked a
 * person and waits on an answer: `interrupts`), `pending` (not run yet, cancelled,
 * crashed, or held by a graph-level `interrupt before`; or every question it asked has an
 * answer recorded, `answered`, and it has not run again with it — a resume runs it).
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
  /** What it asked and waits on: the questions without an answer (status `interrupted`). */
  readonly interrupts?: readonly PendingInterrupt[];
  /**
   * What it asked that a resume answered, with the answer, while it has not completed
   * (status `pending`, or `interrupted`/`failed` beside open questions or a failure): it
   * is given these when it runs again.
   */
  readonly answered?: readonly { readonly interrupt: PendingInterrupt; readonly value: unknown }[];
}

/**
 * The tasks of the superstep run from checkpoint `t` (its `next`, in order), with their
 * outcomes. Read through the helpers the runtime itself reads these records with —
 * `finishedTasks` (what `getState` and `updateState` apply) and `taskQuestions` (what
 * `pendingInterrupts`, and so the thread's status and a resume, wait on) — so a task shows
 * as `interrupted` exactly when the thread waits on its question: one whose answer is
 * recorded but which has not run again is `pending` with `answered` (it was shown as
 * still `interrupted` while `getState` had no interrupt left).
 */
export function stepTasks(t: Pick<CheckpointTuple, "checkpoint" | "pendingWrites">): StepTask[] {
  const done = new Map(finishedTasks(t).map((f) => [f.task.id, f]));
  const questions = taskQuestions(t);
  const failed = new Map<string, Readonly<Record<string, unknown>>>();
  for (const w of t.pendingWrites) if (w.channel === SPECIAL.error) failed.set(w.taskId, (w.value ?? {}) as Record<string, unknown>);
  return t.checkpoint.next.map((task): StepTask => {
    const base = {
      id: task.id,
      node: task.node,
      trigger: task.trigger,
      ...(task.from !== undefined ? { from: task.from } : {}),
      ...(task.branch !== undefined ? { branch: task.branch } : {}),
      ...(task.args !== undefined ? { args: task.args } : {}),
    };
    const d = done.get(task.id);
    const e = failed.get(task.id);
    // completed, but the state refused its writes (run.ts `refusedWrite`): the run failed on it
    if (d && e?.refused === true) return { ...base, status: "failed", writes: channelsOf(d.writes), error: e };
    if (d?.done.ok) return { ...base, status: "ok", writes: channelsOf(d.writes), ...(d.done.result !== undefined ? { result: d.done.result } : {}) };
    if (d) return { ...base, status: "handled", writes: [], ...(d.done.error ? { error: d.done.error } : {}) };
    const q = questions.get(task.id);
    const answered = q?.answered.length ? { answered: q.answered } : {};
    if (e) return { ...base, status: "failed", writes: [], error: e, ...answered };
    if (q?.open.length) return { ...base, status: "interrupted", writes: [], interrupts: q.open, ...answered };
    return { ...base, status: "pending", writes: [], ...answered };
  });
}

/** The channels of a task's writes, in write order, each once. */
function channelsOf(writes: readonly (readonly [string, unknown])[]): string[] {
  const out: string[] = [];
  for (const [channel] of writes) if (!out.includes(channel)) out.push(channel);
  return out;
}
