/**
 * Running one task (`runtime.md` §1 step 3–4, §5): build the `NodeTask` for the node
 * kind, run it with a per-attempt timeout and the node's retry policy, then turn its
 * result into pending writes (`writes`, `set`, a send's `-> channel`, `command update`).
 *
 * This module holds the attempt loop, its retry policy and the outcome of an attempt;
 * one attempt runs in task-attempt.ts, writes are made in task-writes.ts, capability
 * refusals in task-refusals.ts and errors in task-errors.ts.
 */
import type { Blueprint, NodeSpec, RetrySpec } from "../compiler/index.js";
import { LIMIT_CAPS } from "../compiler/limit-caps.js";
import type { ModelAsk, NodeResult, NodeTask } from "../registry/index.js";
import type { PendingInterrupt } from "./checkpoint/types.js";
import { BindError, classifyError, errorToJson, NodeError, type RagError } from "./errors.js";
import { GraphInterrupt } from "./interrupt.js";
import { ParentCommand } from "./parent-command.js";
import type { PlannedTask } from "./planner-state.js";
import type { PendingWrite } from "./state.js";
import { runAttempt, type CancelScope } from "./task-attempt.js";
import type { TaskEnv } from "./task-env.js";
import { asNodeError, whereOf } from "./task-errors.js";
import { kindRefusal, sendRefusal, toolGotoRefusal } from "./task-refusals.js";
import { chargeWrites, parentBody, reservedWriteRefusal, resultWrites, taskGoto } from "./task-writes.js";
import { usageOf, type TaskUsage, type UsageSink } from "./task-usage.js";

export { taskScope } from "./node-task.js";
export { cancelScope, type CancelScope } from "./task-attempt.js";

/**
 * How a task ended. `durationMs`: its wall time on the run's clock, attempts and retry
 * waits included; `usage`: its model calls (`task-usage.ts`), when it made any — both kept
 * in its completion record.
 */
export type TaskOutcome =
  | { readonly task: PlannedTask; readonly ok: true; readonly writes: PendingWrite[]; readonly route?: string; readonly result?: unknown; readonly goto?: NodeResult["goto"]; readonly durationMs: number; readonly usage?: TaskUsage; readonly asks?: Readonly<Record<string, ModelAsk>>; readonly restored?: boolean; readonly writeBytes?: number }
  | {
      readonly task: PlannedTask;
      readonly ok: false;
      readonly error: unknown;
      readonly durationMs: number;
      readonly usage?: TaskUsage;
      /** The task paused (`interrupt`): it did not fail and runs again on resume. */
      readonly interrupts?: readonly PendingInterrupt[];
      /** The task's branch was cancelled by a `wait first|N` release. */
      readonly cancelled?: boolean;
      /** The task sent a command to the parent graph (`graph: "PARENT"`): the run stops and hands it up. */
      readonly toParent?: ParentCommand;
      readonly restored?: boolean;
    };

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
      return succeeded(task, p, await runAttempt(p.impl, task, p.spec, env, p.timeoutMs, scope, stepScope, attempt, p), env);
    } catch (e) {
      const f = failed(task, p, e, env, scope, stepScope, attempt);
      if (!(f instanceof Retry)) return withUsage(f, p);
      if (env.wants("task_retried")) await env.emit({ type: "task_retried", attempt, delayMs: f.delay, error: errorToJson(f.error) }, { taskId: task.id, node: task.node });
      try {
        await env.sleep(f.delay, env.signal);
      } catch {
        return withUsage({ task, ok: false, error: f.error, durationMs: env.clock.now() - p.started }, p);
      }
    }
  }
}

/** What `executeTask` settled before its first attempt; its attempts' model calls are counted on it (`UsageSink`). */
class Prepared implements UsageSink {
  // `declare`: no field is defined per task; the first model call adds it.
  declare usage?: UsageSink["usage"];
  declare asks?: UsageSink["asks"];
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
  const refused = task.implicit ? sendRefusal(task, env, whereOf(task, env)) : kindRefusal(spec, env, whereOf(task, env));
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
  // Returned, not thrown: a refusal that would repeat is no failure to retry.
  const reserved = reservedWriteRefusal(result.writes, task, env);
  if (reserved) return withUsage({ task, ok: false, error: reserved, durationMs: env.clock.now() - started }, p);
  const writes = resultWrites(task, spec, result, env);
  // Charged before the record is saved or anything applied: values written by reference are stored once per write.
  const written = chargeWrites(writes, task, env);
  if (typeof written !== "number") return withUsage({ task, ok: false, error: written, durationMs: env.clock.now() - started }, p);
  const goto = taskGoto(task, writes, result.goto);
  // By assignment, in the literal's key order (no spreads: one outcome per task).
  const o = { task, ok: true, writes } as { -readonly [K in keyof Extract<TaskOutcome, { ok: true }>]: Extract<TaskOutcome, { ok: true }>[K] };
  if (result.route !== undefined) o.route = result.route;
  if (result.result !== undefined) o.result = result.result;
  if (goto) o.goto = goto;
  o.durationMs = env.clock.now() - started;
  if (p.usage) o.usage = usageOf(p);
  if (p.asks) o.asks = p.asks;
  if (written) o.writeBytes = written;
  return o;
}

/** `o` with the model calls counted on `p`, when there were any (a failure after calls: they were made, and paid). */
function withUsage(o: TaskOutcome, p: Prepared): TaskOutcome {
  return p.usage && !o.usage ? Object.assign(o, { usage: usageOf(p) }) : o;
}

/** The outcome of a failed attempt, or the `Retry` its policy asks for. */
function failed(task: PlannedTask, p: Prepared, e: unknown, env: TaskEnv, scope: CancelScope | undefined, stepScope: CancelScope | undefined, attempt: number): TaskOutcome | Retry {
  const { policy, started } = p;
  if (e instanceof GraphInterrupt) return { task, ok: false, error: e, interrupts: e.interrupts, durationMs: env.clock.now() - started };
  if (e instanceof ParentCommand && e.arrived) {
    // A command of the subgraph this task ran, for this graph: the task completes with it.
    const refused = refusedToolGoto(task, p, e.command.goto, e.command.tools, env);
    if (refused) return refused;
    const reserved = reservedWriteRefusal(e.command.writes, task, env);
    if (reserved) return { task, ok: false, error: reserved, durationMs: env.clock.now() - started };
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
