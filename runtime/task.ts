/**
 * Running one task (`runtime.md` §1 step 3–4, §5): build the `NodeTask` for the node
 * kind, run it with a per-attempt timeout and the node's retry policy, then turn its
 * result into pending writes (`writes`, `set`, a send's `-> channel`, `command update`).
 */
import type { Blueprint, DenialRule, ExprEntrySpec, NodeSpec, RetrySpec } from "../compiler/index.js";
import { LIMIT_CAPS } from "../compiler/limit-caps.js";
import { OVERWRITE, overwriteOf, type NodeResult, type NodeTask } from "../registry/index.js";
import type { PendingInterrupt } from "./checkpoint/types.js";
import { BindError, CapabilityDeniedError, classifyError, errorMessage, errorToJson, NodeError, RagError } from "./errors.js";
import { evaluate, evaluateKept, type Scope } from "./expr.js";
import { GraphInterrupt } from "./interrupt.js";
import { ParentCommand } from "./parent-command.js";
import { TaskContext, taskScope } from "./node-task.js";
import type { PlannedTask } from "./planner-state.js";
import type { PendingWrite } from "./state.js";
import type { TaskEnv } from "./task-env.js";

export { taskScope };

/**
 * A task's own cancellation scope (the forked context of a branch, `runtime.md` §2):
 * aborted when a `wait first|N` join no longer needs the task's branch.
 */
export interface CancelScope {
  readonly signal: AbortSignal;
  /** Rejects with the abort reason when `signal` aborts. */
  readonly cancelled: Promise<never>;
}

export type TaskOutcome =
  | { readonly task: PlannedTask; readonly ok: true; readonly writes: PendingWrite[]; readonly route?: string; readonly result?: unknown; readonly goto?: NodeResult["goto"]; readonly durationMs: number; readonly restored?: boolean }
  | {
      readonly task: PlannedTask;
      readonly ok: false;
      readonly error: unknown;
      readonly durationMs: number;
      /** The task paused (`interrupt`): it did not fail and runs again on resume. */
      readonly interrupts?: readonly PendingInterrupt[];
      /** The task's branch was cancelled by a `wait first|N` release. */
      readonly cancelled?: boolean;
      /** The task sent a command to the parent graph (`graph: "PARENT"`): the run stops and hands it up. */
      readonly toParent?: ParentCommand;
      readonly restored?: boolean;
    };

/** Creates a cancellation scope for a task. */
export function cancelScope(): CancelScope & { readonly controller: AbortController } {
  const controller = new AbortController();
  const cancelled = new Promise<never>((_, reject) => controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true }));
  cancelled.catch(() => {});
  return { controller, signal: controller.signal, cancelled };
}

/** The node spec a task runs: the graph's node, or an implicit subagent/subgraph node for a send target. */
export function taskSpec(task: PlannedTask, env: Pick<TaskEnv, "nodes">): NodeSpec {
  const spec = env.nodes.get(task.node);
  if (spec && !task.implicit) return spec;
  const span = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
  if (task.implicit === "graph") return { name: task.node, kind: "subgraph", graph: task.node, span };
  return { name: task.node, kind: "subagent", agent: task.node, span };
}

const NO_RETRY: RetrySpec = { maxAttempts: 1, backoff: "fixed", initialMs: 0, maxMs: 0, jitter: false, retryOn: [] };

/**
 * Runs one task with its retry policy and per-attempt timeout. Never rejects: failures,
 * pauses (`interrupts`) and cancellations (`cancelled`) are outcomes. `scope` is the
 * task's branch scope (`wait first|N`), `stepScope` the step's: aborted when a sibling
 * fails the step, it cancels the task (retries included).
 */
