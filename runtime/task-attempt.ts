/**
 * One attempt of a task (`runtime.md` §5): the node kind's run bounded by the run's
 * signal, the task's cancellation scope (`CancelScope`, a `wait first|N` branch), the
 * step's sibling-failure scope and the per-attempt timeout.
 */
import type { NodeSpec } from "../compiler/index.js";
import type { NodeResult, NodeTask } from "../registry/index.js";
import { TaskContext } from "./node-task.js";
import type { PlannedTask } from "./planner-state.js";
import type { TaskEnv } from "./task-env.js";
import type { UsageSink } from "./task-usage.js";
import { MAX_TIMER_MS } from "./timers.js";
import { timedOutError } from "./task-errors.js";

/**
 * A task's own cancellation scope (the forked context of a branch, `runtime.md` §2):
 * aborted when a `wait first|N` join no longer needs the task's branch.
 */
export interface CancelScope {
  readonly signal: AbortSignal;
  /** Rejects with the abort reason when `signal` aborts. */
  readonly cancelled: Promise<never>;
}

/** Creates a cancellation scope for a task. */
export function cancelScope(): CancelScope & { readonly controller: AbortController } {
  const controller = new AbortController();
  const cancelled = new Promise<never>((_, reject) => controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true }));
  cancelled.catch(() => {});
  return { controller, signal: controller.signal, cancelled };
}

/**
 * One attempt, bounded by the run's signal, the task's cancellation scope and the
 * per-attempt timeout. `sink`: where the attempt's model calls are counted (the task's).
 */
export function runAttempt(impl: (t: NodeTask) => Promise<NodeResult>, task: PlannedTask, spec: NodeSpec, env: TaskEnv, timeoutMs: number | undefined, scope: CancelScope | undefined, stepScope: CancelScope | undefined, attempt: number, sink?: UsageSink): Promise<NodeResult> {
  // The common case (no timeout, no branch or sibling scope) in a small async frame of its own.
  return timeoutMs === undefined && !scope && !stepScope ? runPlainAttempt(impl, task, spec, env, attempt, sink) : runBoundedAttempt(impl, task, spec, env, timeoutMs, scope, stepScope, attempt, sink);
}

/** An attempt bounded by the run's signal only (what `runBoundedAttempt` does without a timeout or scope). */
async function runPlainAttempt(impl: (t: NodeTask) => Promise<NodeResult>, task: PlannedTask, spec: NodeSpec, env: TaskEnv, attempt: number, sink: UsageSink | undefined): Promise<NodeResult> {
  const running = impl(new TaskContext(task, spec, env, undefined, attempt, sink));
  return await Promise.race([running, env.aborted]);
}

/** An attempt bounded by the run's signal, the task's cancellation scope and the per-attempt timeout. */
async function runBoundedAttempt(impl: (t: NodeTask) => Promise<NodeResult>, task: PlannedTask, spec: NodeSpec, env: TaskEnv, timeoutMs: number | undefined, scope: CancelScope | undefined, stepScope: CancelScope | undefined, attempt: number, sink: UsageSink | undefined): Promise<NodeResult> {
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
          }, Math.min(timeoutMs, MAX_TIMER_MS));
        });
  try {
    const nodeTask = new TaskContext(task, spec, env, extra, attempt, sink);
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
