/**
 * What a task needs from its run (`TaskEnv`), apart from `task.ts` which runs tasks, so
 * the `NodeTask` the task's node kind receives (`node-task.ts`) can name it without
 * importing the task runner.
 */
import type { Blueprint, Json, NodeSpec } from "../compiler/index.js";
import type { ChildRunResult, Registry, RunInfo, SpendLedger } from "../registry/index.js";
import type { RunAuthority } from "./authority.js";
import type { RunEventBody, RunEventType } from "./events.js";
import type { ModelAsks } from "./model-asks.js";
import type { PacketGauge } from "./planning.js";
import type { PlannedTask } from "./planner-state.js";
import type { State } from "./state.js";
import type { StateGauge } from "./state-size.js";
import type { UsageSink } from "./task-usage.js";

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** Everything a task needs from its run. */
export interface TaskEnv {
  readonly blueprint: Blueprint;
  readonly registry: Registry;
  /** The one authorisation check for the run's capability uses. */
  readonly authority: RunAuthority;
  readonly nodes: ReadonlyMap<string, NodeSpec>;
  /**
   * The run tree's bytes in flight (`planning.ts` `PacketGauge`) and this run's share of its
   * `writeBytes`: each completed task charges its writes there (`chargeWrites`); the barrier
   * gives them back. Absent: writes are not charged.
   */
  readonly written?: { readonly tree: PacketGauge; readonly run: { bytes: number } };
  /** The run's whole state as JSON bytes (`state-size.ts`): each completed task charges what its writes may add. Absent: not charged. */
  readonly stateSize?: StateGauge;
  readonly run: Omit<RunInfo, "step">;
  readonly step: number;
  readonly input: Readonly<Record<string, unknown>>;
  readonly state: State;
  readonly messagesChannel: string | undefined;
  readonly signal: AbortSignal;
  /** Rejects with the abort reason when `signal` aborts: one listener per run, shared by every task. */
  readonly aborted: Promise<never>;
  readonly clock: Clock;
  /** Emits an event stamped with the task's ids; resolves when the stream accepted it. */
  emit(body: RunEventBody, task?: { taskId: string; node: string }): Promise<void>;
  /** Whether anyone consumes events of this type (skip building and awaiting the others). */
  wants(type: RunEventType): boolean;
  /**
   * Runs `graph` as a child of `task` under the calling node's child limits (`child.ts`);
   * `sink`: where the task counts its model calls (the child's are counted there too);
   * `caller`: the path (`codeact`, …) a refusal names.
   */
  runChild(graph: string, input: Record<string, unknown>, task: PlannedTask, sink?: UsageSink, caller?: string): Promise<ChildRunResult>;
  /** The tasks of enclosing runs whose child run this is, outermost first: each model call of this run is counted on them too (`ParentLink.usageSinks`). */
  readonly usageSinks?: readonly UsageSink[];
  /** The `budget` blocks of the enclosing runs, outermost first (ParentLink.enclosingBudgets). */
  readonly enclosingBudgets?: readonly Json[];
  /** What this run's child runs are charged against: `enclosingBudgets`, then this graph's own `budget`. */
  readonly childBudgets?: readonly Json[];
  /** The root run's budget ledger (`CallContext.spend`). */
  readonly spend?: SpendLedger;
  /** Random number in [0, 1) for backoff jitter (injected for tests). */
  random(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** Resume values by interrupt id (`interrupt(payload)` returns them). */
  readonly answers: Readonly<Record<string, unknown>>;
  /** Checkpoint namespace of the run (`""` for the root graph). */
  readonly namespace: string;
  /** False when the run has no checkpointer: `interrupt()` then fails with InterruptError. */
  readonly canInterrupt: boolean;
  /** True when a consumer wants model tokens (`model_token` events). */
  readonly tokens: boolean;
  /** Who asked for the pending tool calls (`model-asks.ts`): `NodeTask.modelAsk` reads it. */
  readonly asks?: ModelAsks;
}
