/**
 * `blocking false` tasks (`runtime.md` §2): the run's register of tasks that run detached
 * across supersteps, their outcomes held until the next barrier merges them.
 */
import type { PlannedTask } from "./planner-state.js";
import type { TaskOutcome } from "./task.js";

const NONE: TaskOutcome[] = [];
/** No detached task (shared and frozen: a checkpoint of every superstep holds it). */
const NO_TASKS: readonly PlannedTask[] = Object.freeze([]);

/**
 * `blocking false` tasks of a run (`runtime.md` §2): they run across supersteps; each
 * outcome waits to be merged at the next barrier, in the order the tasks started.
 */
export class DetachedTasks {
  private readonly inFlight = new Map<string, { task: PlannedTask; seq: number }>();
  private done: { outcome: TaskOutcome; seq: number }[] = [];
  private seq = 0;
  private waiters: (() => void)[] = [];
  private readonly promises = new Set<Promise<void>>();

  /** Tasks still running. */
  get running(): number {
    return this.inFlight.size;
  }

  /** Tasks running or completed but not merged yet. */
  get pending(): number {
    return this.inFlight.size + this.done.length;
  }

  start(task: PlannedTask, run: () => Promise<TaskOutcome>): void {
    const seq = this.seq++;
    this.inFlight.set(task.id, { task, seq });
    const p = run().then((outcome) => {
      this.inFlight.delete(task.id);
      this.done.push({ outcome, seq });
      for (const w of this.waiters.splice(0)) w();
    });
    this.promises.add(p);
    void p.finally(() => this.promises.delete(p));
  }

  /** Completed outcomes not merged yet, in start order; they count as merged afterwards. */
  take(): TaskOutcome[] {
    if (!this.done.length) return NONE;
    const d = this.done.sort((a, b) => a.seq - b.seq).map((x) => x.outcome);
    this.done = [];
    return d;
  }

  /** The tasks a checkpoint must remember: running, or completed and not merged (a shared frozen empty list when none). */
  tasks(): readonly PlannedTask[] {
    if (!this.inFlight.size && !this.done.length) return NO_TASKS;
    const all = [...this.inFlight.values(), ...this.done.map((d) => ({ task: d.outcome.task, seq: d.seq }))];
    return all.sort((a, b) => a.seq - b.seq).map((x) => x.task);
  }

  /** Completed outcomes waiting to be merged (their records must follow a new checkpoint). */
  unmerged(): readonly TaskOutcome[] {
    if (!this.done.length) return NONE;
    return this.done.map((d) => d.outcome);
  }

  /** Resolves once some task has completed (at once when one has, or none is running). */
  next(): Promise<void> {
    if (this.done.length || !this.inFlight.size) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Resolves when every running task has completed. */
  async settled(): Promise<void> {
    while (this.promises.size) await Promise.all([...this.promises]);
  }
}
