/**
 * Child runs (`runtime.md` §2–3): a subgraph node or a graph send target runs another
 * graph as a child of the task, in the same thread, with its own checkpoint namespace
 * (`<parent task id>:<graph>`, plus `@<lineage>` on a replayed or forked branch of the
 * parent's history, nested with `|`: `namespace.ts`). A child that already checkpointed in
 * its namespace (the same task, before a crash or a pause) resumes instead of starting
 * over; a child that pauses makes its parent task pause with the child's interrupts; a
 * child that ends with a command for its parent (`graph: "PARENT"`) makes the task
 * complete with that command's writes and goto.
 *
 * Every child run is bound under the limits its calling node passes on
 * (`RunAuthority.childLimits`, i.e. compiler/grants.ts `childRunLimits`: the caller's
 * limits, a `repl_agent`'s grants, and `untrustedAllow` when the caller is generated); a
 * child that uses more is refused before it starts, each refused capability reported as a
 * `capability_denied` event of the calling task, and the task fails with a
 * CapabilityDeniedError (red team 11).
 *
 * A `persistent true` subgraph node's calls share one namespace per branch
 * (`<node>:<graph>[@<lineage>]`): each call continues the state the previous one left
 * (`persistent-child.ts`).
 */
import type { ChildRunResult, RunInfo } from "../registry/index.js";
import type { RunEventBody } from "./events.js";
import { CapabilityDeniedError, ChildRunLimitError, DEFAULT_MAX_CHILD_RUNS, DEFAULT_MAX_SUBGRAPH_DEPTH, NodeError, PolicyError, SubgraphDepthError } from "./errors.js";
import type { PacketGauge } from "./planning.js";
import { GraphInterrupt } from "./interrupt.js";
import { childNamespace, parentsOf } from "./namespace.js";
import { ParentCommand } from "./parent-command.js";
import { callingNode, isPersistentCall, preparePersistentCall, type PersistentCalls } from "./persistent-child.js";
import type { PlannedTask } from "./planner-state.js";
import { newId } from "./ids.js";
import type { LoopGraph } from "./loop-graph.js";
import type { EventSink, ParentLink, RunOptions } from "./run-options.js";
import type { UsageSink } from "./task-usage.js";

/**
 * What every child run of one parent run shares: made once per parent run (`run.ts`),
 * not per call. The fields picked from `ParentLink` are handed to each child's link as
 * they are: `checkpointer` (the thread's, when the parent checkpoints), `durability`
 * (the parent's, which a child inherits unless its graph sets one), `answers`,
 * `enclosingBudgets` (the graphs enclosing the child, outermost first), `spend` (the
 * root run's ledger) and `usageSinks` (the tasks of enclosing runs that count its calls).
 */
export interface ChildRunContext extends Pick<ParentLink, "checkpointer" | "durability" | "answers" | "enclosingBudgets" | "spend" | "usageSinks" | "asks" | "packets"> {
  /** The parent's options, as child runs inherit them (the branch runner and `distribute` included). */
  readonly options: RunOptions;
  /** Where the parent run's events go (its stream or observer); the child's go there too. */
  readonly sink: EventSink | undefined;
  /** The parent run. */
  readonly run: Omit<RunInfo, "step">;
  /** The parent run's signal: aborting it stops the child. */
  readonly signal: AbortSignal;
  /** Emits an event of the parent run, attributed to the calling task. */
  readonly emit: (body: RunEventBody, task?: { taskId: string; node: string }) => Promise<void>;
  /** The parent's checkpoint namespace (`""` for a root run). */
  readonly parentNs: string;
  /** The parent's history branch (`CheckpointMetadata.lineage`); absent on the original line. */
  readonly lineage?: string;
  /** The parent run's bookkeeping of persistent subgraph calls. */
  readonly persistentCalls: PersistentCalls;
}

/** Where in the parent run a child is called from. */
export interface ChildCallPoint {
  /** The parent's superstep the calling task runs in. */
  readonly step: number;
  /** The parent checkpoint the step runs from, when the parent checkpoints. */
  readonly parentCheckpoint?: string;
}

