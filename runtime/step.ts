/**
 * Running the tasks of one superstep (`runtime.md` §1 steps 3–4, §2): at most
 * `concurrency` in flight, outcomes kept in task order. Around each task:
 * - a task whose completion was saved before a crash or pause is restored from its
 *   record instead of running again;
 * - a task that completes while others are still in flight has its writes saved at
 *   once as pending writes (the last one's go straight into the step's checkpoint);
 * - a task in a branch of a `wait first|N` fan-out gets its own cancellation scope, and
 *   once enough branches have ended successfully the losers are aborted in-step;
 * - a task that fails without `optional`/`on_error` cancels its siblings still in flight
 *   (LangGraph does the same): their signals fire and their writes are discarded;
 * - a `blocking false` task runs detached: the step does not wait for it, and its
 *   outcome is merged at the first barrier after it completes.
 *
 * Detached tasks are kept in detached-tasks.ts, `wait first|N` cancellation in
 * quorum-watch.ts, branches run elsewhere in step-remote.ts.
 */
import type { Persister } from "./checkpoint/persist.js";
import { CancelledError, errorToJson } from "./errors.js";
import type { DetachedTasks } from "./detached-tasks.js";
import type { GraphIndex } from "./graph-index.js";
import type { PlannedTask, PlannerState } from "./planner-state.js";
import { QuorumWatch } from "./quorum-watch.js";
import { isRemoteBranch } from "./remote-branch.js";
import { runRemote, type RemoteBranches } from "./step-remote.js";
import { cancelScope, type CancelScope } from "./task-attempt.js";
import type { TaskEnv } from "./task-env.js";
import { executeTask, taskSpec, type TaskOutcome } from "./task.js";
import { handledBy, recordOf, restore, type TaskRecord } from "./task-record.js";

export { DetachedTasks } from "./detached-tasks.js";
export { handledBy, recordOf, type TaskRecord } from "./task-record.js";

export interface StepRun {
  readonly env: TaskEnv;
  readonly index: GraphIndex;
  readonly planner: PlannerState;
  readonly concurrency: number;
  readonly withEvents: boolean;
  /** Emit an `updates` event per completed task. */
  readonly updates: boolean;
  /** Saved task records of the checkpoint this step runs from (a resume). */
  readonly records: ReadonlyMap<string, TaskRecord> | undefined;
  readonly persist: Persister | undefined;
  readonly detached: DetachedTasks;
  /** The run's abort promise (`TaskEnv.aborted` is the step's): detached tasks, which outlive the step, race it. */
  readonly runAborted?: Promise<never>;
  /** Where `send` branches run when not here (`distribute: branches`). */
  readonly remote?: RemoteBranches;
}

const NO_SAVED: Set<TaskOutcome> = new Set();
const NO_REMOTE: ReadonlySet<PlannedTask> = new Set();

/** Runs a step's tasks; returns the outcomes of its blocking tasks in task order and which of them were saved. */
export async function runStep(tasks: readonly PlannedTask[], r: StepRun): Promise<{ outcomes: TaskOutcome[]; saved: Set<TaskOutcome> }> {
  const s = new StepRunner(tasks, r);
  // A branch handed over reads the step's checkpoint (and a resume's answers) from the store: they must be there first.
  if (s.remote.size && r.persist) await r.persist.stored();
  if (tasks.length === 1) await s.runOne(0);
  else if (r.concurrency >= tasks.length) {
    const all: Promise<void>[] = new Array(tasks.length);
    for (let i = 0; i < tasks.length; i++) all[i] = s.runOne(i);
    await Promise.all(all);
  } else await Promise.all(Array.from({ length: Math.max(1, r.concurrency) }, () => s.worker()));
  return { outcomes: s.detachedHere ? s.outcomes.filter((o): o is TaskOutcome => o !== undefined) : (s.outcomes as TaskOutcome[]), saved: s.saved };
}

