/**
 * The contract between whoever accepts runs (the studio's HTTP API in `server/`, a future
 * `rag serve`, `rag run --queue`) and whatever executes them (in-process, or BullMQ
 * workers on other machines) — issue 13 §2–3. A server codes against `RunSubmitter`
 * only, so switching from in-process runs to a worker pool changes no handler.
 *
 * Implementations: `QueueRunSubmitter` (scale/queue-submitter.ts: BullMQ jobs run by
 * `rag worker`, events over Redis Streams). The studio's in-process `RunManager`
 * (server/runs.ts) predates the contract and keeps its own shape.
 */
import type { PendingInterrupt, ResumeCommand, RunEvent } from "../runtime/index.js";

/** A new run: the `.rag` source travels with it, and its blueprint hash names it. */
export interface SubmitRun {
  readonly kind: "run";
  /** The `.rag` source text; workers compile it and refuse the job if it does not compile to `hash`. */
  readonly source: string;
  /** Display name of the source (diagnostics name it). */
  readonly file: string;
  /** Graph of the source to run. */
  readonly graph: string;
  /** Blueprint hash the submitter compiled (`sha256:…`). */
  readonly hash: string;
  readonly input: Readonly<Record<string, unknown>>;
  readonly threadId: string;
  /** Stored with every checkpoint of the run (the CLI records how `rag resume` finds the file). */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** The continuation of a paused, cancelled or crashed thread (compiled from the source stored under its checkpoint's hash). */
export interface SubmitResume {
  readonly kind: "resume";
  readonly threadId: string;
  /** Answers (`value`, `values`) and `steering`; a command with `update` is refused (`InvalidResumeError`): edit the state with `updateState`, then resume. */
  readonly command: ResumeCommand;
  /**
   * The thread's latest checkpoint the command was answered against (its pending
   * interrupts are the ones the answers are for). The worker refuses the job with
   * `StaleResumeError` (`stale_resume`) when the thread's latest checkpoint is another by
   * the time it runs (an earlier resume, run or state edit moved it on): an answer is
   * never applied to interrupts it was not given for, and an answered step never runs
   * twice. Required: a queued resume always answers one checkpoint.
   */
  readonly checkpointId: string;
  /** Stored with every checkpoint of the continuation. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** Shown in run listings (the worker finds the graph from the thread's checkpoint). */
  readonly graph?: string;
  readonly file?: string;
}

/** A submitted run: the id its events and cancellation use. */
export interface RunHandle {
  readonly runId: string;
  readonly threadId: string;
}

/** How a submitted run ended, as its last root event says. */
export type RunOutcome =
  | { readonly status: "completed"; readonly state: Readonly<Record<string, unknown>> }
  | { readonly status: "interrupted"; readonly interrupts: readonly PendingInterrupt[] }
  | { readonly status: "failed"; readonly error: Readonly<Record<string, unknown>> }
  | { readonly status: "cancelled" };

export interface RunSubmitter {
  /**
   * Queues a run or a resume. Two submissions for one thread never run at once (per-thread
   * ordering); the second waits for the first.
   */
  submit(job: SubmitRun | SubmitResume): Promise<RunHandle>;
  /**
   * The run's events in order, from the start or after event id `from` (a late
   * subscriber replays what it missed); ends after the run's last root event. Each
   * item carries the id to pass as `from` to continue after it.
   */
  events(runId: string, from?: string): AsyncIterable<{ readonly id: string; readonly event: RunEvent }>;
  /** Cancels the run wherever it executes; the thread stays resumable from its last checkpoint. */
  cancel(runId: string): Promise<void>;
  /** Resolves when the run has ended. */
  outcome(runId: string): Promise<RunOutcome>;
  /** Releases connections. */
  close(): Promise<void>;
}
