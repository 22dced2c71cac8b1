/**
 * What a run is given and what it returns (`runLoop`, run.ts): the options of `invoke` and
 * `stream`, the result, the link a child run keeps to its parent, and the event sink.
 */
import type { Json } from "../compiler/index.js";
import type { Spend, SpendGate, SpendLedger } from "../registry/index.js";
import type { Checkpointer, Durability, PendingInterrupt, RecordedError } from "./checkpoint/types.js";
import type { RunEvent } from "./events.js";
import type { ResumeCommand } from "./interrupt.js";
import type { BranchRunner } from "./branch-runner.js";
import type { State } from "./state.js";
import type { Clock } from "./task-env.js";
import type { UsageSink } from "./task-usage.js";
import type { ModelAsks } from "./model-asks.js";
import type { PacketGauge } from "./planning.js";

export interface RunOptions {
  /** Thread id (a new one when omitted). */
  readonly threadId?: string;
  readonly runId?: string;
  /** Cancels the run: in-flight tasks see their signal aborted, the run fails with CancelledError. */
  readonly signal?: AbortSignal;
  /** Maximum supersteps of this invocation; default `defaults.recursion_limit` or 100. */
  readonly recursionLimit?: number;
  /** Maximum concurrent tasks per superstep; default `defaults.concurrency` or unbounded. */
  readonly concurrency?: number;
  /** Maximum nesting of child runs (subgraphs) below the root run; default 64 (`SubgraphDepthError`). */
  readonly maxSubgraphDepth?: number;
  /** Most child runs the whole run tree may start, over its life; default 10,000 (`ChildRunLimitError`, `child_run_limit`). */
  readonly maxChildRuns?: number;
  /**
   * Most Send packets one task's fan-out may dispatch (its `send [ … ]` items together, or
   * a Command's Send targets); default 10,000 (`MAX_SEND_PACKETS`). Checked from the lists'
   * lengths before any packet is built (`FanoutLimitError`, `fanout_limit`). A host setting,
   * not a `.rag` one: a model-written graph cannot raise it. Child runs inherit it.
   */
  readonly maxSendPackets?: number;
  /**
   * Most bytes of JSON a run's whole state may hold; default 512 MiB (`MAX_STATE_BYTES`).
   * Charged before each step's writes are applied or saved (`StateSizeError`,
   * `state_too_large`). A host setting, not a `.rag` one. Child runs inherit it (each run's
   * state is bounded on its own).
   */
  readonly maxStateBytes?: number;
  readonly clock?: Clock;
  /** Random numbers in [0, 1) for retry jitter. */
  readonly random?: () => number;
  /** Checkpointer of this run (default: the graph's). Interrupts and resume need one. */
  readonly checkpointer?: Checkpointer;
  /** When checkpoints are saved (default: the graph's `checkpoint` item, else `sync`); `none` saves nothing. */
  readonly durability?: Durability | "none";
  /** Continue the thread from its latest checkpoint (or `checkpointId`), answering its pending interrupts. */
  readonly resume?: ResumeCommand;
  /** The checkpoint to resume from (default: the thread's latest). */
  readonly checkpointId?: string;
  /**
   * Time travel to a subgraph run: `checkpointId` (default: its latest) is a checkpoint of
   * this child run's namespace (full form, e.g. `snapshot.subgraphs[id].namespace`, or a
   * node path like `"review"`). The run forks the thread there and continues the child
   * from that checkpoint (`subgraph-travel.ts`). Needs input null (or `resume`).
   */
  readonly checkpointNs?: string;
  /** Resume even though the blueprint hash differs from the checkpoint's. */
  readonly allowBlueprintChange?: boolean;
  /** Extra metadata stored with every checkpoint of this run (the CLI records how to resume it). */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /**
   * Synchronous observer of every event (child runs' included), called in order as the
   * event is emitted, before it is queued for a stream consumer — for telemetry (e.g.
   * the OpenTelemetry spans of `stdlib/telemetry`). Setting it turns event emission on
   * for `invoke` too.
   */
  readonly onEvent?: (event: RunEvent) => void;
  /**
   * Runs the branches of `send`s elsewhere (`distribute: branches`; `remote-branch.ts`):
   * runs with `sync` or `async` checkpoints — the root run and its child runs (subgraphs,
   * at any depth) — hand their send tasks to it instead of running them in this process.
   * Default: every task runs here.
   */
  readonly branches?: BranchRunner;
  /**
   * Which graphs hand their branches to `branches`: `all` (default) — every graph of the
   * run; `declared` — a graph whose `defaults { distribute: branches }` asks for it, and
   * the child graphs it runs (a worker without `--distribute branches`).
   */
  readonly distribute?: "all" | "declared";
  /**
   * The run's budget account across a worker pool (`SpendLedger.gate`,
   * `registry/spend-gate.ts`), made for the root run (`runId`) from what the thread had
   * spent when it started (`base`): its calls, and its child runs', are claimed there
   * before they are made, as the branches it hands to `branches` claim theirs (a pool
   * worker passes both; `scale/pg-spend-gate.ts`). Default: the run's ledger in memory is
   * the whole account (in-process runs).
   */
  readonly spendGate?: (runId: string, base: Spend) => SpendGate;
  /** @internal Blueprint hash of the root run, set on child runs (a branch job names it: `BranchRef.root`). */
  readonly rootBlueprintHash?: string;
}