/**
 * Runs `graph` as a child of `task`; throws GraphInterrupt when the child pauses, and
 * SubgraphDepthError (before starting anything) when the child would nest deeper than
 * `options.maxSubgraphDepth`; CapabilityDeniedError (before starting anything, each
 * refusal reported as a `capability_denied` event) when the child uses a capability its
 * limits (`RunAuthority.childLimits` of the calling node) or the policy refuse. `caller`:
 * the path, for the refusal (`subgraph`, `send`, `codeact`, …; default from the task). For a `persistent true` subgraph node, throws NodeError
 * when the run has no checkpointer and ConcurrentSubgraphError when another task of the
 * step already called the node.
 */
export async function runChild(
  g: LoopGraph,
  ctx: ChildRunContext,
  graph: string,
  input: Record<string, unknown>,
  task: PlannedTask,
  at: ChildCallPoint,
  usage?: UsageSink,
  caller?: string,
): Promise<ChildRunResult> {
  const { options, sink, run, signal, emit, parentNs, checkpointer: saver, durability, answers, enclosingBudgets, spend, lineage, asks, packets } = ctx;
  const parentCheckpoint = at.parentCheckpoint;
  const maxDepth = options.maxSubgraphDepth ?? DEFAULT_MAX_SUBGRAPH_DEPTH;
  const where = { graph: run.graph, node: task.node, taskId: task.id };
  if (run.depth + 1 > maxDepth) throw new SubgraphDepthError(maxDepth, graph, where);
  // Charged before anything of the child is made, over the whole tree (`PacketGauge` is the root's).
  if (packets) {
    const maxRuns = options.maxChildRuns ?? g.registry.runLimits?.maxChildRuns ?? DEFAULT_MAX_CHILD_RUNS;
    // `!(<)`, not `>=`: a NaN bound refuses rather than lifting the limit.
    if (!(packets.childRuns < maxRuns)) throw new ChildRunLimitError(maxRuns, graph, where);
    packets.childRuns++;
  }
  const ids = { taskId: task.id, node: task.node };
  const from = callingNode(g.index.nodes, task);
  const limits = g.authority.childLimits(from);
  try {
    g.bindChild(graph, limits);
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    const path = caller ?? (task.implicit === "graph" ? "send" : (from?.kind ?? "subgraph"));
    const refusals = e.refusals.length ? e.refusals : [{ kind: "graphs", name: graph, rule: "policy", reason: e.message }];
    for (const r of refusals) await emit({ type: "capability_denied", capability: r.kind, name: r.name, caller: path, rule: r.rule, reason: `graph \`${graph}\` run by node \`${task.node}\`: ${r.reason}` }, ids);
    const first = refusals[0]!;
    throw new CapabilityDeniedError(`graph \`${graph}\` cannot run as a child of node \`${task.node}\`: ${refusals.map((r) => r.reason).join("; ")}`, { kind: first.kind, name: first.name }, path, first.rule, where);
  }
  const childRunId = newId("run");
  const persistent = isPersistentCall(g.index.nodes, task, graph);
  // Task ids repeat on every branch of the parent's history (`step.i`): the branch (`lineage`,
  // set by a replay or a fork of an older checkpoint) is part of the namespace, so a child run
  // of a replayed or forked parent starts afresh (LangGraph re-runs the subgraph there too).
  // A persistent node's calls share the node's namespace on the branch.
  const checkpointNs = childNamespace(parentNs, persistent ? task.node : task.id, graph, lineage);
  const parents = { ...parentsOf(options.metadata), ...(parentCheckpoint !== undefined ? { [parentNs]: parentCheckpoint } : {}) };
  // `caller` belongs to the persistent child that records it, not to the runs it starts.
  const { caller: _inherited, ...metadata }: Record<string, unknown> = { ...options.metadata };
  let resume: boolean;
  if (persistent) {
    if (!saver) throw new NodeError(`node \`${task.node}\` is \`persistent true\`: its subgraph's state is kept in the thread's checkpoints, and this run has none (pass a checkpointer, and do not turn checkpoints off)`, "permanent", where);
    const step = at.step;
    ctx.persistentCalls.claim(checkpointNs, step, task.id, where);
    const caller = { task: task.id, step };
    metadata.caller = caller;
    resume = await preparePersistentCall(saver, { threadId: run.threadId, namespace: checkpointNs, parentNs, lineage, node: task.node, graph }, caller, parents);
  } else {
    // A child that already checkpointed in this namespace (the same task, before a crash or a pause) resumes.
    resume = saver ? (await saver.getTuple({ threadId: run.threadId, namespace: checkpointNs })) !== undefined : false;
  }
  // The child's input is stored with its first checkpoint, once per child run however many
  // share the value: charged to the run tree's writes in flight until the child returns.
  const inputBytes = packets && input && !resume ? chargeChildInput(packets, input, graph, where) : 0;
  await emit({ type: "subrun_started", childRunId, target: graph, targetKind: "graph" }, ids);
  try {
    const childOptions: RunOptions = {
      runId: childRunId,
      signal,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.random ? { random: options.random } : {}),
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      ...(options.recursionLimit !== undefined ? { recursionLimit: options.recursionLimit } : {}),
      ...(options.maxSubgraphDepth !== undefined ? { maxSubgraphDepth: options.maxSubgraphDepth } : {}),
      ...(options.maxChildRuns !== undefined ? { maxChildRuns: options.maxChildRuns } : {}),
      ...(options.maxSendPackets !== undefined ? { maxSendPackets: options.maxSendPackets } : {}),
      ...(options.maxStateBytes !== undefined ? { maxStateBytes: options.maxStateBytes } : {}),
      // Every checkpoint of the child records the checkpoint each enclosing run ran it from
      // (namespace → id; LangGraph's `parents` metadata and `checkpoint_map`), so a time
      // travel to a child checkpoint knows which parent checkpoints to fork (`subgraph-travel.ts`).
      metadata: { ...metadata, parents },
      // `distribute: branches`: the child's fan-outs go to the same runner (`remote-branch.ts`).
      ...(options.branches ? { branches: options.branches, ...(options.distribute ? { distribute: options.distribute } : {}), ...(options.rootBlueprintHash ? { rootBlueprintHash: options.rootBlueprintHash } : {}) } : {}),
    };
    // The calling task counts the child's model calls too (and so do the tasks enclosing it).
    const usageSinks = usage ? [...(ctx.usageSinks ?? []), usage] : ctx.usageSinks;
    const link: ParentLink = { rootRunId: run.rootRunId, parentRunId: run.runId, threadId: run.threadId, namespace: run.namespace, depth: run.depth, taskIdPrefix: task.id, checkpointNs, checkpointer: saver, durability, answers, enclosingBudgets, ...(spend ? { spend } : {}), ...(usageSinks?.length ? { usageSinks } : {}), ...(asks ? { asks } : {}), ...(packets ? { packets } : {}) };
    const r = await g.child(graph, resume ? null : input, childOptions, link, sink, limits);
    await emit({ type: "subrun_completed", childRunId, target: graph, ok: r.status === "completed" }, ids);
    if (r.status === "interrupted") throw new GraphInterrupt(r.interrupts);
    return { state: r.state, output: r.output };
  } catch (e) {
    if (e instanceof ParentCommand && !e.arrived) {
      // The child ended with a command for this graph: the task that ran it completes with it (`task.ts`).
      await emit({ type: "subrun_completed", childRunId, target: graph, ok: true }, ids);
      throw new ParentCommand(e.command, e.origin, true);
    }
    if (!(e instanceof GraphInterrupt)) await emit({ type: "subrun_completed", childRunId, target: graph, ok: false }, ids);
    throw e;
  } finally {
    if (packets) packets.writeBytes -= inputBytes;
  }
}

/**
 * Charges the JSON bytes of a child run's input to the run tree's writes in flight
 * (`MAX_STEP_WRITE_BYTES`, as `chargeWrites` does for a task's writes): twenty subgraph
 * nodes handed one 16 MB string by reference stored it twenty times (red team 12A).
 * @throws NodeError (`validation`) past the bound, before the child starts.
 */
function chargeChildInput(packets: PacketGauge, input: Record<string, unknown>, graph: string, where: { graph: string; node: string; taskId: string }): number {
  const bytes = packets.measureWrites([{ channel: "", value: input }], where, { did: `would hand graph \`${graph}\``, what: "input", why: "a child run stores its input, once per run however many share the value" });
  if (typeof bytes !== "number") throw bytes;
  packets.writeBytes += bytes;
  return bytes;
}

