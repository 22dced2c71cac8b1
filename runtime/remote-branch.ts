/**
 * Branches run elsewhere (`distribute: branches`, issue 13 §2): the tasks a `send` fans
 * out can be handed to a `BranchRunner` (in `scale/`, a BullMQ queue that any worker of
 * the pool consumes) instead of running in the run's own process. The contract:
 *
 * - The run hands over a branch only when the checkpoint its step runs from is stored
 *   (`sync` or `async` durability, after the async queue drained), so whoever runs the
 *   branch reads the same state from the checkpointer (`runBranchAt`).
 * - The branch's outcome is committed as the task's pending writes of that checkpoint
 *   (the record a local task saves: its channel writes and how it ended) before the
 *   runner reports it. A crashed run continues from the checkpoint and finds these
 *   records: completed branches are restored, not run again (`runtime.md` §3).
 * - The step's barrier is the join: the superstep ends when every branch has ended, as
 *   for local tasks, so the join fires exactly once with the usual `wait` semantics.
 * - A branch may pause (`interrupt()`: a tool call waiting for approval, a custom kind
 *   asking a person): the runner reports its interrupts instead of a record, and the run
 *   records them with the checkpoint and pauses as for a local task. On resume the
 *   branch is handed over again and runs from its start, its `interrupt()` calls
 *   returning the answers the resume recorded against that checkpoint.
 *
 * After LangGraph's `Send` (branches are independent tasks of one superstep whose writes
 * are saved per task) and Pregel's workers (a superstep's vertices computed on any
 * machine, the barrier after them).
 */
import type { Json, NodeSpec } from "../compiler/index.js";
import { addSpend, JointLedger, readSpend, SpendBook, type Spend, type SpendGate, type SpendLedger } from "../registry/index.js";
import { recordedAnswers, SPECIAL, spentAt, type CheckpointTuple, type PendingInterrupt } from "./checkpoint/types.js";
import { CancelledError, errorToJson, RagError } from "./errors.js";
import type { RunEvent, RunEventBody, RunEventType } from "./events.js";
import type { PlannedTask } from "./planner-state.js";
import { neutralizeJson } from "./safe-json.js";
import type { BranchChildRun, BranchResult } from "./branch-runner.js";
import type { LoopGraph } from "./loop-graph.js";
import { recordOf, type TaskRecord } from "./task-record.js";
import type { Clock, TaskEnv } from "./task-env.js";
import { executeTask } from "./task.js";
import { ModelAsks } from "./model-asks.js";

type Writes = readonly (readonly [channel: string, value: unknown])[];

const INTERRUPT_KINDS = new Set(["before", "after", "node"]);

/**
 * The interrupts a branch runner reported for `task` (a result that came back over the
 * queue, so checked): each must be an `interrupt()` of that very task (`<task>#<n>`) in
 * `namespace`; undefined when the result is not a well-formed pause of this task (or a
 * payload holds a forbidden key: payloads are copied null-prototype).
 */
export function branchInterrupts(res: unknown, task: Pick<PlannedTask, "id" | "node">, namespace: string): readonly PendingInterrupt[] | undefined {
  if (!res || typeof res !== "object" || !("interrupts" in res)) return undefined;
  const list = (res as { interrupts: unknown }).interrupts;
  if (!Array.isArray(list) || !list.length || list.length > 1000) return undefined;
  const out: PendingInterrupt[] = [];
  for (const i of list as unknown[]) {
    if (!i || typeof i !== "object") return undefined;
    const x = i as Record<string, unknown>;
    if (typeof x.id !== "string" || !x.id.startsWith(`${task.id}#`) || x.taskId !== task.id || x.node !== task.node || x.namespace !== namespace || !INTERRUPT_KINDS.has(String(x.kind))) return undefined;
    let payload: unknown;
    try {
      payload = x.payload === undefined ? undefined : neutralizeJson(x.payload);
    } catch {
      return undefined;
    }
    out.push({ id: x.id, kind: x.kind as PendingInterrupt["kind"], node: task.node, taskId: task.id, ...(payload !== undefined ? { payload } : {}), namespace });
  }
  return out;
}

/**
 * Node kinds a branch may not be handed over with: child graphs (a child run is a run of
 * its own, with its own checkpoints; its fan-outs are distributed from where it runs).
 * `interrupt` nodes are handed over like any node that calls `interrupt()`: the branch
 * job reports the pause, and on resume it runs from the same checkpoint with the answer
 * recorded there (their `options` routes travel in the record). `interrupt before/after`
 * targets are too: those pauses are the run loop's, around the step (`boundaryInterrupts`),
 * so the task itself is an ordinary one.
 */
