/**
 * Typed runtime errors (`runtime.md` §5). Every error has a stable `code`, carries the
 * graph, node, task id and step where it happened, and serialises to plain JSON for
 * `run_failed` events.
 */
import { RagError, type ErrorWhere } from "../registry/rag-error.js";

// The base class lives in registry/ (the earliest stage whose errors are runtime errors:
// the budget ledger's); runtime code and its users import it from here.
export { RagError, type ErrorWhere };

/**
 * Error classes of a failed task; only `retryable`, `rate_limited` and `timeout` are
 * retried by default. `budget_exceeded`: a token or USD budget of the run or the node
 * would be (or was) exceeded by a model call (the harness's budget middleware).
 */
export type ErrorClass = "permanent" | "retryable" | "rate_limited" | "auth" | "timeout" | "cancelled" | "validation" | "budget_exceeded";

/** The source did not compile; `diagnostics` say why. */
export class CompileError extends RagError {
  readonly code = "compile";
  constructor(message: string, readonly diagnostics: readonly unknown[] = [], where: ErrorWhere = {}) {
    super(message, where);
  }
}

/** A blueprint names something the registry cannot provide (model, tool, kind, graph …). */
export class BindError extends RagError {
  readonly code = "bind";
  constructor(message: string, readonly missing: readonly string[] = [], where: ErrorWhere = {}) {
    super(message, where);
  }
  protected override details() {
    return { missing: this.missing };
  }
}

/**
 * The registry's policy gates this blueprint (it is generated, or the policy reviews
 * everything) and its hash is not approved (`registry/review.ts`). Approve this exact
 * version (`rag approve FILE`, or `approveBlueprint`) to run it.
 */
export class ReviewRequiredError extends RagError {
  readonly code = "review_required";
  constructor(message: string, readonly hash: string, readonly policy: string, where: ErrorWhere = {}) {
    super(message, where);
  }
  protected override details() {
    return { hash: this.hash, policy: this.policy };
  }
}

/** A blueprint binds capabilities that the registry's policy does not allow it (e.g. built without the compiler). */
export class PolicyError extends RagError {
  readonly code = "policy";
  /**
   * @param disallowed `kind.name` of each refused capability.
   * @param refusals each refusal as the decision gave it (`bindRefusals`): kind, name, rule, reason.
   */
  constructor(message: string, readonly disallowed: readonly string[], readonly policy: string, where: ErrorWhere = {}, readonly refusals: readonly { readonly kind: string; readonly name: string; readonly rule: string; readonly reason: string }[] = []) {
    super(message, where);
  }
  protected override details() {
    return { disallowed: this.disallowed, policy: this.policy };
  }
}

/** A task failed. `errorClass` decides whether it is retried. */
export class NodeError extends RagError {
  readonly code = "node";
  constructor(
    message: string,
    readonly errorClass: ErrorClass,
    where: ErrorWhere = {},
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, where, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
  readonly retryAfterMs?: number;
  protected override details() {
    return { errorClass: this.errorClass, ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}) };
  }
}

/**
 * A capability use was refused by the one authorisation check (`compiler/grants.ts`):
 * the caller does not bind it, a limit in scope (the graph's `allow` lists, an enclosing
 * graph's or session's grants) leaves it out, or the registry's policy disallows it.
 * Permanent: the same request is refused again. Nothing was run.
 */
export class CapabilityDeniedError extends RagError {
  readonly code = "capability_denied";
  constructor(
    message: string,
    /** The refused capability: kind (`tools`, `models`, …) and name. */
    readonly capability: { readonly kind: string; readonly name: string },
    /** The path the use took (`agent_loop`, `send`, `codeact`, …). */
    readonly caller: string,
    /** Which part of the rule refused it: `not-granted`, `limit` or `policy`. */
    readonly rule: string,
    where: ErrorWhere = {},
  ) {
    super(message, where);
  }
  protected override details() {
    return { capability: this.capability, caller: this.caller, rule: this.rule };
  }
}

