/**
 * What a superstep saves for each task (`runtime.md` §2, pending writes): its channel
 * writes and how it finished, or its interrupts, and the outcome a saved record restores
 * (`restore`). Shared by the local step loop
 * (step.ts) and branches run elsewhere (remote-branch.ts), so neither imports the other.
 */
import type { NodeSpec } from "../compiler/index.js";
import type { ModelAsk, NodeResult } from "../registry/index.js";
import { isSpecial, SPECIAL } from "./checkpoint/types.js";
import { errorToJson, RagError } from "./errors.js";
import type { PlannedTask } from "./planner-state.js";
import type { TaskOutcome } from "./task.js";
import type { TaskUsage } from "./task-usage.js";

export type Writes = (readonly [channel: string, value: unknown])[];

/**
 * What was saved for a task that ran from a checkpoint: its channel writes and, once it
 * finished, how — with how long it ran (`ms`, rounded) and its model calls (`usage`,
 * only when it made any: `task-usage.ts`). Records saved by older versions lack both.
 */
export interface TaskRecord {
  readonly writes: Writes;
  readonly done?: { readonly ok: boolean; readonly route?: string; readonly result?: unknown; readonly goto?: NodeResult["goto"]; readonly error?: Readonly<Record<string, unknown>>; readonly ms?: number; readonly usage?: TaskUsage; readonly asks?: Readonly<Record<string, ModelAsk>> };
}

/** How a failed task is handled instead of failing the run: an `optional` branch, or an `on_error` route. */
export function handledBy(o: TaskOutcome, nodes: ReadonlyMap<string, NodeSpec>): "optional" | "on_error" | undefined {
  if (o.ok) return undefined;
  const spec = o.task.implicit ? undefined : nodes.get(o.task.node);
  if (spec?.onError) return "on_error";
  if (spec?.optional && o.task.branch !== undefined) return "optional";
  return undefined;
}

/** The pending writes that record an outcome; undefined when nothing should be saved (an unhandled failure re-runs on resume). */
export function recordOf(o: TaskOutcome, nodes: ReadonlyMap<string, NodeSpec>): Writes | undefined {
  if (o.ok) {
    // Built by assignment, not conditional spreads: one record per task per superstep.
    const done: { ok: true; route?: unknown; result?: unknown; goto?: unknown; ms?: number; usage?: TaskUsage; asks?: Readonly<Record<string, ModelAsk>> } = { ok: true };
    if (o.route !== undefined) done.route = o.route;
    if (o.result !== undefined) done.result = o.result;
    if (o.goto !== undefined) done.goto = o.goto;
    done.ms = Math.round(o.durationMs);
    if (o.usage) done.usage = o.usage;
    // Who asked for the calls of the task's model replies (`model-asks.ts`): restored with its writes.
    if (o.asks) done.asks = o.asks;
    const out: [string, unknown][] = [];
    // A write to a `__name__` channel is never state (no field may be so named): it is the
    // runtime's own records' (`__spend__`, `__task__`, …), so it is never saved with the
    // task's. A tool's command naming one is refused where it returns (node-task.ts
    // `commandUpdate`), any other writer's where the task completes (task-writes.ts
    // `reservedWriteRefusal`); this filter is the second guard — saved before the barrier
    // refused it, such a write forged the thread's spend.
    for (const w of o.writes) if (!isSpecial(w.channel)) out.push([w.channel, w.value]);
    out.push([SPECIAL.task, done]);
    return out;
  }
  if (o.interrupts) return [[SPECIAL.interrupt, o.interrupts]];
  if (!o.cancelled && handledBy(o, nodes)) {
    const failed: { ok: false; error: Readonly<Record<string, unknown>>; ms: number; usage?: TaskUsage } = { ok: false, error: errorToJson(o.error), ms: Math.round(o.durationMs) };
    if (o.usage) failed.usage = o.usage;
    return [[SPECIAL.task, failed]];
  }
  return undefined;
}

/** An error restored from a saved record: it serialises exactly as it was saved. */
export class RestoredError extends RagError {
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

/** The outcome of a task whose completion was saved (`r.done` set): it does not run again. */
export function restore(task: PlannedTask, r: TaskRecord): TaskOutcome {
  const d = r.done!;
  if (!d.ok) return { task, ok: false, error: new RestoredError(d.error ?? {}), durationMs: 0, restored: true };
  return {
    task,
    ok: true,
    writes: r.writes.map(([channel, value]) => ({ channel, value, taskId: task.id, node: task.node })),
    ...(d.route !== undefined ? { route: d.route } : {}),
    ...(d.result !== undefined ? { result: d.result } : {}),
    ...(d.goto !== undefined ? { goto: d.goto } : {}),
    ...(d.asks !== undefined ? { asks: d.asks } : {}),
    durationMs: 0,
    restored: true,
  };
}
