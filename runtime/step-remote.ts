/**
 * A step's task run elsewhere (`distribute: branches`, see remote-branch.ts): the branch
 * is handed to the `BranchRunner` against the step's stored checkpoint, with what the
 * run has spent so far, and its result (a record, an error or a pause) becomes the
 * task's outcome.
 */
import { readSpend, type Spend, type SpendLedger } from "../registry/index.js";
import type { BranchRef, BranchRunner } from "./branch-runner.js";
import { GraphInterrupt } from "./interrupt.js";
import type { PlannedTask } from "./planner-state.js";
import { BranchError, branchInterrupts } from "./remote-branch.js";
import type { CancelScope } from "./task-attempt.js";
import type { TaskEnv } from "./task-env.js";
import { restore, RestoredError } from "./task-record.js";
import type { TaskOutcome } from "./task.js";

/** Where a step's `send` branches run when not here (`StepRun.remote`, `distribute: branches`). */
export interface RemoteBranches {
  readonly runner: BranchRunner;
  readonly hash: string;
  /** The root run's blueprint hash, in a child run. */
  readonly root?: string;
}

/** The ledger's counts a branch is handed over with (`BranchRef.spent`): settled plus in flight, in total and for its node. */
function handedOver(l: SpendLedger, node: string): Spend {
  const n = l.node(node);
  const nodes = Object.create(null) as Record<string, { tokens: number; usd: number }>;
  nodes[node] = { tokens: n.tokens + n.reservedTokens, usd: n.usd + n.reservedUsd };
  return { tokens: l.run.tokens + l.run.reservedTokens, usd: l.run.usd + l.run.reservedUsd, nodes };
}

/**
 * Runs a branch elsewhere; its record is committed there (this step does not save it
 * again). A branch that paused comes back as interrupts, which this step records with
 * the checkpoint like a local task's (the run then pauses).
 */
export async function runRemote(t: PlannedTask, env: TaskEnv, checkpointId: string, remote: RemoteBranches, scope: CancelScope | undefined, failScope: CancelScope | undefined): Promise<TaskOutcome> {
  const started = env.clock.now();
  const signals = [env.signal, scope?.signal, failScope?.signal].filter((s): s is AbortSignal => s !== undefined);
  const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  const run = env.run;
  const ref: BranchRef = {
    runId: run.rootRunId,
    threadId: run.threadId,
    namespace: env.namespace,
    checkpointId,
    taskId: t.id,
    node: t.node,
    hash: remote.hash,
    // A branch of a child run: the root blueprint the worker resolves the child's from, and the child run's identity for its events.
    ...(remote.root !== undefined ? { root: remote.root, child: { runId: run.runId, parentRunId: run.parentRunId ?? run.rootRunId, namespace: run.namespace, depth: run.depth } } : {}),
    ...(env.spend ? { spent: handedOver(env.spend, t.node) } : {}),
  };
  try {
    const res = await remote.runner.run(ref, signal);
    // What the branch spent (every attempt) is the thread's: charged to the run's ledger.
    // A root-namespace branch's worker saved it against this step's checkpoint already
    // (a resume from there counts it); a child run's branch's only through this charge.
    if (res.spend !== undefined) env.spend?.add(readSpend(res.spend), env.namespace === "");
    if ("interrupts" in res) {
      const interrupts = branchInterrupts(res, t, env.namespace);
      if (!interrupts) return { task: t, ok: false, error: new BranchError(`branch ${t.id} (node \`${t.node}\`) reported a malformed pause`, { graph: env.blueprint.id, node: t.node, taskId: t.id, step: env.step }), durationMs: env.clock.now() - started };
      return { task: t, ok: false, error: new GraphInterrupt(interrupts), interrupts, durationMs: env.clock.now() - started };
    }
    if ("error" in res) return { task: t, ok: false, error: new RestoredError(res.error), durationMs: env.clock.now() - started };
    const o = restore(t, res.record);
    return { ...o, restored: undefined, durationMs: env.clock.now() - started } as TaskOutcome;
  } catch (e) {
    const cancelled = !env.signal.aborted && signal.aborted;
    return { task: t, ok: false, error: signal.aborted ? signal.reason : e, durationMs: env.clock.now() - started, ...(cancelled ? { cancelled: true } : {}) };
  }
}