/** A write does not fit its channel (wrong type, unknown channel, reducer misuse). */
export class InvalidUpdateError extends RagError {
  readonly code: string = "invalid_update";
  constructor(message: string, readonly channel: string, where: ErrorWhere = {}) {
    super(message, where);
  }
  protected override details() {
    return { channel: this.channel };
  }
}

/** Two tasks of one superstep wrote the same `overwrite` channel (`runtime.md` §1). */
export class InvalidConcurrentUpdateError extends InvalidUpdateError {
  override readonly code = "invalid_concurrent_update";
  constructor(channel: string, readonly tasks: readonly string[], where: ErrorWhere = {}) {
    // The first 20 named (the rest counted): a fan-out's error listed every one of 40,000 tasks.
    const named = tasks.length > 20 ? `${tasks.slice(0, 20).join(", ")} and ${tasks.length - 20} more` : tasks.join(", ");
    super(`channel \`${channel}\` (overwrite) received writes from ${tasks.length} tasks in one superstep: ${named}; use an aggregate reducer such as append, or write from one task`, channel, where);
  }
  /** As the message: the first 20 tasks, and how many more (the JSON of a run's error and events stays small). */
  protected override details() {
    return this.tasks.length > 20 ? { channel: this.channel, tasks: this.tasks.slice(0, 20), moreTasks: this.tasks.length - 20 } : { channel: this.channel, tasks: this.tasks };
  }
}

/** The run took more supersteps than `recursion_limit`. */
export class RecursionLimitError extends RagError {
  readonly code = "recursion_limit";
  constructor(readonly limit: number, where: ErrorWhere = {}) {
    super(`recursion limit of ${limit} supersteps reached without the graph ending; raise \`recursion_limit\` in \`defaults\` or add an exit`, where);
  }
  protected override details() {
    return { limit: this.limit };
  }
}

/**
 * A subgraph call would nest child runs deeper than the run allows (`RunOptions.maxSubgraphDepth`,
 * default {@link DEFAULT_MAX_SUBGRAPH_DEPTH}). Checked before the child starts, so a chain of
 * thousands of subgraphs (or a graph that calls itself) fails with this error instead of
 * growing checkpoint namespaces and memory without bound.
 */
export class SubgraphDepthError extends RagError {
  readonly code = "subgraph_depth";
  constructor(readonly limit: number, readonly target: string, where: ErrorWhere = {}) {
    super(`calling graph \`${target}\` would nest subgraphs ${limit + 1} deep; the limit is ${limit} (a graph that calls itself, or a chain of subgraphs too long to run)`, where);
  }
  protected override details() {
    return { limit: this.limit, target: this.target };
  }
}

/**
 * A run tree started more child runs (subgraph nodes, sends to a graph, `task.runGraph`)
 * than it allows (`RunOptions.maxChildRuns`, default {@link DEFAULT_MAX_CHILD_RUNS}):
 * charged before each child starts, over the whole tree and its whole life.
 */
export class ChildRunLimitError extends RagError {
  readonly code = "child_run_limit";
  constructor(readonly limit: number, readonly target: string, where: ErrorWhere = {}) {
    super(`calling graph \`${target}\` would start more than ${limit} child runs in this run tree (a graph that sends to itself, or a fan-out of subgraphs too wide to run); the limit is ${limit}`, where);
  }
  protected override details() {
    return { limit: this.limit, target: this.target };
  }
}

/**
 * Two tasks of one superstep called the same persistent subgraph node (`persistent true`,
 * `runtime.md` §3): both would continue the one state the node keeps in the thread, and
 * which call's result the other builds on would depend on timing. The second call is
 * refused before its child run starts. LangGraph.js does not check this (its
 * `MultipleSubgraphsError` is no longer thrown; concurrent calls of a `checkpointer: true`
 * subgraph write into one namespace).
 */