const LOCAL_KINDS = new Set(["subgraph", "subagent"]);

/** True when a planned task is a `send` branch that can run elsewhere (not detached, not `blocking false`, not a child graph). */
export function isRemoteBranch(task: PlannedTask, nodes: ReadonlyMap<string, NodeSpec>): boolean {
  if (task.trigger !== "send" || task.implicit) return false;
  const spec = nodes.get(task.node);
  return spec !== undefined && spec.blocking !== false && !LOCAL_KINDS.has(spec.kind);
}

/** What `runBranchAt` needs besides the graph. */
export interface BranchRunOptions {
  readonly signal: AbortSignal;
  readonly clock?: Clock;
  /**
   * Receives the events the branch emits while it runs (model calls, tool calls, retries,
   * denials), stamped with the run's ids (`runId` = the checkpoint's `queueRun`, the step
   * the branch runs in, its task id and node), so whoever runs the branch can forward them
   * to the run's watchers. `task_started`/`task_completed` are the run's own (it emits them
   * around the hand-over) and never come here. Without it the branch emits nothing.
   */
  readonly onEvent?: (event: RunEvent) => void;
  /** Event types `onEvent` wants (default: all but `model_token`). */
  readonly types?: ReadonlySet<RunEventType>;
  /** A branch of a child run: the child run's identity (`BranchRef.child`), stamped on its events. */
  readonly child?: BranchChildRun;
  /** A branch of a child run: the `budget` blocks of the graphs enclosing it, outermost first (as `TaskEnv.enclosingBudgets`). */
  readonly enclosingBudgets?: readonly Json[];
  /**
   * A branch of a child run: who asked for calls in the runs enclosing it (`enclosingAsks`,
   * read from the checkpoint store), as a child run in one process sees its parent's
   * records. Without it the branch's executor sees its own run's records only.
   */
  readonly enclosingAsks?: ModelAsks;
  /** What the thread had spent when the run handed the branch over (`BranchRef.spent`): the branch's ledger starts from it. */
  readonly spent?: Spend;
  /**
   * Saves the branch's `__spend__` record (`key`: `spend:<task id>:<attempt>`) against the
   * branch's checkpoint, replacing the previous one of that key; awaited before each
   * budgeted call (its reservation is stored before the call is made). Without it the
   * branch's spend is only reported with its result.
   */
  readonly saveSpend?: (key: string, record: Spend) => Promise<void>;
  /**
   * The worker's ledger for this step's branches running in its process (one per thread,
   * namespace and checkpoint, kept while any of them runs): concurrent branches of a step
   * on one worker see each other's reservations at once, as tasks of one process do. `keys`
   * are their `__spend__` record keys (this branch's is added), left out of what is read
   * from the store, so nothing is counted twice.
   */
  readonly share?: { readonly ledger: SpendLedger; readonly keys: Set<string> };
  /**
   * The run's budget account across the worker pool (`RunOptions.spendGate`: the root
   * run's id, `base` what the branch's ledger starts from, used only when the run made no
   * account yet): the branch's calls are claimed there before they are made, so branches
   * on different workers (and the run's own calls) never together pass a limit.
   */
  readonly spendGate?: (runId: string, base: Spend) => SpendGate;
}

const realClock: Clock = { now: () => Date.now() };
const RESOLVED = Promise.resolve();
/** Events the run emits itself around a handed-over branch. */
const OWN_EVENTS: ReadonlySet<RunEventType> = new Set(["task_started", "task_completed", "task_failed"]);

/**
 * Runs one branch task of a stored checkpoint (the `runner` side of `BranchRunner`):
 * the task is found among the checkpoint's next tasks, runs against the checkpoint's
 * state with the graph's registry, retry and timeout policy, and its record is returned
 * (the caller commits it as the task's pending writes). A branch whose record is already
 * stored (a retried job) returns that record without running again. A branch that pauses
 * returns its interrupts (nothing to commit: the run records them); its `interrupt()`
 * calls return the answers a resume recorded against the checkpoint (`__resume__`).
 *
 * @throws BranchError when the checkpoint was made by another blueprint than `g`'s, or
 *   does not plan the task.
 */
