/**
 * The checkpointer contract (`runtime.md` §3, after LangGraph's `BaseCheckpointSaver`):
 * one interface, several backends (in-memory, SQLite file), one conformance suite
 * (`test/runtime/checkpointer-conformance.ts`) that every backend passes.
 *
 * A checkpoint is the state of one thread (and namespace, for subgraphs) after a
 * superstep: channel values and versions, the tasks of the next step (with their send
 * arguments), the fan-out planner's state, and the interrupts it pauses on. Pending
 * writes are what the tasks of the *next* step produced before that step's barrier,
 * saved per task the moment it completes, so a crash or a failing sibling never makes a
 * completed task run again.
 */
import type { PlannedTask, PlannerState } from "../plan.js";
import { addSpend, readSpend, type ModelAsk, type Spend } from "../../registry/index.js";

/** Why a checkpoint exists: the run input, a superstep, `updateState`, or `fork`. */
export type CheckpointSource = "input" | "loop" | "update" | "fork";

/**
 * When checkpoints are persisted: `sync` before the next step starts; `async` while the
 * next step runs (ordered, drained at every exit); `exit` only when the run completes,
 * fails, is cancelled or pauses.
 */
export type Durability = "sync" | "async" | "exit";

/** A pause waiting for a human (`runtime.md` §4). */
export interface PendingInterrupt {
  /** Stable id, unique in the thread: `before:<task>`, `after:<task>`, or `<task>#<n>` for `interrupt(payload)` calls. */
  readonly id: string;
  /** `before`/`after`: a graph-level `interrupt before|after [nodes]`; `node`: an interrupt node or an `interrupt(payload)` call. */
  readonly kind: "before" | "after" | "node";
  readonly node: string;
  readonly taskId: string;
  /** What the node asked (for an interrupt node: `{prompt, options}`). */
  readonly payload?: unknown;
  /** Checkpoint namespace of the run that raised it (`""` for the root graph). */
  readonly namespace: string;
}

/** A failure the run recorded instead of failing (an `optional` branch, an `on_error` route). */
export interface RecordedError {
  readonly taskId: string;
  readonly node: string;
  readonly step: number;
  readonly handledBy: "optional" | "on_error";
  readonly error: Readonly<Record<string, unknown>>;
}

export interface Checkpoint {
  readonly v: 1;
  readonly id: string;
  readonly parentId?: string;
  readonly threadId: string;
  /** `""` for the root graph; `<parent task id>:<graph>` (nested with `|`) for subgraph runs. */
  readonly namespace: string;
  readonly graph: string;
  /** The Blueprint hash the run executed (`sha256:…`). */
  readonly blueprintHash: string;
  readonly runId: string;
  /** Supersteps completed (0 for the input checkpoint). */
  readonly step: number;
  /** Creation time, ms since the Unix epoch. */
  readonly ts: number;
  /** Tracked channel values (untracked channels stay out). */
  readonly values: Readonly<Record<string, unknown>>;
  /** Version per channel: how many supersteps changed it. */
  readonly versions: Readonly<Record<string, number>>;
  /** Channel versions each node of the last step saw when it ran. */
  readonly seen: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Tasks of the next superstep (send arguments included). */
  readonly next: readonly PlannedTask[];
  /** `blocking false` tasks started earlier and not yet merged. */
  readonly detached: readonly PlannedTask[];
  /** Fan-out and barrier bookkeeping (plain data). */
  readonly planner: PlannerState;
  /** Graph-level interrupts (`before`/`after`) this checkpoint pauses on. */
  readonly interrupts: readonly PendingInterrupt[];
  /** The run input (expressions read `input.…`). */
  readonly input: Readonly<Record<string, unknown>>;
  readonly errors: readonly RecordedError[];
  /** Result of the last completed task (the output when the graph declares none). */
  readonly result?: unknown;
  /**
   * Root namespace only: what the thread's line of history had spent under budgets when
   * the checkpoint was saved (settled model usage, in total and per node); absent: nothing.
   * `spentAt` adds the `__spend__` records of runs that continued from it.
   */
  readonly spend?: Spend;
  /**
   * Who asked for the tool calls of the conversation's last assistant message, by message
   * id (`runtime/model-asks.ts`): recorded by the runtime when a model replied, never a
   * state value, so no state write can forge it. A `tool_executor` runs only calls found
   * here. Absent: none.
   */
  readonly asks?: Readonly<Record<string, ModelAsk>>;
}

