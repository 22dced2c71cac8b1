/**
 * The contract between a run and whoever runs its `send` branches elsewhere
 * (`RunOptions.branches`; `scale/branch-queue.ts` is the BullMQ one): what is handed over
 * and what comes back. The protocol itself (when a branch is handed over, how its
 * outcome is committed and joined) is described in `remote-branch.ts`, which runs it.
 * Types only, so `run-options.ts` can name a runner without loading the loop.
 */
import type { Spend } from "../registry/index.js";
import type { PendingInterrupt } from "./checkpoint/types.js";
import type { TaskRecord } from "./task-record.js";

/** A branch handed over: where its state is stored and which task of that checkpoint it is. */
export interface BranchRef {
  /** The root run that fans out (its events and cancellation use this id). */
  readonly runId: string;
  readonly threadId: string;
  /** Checkpoint namespace (`""`: the root graph). */
  readonly namespace: string;
  /** The stored checkpoint the branch's step runs from. */
  readonly checkpointId: string;
  /** The branch task (one of the checkpoint's `next` tasks). */
  readonly taskId: string;
  readonly node: string;
  /** Blueprint hash of the graph whose checkpoint this is (the run's, or the child graph's in a child run). */
  readonly hash: string;
  /**
   * In a child run (`namespace` not `""`): the root run's blueprint hash. The runner
   * compiles the root from the source stored for it and reaches the child graph along
   * `namespace` (the graphs its levels name, resolved as the run resolved them), which
   * must have `hash`.
   */
  readonly root?: string;
  /** In a child run: the child run's identity, which the branch's events carry (as in-process). */
  readonly child?: BranchChildRun;
  /**
   * What the thread had spent under budgets when the branch was handed over: the run's
   * ledger (settled plus reservations in flight), in total and for the branch's node
   * (`registry/spend.ts`). The branch's calls are checked against it plus their own.
   */
  readonly spent?: Spend;
}

/** The identity of the child run a branch belongs to (`RunInfo` of that run). */
export interface BranchChildRun {
  readonly runId: string;
  readonly parentRunId: string;
  /** Graph path of the run (`outer/fanout`), as in its events. */
  readonly namespace: string;
  /** Nesting depth (1: a child of the root). */
  readonly depth: number;
}

/**
 * How a handed-over branch ended: `record` — it completed, or failed in a way the graph
 * handles (`optional`, `on_error`), and this record is committed; `error` — it failed
 * unhandled (nothing committed: a resume runs it again, as a local task); `interrupts` —
 * it paused (`interrupt()`), nothing committed: the run records these with the
 * checkpoint and pauses, and a resume runs the branch again with the answers.
 */
export type BranchResult = ({ readonly record: TaskRecord } | { readonly error: Readonly<Record<string, unknown>> } | { readonly interrupts: readonly PendingInterrupt[] }) & {
  /**
   * What the branch spent under budgets — every attempt of it against its checkpoint, the
   * one that ended included (`__spend__` records `spend:<task id>:…`) — which the run
   * charges to the thread's ledger (`SpendLedger.add`). Absent: nothing (or a worker that
   * does not report it).
   */
  readonly spend?: Spend;
};

/** Runs branches of a `send` elsewhere (`RunOptions.branches`). */
export interface BranchRunner {
  /**
   * Runs the branch and resolves once its outcome is committed (or it failed unhandled).
   * Rejects with `signal`'s reason when aborted (the run stopped waiting for it).
   */
  run(branch: BranchRef, signal: AbortSignal): Promise<BranchResult>;
}
