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
 */
import { readSpend, type Spend, type SpendLedger } from "../registry/index.js";
import type { Persister } from "./checkpoint/persist.js";
import { CancelledError, errorToJson, RagError } from "./errors.js";
import { endsBranch, type GraphIndex } from "./graph-index.js";
import { isOpenQuorum, quorumNeed, type FanoutState, type PlannedTask, type PlannerState } from "./planner-state.js";
import { GraphInterrupt } from "./interrupt.js";
import type { BranchRef, BranchRunner } from "./branch-runner.js";
import { BranchError, branchInterrupts, isRemoteBranch } from "./remote-branch.js";
import type { TaskEnv } from "./task-env.js";
import { cancelScope, executeTask, taskSpec, type CancelScope, type TaskOutcome } from "./task.js";
import { handledBy, recordOf, type TaskRecord } from "./task-record.js";

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
  readonly remote?: { readonly runner: BranchRunner; readonly hash: string; /** The root run's blueprint hash, in a child run. */ readonly root?: string };
}

/** An error restored from a saved record: it serialises exactly as it was saved. */
class RestoredError extends RagError {
  readonly code: string;
  constructor(readonly json: Readonly<Record<string, unknown>>) {
    super(String(json.message ?? "task failed"));
    this.code = String(json.code ?? "error");
    this.name = String(json.name ?? "Error");
  }
  override toJSON(): Record<string, unknown> {
    return { ...this.json };
  }
}

function restore(task: PlannedTask, r: TaskRecord): TaskOutcome {
  const d = r.done!;
  if (!d.ok) return { task, ok: false, error: new RestoredError(d.error ?? {}), durationMs: 0, restored: true };
  return {
    task,
    ok: true,
    writes: r.writes.map(([channel, value]) => ({ channel, value, taskId: task.id, node: task.node })),
    ...(d.route !== undefined ? { route: d.route } : {}),
    ...(d.result !== undefined ? { result: d.result } : {}),
    ...(d.goto !== undefined ? { goto: d.goto } : {}),
    durationMs: 0,
    restored: true,
  };
}

/** The ledger's counts a branch is handed over with (`BranchRef.spent`): settled plus in flight, in total and for its node. */
function handedOver(l: SpendLedger, node: string): Spend {
  const n = l.node(node);
  const nodes = Object.create(null) as Record<string, { tokens: number; usd: number }>;
  nodes[node] = { tokens: n.tokens + n.reservedTokens, usd: n.usd + n.reservedUsd };
  return { tokens: l.run.tokens + l.run.reservedTokens, usd: l.run.usd + l.run.reservedUsd, nodes };
}

