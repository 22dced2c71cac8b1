/**
 * The channel reducer contract (`language.md` §2.2, `runtime.md` §1), after LangGraph's
 * channel classes but as pure functions: `apply(current, writes)` returns the new value
 * and never mutates `current`. Writes arrive in the deterministic order of the
 * superstep (task activation order, then send index), each tagged with its task.
 */
import type { FieldSpec } from "../../compiler/index.js";
import type { Registry } from "../../registry/index.js";

export interface Write {
  readonly value: unknown;
  /** Id of the task that wrote it. */
  readonly taskId: string;
  readonly node: string;
}

export interface ReduceContext {
  readonly field: FieldSpec;
  readonly registry: Registry;
  readonly graph: string;
  readonly step: number;
}

export interface ChannelReducer {
  /** Value of the channel before any write. */
  initial(field: FieldSpec): unknown;
  /** Folds this superstep's writes into `current`. Throws InvalidUpdateError on misuse. */
  apply(current: unknown, writes: readonly Write[], ctx: ReduceContext): unknown;
  /** Reset to `initial` at the end of a superstep in which the channel was not written (topic, ephemeral). */
  readonly transient?: boolean;
  /** Kept out of checkpoints (untracked). */
  readonly untracked?: boolean;
}