export async function executeTask(task: PlannedTask, env: TaskEnv, scope?: CancelScope, stepScope?: CancelScope): Promise<TaskOutcome> {
  // The async frame keeps only what crosses an await (its size is paid per task, thousands
  // of times a run): the set-up and what follows an attempt are synchronous helpers.
  const p = prepare(task, env, scope, stepScope);
  if (!(p instanceof Prepared)) return p;
  for (let attempt = 1; ; attempt++) {
    try {
      return succeeded(task, p, await runAttempt(p.impl, task, p.spec, env, p.timeoutMs, scope, stepScope, attempt), env);
    } catch (e) {
      const f = failed(task, p, e, env, scope, stepScope, attempt);
      if (!(f instanceof Retry)) return f;
      if (env.wants("task_retried")) await env.emit({ type: "task_retried", attempt, delayMs: f.delay, error: errorToJson(f.error) }, { taskId: task.id, node: task.node });
      try {
        await env.sleep(f.delay, env.signal);
      } catch {
        return { task, ok: false, error: f.error, durationMs: env.clock.now() - p.started };
      }
    }
  }
}

/** What `executeTask` settled before its first attempt. */
class Prepared {
  constructor(
    readonly spec: NodeSpec,
    readonly impl: (t: NodeTask) => Promise<NodeResult>,
    readonly policy: RetrySpec,
    readonly timeoutMs: number | undefined,
    readonly started: number,
  ) {}
}

/** A failed attempt to try again after `delay` ms. */
class Retry {
  constructor(
    readonly delay: number,
    readonly error: RagError,
  ) {}
}

/** The node's spec, kind and policies, or the outcome of a task that cannot start. */
function prepare(task: PlannedTask, env: TaskEnv, scope: CancelScope | undefined, stepScope: CancelScope | undefined): Prepared | TaskOutcome {
  const spec = taskSpec(task, env);
  const started = env.clock.now();
  if (scope?.signal.aborted) return { task, ok: false, cancelled: true, error: scope.signal.reason, durationMs: 0 };
  if (stepScope?.signal.aborted) return { task, ok: false, cancelled: true, error: stepScope.signal.reason, durationMs: 0 };
  const impl = env.registry.nodeKinds.get(spec.kind);
  if (!impl) return { task, ok: false, error: new BindError(`node kind \`${spec.kind}\` is not registered`, [`nodeKinds.${spec.kind}`], whereOf(task, env)), durationMs: 0 };
  const refused = task.implicit ? sendRefusal(task, env, whereOf(task, env)) : undefined;
  if (refused) return { task, ok: false, error: refused, durationMs: 0 };
  const declared = spec.retry ?? defaultRetry(env.blueprint) ?? NO_RETRY;
  // Capped (`LIMIT_CAPS.max_attempts`) for a Blueprint built without the compiler, which reports more.
  // `!(≤ cap)`, not `> cap`: a NaN (never reached by `attempt >=`) retried without end.
  const policy = !(declared.maxAttempts <= LIMIT_CAPS.max_attempts) ? { ...declared, maxAttempts: LIMIT_CAPS.max_attempts } : declared;
  const timeoutMs = spec.timeoutMs ?? numberDefault(env.blueprint, "timeout");
  return new Prepared(spec, impl, policy, timeoutMs, started);
}

/** The outcome of an attempt that returned `result` (throws what the attempt's own failures are: `failed` handles them). */
function succeeded(task: PlannedTask, p: Prepared, result: NodeResult, env: TaskEnv): TaskOutcome {
  const { spec, started } = p;
  if (result.graph === "PARENT" || spec.command?.graph === "parent") {
    const toParent = new ParentCommand(parentBody(task, spec, result, env), { graph: env.blueprint.id, node: task.node });
    return { task, ok: false, error: toParent, toParent, durationMs: env.clock.now() - started };
  }
  const refused = refusedToolGoto(task, p, result.goto, result.toolCommand?.tools, env);
  if (refused) return refused;
  const writes = resultWrites(task, spec, result, env);
  const goto = taskGoto(task, writes, result.goto);
  // By assignment, in the literal's key order (no spreads: one outcome per task).
  const o = { task, ok: true, writes } as { -readonly [K in keyof Extract<TaskOutcome, { ok: true }>]: Extract<TaskOutcome, { ok: true }>[K] };
  if (result.route !== undefined) o.route = result.route;
  if (result.result !== undefined) o.result = result.result;
  if (goto) o.goto = goto;
  o.durationMs = env.clock.now() - started;
  return o;
}

