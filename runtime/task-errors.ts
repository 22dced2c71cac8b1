/**
 * Where a task runs (`TaskWhere`, for its errors) and the errors of a failed attempt:
 * a thrown value made a typed error, and the timeout of an attempt.
 */
import { classifyError, errorMessage, NodeError, RagError } from "./errors.js";
import type { PlannedTask } from "./planner-state.js";
import type { TaskEnv } from "./task-env.js";

/** Where a task runs: the graph, node, task id and superstep its errors name. */
export type TaskWhere = { graph: string; node: string; taskId: string; step: number };

/** Where a task runs, for its errors (made only when one is raised). */
export function whereOf(task: PlannedTask, env: TaskEnv): TaskWhere {
  return { graph: env.blueprint.id, node: task.node, taskId: task.id, step: env.step };
}

/** Typed errors pass through; anything else becomes a NodeError classed by `classifyError`. */
export function asNodeError(e: unknown, where: TaskWhere): RagError {
  if (e instanceof RagError) {
    // Errors raised inside a node (providers, tools) often lack where they happened.
    const missing = Object.fromEntries(Object.entries(where).filter(([k]) => (e as unknown as Record<string, unknown>)[k] === undefined));
    return Object.assign(e, missing);
  }
  const retryAfter = (e as { retryAfterMs?: number } | undefined)?.retryAfterMs;
  return new NodeError(`node \`${where.node}\` failed: ${errorMessage(e)}`, classifyError(e), where, { cause: e, ...(typeof retryAfter === "number" ? { retryAfterMs: retryAfter } : {}) });
}

/** The error of an attempt that ran past its `timeout` (ms). */
export function timedOutError(task: PlannedTask, env: TaskEnv, timeoutMs: number): NodeError {
  return new NodeError(`node \`${task.node}\` timed out after ${timeoutMs} ms`, "timeout", whereOf(task, env));
}