export class ConcurrentSubgraphError extends RagError {
  readonly code = "concurrent_subgraph";
  constructor(readonly namespace: string, readonly tasks: readonly string[], where: ErrorWhere = {}) {
    super(`persistent subgraph node \`${where.node ?? "?"}\` was called by ${tasks.length} tasks in one superstep (${tasks.join(", ")}); a persistent subgraph keeps one state per thread and runs one call per superstep — send to it from one task per step, or drop \`persistent\` to give each call its own state`, where);
  }
  protected override details() {
    return { namespace: this.namespace, tasks: this.tasks };
  }
}

/** Most Send packets one task's `send [ … ]` may dispatch (all its sends together, in one fan-out). */
export const MAX_SEND_PACKETS = 10_000;

/**
 * A node's `send [ … for x in LIST ]` would dispatch more than {@link MAX_SEND_PACKETS}
 * packets. Checked from the list's length before any packet, task or event is built, so a
 * run input of ten million items fails here instead of planning ten million tasks (each a
 * task record, a fan-out slot, a pending write and an event entry: ~1.3 GB and 47 s for a
 * million, issue 10 second red-team round).
 */
export class FanoutLimitError extends RagError {
  readonly code = "fanout_limit";
  /**
   * @param scope `"fanout"`: one task's sends went past `limit`; `"step"`: the packets in
   *   flight in the run tree would (`STEP_SEND_PACKETS_FACTOR`); `"bytes"`: their arguments
   *   would pass `limit` bytes of JSON (`MAX_SEND_PAYLOAD_BYTES`).
   */
  constructor(readonly limit: number, readonly requested: number, where: ErrorWhere = {}, readonly scope: "fanout" | "step" | "bytes" = "fanout") {
    super(
      scope === "step"
        ? `node \`${where.node ?? "?"}\`: its \`send\` would bring the packets dispatched in one superstep to ${requested}; a superstep dispatches at most ${limit} (nested fan-outs multiply: each branch of a fan-out that sends again adds its own packets)`
        : scope === "bytes"
          ? `node \`${where.node ?? "?"}\`: its \`send\` would bring the arguments of the packets in flight to more than ${limit} bytes of JSON (each packet keeps its own copy in the checkpoint: a value sent to many branches is stored once per branch); send what tells the branches apart, and read a shared value from state`
          : `node \`${where.node ?? "?"}\`: its \`send\` would dispatch ${requested} packets; one fan-out sends at most ${limit} (split the list into batches, e.g. send one packet per chunk)`,
      where,
    );
  }
  protected override details() {
    return { limit: this.limit, requested: this.requested, scope: this.scope };
  }
}

/**
 * Most Send packets the tasks of one superstep dispatch together, as a multiple of the
 * per-task limit (`MAX_SEND_PACKETS` or `RunOptions.maxSendPackets`): 100,000 by default.
 * The per-task limit alone did not bound a step: every branch of a 1,000-packet fan-out
 * that sent 1,000 packets again planned a million tasks in one step (90 s, 3.4 GB), and
 * 10,000 × 10,000 exhausted the heap (red team 12A).
 */
export const STEP_SEND_PACKETS_FACTOR = 10;

/**
 * Most bytes of JSON the arguments of the Send packets in flight in a run tree carry
 * together (64 MiB), measured as a checkpoint would store them — a value passed by
 * reference to many packets counts once per packet, as each packet's task record keeps
 * a copy. A 1 kB file doubled a string to 16 MB with `join` and sent it to 100 branches
 * by reference: the checkpoint write failed "Invalid string length" (red team 12A).
 */
export const MAX_SEND_PAYLOAD_BYTES = 64 * 1024 * 1024;

/**
 * Most bytes of JSON the writes of the tasks in flight in a run tree hold together
 * (256 MiB): charged where each task completes, before its record is saved, and given back
 * when the step's barrier applies it (or its run ends). Measured as the checkpoint stores
 * them — a value written by reference to many fields, or by many branches, counts once per
 * write, as each is a blob or a record of its own. `set { f0: state.s, …, f99: state.s }`
 * over a 16 MB string stored 1.6 GB in one checkpoint (105 s, 2.2 GB of memory; red team 12A).
 */
export const MAX_STEP_WRITE_BYTES = 256 * 1024 * 1024;