export interface RunResult {
  readonly runId: string;
  readonly threadId: string;
  /** `interrupted`: the run paused; resume the thread with answers to `interrupts`. */
  readonly status: "completed" | "interrupted";
  /** Final state (or the state at the pause), all channels. */
  readonly state: State;
  /** The `output` projection, or the last task's result when the graph declares no output; null when paused. */
  readonly output: unknown;
  /** Supersteps completed in the thread. */
  readonly steps: number;
  /** Wall time, ms. */
  readonly durationMs: number;
  readonly interrupts: readonly PendingInterrupt[];
  /** Failures the run recorded instead of failing (optional branches, on_error routes). */
  readonly errors: readonly RecordedError[];
  /** The latest checkpoint, when the run has a checkpointer. */
  readonly checkpointId?: string;
}

/** Identity of the parent when this run is a child (subgraph) run. */
export interface ParentLink {
  readonly rootRunId: string;
  readonly parentRunId: string;
  readonly threadId: string;
  readonly namespace: string;
  readonly depth: number;
  readonly taskIdPrefix: string;
  /** Checkpoint namespace of the child run. */
  readonly checkpointNs: string;
  readonly checkpointer: Checkpointer | undefined;
  readonly durability: Durability | undefined;
  /** The parent's resume values by interrupt id. */
  readonly answers: Readonly<Record<string, unknown>>;
  /**
   * The `budget` blocks of every enclosing run, outermost first: a graph's run budget
   * covers its child runs ("child runs included", `language.md`), so a child whose own
   * graph declares none is still charged against them.
   */
  readonly enclosingBudgets: readonly Json[];
  /**
   * The root run's budget ledger (`registry/spend.ts`): a child run charges its calls to
   * it. Absent for a run linked from outside the runtime without one (it keeps its own).
   */
  readonly spend?: SpendLedger;
  /**
   * Where the tasks that ran this child run (and its enclosing ones), outermost first,
   * count model calls (`runtime/task-usage.ts`): each call of the child is counted on
   * them too, so a subgraph task's record shows what its child run spent.
   */
  readonly usageSinks?: readonly UsageSink[];
  /** The Send packets in flight in the run tree (`planning.ts` `PacketGauge`), shared with the root run. */
  readonly packets?: PacketGauge;
  /**
   * Who asked for the tool calls of the parent's conversation (`model-asks.ts`): a
   * conversation handed to the child as input keeps the provenance its calls had there.
   */
  readonly asks?: ModelAsks;
}

/** What a stream consumer asked for (`runtime.md` §6 modes). */
export interface StreamModes {
  readonly values?: boolean;
  readonly updates?: boolean;
  readonly tokens?: boolean;
}

export interface EventSink {
  (event: RunEvent): Promise<void>;
  readonly modes?: StreamModes;
  /** The event types the consumer keeps (every type when absent): the others are not even built. */
  readonly types?: ReadonlySet<string>;
}