/** One step's bookkeeping; a class so that a step (there may be thousands per run) makes no closures. */
class StepRunner {
  readonly outcomes: (TaskOutcome | undefined)[];
  /** Outcomes whose records were saved (the shared empty set until the first). */
  saved: Set<TaskOutcome> = NO_SAVED;
  private readonly quorum: QuorumWatch | undefined;
  /** Aborted when a task fails unhandled: the step's other tasks are cancelled (only made for steps of several tasks). */
  private readonly failScope: (CancelScope & { controller: AbortController }) | undefined;
  private readonly env: TaskEnv;
  private inFlight: number;
  detachedHere = 0;
  private next = 0;
  /** Tasks of the step that run elsewhere (`distribute: branches`); a shared empty set when none can. */
  readonly remote: ReadonlySet<PlannedTask>;
  /** `send [ … ] concurrency N`: tasks in flight and waiting, per send (origin node, target, fan-out). */
  private sendSlots: Map<string, { active: number; waiting: (() => void)[] }> | undefined;

  constructor(
    private readonly tasks: readonly PlannedTask[],
    private readonly r: StepRun,
  ) {
    this.env = r.env;
    this.outcomes = new Array(tasks.length);
    this.quorum = QuorumWatch.create(tasks, r);
    this.failScope = tasks.length > 1 ? cancelScope() : undefined;
    this.inFlight = tasks.length;
    if (r.remote && r.persist?.latestId !== undefined) {
      const remote = new Set<PlannedTask>();
      for (const t of tasks) if (!r.records?.get(t.id)?.done && isRemoteBranch(t, r.env.nodes)) remote.add(t);
      this.remote = remote;
    } else this.remote = NO_REMOTE;
  }

  /** Waits until fewer than `limit` tasks of the send `key` are in flight (charged before the task starts). */
  private acquire(key: string, limit: number): Promise<void> {
    const slots = (this.sendSlots ??= new Map());
    let s = slots.get(key);
    if (!s) slots.set(key, (s = { active: 0, waiting: [] }));
    if (s.active < limit) {
      s.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => s.waiting.push(resolve));
  }

  private release(key: string): void {
    const s = this.sendSlots!.get(key)!;
    const next = s.waiting.shift();
    if (next) next(); // the slot passes to the next waiting task
    else s.active--;
  }

  /** With bounded concurrency: takes tasks in order until none is left. */
  async worker(): Promise<void> {
    while (this.next < this.tasks.length) await this.runOne(this.next++);
  }

  async runOne(i: number): Promise<void> {
    const { env, r } = this;
    const t = this.tasks[i];
    const rec = r.records?.get(t.id);
    let o: TaskOutcome;
    if (rec?.done) o = restore(t, rec);
    else {
      if (!t.implicit && env.nodes.get(t.node)?.blocking === false) {
        this.inFlight--;
        this.detachedHere++;
        this.startDetached(t);
        return;
      }
      if (r.withEvents && env.wants("task_started")) await env.emit({ type: "task_started", kind: taskSpec(t, env).kind, trigger: t.trigger, ...(t.args !== undefined ? { args: t.args } : {}), ...(t.branch ? { fanoutId: t.branch.fanoutId, branch: t.branch.index } : {}) }, { taskId: t.id, node: t.node });
      const limit = t.trigger === "send" && t.from !== undefined ? env.nodes.get(t.from)?.sends?.find((x) => x.target === t.node)?.concurrency : undefined;
      const key = limit !== undefined ? `${t.from}>${t.node}>${t.branch?.fanoutId ?? ""}` : undefined;
      if (key !== undefined) await this.acquire(key, limit!);
      try {
        if (this.remote.has(t)) {
          o = await runRemote(t, env, r.persist!.latestId!, r.remote!, this.quorum?.scope(i), this.failScope);
          // Committed by the runner; a pause is not (it is saved here, like a local task's).
          if (o.ok || (!o.interrupts && handledBy(o, env.nodes))) this.markSaved(o);
        } else o = await executeTask(t, env, this.quorum?.scope(i), this.failScope);
      } finally {
        if (key !== undefined) this.release(key);
      }
    }
    this.inFlight--;
    if (this.failScope && !o.ok && !o.interrupts && !o.toParent && !o.cancelled && !o.restored && !handledBy(o, env.nodes) && !this.failScope.signal.aborted) {
      // A failure the step cannot absorb fails the run: cancel the siblings still in flight
      // (their signals fire, their partial writes are discarded) instead of waiting for them.
      this.failScope.controller.abort(new CancelledError(`cancelled: sibling task ${t.id} (node \`${t.node}\`) failed in the same superstep`, { graph: env.blueprint.id, node: t.node, taskId: t.id, step: env.step }));
    }
    this.outcomes[i] = o;
    const committed = this.save(o, false);
    this.quorum?.completed(i, o);
    if (r.withEvents) {
      if (committed) await committed;
      await this.report(o);
    }
  }