/**
 * Most bytes of JSON a run's whole state may hold (512 MiB by default; `RunOptions.maxStateBytes`
 * or the config's `limits.maxStateBytes`). Tracked per channel as the writes are measured
 * (`state-size.ts`), charged where each task completes and again at the barrier, before the
 * step's writes are applied or saved. `MAX_STEP_WRITE_BYTES` bounds one step: a loop that
 * adds a field or an item sharing one value each step grew the state (`values`, `getState`,
 * a run's result, a resume rebuilding it) without limit, each step within it (red team 12A).
 */
export const MAX_STATE_BYTES = 512 * 1024 * 1024;

/**
 * A step would bring a run's state past its bound (`MAX_STATE_BYTES` or the configured
 * `maxStateBytes`), as JSON bytes: the run fails before the step's writes are applied or a
 * checkpoint of the step is saved; the last checkpoint is the last step within the bound.
 */
export class StateSizeError extends RagError {
  readonly code = "state_too_large";
  /**
   * @param limit the bound, bytes of JSON.
   * @param requested the state's size the step would leave, bytes (at least; the count stops past the bound).
   * @param channel the state field that grew.
   */
  constructor(readonly limit: number, readonly requested: number, readonly channel: string, where: ErrorWhere = {}) {
    super(
      `graph \`${where.graph ?? "?"}\`, node \`${where.node ?? "?"}\`: its writes would bring the run's state to more than ${limit} bytes of JSON (field \`${channel}\` grew); a run's state holds at most ${limit} (the \`maxStateBytes\` run limit): a loop that adds a field or an item every step keeps all of them — keep one, or store large values outside the state`,
      where,
    );
  }
  protected override details() {
    return { limit: this.limit, requested: this.requested, channel: this.channel };
  }
}

/** Default maximum nesting of child runs (subgraph nodes and graph sends) under one root run. */
export const DEFAULT_MAX_SUBGRAPH_DEPTH = 64;

/**
 * Child runs one run tree may start in all (`ChildRunLimitError`): the depth limit alone let a
 * graph that sends to itself twice grow a tree of 2^64 runs, each branch's failure at the
 * depth limit leaving its siblings running (red team 13A: `rag run` held 1 GB for minutes).
 * 10,000 is one whole fan-out of `MAX_SEND_PACKETS` graph sends; a child run costs ~3.5 ms.
 */
export const DEFAULT_MAX_CHILD_RUNS = 10_000;

/**
 * An interrupt (`runtime.md` §4) could not pause the run: interrupts need a checkpointer
 * and a thread id, because the run resumes from the checkpoint saved at the pause.
 */
export class InterruptError extends RagError {
  readonly code = "interrupt";
  constructor(message: string, readonly payload: unknown = undefined, where: ErrorWhere = {}) {
    super(message, where);
  }
}

/** A resume command does not fit the pending interrupts (unknown id, missing value, value outside the options). */
export class InvalidResumeError extends RagError {
  readonly code = "invalid_resume";
}

/**
 * A resume command (`resume(thread, command)`, `RunOptions.resume`, a queued resume job)
 * was refused before any work because it is larger than `limitBytes` (characters of JSON
 * text, `MAX_RESUME_BYTES`) or nests deeper than `limitDepth` levels — whichever path it
 * came by, the HTTP body limit is not the only bound.
 */
export class ResumeTooLargeError extends RagError {
  readonly code = "resume_too_large";
  constructor(message: string, readonly limitBytes: number, readonly limitDepth: number, where: ErrorWhere = {}) {
    super(message, where);
  }
  protected override details(): Record<string, unknown> {
    return { limitBytes: this.limitBytes, limitDepth: this.limitDepth };
  }
}

/** A checkpointer failed or refused (no checkpoint to resume, a broken database …). */
export class CheckpointError extends RagError {
  readonly code: string = "checkpoint";
}

/**
 * Another run holds this thread: a run in another process (its SQLite lease, its Postgres
 * advisory lock) or in this one (the same store). Nothing was read or written; retry when
 * that run has ended. Two runs of one thread at once would each start from the same
 * state and spend, and together spend its budget twice over.
 */