/** The outcome of a failed attempt, or the `Retry` its policy asks for. */
function failed(task: PlannedTask, p: Prepared, e: unknown, env: TaskEnv, scope: CancelScope | undefined, stepScope: CancelScope | undefined, attempt: number): TaskOutcome | Retry {
  const { policy, started } = p;
  if (e instanceof GraphInterrupt) return { task, ok: false, error: e, interrupts: e.interrupts, durationMs: env.clock.now() - started };
  if (e instanceof ParentCommand && e.arrived) {
    // A command of the subgraph this task ran, for this graph: the task completes with it.
    const refused = refusedToolGoto(task, p, e.command.goto, e.command.tools, env);
    if (refused) return refused;
    const writes: PendingWrite[] = e.command.writes.map(([channel, value]) => ({ channel, value, taskId: task.id, node: task.node }));
    const goto = taskGoto(task, writes, e.command.goto);
    return { task, ok: true, writes, ...(goto ? { goto } : {}), durationMs: env.clock.now() - started };
  }
  if (scope?.signal.aborted && !env.signal.aborted) return { task, ok: false, cancelled: true, error: scope.signal.reason, durationMs: env.clock.now() - started };
  // A sibling failed: this task's partial work is discarded (LangGraph cancels the step's other tasks too).
  if (stepScope?.signal.aborted && !env.signal.aborted) return { task, ok: false, cancelled: true, error: stepScope.signal.reason, durationMs: env.clock.now() - started };
  const err = asNodeError(e, whereOf(task, env));
  const cls = err instanceof NodeError ? err.errorClass : classifyError(err);
  if (env.signal.aborted || attempt >= policy.maxAttempts || !policy.retryOn.includes(cls)) {
    return { task, ok: false, error: err, durationMs: env.clock.now() - started };
  }
  return new Retry(backoff(policy, attempt, err instanceof NodeError ? err.retryAfterMs : undefined, env.random()), err);
}

/**
 * The failed outcome of a task whose tools' Commands (`tools`: their names) chose a
 * `goto` the node may not take (`toolGotoRefusal`); undefined when no tool chose one or
 * every target is allowed. For a kind's own result and for a subgraph's command that
 * arrived here alike.
 */
function refusedToolGoto(task: PlannedTask, p: Prepared, goto: NodeResult["goto"], tools: readonly string[] | undefined, env: TaskEnv): TaskOutcome | undefined {
  if (!tools || !goto?.length) return undefined;
  const refused = toolGotoRefusal(p.spec, goto, tools, env, whereOf(task, env));
  return refused ? { task, ok: false, error: refused, durationMs: env.clock.now() - p.started } : undefined;
}

/** A completed task's goto (undefined for none), joined by the Command its Send packet carried, whose update joins `writes`. */
function taskGoto(task: PlannedTask, writes: PendingWrite[], goto: NodeResult["goto"]): NodeResult["goto"] {
  const own = goto?.length ? goto : undefined;
  return task.command ? sendCommand(task, writes, own) : own;
}

/** Where a task runs, for its errors (made only when one is raised). */
function whereOf(task: PlannedTask, env: TaskEnv): { graph: string; node: string; taskId: string; step: number } {
  return { graph: env.blueprint.id, node: task.node, taskId: task.id, step: env.step };
}

/**
 * A send to an agent or a graph (an implicit subagent/subgraph task) is a capability use
 * of the sending node: it must bind the target (static sends always do; a Send made at
 * run time may not). Returns the refusal, or undefined when allowed.
 */
function sendRefusal(task: PlannedTask, env: TaskEnv, where: { graph: string; node: string; taskId: string; step: number }): CapabilityDeniedError | undefined {
  const from = task.from !== undefined ? env.nodes.get(task.from) : undefined;
  const kind = task.implicit === "graph" ? "graphs" : "agents";
  const d = from
    ? env.authority.check(from, kind, task.node, { caller: "send" })
    : ({ allowed: false, rule: "not-granted", reason: `a send to ${kind === "graphs" ? "graph" : "agent"} \`${task.node}\` has no sending node that binds it` } as const);
  if (d.allowed) return undefined;
  if (env.wants("capability_denied")) void env.emit({ type: "capability_denied", capability: kind, name: task.node, caller: "send", rule: d.rule, reason: d.reason }, { taskId: task.id, node: task.node });
  return new CapabilityDeniedError(d.reason, { kind, name: task.node }, "send", d.rule, where);
}

