/**
 * A completed task's result made into pending writes (`runtime.md` §1 step 4): the kind's
 * own writes, `writes {…}`, a send's `-> channel`, `set` and `command update`, plus the
 * Command a Send packet carried and the command a `graph: "PARENT"` result hands up.
 * Everything computed from the result is data (`dataValue`): never an overwrite marker.
 */
import type { Blueprint, ExprEntrySpec, NodeSpec } from "../compiler/index.js";
import { OVERWRITE, overwriteOf, type NodeResult } from "../registry/index.js";
import { isSpecial } from "./checkpoint/types.js";
import { NodeError, type StateSizeError } from "./errors.js";
import { evaluateShared, sharedBudget, type Scope, type SharedBudget } from "./expr.js";
import { taskScope } from "./node-task.js";
import type { ParentCommand } from "./parent-command.js";
import type { PlannedTask } from "./planner-state.js";
import type { InFlightWords } from "./planning.js";
import type { PendingWrite } from "./state.js";
import type { TaskEnv } from "./task-env.js";

/** A completed task's goto (undefined for none), joined by the Command its Send packet carried, whose update joins `writes`. */
export function taskGoto(task: PlannedTask, writes: PendingWrite[], goto: NodeResult["goto"]): NodeResult["goto"] {
  const own = goto?.length ? goto : undefined;
  return task.command ? sendCommand(task, writes, own) : own;
}

/**
 * The command of a `graph: "PARENT"` result or a `command { goto parent.NODE }` node: the
 * kind's writes and goto, then the node's `command update` (evaluated here, written there;
 * data like every write computed from the result: `dataValue`).
 *
 * @throws NodeError `validation` when an update value is shaped like an overwrite marker.
 */
export function parentBody(task: PlannedTask, spec: NodeSpec, r: NodeResult, env: TaskEnv): ParentCommand["command"] {
  const writes: (readonly [string, unknown])[] = r.graph === "PARENT" && r.writes ? [...r.writes] : [];
  const goto: NonNullable<NodeResult["goto"]>[number][] = r.graph === "PARENT" && r.goto ? [...r.goto] : [];
  const c = spec.command;
  if (c?.graph === "parent") {
    if (c.update?.length) {
      const scope = taskScope(task, env, { result: r.result ?? null });
      // Data, as in `resultWrites`: an update computed from the result (a tool's return,
      // model output) shaped like an overwrite marker would wipe the parent's field.
      const shared = sharedBudget(`the \`command update\` of node \`${task.node}\``);
      for (const f of c.update) writes.push([f.key, dataValue(evaluateShared(f.value, scope, shared), f.key, task, env)]);
    }
    if (c.goto !== undefined) goto.push(c.goto);
  }
  return { writes, goto, ...(r.graph === "PARENT" && r.toolCommand ? { tools: r.toolCommand.tools } : {}) };
}

/** Applies the Command a Send packet carried: its update joins the task's writes, its goto the task's. */
function sendCommand(task: PlannedTask, writes: PendingWrite[], goto: NodeResult["goto"]): NodeResult["goto"] {
  const c = task.command!;
  if (c.update) for (const [channel, value] of Object.entries(c.update)) writes.push({ channel, value, taskId: task.id, node: task.node });
  return c.goto?.length ? [...(goto ?? []), ...c.goto] : goto;
}

/** Reducers whose channel keeps what is written besides what it holds (the state grows by the write). */
const GROWING: ReadonlySet<string> = new Set(["append", "messages", "merge", "union", "topic", "aggregate"]);

/** Per blueprint (made once): its state fields, and the reducer of each field that grows by its writes. */
const stateInfo = new WeakMap<Blueprint, { readonly fields: ReadonlySet<string>; readonly growing: ReadonlyMap<string, string> }>();
function stateOf(bp: Blueprint): { readonly fields: ReadonlySet<string>; readonly growing: ReadonlyMap<string, string> } {
  let info = stateInfo.get(bp);
  if (!info) {
    const growing = new Map<string, string>();
    for (const f of bp.state) if (GROWING.has(f.reducer.name)) growing.set(f.name, f.reducer.name);
    info = { fields: new Set(bp.state.map((f) => f.name)), growing };
    stateInfo.set(bp, info);
  }
  return info;
}

/**
 * Pushes onto `out` the writes of `entries` (`key: expr`, of `writes {…}`, `set` or
 * `command update`): each value evaluated in `scope`, charged by size when its channel
 * grows by it (`evaluateShared` with `keptWhat`), and data (`dataValue`). `stateOnly`: entries whose key is
 * not a state field are skipped (a `command update` names the parent's fields too).
 */
function pushFieldWrites(out: PendingWrite[], entries: readonly ExprEntrySpec[], scope: Scope, task: PlannedTask, env: TaskEnv, shared: SharedBudget, stateOnly = false): void {
  const { fields, growing } = stateOf(env.blueprint);
  for (const f of entries) {
    if (stateOnly && !fields.has(f.key)) continue;
    const reducer = growing.get(f.key);
    const value = evaluateShared(f.value, scope, shared, reducer !== undefined ? `the value written to \`${f.key}\`, kept by its ${reducer} reducer` : undefined);
    out.push({ channel: f.key, value: dataValue(value, f.key, task, env), taskId: task.id, node: task.node });
  }
}

/**
 * A value computed from a node's result — a tool's return, model output, an interrupt's
 * answer, or an expression over them — is data. One shaped like an overwrite marker
 * (`{ __overwrite__: v }`, `{ type: "__overwrite__", value: v }`) would bypass the
 * field's reducer (an http body wiping an `append` audit log), so it is refused: only a
 * node kind's own writes (`overwrite(v)`) and `updateState` may replace a field.
 *
 * @throws NodeError `validation` naming the node and the field.
 */