export async function runBranchAt(g: LoopGraph, tuple: CheckpointTuple, taskId: string, options: BranchRunOptions): Promise<{ result: BranchResult; writes: Writes | undefined }> {
  // What earlier attempts of this branch spent (a worker that died mid-call, a job retried):
  // reported with the result, so the run charges every attempt, not only the last.
  const attempts = `spend:${taskId}:`;
  let prior: Spend = { tokens: 0, usd: 0 };
  for (const w of tuple.pendingWrites) if (w.channel === SPECIAL.spend && w.taskId.startsWith(attempts)) prior = addSpend(prior, readSpend(w.value));
  const withSpend = <T extends object>(r: T, spend: Spend): T & { spend?: Spend } => (spend.tokens || spend.usd ? { ...r, spend } : r);
  const done = tuple.pendingWrites.find((w) => w.taskId === taskId && w.channel === SPECIAL.task);
  if (done && tuple.checkpoint.blueprintHash === g.blueprint.hash) {
    const writes = tuple.pendingWrites.filter((w) => w.taskId === taskId && !w.channel.startsWith("__")).map((w) => [w.channel, w.value] as const);
    return { result: withSpend({ record: { writes, done: done.value as TaskRecord["done"] } }, prior), writes: undefined };
  }
  const ck = tuple.checkpoint;
  const bp = g.blueprint;
  // The checkpoint's own blueprint only: a branch job naming another blueprint (a forged
  // or stale job) must not run that blueprint's node of the same name on this thread's state.
  if (ck.blueprintHash !== bp.hash) throw new BranchError(`checkpoint ${ck.id} of thread ${ck.threadId} was made by blueprint ${ck.blueprintHash.slice(0, 19)}…, not by \`${bp.id}\` (${bp.hash.slice(0, 19)}…): the branch is refused`);
  const task = ck.next.find((t) => t.id === taskId);
  if (!task) throw new BranchError(`checkpoint ${ck.id} of thread ${ck.threadId} plans no task ${taskId} (graph \`${bp.id}\`)`);
  if (!isRemoteBranch(task, g.index.nodes)) throw new BranchError(`task ${taskId} (node \`${task.node}\`) of thread ${ck.threadId} cannot run as a distributed branch`);
  const clock = options.clock ?? realClock;
  const onEvent = options.onEvent;
  const types = options.types;
  const wants = (type: RunEventType): boolean => onEvent !== undefined && !OWN_EVENTS.has(type) && (types ? types.has(type) : type !== "model_token");
  const rootRunId = String(tuple.metadata.queueRun ?? "branch");
  const child = options.child;
  const run = child
    ? { runId: child.runId, rootRunId, parentRunId: child.parentRunId, threadId: ck.threadId, graph: bp.id, namespace: child.namespace, checkpointNs: ck.namespace, depth: child.depth }
    : { runId: rootRunId, rootRunId, threadId: ck.threadId, graph: bp.id, namespace: bp.id, checkpointNs: ck.namespace, depth: 0 };
  const aborted = new Promise<never>((_, reject) => {
    const fire = () => reject(options.signal.reason);
    if (options.signal.aborted) fire();
    else options.signal.addEventListener("abort", fire, { once: true });
  });
  aborted.catch(() => {});
  // The branch's budget ledger starts from what the thread had spent: the run's ledger when
  // it handed the branch over, and (root namespace) what the store records for the step's
  // checkpoint — the run's record, branches that committed since, earlier attempts of this one.
  // Records of branches counted live by the worker's share of this step are left out (counted once).
  const share = options.share;
  const counted = (w: { taskId: string; channel: string }) => w.channel === SPECIAL.spend && !share?.keys.has(w.taskId);
  const hint = options.spent === undefined ? { tokens: 0, usd: 0 } : readSpend(options.spent);
  let base: Spend;
  if (ck.namespace === "") base = maxSpend(hint, spentAt({ checkpoint: ck, pendingWrites: tuple.pendingWrites.filter(counted) }));
  else {
    base = hint;
    for (const w of tuple.pendingWrites) if (counted(w) && w.taskId.startsWith(attempts)) base = addSpend(base, readSpend(w.value));
  }
  const save = options.saveSpend;
  const key = `${attempts}${globalThis.crypto.randomUUID().slice(0, 8)}`;
  share?.keys.add(key);
  // With a share: checked against `base` plus what the worker's branches of this step spend
  // and reserve (they see each other's calls in flight), charged to the share and to this
  // branch's own record. Without: a ledger of its own from `base`.
  const own = new SpendBook(share ? undefined : base, save ? (record) => save(key, record) : undefined);
  if (options.spendGate) own.gate = options.spendGate(rootRunId, base);
  const book = share ? new JointLedger(own, base, share.ledger) : own;
  const env: TaskEnv = {
    blueprint: bp,
    registry: g.registry,
    authority: g.authority,
    nodes: g.index.nodes,
    run,
    step: ck.step + 1,
    input: ck.input,
    state: g.channels.restore(ck.values),
    messagesChannel: g.channels.messagesChannel,
    signal: options.signal,
    aborted,
    clock,
    emit: onEvent
      ? (body: RunEventBody, t?: { taskId: string; node: string }) => {
          if (!wants(body.type)) return RESOLVED;
          const ids = child
            ? { runId: run.runId, rootRunId, parentRunId: child.parentRunId, threadId: ck.threadId, step: ck.step + 1, taskId: t?.taskId ?? task.id, node: t?.node ?? task.node, namespace: run.namespace, depth: run.depth, timestamp: clock.now() }
            : { runId: run.runId, rootRunId, threadId: ck.threadId, step: ck.step + 1, taskId: t?.taskId ?? task.id, node: t?.node ?? task.node, namespace: run.namespace, depth: 0, timestamp: clock.now() };
          onEvent(Object.assign({}, body, ids) as RunEvent);
          return RESOLVED;
        }
      : () => RESOLVED,
    wants,
    random: Math.random,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        const t = setTimeout(resolve, ms);
        signal.addEventListener("abort", () => (clearTimeout(t), reject(signal.reason)), { once: true });
      }),
    runChild: () => Promise.reject(new BranchError(`node \`${task.node}\` runs a child graph, which a distributed branch cannot`)),
    ...(options.enclosingBudgets?.length ? { enclosingBudgets: options.enclosingBudgets } : {}),
    // What a resume answered (recorded against this checkpoint before the branch was handed over).
    answers: recordedAnswers(tuple),
    namespace: tuple.config.namespace ?? "",
    canInterrupt: true,
    tokens: false,
    spend: book,
    // Who asked for the checkpoint's pending calls: its own run's records, then (a child run's
    // branch) those of the runs enclosing it, as the caller read them from the store.
    asks: withEnclosing(new ModelAsks(ck.asks), options.enclosingAsks),
  };
  const o = await executeTask(task, env);
  const spend = addSpend(prior, own.record());
  // A branch whose work completed is recorded even when the run stopped waiting meanwhile
  // (its record is valid against the checkpoint: a resume restores it instead of running it again).
  if (options.signal.aborted && !o.ok) throw options.signal.reason instanceof Error ? options.signal.reason : new CancelledError("the branch was cancelled");
  if (!o.ok && o.interrupts) return { result: withSpend({ interrupts: o.interrupts }, spend), writes: undefined };
  const rec = recordOf(o, g.index.nodes);
  if (rec && rec.some(([c]) => c === SPECIAL.task)) {
    const d = rec.find(([c]) => c === SPECIAL.task)![1] as TaskRecord["done"];
    return { result: withSpend({ record: { writes: rec.filter(([c]) => c !== SPECIAL.task), ...(d ? { done: d } : {}) } }, spend), writes: rec };
  }
  const error = o.ok ? { code: "internal", message: "branch ended without a record" } : errorToJson(o.error);
  return { result: withSpend({ error }, spend), writes: undefined };
}

/** `asks` with `enclosing` as the records of the runs around it. */
function withEnclosing(asks: ModelAsks, enclosing: ModelAsks | undefined): ModelAsks {
  if (enclosing) asks.enclosing = enclosing;
  return asks;
}

/** The larger of `a` and `b`, figure by figure (totals and each node). */
function maxSpend(a: Spend, b: Spend): Spend {
  const nodes = Object.create(null) as Record<string, { tokens: number; usd: number }>;
  for (const s of [a, b]) {
    for (const [name, n] of Object.entries(s.nodes ?? {})) {
      const t = (nodes[name] ??= { tokens: 0, usd: 0 });
      t.tokens = Math.max(t.tokens, n.tokens);
      t.usd = Math.max(t.usd, n.usd);
    }
  }
  return { tokens: Math.max(a.tokens, b.tokens), usd: Math.max(a.usd, b.usd), nodes };
}

/** A branch that cannot be run from the checkpoint it names. */
export class BranchError extends RagError {
  readonly code = "branch";
}