/** Most targets a tool's Command may name, nested Send commands included (a larger tree is refused). */
const MAX_TOOL_GOTO_TARGETS = 10_000;

/**
 * The refusal of a `goto` that tools' Commands chose (`NodeResult.toolCommand`): every
 * target (a name or a Send packet's node) must pass `RunAuthority.checkGoto` for the
 * node that ran the tools — and so must every target of a Command a Send packet carries,
 * checked for the packet's node (its task completes with that goto), however deep: a
 * packet to an allowed node must not smuggle a goto to any other node. The tree is walked
 * with an explicit stack and at most `MAX_TOOL_GOTO_TARGETS` targets. Reports the refusal
 * on the stream; undefined when allowed.
 */
function toolGotoRefusal(spec: NodeSpec, goto: NonNullable<NodeResult["goto"]>, tools: readonly string[], env: TaskEnv, where: { graph: string; node: string; taskId: string; step: number }): CapabilityDeniedError | undefined {
  const by = tools.length ? `tool ${tools.map((t) => `\`${t}\``).join(", ")}` : "a tool";
  const refuse = (target: string, reason: string, rule: DenialRule = "not-granted") => {
    if (env.wants("capability_denied")) void env.emit({ type: "capability_denied", capability: "nodes", name: target, caller: "tool", rule, reason }, { taskId: where.taskId, node: where.node });
    return new CapabilityDeniedError(`${by} returned a command with goto \`${target}\`, refused: ${reason}`, { kind: "nodes", name: target }, "tool", rule, where);
  };
  const stack: { from: NodeSpec; targets: readonly unknown[] }[] = [{ from: spec, targets: goto }];
  let seen = 0;
  for (let top = stack.pop(); top; top = stack.pop()) {
    for (const g of top.targets) {
      if (++seen > MAX_TOOL_GOTO_TARGETS) return refuse("…", `the command names more than ${MAX_TOOL_GOTO_TARGETS} targets`);
      const target = typeof g === "string" ? g : (g as { node?: unknown } | null)?.node;
      if (typeof target !== "string") continue; // the planner reports a malformed target
      const d = env.authority.checkGoto(top.from, target);
      if (!d.allowed) return refuse(target, d.reason, d.rule);
      const carried = typeof g === "object" && g !== null ? (g as { command?: { goto?: unknown } }).command?.goto : undefined;
      if (carried === undefined) continue;
      // A Send's Command runs as its target node's goto: checked from that node.
      const next = env.nodes.get(target);
      if (!next || !Array.isArray(carried)) return refuse(target, `a Send to \`${target}\` carries a command whose goto cannot be checked`);
      stack.push({ from: next, targets: carried });
    }
  }
  return undefined;
}

/** Exponential or fixed backoff with optional jitter; `Retry-After` wins when larger. */
export function backoff(p: RetrySpec, attempt: number, retryAfterMs: number | undefined, random: number): number {
  const base = p.backoff === "fixed" ? p.initialMs : p.initialMs * 2 ** (attempt - 1);
  const capped = Math.min(base, p.maxMs);
  const jittered = p.jitter ? capped * (0.5 + random / 2) : capped;
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}

function defaultRetry(bp: Blueprint): RetrySpec | undefined {
  const r = bp.defaults.retry;
  if (r === undefined || r === null) return undefined;
  if (typeof r === "number") return { maxAttempts: r, backoff: "exponential", initialMs: 500, maxMs: 30_000, jitter: true, retryOn: ["retryable", "rate_limited", "timeout"] };
  if (typeof r !== "object" || Array.isArray(r)) return undefined;
  const o = r as Record<string, unknown>;
  return {
    maxAttempts: typeof o.max_attempts === "number" ? o.max_attempts : 3,
    backoff: o.backoff === "fixed" ? "fixed" : "exponential",
    initialMs: typeof o.initial === "number" ? o.initial : 500,
    maxMs: typeof o.max === "number" ? o.max : 30_000,
    jitter: o.jitter !== false,
    retryOn: Array.isArray(o.retry_on) ? o.retry_on.filter((x): x is string => typeof x === "string") : ["retryable", "rate_limited", "timeout"],
  };
}