function dataValue(value: unknown, channel: string, task: PlannedTask, env: TaskEnv): unknown {
  if (typeof value === "object" && value !== null && overwriteOf(value)[0]) {
    throw new NodeError(`node \`${task.node}\`: the value written to \`${channel}\` is shaped like an overwrite marker (\`${OVERWRITE}\`); it comes from the node's result (a tool's return, model output or an answer), which may not replace a field — only a node kind's own writes and updateState may`, "validation", { graph: env.blueprint.id, node: task.node, taskId: task.id, step: env.step });
  }
  return value;
}

/** The writes a task makes, in order: the kind's own, its result, `-> channel`, `set`, `command update` (all but the kind's own are data: `dataValue`). */
export function resultWrites(task: PlannedTask, spec: NodeSpec, r: NodeResult, env: TaskEnv): PendingWrite[] {
  const out: PendingWrite[] = [];
  const taskId = task.id;
  const node = task.node;
  if (r.writes) for (const [channel, value] of r.writes) out.push({ channel, value, taskId, node });
  // Expressions of `writes {…}`, `set` and `command update` see the node's result.
  let scope: Scope | undefined;
  // One budget for all of the task's expressions (`SHARED_EXPR_BUDGET`), not one each.
  const shared = sharedBudget(`the writes of node \`${node}\``);
  if (spec.writes) {
    if (spec.writes.kind === "channel") {
      if (r.result !== undefined) out.push({ channel: spec.writes.channel, value: dataValue(r.result, spec.writes.channel, task, env), taskId, node });
    } else {
      scope ??= taskScope(task, env, { result: r.result ?? null });
      pushFieldWrites(out, spec.writes.fields, scope, task, env, shared);
    }
  } else if (r.resultChannel && r.result !== undefined) out.push({ channel: r.resultChannel, value: dataValue(r.result, r.resultChannel, task, env), taskId, node });
  if (task.into && r.result !== undefined) out.push({ channel: task.into, value: dataValue(r.result, task.into, task, env), taskId, node });
  if (spec.set) {
    scope ??= taskScope(task, env, { result: r.result ?? null });
    pushFieldWrites(out, spec.set, scope, task, env, shared);
  }
  if (spec.command?.update) {
    scope ??= taskScope(task, env, { result: r.result ?? null });
    pushFieldWrites(out, spec.command.update, scope, task, env, shared, true);
  }
  return out;
}

/**
 * The refusal of a task whose writes name one of the runtime's own records (a `__name__`
 * channel: `__spend__`, `__task__`, …; no state field may be so named), or undefined.
 * Refused in the task, before anything is saved: the task fails as any task does (an
 * `optional` branch or `on_error` route handles it; else the run fails, and a resume runs
 * it again and fails again). Left to the barrier, the write was dropped from the saved
 * record (`task-record.ts`), so the run failed and its resume went on as if it had not.
 * Only the writes code chose are looked at: `writes` (a node kind's own, or a subgraph's
 * command for this graph) and the update of the Command the task's Send packet carried;
 * the rest (`writes {…}`, `set`, `-> field`, `command update`) name state fields the
 * compiler checked.
 *
 * @returns NodeError `validation` naming the node and the channel.
 */
export function reservedWriteRefusal(writes: readonly (readonly [string, unknown])[] | undefined, task: PlannedTask, env: TaskEnv): NodeError | undefined {
  let channel: string | undefined;
  if (writes) for (const [c] of writes) if (isSpecial(c)) channel ??= c;
  if (channel === undefined && task.command?.update) for (const c of Object.keys(task.command.update)) if (isSpecial(c)) channel ??= c;
  if (channel === undefined) return undefined;
  return new NodeError(`node \`${task.node}\` wrote \`${channel}\`, a name of the form \`__name__\` that the runtime keeps for its own records; a node writes state fields only`, "validation", { graph: env.blueprint.id, node: task.node, taskId: task.id, step: env.step });
}

/**
 * Charges the JSON bytes of a completed task's writes to the writes in flight in its run
 * tree (`TaskEnv.written`, at most `MAX_STEP_WRITE_BYTES` together), before its record is
 * saved or anything is applied; the barrier gives them back (`run.ts`). Measured as the
 * checkpoint stores them: a value written by reference counts once per write (each field
 * is a blob of its own, each branch's write a record of its own), with walks that stop at
 * what is left. The same measures charge what the writes may add to the run's whole state
 * (`TaskEnv.stateSize`, `StateGauge.chargeTask`). Returns the bytes charged, or the refusal
 * (a `validation` NodeError: the same state gives the same writes) when they would pass the
 * bound, or a `StateSizeError` when the state would pass its own.
 */
export function chargeWrites(writes: readonly PendingWrite[], task: PlannedTask, env: TaskEnv): number | NodeError | StateSizeError {
  const gauge = env.written;
  if (!gauge || !writes.length) return 0;
  const state = env.stateSize;
  const where = { graph: env.blueprint.id, node: task.node, taskId: task.id, step: env.step };
  const bytes = gauge.tree.measureWrites(writes, where, WRITES_SAID, state);
  if (typeof bytes !== "number") return bytes;
  // The whole state's bound too, before the record is saved (`state-size.ts`).
  const grown = state?.chargeTask(writes, where);
  if (grown) return grown;
  gauge.tree.writeBytes += bytes;
  gauge.run.bytes += bytes;
  return bytes;
}

/** What `chargeWrites`'s refusal says the node did. */
const WRITES_SAID: InFlightWords = {
  did: "wrote",
  what: "state",
  why: "a value written by reference to many fields, or by many branches, is stored once per write; write it once and read it from there",
};