/** Metadata stored beside a checkpoint; `filter` in `list` matches its keys. */
export interface CheckpointMetadata {
  readonly source: CheckpointSource;
  readonly step: number;
  readonly runId: string;
  /** Channels the step (or update) changed. */
  readonly changed?: readonly string[];
  /** Nodes that ran in the step. */
  readonly ran?: readonly string[];
  /** For `fork`: where the checkpoint was copied from. */
  readonly forkedFrom?: { readonly threadId: string; readonly checkpointId: string };
  /** Steering instructions given with a resume (recorded separately from resume values). */
  readonly steering?: string;
  /**
   * The branch of the thread's history the checkpoint is on: the id of the fork (a replay
   * of an older checkpoint, or an update of one) it descends from; absent on the original
   * line. Child runs checkpoint under a namespace that names it, so a replayed or forked
   * parent starts its subgraphs afresh instead of picking up the old line's child runs.
   */
  readonly lineage?: string;
  /**
   * For a child run's checkpoint: the checkpoint each enclosing run ran it from, by that
   * run's namespace (`""` for the root). Time travel to a child checkpoint forks these.
   */
  readonly parents?: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

/** Addresses a checkpoint: the latest of a thread (and namespace), or one by id. */
export interface CheckpointConfig {
  readonly threadId: string;
  /** Default `""` (the root graph). */
  readonly namespace?: string;
  readonly checkpointId?: string;
}

/** A pending write saved with `putWrites`. Channels named `__…__` are runtime records (see `SPECIAL`). */
export interface PendingWriteRecord {
  readonly taskId: string;
  readonly channel: string;
  readonly value: unknown;
}

export interface CheckpointTuple {
  readonly config: Required<CheckpointConfig>;
  readonly checkpoint: Checkpoint;
  readonly metadata: CheckpointMetadata;
  readonly parentConfig?: Required<CheckpointConfig>;
  /** Writes of tasks that ran from this checkpoint, in the order they were saved (per task: write order). */
  readonly pendingWrites: readonly PendingWriteRecord[];
}

export interface ListOptions {
  /** Default `""` (the root graph). */
  readonly namespace?: string;
  /** Only checkpoints saved before this checkpoint id. */
  readonly before?: string;
  /** At most this many (newest first). */
  readonly limit?: number;
  /** Metadata keys that must equal these values. */
  readonly filter?: Readonly<Record<string, unknown>>;
  /**
   * Which pending writes each tuple carries. `"all"` (the default): every one, with its
   * value. `"status"`: only what a snapshot read without a graph uses (`snapshot`: the
   * status, the questions, the failure and the spend) — the `__interrupt__`, `__resume__`,
   * `__error__` and `__spend__` records, and the `__task__` records (value undefined) of
   * the checkpoints that have a question or a failure; channel writes and completions'
   * payloads are neither read nor parsed. For history listings (`getStateHistory`, `rag
   * runs show`): a 10,000-step run has 30,000 pending writes. A store may ignore it and
   * carry every write.
   */
  readonly pendingWrites?: "all" | "status";
}

/** One thread as `rag runs` lists it (root namespace). */
export interface ThreadSummary {
  readonly threadId: string;
  readonly graph: string;
  readonly checkpoints: number;
  /** Step of the latest checkpoint. */
  readonly step: number;
  /** Time of the latest checkpoint, ms since the Unix epoch. */
  readonly updatedAt: number;
  readonly latestId: string;
  readonly status: ThreadStatus;
  /** For status `failed`: the error of the task that failed the run. */
  readonly error?: TaskError;
  /** For status `interrupted`: the questions the thread waits on (`pendingInterrupts` of its latest checkpoint). */
  readonly interrupts?: readonly PendingInterrupt[];
  /** The latest checkpoint's metadata: who started the thread (`origin`, as `rag run` and the studio record it), `forkedFrom`, … */
  readonly metadata: CheckpointMetadata;
}

/** A task's failure saved with the checkpoint it ran from (the `__error__` record). */
export interface TaskError {
  readonly taskId: string;
  /** The error as data (`errorToJson`: name, code, message, node, …). */
  readonly error: Readonly<Record<string, unknown>>;
}

/**
 * `completed`: nothing left to run; `interrupted`: waiting for a resume value; `failed`:
 * a task failed the run (its error is saved with the checkpoint; resuming runs the task
 * again); `resumable`: tasks left (crashed or cancelled).
 */
export type ThreadStatus = "completed" | "interrupted" | "failed" | "resumable";

export interface PruneOptions {
  /** Threads to prune (default: all). */
  readonly threads?: readonly string[];
  /** Checkpoints kept per thread and namespace, newest first (default 1). */
  readonly keepLast?: number;
}

export interface Checkpointer {
  /** The checkpoint `config` names (the latest of the thread/namespace without an id), with its pending writes; undefined when absent. */
  getTuple(config: CheckpointConfig): Promise<CheckpointTuple | undefined>;
  /** Checkpoints of a thread, newest first. */
  list(threadId: string, options?: ListOptions): Promise<CheckpointTuple[]>;
  /** Stores a checkpoint (its thread and namespace are its own fields); returns its config. */
  put(checkpoint: Checkpoint, metadata: CheckpointMetadata): Promise<Required<CheckpointConfig>>;
  /**
   * Saves writes of task `taskId` against the checkpoint `config` names (an id is required).
   * Ordinary channel writes of a task are saved once (a repeated call adds nothing);
   * runtime records (`__…__` channels) replace the task's previous record of that channel.
   *
   * @throws CheckpointError when `config` has no checkpoint id.
   */
  putWrites(config: CheckpointConfig, writes: readonly (readonly [channel: string, value: unknown])[], taskId: string): Promise<void>;
  /** Removes every checkpoint and write of a thread (all namespaces). */
  deleteThread(threadId: string): Promise<void>;
  /** Copies every checkpoint and write of `from` (all namespaces) to `to`, which must be empty. */
  copyThread(from: string, to: string): Promise<void>;
  /** Deletes all but the newest `keepLast` checkpoints per thread and namespace (and their writes); returns how many were deleted. */
  prune(options?: PruneOptions): Promise<number>;
  /**
   * Threads with a root checkpoint, most recently updated first; with `threadId`, that
   * thread's summary alone (none when it has no root checkpoint), read without the others.
   */
  threads(options?: ThreadsOptions): Promise<ThreadSummary[]>;
  /**
   * Optional bulk path, used by `async` durability: applies the operations in order as
   * one unit (the SQLite backend: one transaction), as if `put` and `putWrites` were
   * called one after the other.
   */
  putBatch?(ops: readonly BatchOp[]): Promise<void>;
  /**
   * Gives up this process's claim on a thread once it has nothing more to write there (a
   * run ended, a state edit is saved), after its queued writes: a shared store
   * (`PostgresCheckpointer`) holds a lock and a connection per thread it wrote until
   * then, so a long-lived process (`rag serve`) that never calls it keeps every thread it
   * touched locked against other processes. Local stores do not implement it.
   */
  release?(threadId: string): Promise<void>;
  /**
   * Takes a thread for one run or edit, before it reads the thread: a second run or edit
   * of the thread — in this process, or in another process on the same SQLite file or
   * Postgres database — is refused with `ThreadBusyError` naming the thread until
   * `ThreadClaim.release`. The runtime takes one for every run that checkpoints as a
   * thread's root (`runLoop`) and for every edit outside a run (`updateState`, `fork`,
   * `travelToSubgraph`: `thread-hold.ts`); `onLost` is called if the claim is lost while
   * held (a SQLite lease another process took over after it expired), and the run is then
   * cancelled. A store without it holds nothing.
   *
   * @throws ThreadBusyError when another run holds the thread.
   */
  claim?(threadId: string, onLost: (e: Error) => void): Promise<ThreadClaim>;
  /**
   * The threads a run holds now through `claim` — in this process or, for a store shared
   * across processes (a SQLite file's leases, Postgres advisory locks), in another: a `rag
   * run` in a terminal shows as running in the studio. A store without it cannot tell.
   * `among`: only these threads are asked about (a store may answer for others too).
   */
  runningThreads?(among?: readonly string[]): Promise<ReadonlySet<string>>;
  /** Releases resources (the SQLite handle). */
  close?(): void;
}

/** A thread taken by one run (`Checkpointer.claim`). */
export interface ThreadClaim {
  /** Gives the thread up (idempotent; never throws). */
  release(): Promise<void>;
}

/** Options of `Checkpointer.threads`. */
export interface ThreadsOptions {
  /** Only this thread. */
  readonly threadId?: string;
}

/** One operation of `putBatch`. */
export type BatchOp =
  | { readonly kind: "put"; readonly checkpoint: Checkpoint; readonly metadata: CheckpointMetadata }
  | { readonly kind: "writes"; readonly config: CheckpointConfig; readonly writes: readonly (readonly [channel: string, value: unknown])[]; readonly taskId: string };

/** Runtime records stored as pending writes (LangGraph stores `__error__`, `__interrupt__`, `__resume__` the same way). */
export const SPECIAL = {
  /** A task completed: `{ok, route?, result?, error?}` (with its channel writes beside it). */
  task: "__task__",
  /** A task paused: `PendingInterrupt[]`. */
  interrupt: "__interrupt__",
  /** Resume values by interrupt id (task id `__resume__`). */
  resume: "__resume__",
  /** A task failed and failed the run: its error (`errorToJson`), as LangGraph's `__error__` write. */
  error: "__error__",
  /**
   * What a run charged to budgets since it started from (or saved) this checkpoint:
   * settled usage plus its calls in flight (`registry/spend.ts`), one record per run
   * (task id `spend:<run id>`), replaced at every charge.
   */
  spend: "__spend__",
} as const;

/** Sort order of runtime records among a task's writes (negative: never clash with write indexes). */
export const SPECIAL_INDEX: Readonly<Record<string, number>> = { [SPECIAL.task]: -1, [SPECIAL.interrupt]: -2, [SPECIAL.resume]: -3, [SPECIAL.error]: -4, [SPECIAL.spend]: -5 };

export const isSpecial = (channel: string): boolean => channel.startsWith("__") && channel.endsWith("__");

/** The status of a thread from its latest checkpoint. */
export function threadStatus(t: Pick<CheckpointTuple, "checkpoint" | "pendingWrites">): ThreadStatus {
  if (pendingInterrupts(t).length) return "interrupted";
  return statusAfter(t, failedTask(t) !== undefined);
}

/** `threadStatus` of a checkpoint known to wait on no interrupt: `failed` when a task failed it. */
function statusAfter(t: Pick<CheckpointTuple, "checkpoint">, failed: boolean): ThreadStatus {
  if (failed) return "failed";
  return t.checkpoint.next.length || t.checkpoint.detached.length ? "resumable" : "completed";
}

/**
 * Interrupts a checkpoint is waiting on: its graph-level interrupts plus those raised by
 * tasks that have not completed (`taskQuestions`: `open`), minus those already answered
 * by a resume.
 */
export function pendingInterrupts(t: Pick<CheckpointTuple, "checkpoint" | "pendingWrites">): PendingInterrupt[] {
  if (!t.pendingWrites.length) return [...t.checkpoint.interrupts];
  const answered = resumeValues(t);
  const raised = [...taskQuestions(t).values()].flatMap((q) => q.open);
  return [...t.checkpoint.interrupts.filter((i) => !(i.id in answered)), ...raised];
}

/** What one task that has not completed asked (`taskQuestions`). */
export interface TaskQuestions {
  /** Asked and not answered: what the task, and so the thread, waits on. */
  readonly open: PendingInterrupt[];
  /** Answered by the resume values recorded (`__resume__`): the task runs again and is given them. */
  readonly answered: { readonly interrupt: PendingInterrupt; readonly value: unknown }[];
}

/**
 * The questions (`__interrupt__` records) of a checkpoint's tasks that have not completed
 * since (no `__task__` record), by task id in record order, each split by the resume
 * values recorded against the checkpoint: the one reading of these records that
 * `pendingInterrupts` (so `threadStatus`, `getState().interrupts`, the resume's check of
 * its answers) and `stepTasks` share, so a task's status cannot disagree with what the
 * thread waits on. As LangGraph's `StateSnapshot`: an answered interrupt is no longer
 * pending, though its task has not run again yet.
 */
export function taskQuestions(t: Pick<CheckpointTuple, "pendingWrites">): Map<string, TaskQuestions> {
  const out = new Map<string, TaskQuestions>();
  if (!t.pendingWrites.length) return out;
  const done = new Set<string>();
  for (const w of t.pendingWrites) if (w.channel === SPECIAL.task) done.add(w.taskId);
  const answered = resumeValues(t);
  for (const w of t.pendingWrites) {
    if (w.channel !== SPECIAL.interrupt || done.has(w.taskId)) continue;
    let q = out.get(w.taskId);
    if (!q) out.set(w.taskId, (q = { open: [], answered: [] }));
    for (const i of w.value as PendingInterrupt[]) {
      if (i.id in answered) q.answered.push({ interrupt: i, value: answered[i.id] });
      else q.open.push(i);
    }
  }
  return out;
}

/** The resume values recorded against a checkpoint (its last `__resume__` record), by interrupt id; `{}` when none. */
function resumeValues(t: Pick<CheckpointTuple, "pendingWrites">): Readonly<Record<string, unknown>> {
  let answered: Readonly<Record<string, unknown>> = {};
  for (const w of t.pendingWrites) if (w.channel === SPECIAL.resume) answered = (w.value ?? {}) as Record<string, unknown>;
  return answered;
}

/**
 * The resume values a checkpoint has recorded, by interrupt id (a copy of `resumeValues`:
 * each `__resume__` record holds every answer so far, so the last one counts — this read
 * the first, and disagreed with `pendingInterrupts` where a store keeps more than one).
 */
export function recordedAnswers(t: Pick<CheckpointTuple, "pendingWrites">): Record<string, unknown> {
  return { ...resumeValues(t) };
}

/** True when every key/value of `filter` equals the metadata's (JSON equality). */
export function metadataMatches(metadata: CheckpointMetadata, filter: Readonly<Record<string, unknown>> | undefined): boolean {
  if (!filter) return true;
  for (const [k, v] of Object.entries(filter)) if (JSON.stringify(metadata[k]) !== JSON.stringify(v)) return false;
  return true;
}

/** The task failure saved against a checkpoint (a run that failed from it), unless the task completed since. */
export function failedTask(t: Pick<CheckpointTuple, "pendingWrites">): TaskError | undefined {
  if (!t.pendingWrites.length) return undefined;
  let found: TaskError | undefined;
  for (const w of t.pendingWrites) {
    if (w.channel === SPECIAL.error) found = { taskId: w.taskId, error: (w.value ?? {}) as Record<string, unknown> };
    // A completion after the error: the task ran again and completed — unless the error
    // says the completion's writes were refused (run.ts `refusedWrite`; stores read records
    // back by kind, not in the order written, so that error can come first).
    else if (w.channel === SPECIAL.task && found?.taskId === w.taskId && found.error.refused !== true) found = undefined;
  }
  return found;
}

/**
 * What a thread summary says of its latest checkpoint `t`: its status, the saved task
 * failure (`error`, status `failed`), the questions it waits on (`interrupts`, status
 * `interrupted`) and its metadata. Shared by every backend's `threads()`.
 */
export function outcomeOf(t: Pick<CheckpointTuple, "checkpoint" | "pendingWrites" | "metadata">): Pick<ThreadSummary, "status" | "error" | "interrupts" | "metadata"> {
  // Each reading of the pending writes once (`threadStatus` would read them again).
  const f = failedTask(t);
  const asks = pendingInterrupts(t);
  return { status: asks.length ? "interrupted" : statusAfter(t, f !== undefined), ...(f ? { error: f } : {}), ...(asks.length ? { interrupts: asks } : {}), metadata: t.metadata };
}

/**
 * What the thread's line had spent under budgets when it left checkpoint `t`: the spend
 * the checkpoint recorded plus the `__spend__` records of the runs that continued from it
 * (a run that paused, failed or crashed there, calls in flight counted at their
 * reservation). A resume, a retry and a fork of `t` all start from this.
 */
export function spentAt(t: Pick<CheckpointTuple, "checkpoint" | "pendingWrites">): Spend {
  let s = readSpend(t.checkpoint.spend);
  for (const w of t.pendingWrites) if (w.channel === SPECIAL.spend) s = addSpend(s, readSpend(w.value));
  return s;
}

/** `spend` for a root checkpoint copied from `t` (a fork, a replay, an update): `{}` when nothing was spent. */
export function spendOf(t: Pick<CheckpointTuple, "checkpoint" | "pendingWrites">): { spend?: Spend } {
  if (t.checkpoint.namespace !== "") return {};
  const s = spentAt(t);
  return s.tokens || s.usd ? { spend: s } : {};
}

/**
 * The fields of `t`'s checkpoint as a copy of it starts with (a replay, a fork, an update,
 * a time travel): its own `spend` replaced by what the line had spent when it left `t`
 * (`spendOf`; the `__spend__` records pending on `t` are not copied, so they are counted here).
 */
export function copiedFields(t: Pick<CheckpointTuple, "checkpoint" | "pendingWrites">): Omit<Checkpoint, "spend"> & { spend?: Spend } {
  const { spend: _spend, ...rest } = t.checkpoint;
  return Object.assign(rest, spendOf(t));
}
