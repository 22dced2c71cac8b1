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
  /** The channel's scratch in the run applying the writes; absent outside a run loop (`updateState`, a fork, a unit test). */
  readonly scratch?: ChannelScratch;
}

/**
 * What a run keeps for one channel across its supersteps (`ChannelTable.apply` with a
 * `RunChannels`): the values a run's reducer returns form one line, each step's value
 * the next step's `current`, so a reducer can carry what it learnt about its last result
 * to the next step here instead of in a weak map keyed by the value (whose every `set`
 * costs far more than the reducer's own work on a growing conversation).
 */
export interface ChannelScratch {
  /** The reducer's own record; it must check that it describes the `current` it gets. */
  memo: unknown;
  /**
   * Whether appends must be recorded for a checkpointer (`lineage.ts` `recordAppend`):
   * false in a run without one (nothing would read the records; without them a later
   * save compares lists item by item, as for any list not recorded).
   */
  readonly recordAppends: boolean;
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