export class ThreadBusyError extends CheckpointError {
  override readonly code = "thread_busy";
  constructor(
    readonly threadId: string,
    message = `thread ${threadId} is busy: another process is running it (its checkpoints are locked); retry when that run has ended`,
    where: ErrorWhere = {},
  ) {
    super(message, where);
  }
  protected override details() {
    return { threadId: this.threadId };
  }
}

/**
 * A checkpoint namespace (a child run's address, `runtime/namespace.ts`) is malformed, or
 * names no child run of the thread (`getState`/`getStateHistory`/`updateState` with
 * `namespace`, a run with `checkpointNs`). `namespace` is the one given (at most 64
 * characters of an over-long one).
 */
export class NamespaceError extends CheckpointError {
  override readonly code = "checkpoint_namespace";
  /**
   * @param reason `malformed`: the namespace (or the request around it) is not valid;
   *   `not_found`: it is well formed but names no child run of the thread (HTTP 400 vs 404).
   */
  constructor(
    message: string,
    readonly namespace: string,
    where: ErrorWhere = {},
    readonly reason: "malformed" | "not_found" = "malformed",
  ) {
    super(message, where);
  }
  protected override details(): Record<string, unknown> {
    return { namespace: this.namespace, reason: this.reason };
  }
}

/**
 * Resuming under a different blueprint than the checkpoint's was refused (`runtime.md`
 * §3: a migration is a new run). Pass `allowBlueprintChange` (`--allow-blueprint-change`)
 * to resume anyway.
 */
export class BlueprintMismatchError extends CheckpointError {
  override readonly code = "blueprint_mismatch";
  constructor(
    readonly threadId: string,
    readonly checkpointHash: string,
    readonly blueprintHash: string,
    where: ErrorWhere = {},
  ) {
    super(
      `thread \`${threadId}\` was checkpointed under blueprint ${checkpointHash.slice(0, 19)}…, but graph \`${where.graph ?? "?"}\` is now ${blueprintHash.slice(0, 19)}…; resuming under a changed blueprint is refused (start a new thread, or allow it explicitly with allowBlueprintChange / --allow-blueprint-change)`,
      where,
    );
  }
  protected override details() {
    return { threadId: this.threadId, checkpointHash: this.checkpointHash, blueprintHash: this.blueprintHash };
  }
}

/** The run input does not match the graph's `input` block. */
export class InvalidInputError extends RagError {
  readonly code = "invalid_input";
}

/** The run was cancelled through its AbortSignal. */
export class CancelledError extends RagError {
  readonly code = "cancelled";
}

/** An expression failed to evaluate (`language.md` §3). */
export class ExpressionError extends RagError {
  readonly code = "expression";
}

/** Best-effort error class of anything a node threw. */
export function classifyError(e: unknown): ErrorClass {
  if (e instanceof NodeError) return e.errorClass;
  if (e instanceof InvalidUpdateError || e instanceof ExpressionError) return "validation";
  const err = e as { name?: string; status?: number; code?: string } | undefined;
  if (err?.name === "AbortError" || err?.name === "CancelledError") return "cancelled";
  if (err?.name === "TimeoutError") return "timeout";
  const status = typeof err?.status === "number" ? err.status : undefined;
  if (status === 429) return "rate_limited";
  if (status === 401 || status === 403) return "auth";
  if (status === 408) return "timeout";
  if (status !== undefined && status >= 500) return "retryable";
  if (err?.code === "ECONNRESET" || err?.code === "ECONNREFUSED" || err?.code === "ETIMEDOUT") return "retryable";
  return "permanent";
}

/** The message of anything thrown. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Plain data for an error of any origin. */
export function errorToJson(e: unknown): Record<string, unknown> {
  if (e instanceof RagError) return e.toJSON();
  if (e instanceof Error) return { name: e.name, code: "error", message: e.message };
  return { name: "Error", code: "error", message: String(e) };
}