function numberDefault(bp: Blueprint, key: string): number | undefined {
  const v = bp.defaults[key];
  return typeof v === "number" ? v : undefined;
}

/** Typed errors pass through; anything else becomes a NodeError classed by `classifyError`. */
function asNodeError(e: unknown, where: { graph: string; node: string; taskId: string; step: number }): RagError {
  if (e instanceof RagError) {
    // Errors raised inside a node (providers, tools) often lack where they happened.
    const missing = Object.fromEntries(Object.entries(where).filter(([k]) => (e as unknown as Record<string, unknown>)[k] === undefined));
    return Object.assign(e, missing);
  }
  const retryAfter = (e as { retryAfterMs?: number } | undefined)?.retryAfterMs;
  return new NodeError(`node \`${where.node}\` failed: ${errorMessage(e)}`, classifyError(e), where, { cause: e, ...(typeof retryAfter === "number" ? { retryAfterMs: retryAfter } : {}) });
}

/** The error of an attempt that ran past its `timeout` (ms). */
function timedOutError(task: PlannedTask, env: TaskEnv, timeoutMs: number): NodeError {
  return new NodeError(`node \`${task.node}\` timed out after ${timeoutMs} ms`, "timeout", whereOf(task, env));
}

/** One attempt, bounded by the run's signal, the task's cancellation scope and the per-attempt timeout. */
function runAttempt(impl: (t: NodeTask) => Promise<NodeResult>, task: PlannedTask, spec: NodeSpec, env: TaskEnv, timeoutMs: number | undefined, scope: CancelScope | undefined, stepScope: CancelScope | undefined, attempt: number): Promise<NodeResult> {
  // The common case (no timeout, no branch or sibling scope) in a small async frame of its own.
  return timeoutMs === undefined && !scope && !stepScope ? runPlainAttempt(impl, task, spec, env, attempt) : runBoundedAttempt(impl, task, spec, env, timeoutMs, scope, stepScope, attempt);
}

/** An attempt bounded by the run's signal only (what `runBoundedAttempt` does without a timeout or scope). */
async function runPlainAttempt(impl: (t: NodeTask) => Promise<NodeResult>, task: PlannedTask, spec: NodeSpec, env: TaskEnv, attempt: number): Promise<NodeResult> {
  const running = impl(new TaskContext(task, spec, env, undefined, attempt));
  return await Promise.race([running, env.aborted]);
}

/** An attempt bounded by the run's signal, the task's cancellation scope and the per-attempt timeout. */
async function runBoundedAttempt(impl: (t: NodeTask) => Promise<NodeResult>, task: PlannedTask, spec: NodeSpec, env: TaskEnv, timeoutMs: number | undefined, scope: CancelScope | undefined, stepScope: CancelScope | undefined, attempt: number): Promise<NodeResult> {
  // The attempt's signal is made only when the node reads it (most pure nodes never do):
  // AbortSignal.any per task attempt is the largest fixed cost of a wide fan-out.
  const controller = timeoutMs !== undefined ? new AbortController() : undefined;
  // The signals besides the run's (none in the common case: no timeout, no branch or sibling scope).
  let extra: AbortSignal[] | undefined;
  if (controller) (extra ??= []).push(controller.signal);
  if (scope) (extra ??= []).push(scope.signal);
  if (stepScope) (extra ??= []).push(stepScope.signal);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout =
    timeoutMs === undefined
      ? undefined
      : new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            const err = timedOutError(task, env, timeoutMs);
            controller!.abort(err);
            reject(err);
          }, timeoutMs);
        });
  try {
    const nodeTask = new TaskContext(task, spec, env, extra, attempt);
    // The timer cannot fire while a node blocks the event loop, so the node's own
    // synchronous run (until its function returns a promise) is timed on the wall clock
    // (not `env.clock`, which tests may fake) and held to the timeout too (LangGraph checks
    // the elapsed time after the race). Only the node's own run: time a sibling or the
    // machine spent blocking the loop is not blamed on a node that was waiting on I/O.
    const t0 = timeoutMs === undefined ? 0 : performance.now();
    const running = impl(nodeTask);
    const ownMs = timeoutMs === undefined ? 0 : performance.now() - t0;
    // Racing the shared run-abort promise (not a listener per task) keeps a wide
    // fan-out from attaching thousands of listeners to the run's signal.
    const racers: Promise<NodeResult>[] = [running, env.aborted];
    if (timeout) racers.push(timeout);
    if (scope) racers.push(scope.cancelled);
    if (stepScope) racers.push(stepScope.cancelled);
    const result = await Promise.race(racers);
    if (timeoutMs !== undefined && ownMs > timeoutMs) {
      // A synchronous (CPU-bound) node overran its budget: its result is discarded.
      const err = timedOutError(task, env, timeoutMs);
      controller!.abort(err);
      throw err;
    }
    return result;
  } finally {
    if (timer) clearTimeout(timer);
    timeout?.catch(() => {});
  }
}