const NO_SAVED: Set<TaskOutcome> = new Set();
const NO_REMOTE: ReadonlySet<PlannedTask> = new Set();
const NONE: TaskOutcome[] = [];

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

  /**
   * Runs a branch elsewhere; its record is committed there (this step does not save it
   * again). A branch that paused comes back as interrupts, which this step records with
   * the checkpoint like a local task's (the run then pauses).
   */
  private async runRemote(t: PlannedTask, scope: CancelScope | undefined): Promise<TaskOutcome> {
    const { env, r } = this;
    const started = env.clock.now();
    const signals = [env.signal, scope?.signal, this.failScope?.signal].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const run = env.run;
    const ref: BranchRef = {
      runId: run.rootRunId,
      threadId: run.threadId,
      namespace: env.namespace,
      checkpointId: r.persist!.latestId!,
      taskId: t.id,
      node: t.node,
      hash: r.remote!.hash,
      // A branch of a child run: the root blueprint the worker resolves the child's from, and the child run's identity for its events.
      ...(r.remote!.root !== undefined ? { root: r.remote!.root, child: { runId: run.runId, parentRunId: run.parentRunId ?? run.rootRunId, namespace: run.namespace, depth: run.depth } } : {}),
      ...(env.spend ? { spent: handedOver(env.spend, t.node) } : {}),
    };
    try {
      const res = await r.remote!.runner.run(ref, signal);
      // What the branch spent (every attempt) is the thread's: charged to the run's ledger.
      // A root-namespace branch's worker saved it against this step's checkpoint already
      // (a resume from there counts it); a child run's branch's only through this charge.
      if (res.spend !== undefined) env.spend?.add(readSpend(res.spend), env.namespace === "");
      if ("interrupts" in res) {
        const interrupts = branchInterrupts(res, t, env.namespace);
        if (!interrupts) return { task: t, ok: false, error: new BranchError(`branch ${t.id} (node \`${t.node}\`) reported a malformed pause`, { graph: env.blueprint.id, node: t.node, taskId: t.id, step: env.step }), durationMs: env.clock.now() - started };
        return { task: t, ok: false, error: new GraphInterrupt(interrupts), interrupts, durationMs: env.clock.now() - started };
      }
      if ("error" in res) return { task: t, ok: false, error: new RestoredError(res.error), durationMs: env.clock.now() - started };
      const o = restore(t, res.record);
      return { ...o, restored: undefined, durationMs: env.clock.now() - started } as TaskOutcome;
    } catch (e) {
      const cancelled = !env.signal.aborted && signal.aborted;
      return { task: t, ok: false, error: signal.aborted ? signal.reason : e, durationMs: env.clock.now() - started, ...(cancelled ? { cancelled: true } : {}) };
    }
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
          o = await this.runRemote(t, this.quorum?.scope(i));
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

  /** The tasks a checkpoint must remember: running, or completed and not merged. */
  tasks(): PlannedTask[] {
    if (!this.inFlight.size && !this.done.length) return [];
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

/** True when some fan-out on the task's branch chain is an open quorum (no allocation: runs per task). */
function inQuorum(planner: PlannerState, t: PlannedTask): boolean {
  for (let b = t.branch; b; b = planner.fanouts[b.fanoutId]?.parent) if (isOpenQuorum(planner.fanouts[b.fanoutId])) return true;
  return false;
}

/** Open quorum fan-outs on a task's branch chain, innermost first, with the branch index taken in each. */
function quorumChain(planner: PlannerState, t: PlannedTask): { f: FanoutState; index: number }[] {
  const out: { f: FanoutState; index: number }[] = [];
  for (let b = t.branch; b; b = planner.fanouts[b.fanoutId]?.parent) {
    const f = planner.fanouts[b.fanoutId];
    if (isOpenQuorum(f)) out.push({ f, index: b.index });
  }
  return out;
}

/**
 * In-step cancellation for `wait first|N` joins: tracks which branches of an open quorum
 * fan-out end successfully within the step, and once the join has enough of them,
 * aborts the tasks of the other branches (and of fan-outs nested inside them).
 */
class QuorumWatch {
  private readonly scopes = new Map<number, CancelScope & { controller: AbortController }>();
  /** Per fan-out and branch: this step's tasks directly in it, and how many are still open. */
  private readonly open = new Map<string, Map<number, number>>();
  private readonly blocked = new Set<string>();
  private readonly won = new Map<string, Set<number>>();
  private readonly decided = new Set<string>();
  private readonly done = new Set<number>();

  private constructor(
    private readonly tasks: readonly PlannedTask[],
    private readonly r: StepRun,
  ) {}

  /** A watch when some task of the step lies in an open quorum fan-out; undefined otherwise (no per-task cost). */
  static create(tasks: readonly PlannedTask[], r: StepRun): QuorumWatch | undefined {
    let w: QuorumWatch | undefined;
    tasks.forEach((t, i) => {
      if (!t.branch || !inQuorum(r.planner, t)) return;
      w ??= new QuorumWatch(tasks, r);
      w.scopes.set(i, cancelScope());
      const direct = t.branch && isOpenQuorum(r.planner.fanouts[t.branch.fanoutId]) ? t.branch : undefined;
      if (direct) {
        const m = w.open.get(direct.fanoutId) ?? new Map<number, number>();
        m.set(direct.index, (m.get(direct.index) ?? 0) + 1);
        w.open.set(direct.fanoutId, m);
      }
    });
    return w;
  }

  scope(i: number): CancelScope | undefined {
    return this.scopes.get(i);
  }

  completed(i: number, o: TaskOutcome): void {
    this.done.add(i);
    const t = o.task;
    const f = t.branch ? this.r.planner.fanouts[t.branch.fanoutId] : undefined;
    if (!t.branch || !isOpenQuorum(f) || this.decided.has(f.id)) return;
    const key = `${f.id}#${t.branch.index}`;
    if (!o.ok || !endsBranch(this.r.index, this.r.planner, t, o.route)) this.blocked.add(key);
    const m = this.open.get(f.id)!;
    const left = m.get(t.branch.index)! - 1;
    m.set(t.branch.index, left);
    if (left > 0 || this.blocked.has(key)) return;
    // Every task of the branch in this step ended it; it has ended if nothing else keeps it alive.
    const stepTasks = this.tasks.filter((x) => x.branch?.fanoutId === f.id && x.branch.index === t.branch!.index).length;
    if (f.live[t.branch.index] !== stepTasks) return;
    const won = this.won.get(f.id) ?? new Set<number>();
    won.add(t.branch.index);
    this.won.set(f.id, won);
    const before = f.ended.filter((e, k) => e && !f.failed[k]).length;
    if (before + won.size < quorumNeed(f)) return;
    this.decided.add(f.id);
    const reason = new CancelledError(`branch cancelled: the join \`${f.join!.target}\` of fan-out ${f.id} (wait ${f.join!.wait}) was satisfied by other branches`, { graph: this.r.env.blueprint.id, node: f.node });
    this.tasks.forEach((x, k) => {
      if (this.done.has(k)) return;
      if (quorumChain(this.r.planner, x).some((c) => c.f === f && !won.has(c.index))) this.scopes.get(k)?.controller.abort(reason);
    });
  }
}
