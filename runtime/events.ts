/**
 * Run events (`runtime.md` §6). Every event carries the ids of its run (run, root run,
 * parent run, thread), the step, and where in a run tree it comes from (namespace,
 * depth); task-level events also carry the task id and node. Timestamps are ms since
 * the Unix epoch from the run's clock.
 */

export interface EventIds {
  readonly runId: string;
  readonly rootRunId: string;
  readonly parentRunId?: string;
  readonly threadId: string;
  readonly step: number;
  readonly taskId?: string;
  readonly node?: string;
  readonly namespace: string;
  readonly depth: number;
  readonly timestamp: number;
}

export interface TaskRef {
  readonly taskId: string;
  readonly node: string;
  readonly kind: string;
  /** Why it runs: `start`, `edge`, `route`, `goto`, `send`, `join`, `barrier`, `error`. */
  readonly trigger: string;
  readonly fanoutId?: string;
  readonly branch?: number;
}

/** Token usage (tokens) and cost (USD) of a model call: the provider contract's type. */
export type { Usage } from "../registry/index.js";
import type { Usage } from "../registry/index.js";

export type RunEventBody =
  | { readonly type: "run_started"; readonly graph: string; readonly hash: string; readonly input: unknown; readonly resumedFrom?: string }
  | { readonly type: "step_started"; readonly tasks: readonly TaskRef[] }
  | { readonly type: "task_started"; readonly kind: string; readonly trigger: string; readonly args?: unknown; readonly fanoutId?: string; readonly branch?: number; readonly detached?: boolean }
  /** `restored`: the task had completed before a crash or pause; its saved writes are used and it does not run again. */
  | { readonly type: "task_completed"; readonly durationMs: number; readonly writes: readonly string[]; readonly route?: string; readonly result?: unknown; readonly restored?: boolean; readonly toParent?: boolean }
  /** `cancelled`: a `wait first|N` join no longer needed the task's branch. */
  | { readonly type: "task_failed"; readonly durationMs: number; readonly error: Record<string, unknown>; readonly handled: boolean; readonly cancelled?: boolean; readonly restored?: boolean }
  | { readonly type: "task_retried"; readonly attempt: number; readonly delayMs: number; readonly error: Record<string, unknown> }
  | { readonly type: "route_selected"; readonly from: string; readonly via: "static" | "route" | "when" | "else" | "goto" | "error" | "none"; readonly label?: string; readonly targets: readonly string[] }
  | { readonly type: "send_dispatched"; readonly fanoutId: string; readonly targets: readonly { readonly node: string; readonly args: unknown }[]; readonly join?: string; readonly wait?: string | number }
  | { readonly type: "join_released"; readonly fanoutId: string; readonly target: string; readonly branches: number; readonly succeeded: number }
  | { readonly type: "barrier_released"; readonly target: string; readonly sources: readonly string[] }
  | { readonly type: "state_updated"; readonly channels: readonly string[]; readonly values: Readonly<Record<string, unknown>> }
  | { readonly type: "step_completed"; readonly durationMs: number }
  | { readonly type: "checkpoint_saved"; readonly checkpointId: string; readonly source: string; readonly durability: string }
  /** A pending interrupt (one per interrupt), right before `run_interrupted`. */
  | { readonly type: "interrupt"; readonly interruptId: string; readonly kind: "before" | "after" | "node"; readonly payload?: unknown; readonly interruptNamespace: string }
  /** `values` stream mode: the state after a superstep. */
  | { readonly type: "values"; readonly values: Readonly<Record<string, unknown>> }
  /** `updates` stream mode: one task's writes, as it completes. */
  /**
   * A task's writes. A task made for a `send` to an agent or a graph (no node of that name)
   * is reported under the sending node, with the agent or graph in `sendTarget`.
   */
  | { readonly type: "updates"; readonly writes: readonly { readonly channel: string; readonly value: unknown }[]; readonly sendTarget?: string }
  /**
   * A text delta of a streaming model reply (`messages` stream mode); or, with `toolCall`
   * (and an empty `delta`), a tool call of the reply once its arguments are complete.
   */
  | { readonly type: "model_token"; readonly model: string; readonly delta: string; readonly toolCall?: { readonly id: string; readonly name: string; readonly arguments: Record<string, unknown> }; readonly agent?: string }
  | { readonly type: "model_started"; readonly model: string; readonly provider: string; readonly messages: number; readonly agent?: string }
  | { readonly type: "model_completed"; readonly model: string; readonly usage: Usage; readonly finishReason: string; readonly toolCalls: number; readonly durationMs: number; readonly agent?: string; readonly cached?: boolean }
  /** A model call was answered from the response cache (content address `key`) instead of the provider. */
  | { readonly type: "task_cached"; readonly model: string; readonly key: string; readonly agent?: string }
  /** A capability use was refused by the authorisation check (nothing ran). */
  | { readonly type: "capability_denied"; readonly capability: string; readonly name: string; readonly caller: string; readonly rule: string; readonly reason: string }
  | { readonly type: "tool_started"; readonly tool: string; readonly callId?: string; readonly args: unknown }
  | { readonly type: "tool_completed"; readonly tool: string; readonly callId?: string; readonly durationMs: number; readonly ok: boolean; readonly error?: string }
  | { readonly type: "subrun_started"; readonly childRunId: string; readonly target: string; readonly targetKind: "graph" | "agent" }
  | { readonly type: "subrun_completed"; readonly childRunId: string; readonly target: string; readonly ok: boolean }
  | { readonly type: "custom"; readonly name: string; readonly data: unknown }
  | { readonly type: "run_completed"; readonly state: Readonly<Record<string, unknown>>; readonly output: unknown; readonly steps: number; readonly durationMs: number; readonly errors: readonly Readonly<Record<string, unknown>>[] }
  /** The run paused (`runtime.md` §4); resume the thread with answers to `interrupts`. */
  | { readonly type: "run_interrupted"; readonly interrupts: readonly Readonly<Record<string, unknown>>[]; readonly checkpointId: string; readonly state: Readonly<Record<string, unknown>>; readonly steps: number; readonly durationMs: number }
  | { readonly type: "run_failed"; readonly error: Record<string, unknown>; readonly steps: number; readonly durationMs: number };

export type RunEvent = RunEventBody & EventIds;
export type RunEventType = RunEvent["type"];
