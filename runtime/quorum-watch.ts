/**
 * In-step cancellation for `wait first|N` joins (`runtime.md` §2): `QuorumWatch` gives
 * each task of an open quorum fan-out its own cancellation scope and aborts the losing
 * branches once the join has enough winners.
 */
import { CancelledError } from "./errors.js";
import { endsBranch, type GraphIndex } from "./graph-index.js";
import { isOpenQuorum, quorumNeed, type FanoutState, type PlannedTask, type PlannerState } from "./planner-state.js";
import { cancelScope, type CancelScope } from "./task-attempt.js";
import type { TaskEnv } from "./task-env.js";
import type { TaskOutcome } from "./task.js";

/** What a quorum watch reads of its step (a `StepRun` is one). */
export interface QuorumRun {
  readonly env: TaskEnv;
  readonly index: GraphIndex;
  readonly planner: PlannerState;
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
export class QuorumWatch {
  private readonly scopes = new Map<number, CancelScope & { controller: AbortController }>();
  /** Per fan-out and branch: this step's tasks directly in it, and how many are still open. */
  private readonly open = new Map<string, Map<number, number>>();
  private readonly blocked = new Set<string>();
  private readonly won = new Map<string, Set<number>>();
  private readonly decided = new Set<string>();
  private readonly done = new Set<number>();

  private constructor(
    private readonly tasks: readonly PlannedTask[],
    private readonly r: QuorumRun,
  ) {}

  /** A watch when some task of the step lies in an open quorum fan-out; undefined otherwise (no per-task cost). */
  static create(tasks: readonly PlannedTask[], r: QuorumRun): QuorumWatch | undefined {
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