/**
 * The command of a `graph: "PARENT"` result or a `command { goto parent.NODE }` node: the
 * kind's writes and goto, then the node's `command update` (evaluated here, written there;
 * data like every write computed from the result: `dataValue`).
 *
 * @throws NodeError `validation` when an update value is shaped like an overwrite marker.
 */
function parentBody(task: PlannedTask, spec: NodeSpec, r: NodeResult, env: TaskEnv): ParentCommand["command"] {
  const writes: (readonly [string, unknown])[] = r.graph === "PARENT" && r.writes ? [...r.writes] : [];
  const goto: NonNullable<NodeResult["goto"]>[number][] = r.graph === "PARENT" && r.goto ? [...r.goto] : [];
  const c = spec.command;
  if (c?.graph === "parent") {
    if (c.update?.length) {
      const scope = taskScope(task, env, { result: r.result ?? null });
      // Data, as in `resultWrites`: an update computed from the result (a tool's return,
      // model output) shaped like an overwrite marker would wipe the parent's field.
      for (const f of c.update) writes.push([f.key, dataValue(evaluate(f.value, scope), f.key, task, env)]);
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
 * grows by it (`evaluateKept`), and data (`dataValue`). `stateOnly`: entries whose key is
 * not a state field are skipped (a `command update` names the parent's fields too).
 */
function pushFieldWrites(out: PendingWrite[], entries: readonly ExprEntrySpec[], scope: Scope, task: PlannedTask, env: TaskEnv, stateOnly = false): void {
  const { fields, growing } = stateOf(env.blueprint);
  for (const f of entries) {
    if (stateOnly && !fields.has(f.key)) continue;
    const reducer = growing.get(f.key);
    const value = reducer !== undefined ? evaluateKept(f.value, scope, `the value written to \`${f.key}\`, kept by its ${reducer} reducer`) : evaluate(f.value, scope);
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
function resultWrites(task: PlannedTask, spec: NodeSpec, r: NodeResult, env: TaskEnv): PendingWrite[] {
  const out: PendingWrite[] = [];
  const taskId = task.id;
  const node = task.node;
  if (r.writes) for (const [channel, value] of r.writes) out.push({ channel, value, taskId, node });
  // Expressions of `writes {…}`, `set` and `command update` see the node's result.
  let scope: Scope | undefined;
  if (spec.writes) {
    if (spec.writes.kind === "channel") {
      if (r.result !== undefined) out.push({ channel: spec.writes.channel, value: dataValue(r.result, spec.writes.channel, task, env), taskId, node });
    } else {
      scope ??= taskScope(task, env, { result: r.result ?? null });
      pushFieldWrites(out, spec.writes.fields, scope, task, env);
    }
  } else if (r.resultChannel && r.result !== undefined) out.push({ channel: r.resultChannel, value: dataValue(r.result, r.resultChannel, task, env), taskId, node });
  if (task.into && r.result !== undefined) out.push({ channel: task.into, value: dataValue(r.result, task.into, task, env), taskId, node });
  if (spec.set) {
    scope ??= taskScope(task, env, { result: r.result ?? null });
    pushFieldWrites(out, spec.set, scope, task, env);
  }
  if (spec.command?.update) {
    scope ??= taskScope(task, env, { result: r.result ?? null });
    pushFieldWrites(out, spec.command.update, scope, task, env, true);
  }
  return out;
}