  private async report(o: TaskOutcome): Promise<void> {
    const { env, r } = this;
    const t = o.task;
    const ids = { taskId: t.id, node: t.node };
    if (o.ok) {
      if (env.wants("task_completed")) await env.emit({ type: "task_completed", durationMs: o.durationMs, writes: [...new Set(o.writes.map((w) => w.channel))], ...(o.route !== undefined ? { route: o.route } : {}), ...(o.result !== undefined ? { result: o.result } : {}), ...(o.restored ? { restored: true } : {}) }, ids);
      if (r.updates) {
        const writes = o.writes.map((w) => ({ channel: w.channel, value: w.value }));
        // A stand-in task (a send to an agent or graph) is shown under the node the user wrote.
        if (t.implicit && t.from !== undefined) await env.emit({ type: "updates", writes, sendTarget: t.node }, { taskId: t.id, node: t.from });
        else await env.emit({ type: "updates", writes }, ids);
      }
    } else if (o.toParent) {
      if (env.wants("task_completed")) await env.emit({ type: "task_completed", durationMs: o.durationMs, writes: [], toParent: true }, ids);
    } else if (!o.interrupts) {
      if (env.wants("task_failed")) await env.emit({ type: "task_failed", durationMs: o.durationMs, error: errorToJson(o.error), handled: Boolean(o.cancelled || handledBy(o, env.nodes)), ...(o.cancelled ? { cancelled: true } : {}), ...(o.restored ? { restored: true } : {}) }, ids);
    }
  }

  /**
   * Saves the task's record as pending writes (not for the step's last task: the next
   * checkpoint holds its writes). Under `sync` durability with a `task_completed`
   * listener, every completed task's record is saved and the promise returned settles once it is
   * committed: the event follows the commit (issue 11 §3).
   */
  private save(o: TaskOutcome, always: boolean): Promise<void> | undefined {
    const { r } = this;
    if (!r.persist || o.restored || this.saved.has(o)) return undefined;
    const ordered = o.ok && r.withEvents && r.persist.durability === "sync" && this.env.wants("task_completed");
    if (!always && !ordered && this.inFlight === 0 && r.detached.running === 0) return undefined;
    const rec = recordOf(o, this.env.nodes);
    if (!rec) return undefined;
    const committed = r.persist.putWrites(o.task.id, rec);
    this.markSaved(o);
    return ordered ? committed : undefined;
  }

  private markSaved(o: TaskOutcome): void {
    if (this.saved === NO_SAVED) this.saved = new Set();
    this.saved.add(o);
  }

  private startDetached(t: PlannedTask): void {
    const { env, r } = this;
    // Made now: the task may save after the step returned its set, and the run reads that set.
    if (r.persist && this.saved === NO_SAVED) this.saved = new Set();
    const spec = taskSpec(t, env);
    const ids = { taskId: t.id, node: t.node };
    r.detached.start(t, async () => {
      if (r.withEvents && env.wants("task_started")) await env.emit({ type: "task_started", kind: spec.kind, trigger: t.trigger, detached: true, ...(t.args !== undefined ? { args: t.args } : {}), ...(t.branch ? { fanoutId: t.branch.fanoutId, branch: t.branch.index } : {}) }, ids);
      // The step's abort promise is dropped when the step ends: a detached task races the run's.
      const runEnv: TaskEnv = r.runAborted && r.runAborted !== env.aborted ? (Object.assign(Object.create(env) as { aborted: Promise<never> }, { aborted: r.runAborted }) as TaskEnv) : env;
      const o = await executeTask(t, runEnv);
      const committed = this.save(o, true);
      if (committed) await committed;
      if (r.withEvents) await this.report(o);
      return o;
    });
  }
}
