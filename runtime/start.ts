/**
 * Where a run starts (`runtime.md` §3): a fresh input (on a new thread, or on top of a
 * thread's latest state), or a resume from a checkpoint with its pending writes and the
 * answers to its interrupts. Also builds the checkpoints the loop saves.
 */
import type { Blueprint } from "../compiler/index.js";
import type { Persister } from "./checkpoint/persist.js";
import { isSpecial, pendingInterrupts, recordedAnswers, SPECIAL, copiedFields, spentAt, type Checkpoint, type CheckpointMetadata, type CheckpointSource, type CheckpointTuple, type PendingInterrupt, type RecordedError } from "./checkpoint/types.js";
import { BlueprintMismatchError, CheckpointError } from "./errors.js";
import { answerInterrupts, type AnswerCheck, type ResumeCommand } from "./interrupt.js";
import { conditionShared, sharedBudget } from "./expr.js";
import type { GraphIndex } from "./graph-index.js";
import { clonePlanner, newPlannerState, snapshotPlanner, type PlannedTask, type PlannerState } from "./planner-state.js";
import type { ChannelTable, PendingWrite, State } from "./state.js";
import type { Registry, Spend } from "../registry/index.js";
import type { TaskRecord } from "./task-record.js";
import { ModelAsks } from "./model-asks.js";

/** The loop's position: everything a checkpoint holds, live. */
export interface LoopState {
  state: State;
  /** Supersteps completed in the thread. */
  step: number;
  tasks: PlannedTask[];
  planner: PlannerState;
  versions: Record<string, number>;
  input: Readonly<Record<string, unknown>>;
  errors: RecordedError[];
  lastResult: unknown;
  /** Resume values by interrupt id. */
  answers: Readonly<Record<string, unknown>>;
  /** Saved records of tasks that ran from the resumed checkpoint. */
  records: Map<string, TaskRecord> | undefined;
  /** Detached tasks the checkpoint was still waiting for. */
  detached: PlannedTask[];
  /** The checkpoint resumed from. */
  resumedFrom?: string;
  /** The history branch the run continues (`CheckpointMetadata.lineage`); absent on the original line. */
  lineage?: string;
  /** Graph-level interrupts of the start checkpoint still to answer (pause at once). */
  pauseAt?: PendingInterrupt[];
  steering?: string;
  /** What the thread's line had spent under budgets where the run starts (`spentAt` of its checkpoint; root namespace). */
  spend?: Spend;
  /** Who asked for the tool calls of the conversation's last assistant message (`model-asks.ts`; `Checkpoint.asks`). */
  asks: ModelAsks;
  /** Which `start routes` condition a fresh run took (`route_selected` from `start`), when the graph has them. */
  entryRoute?: { readonly via: "when" | "else" | "none"; readonly targets: readonly string[] };
}

export interface StartContext {
  readonly blueprint: Blueprint;
  readonly channels: ChannelTable;
  readonly index: GraphIndex;
  readonly registry: Registry;
  readonly threadId: string;
  readonly namespace: string;
  readonly persist: Persister | undefined;
  readonly allowBlueprintChange: boolean;
  /** Task id prefix (child runs). */
  readonly prefix: string;
  /** Judges each answer of a resume before it is recorded (typed `resume` answers: `typedAnswerCheck`). */
  readonly checkAnswer?: AnswerCheck | undefined;
}

function checkHash(c: StartContext, t: CheckpointTuple): void {
  if (t.checkpoint.blueprintHash !== c.blueprint.hash && !c.allowBlueprintChange) {
    throw new BlueprintMismatchError(c.threadId, t.checkpoint.blueprintHash, c.blueprint.hash, { graph: c.blueprint.id });
  }
}

/** A fresh run: the input written through the reducers, on top of the thread's latest state when it has one. */
export async function freshStart(c: StartContext, input: Readonly<Record<string, unknown>>): Promise<LoopState> {
  const base = c.persist ? await c.persist.saver.getTuple({ threadId: c.threadId, namespace: c.namespace }) : undefined;
  if (base) {
    checkHash(c, base);
    c.persist!.adopt(base);
  }
  const step = base?.checkpoint.step ?? 0;
  let state = base ? c.channels.restore(base.checkpoint.values) : c.channels.initial();
  const writes: PendingWrite[] = Object.entries(input)
    .filter(([k]) => c.channels.channels.has(k))
    .map(([channel, value]) => ({ channel, value, taskId: "input", node: "__input__" }));
  const versions: Record<string, number> = { ...base?.checkpoint.versions };
  if (writes.length) {
    const applied = c.channels.apply(state, writes, c.registry, step);
    state = applied.state;
    for (const ch of applied.changed) versions[ch] = (versions[ch] ?? 0) + 1;
  }
  const entry = entries(c.blueprint, state, input, { id: "", thread: c.threadId, step });
  return {
    state,
    step,
    tasks: entry.nodes.map((node, i) => ({ id: `${c.prefix}${step + 1}.${i}`, node, trigger: "start" as const })),
    ...(entry.route ? { entryRoute: entry.route } : {}),
    planner: base ? { ...newPlannerState(), nextFanout: base.checkpoint.planner.nextFanout } : newPlannerState(),
    versions,
    input,
    errors: [],
    lastResult: undefined,
    answers: {},
    records: undefined,
    detached: [],
    ...(typeof base?.metadata.lineage === "string" ? { lineage: base.metadata.lineage } : {}),
    // New input on a thread continues its spend: a budget covers every run of the thread.
    ...(base && c.namespace === "" ? { spend: spentAt(base) } : {}),
    asks: new ModelAsks(base?.checkpoint.asks),
  };
}

/**
 * The entry nodes of a fresh run: the `start` nodes, then the target of the first
 * `start routes` condition that holds on the input state (`else` when none; no entry from
 * them when neither, or when it is END), and which route that was. Throws ExpressionError from a condition.
 */
function entries(bp: Blueprint, state: State, input: Readonly<Record<string, unknown>>, run: { id: string; thread: string; step: number }): { nodes: readonly string[]; route?: NonNullable<LoopState["entryRoute"]> } {
  if (!bp.startRoutes?.length) return { nodes: bp.start };
  const scope = { state, input, args: null, run };
  const shared = sharedBudget("the `start routes` conditions");
  const chosen = bp.startRoutes.find((e) => e.kind === "else" || (e.kind === "when" && conditionShared(e.when, scope, shared)));
  // Said as a node's `when` routes say it: which condition held, or that none did (`W-rag-routes-without-else`).
  const route = chosen ? { via: chosen.kind === "else" ? ("else" as const) : ("when" as const), targets: [chosen.to] } : { via: "none" as const, targets: [] };
  return { nodes: chosen && chosen.to !== "END" && !bp.start.includes(chosen.to) ? [...bp.start, chosen.to] : bp.start, route };
}

/**
 * A resume: the checkpoint (latest, or `checkpointId`), its pending writes as task
 * records, and the answers to its pending interrupts.
 *
 * @throws CheckpointError when there is nothing to resume; BlueprintMismatchError under
 *   a changed blueprint; InvalidResumeError when the command does not fit the interrupts.
 */
export async function resumeStart(c: StartContext, command: ResumeCommand | undefined, checkpointId: string | undefined, inherited: Readonly<Record<string, unknown>> | undefined): Promise<LoopState> {
  if (!c.persist) throw new CheckpointError(`resuming thread \`${c.threadId}\` needs a checkpointer`, { graph: c.blueprint.id });
  let t = await c.persist.saver.getTuple({ threadId: c.threadId, namespace: c.namespace, ...(checkpointId !== undefined ? { checkpointId } : {}) });
  if (!t) throw new CheckpointError(`thread \`${c.threadId}\` has no checkpoint${checkpointId !== undefined ? ` \`${checkpointId}\`` : ""} to resume`, { graph: c.blueprint.id });
  checkHash(c, t);
  // Replay (LangGraph's invoke with an older checkpoint_id): the checkpoint is copied as
  // the thread's new head (source `fork`, history untouched) and its tasks run again —
  // what they saved then (completions, answers to their interrupts) is not reused, so an
  // interrupt asks again.
  const replay = checkpointId !== undefined && (await c.persist.saver.getTuple({ threadId: c.threadId, namespace: c.namespace }))?.checkpoint.id !== t.checkpoint.id;
  if (replay) t = await replayCopy(c, t);
  const ck = t.checkpoint;
  const lineage = t.metadata.lineage;
  const missing = [...ck.next, ...ck.detached].filter((x) => !x.implicit && !c.index.nodes.has(x.node)).map((x) => x.node);
  if (missing.length) throw new CheckpointError(`thread \`${c.threadId}\`: the checkpoint's next tasks name nodes graph \`${c.blueprint.id}\` no longer has: ${[...new Set(missing)].join(", ")}`, { graph: c.blueprint.id });
  c.persist.adopt(t);

  const pending = pendingInterrupts(t);
  const recorded = recordedAnswers(t);
  let answers: Record<string, unknown>;
  if (inherited) {
    // A child run: the parent's resume command answered by id.
    const values = Object.fromEntries(pending.filter((i) => i.id in inherited).map((i) => [i.id, inherited[i.id]]));
    answers = answerInterrupts(c.threadId, pending, recorded, { values }, c.checkAnswer ? { checkAnswer: c.checkAnswer } : {});
  } else {
    // Without any answer the interrupted tasks run again and ask again (LangGraph's `invoke(null)` on a paused thread).
    answers = answerInterrupts(c.threadId, pending, recorded, command, { requireAnswer: command?.value !== undefined || command?.values !== undefined, ...(c.checkAnswer ? { checkAnswer: c.checkAnswer } : {}) });
  }
  if (JSON.stringify(answers) !== JSON.stringify(recorded)) c.persist.putWrites(SPECIAL.resume, [[SPECIAL.resume, answers]]);

  const records = new Map<string, TaskRecord>();
  for (const w of t.pendingWrites) {
    if (w.taskId === SPECIAL.resume || w.channel === SPECIAL.spend) continue;
    let r = records.get(w.taskId);
    if (!r) {
      r = { writes: [] };
      records.set(w.taskId, r);
    }
    if (w.channel === SPECIAL.task) records.set(w.taskId, { ...r, done: w.value as TaskRecord["done"] });
    else if (!isSpecial(w.channel)) r.writes.push([w.channel, w.value]);
  }
  return {
    state: c.channels.restore(ck.values),
    step: ck.step,
    tasks: [...ck.next],
    planner: clonePlanner(ck.planner),
    versions: { ...ck.versions },
    input: ck.input,
    errors: [...ck.errors],
    lastResult: ck.result,
    answers,
    records,
    detached: [...ck.detached],
    resumedFrom: ck.id,
    ...(typeof lineage === "string" ? { lineage } : {}),
    ...(c.namespace === "" ? { spend: spentAt(t) } : {}),
    ...(command?.steering !== undefined ? { steering: command.steering } : {}),
    asks: new ModelAsks(ck.asks),
  };
}

/**
 * Judges a resume command's answers against the pending interrupts of the checkpoint it
 * resumes from, recording nothing: run before anything else of the resume is saved (its
 * `update`). A thread without a checkpoint passes (`resumeStart` says so).
 * @throws InvalidResumeError as `answerInterrupts`.
 */
export async function judgeAnswers(c: StartContext, command: ResumeCommand, checkpointId: string | undefined): Promise<void> {
  if (!c.persist || (command.value === undefined && command.values === undefined)) return;
  const t = await c.persist.saver.getTuple({ threadId: c.threadId, namespace: c.namespace, ...(checkpointId !== undefined ? { checkpointId } : {}) });
  if (t) answerInterrupts(c.threadId, pendingInterrupts(t), recordedAnswers(t), command, c.checkAnswer ? { checkAnswer: c.checkAnswer } : {});
}

/** Saves a copy of `t` as the thread's head (a replay starts there; its pending writes stay behind). */
async function replayCopy(c: StartContext, t: CheckpointTuple): Promise<CheckpointTuple> {
  // The copy records what the line had spent when it left `t` (its pending `__spend__` records stay behind, counted here).
  const checkpoint = { ...copiedFields(t), id: `${t.checkpoint.step}-${globalThis.crypto.randomUUID().slice(0, 8)}`, parentId: t.checkpoint.id, ts: Date.now() };
  // A new branch of history: its child runs checkpoint apart from the replayed line's.
  const metadata: CheckpointMetadata = { ...t.metadata, source: "fork", replayOf: t.checkpoint.id, lineage: checkpoint.id };
  delete (metadata as { steering?: string }).steering;
  const config = await c.persist!.saver.put(checkpoint, metadata);
  return { config, checkpoint, metadata, parentConfig: t.config, pendingWrites: [] };
}

export interface CheckpointParts {
  readonly source: CheckpointSource;
  readonly ran: readonly PlannedTask[];
  readonly changed: readonly string[];
  readonly seenVersions: Readonly<Record<string, number>>;
  readonly detached: readonly PlannedTask[];
  readonly interrupts: readonly PendingInterrupt[];
  readonly runId: string;
  /** Random per run: with the step, it makes the checkpoint id (one checkpoint per step and run). */
  readonly idSuffix: string;
  readonly ts: number;
  readonly metadata: Readonly<Record<string, unknown>> | undefined;
  /** Root namespace: the budget spend to record (`SpendBook.totals`); absent when nothing was spent. */
  readonly spend?: Spend;
}

/** The `errors` of a checkpoint of a run that recorded none (shared, frozen). */
const NO_ERRORS: Checkpoint["errors"] = Object.freeze([]);

/**
 * `{ node: versions }` for the nodes that ran. A null-prototype object: node names are
 * arbitrary keys, and an ordinary object per distinct key set would make V8 build a new
 * hidden class per checkpoint of a long chain (measured ~2 µs each over 1000 steps).
 */
function seenBy(nodes: readonly string[], versions: Readonly<Record<string, number>>): Record<string, Readonly<Record<string, number>>> {
  const out = Object.create(null) as Record<string, Readonly<Record<string, number>>>;
  for (const n of nodes) out[n] = versions;
  return out;
}

/** The checkpoint of the loop's position, and its metadata. */
export function buildCheckpoint(c: StartContext, loop: LoopState, parentId: string | undefined, p: CheckpointParts): { checkpoint: Checkpoint; metadata: CheckpointMetadata } {
  const nodes = p.ran.length === 1 ? [p.ran[0].node] : [...new Set(p.ran.map((t) => t.node))];
  // One literal per shape (with or without a parent), in key order: not conditional spreads
  // (which V8 turns into a slow generic copy), nor twenty assignments to `{}` (which regrow
  // its out-of-object property store six times). One of these is made per superstep.
  const id = `${loop.step}-${p.idSuffix}`;
  const values = c.channels.tracked(loop.state);
  const seen = seenBy(nodes, p.seenVersions);
  const planner = snapshotPlanner(loop.planner);
  const errors = loop.errors.length ? [...loop.errors] : NO_ERRORS;
  const ck: { -readonly [K in keyof Checkpoint]: Checkpoint[K] } =
    parentId !== undefined
      ? { v: 1, id, parentId, threadId: c.threadId, namespace: c.namespace, graph: c.blueprint.id, blueprintHash: c.blueprint.hash, runId: p.runId, step: loop.step, ts: p.ts, values, versions: loop.versions, seen, next: loop.tasks, detached: p.detached, planner, interrupts: p.interrupts, input: loop.input, errors }
      : { v: 1, id, threadId: c.threadId, namespace: c.namespace, graph: c.blueprint.id, blueprintHash: c.blueprint.hash, runId: p.runId, step: loop.step, ts: p.ts, values, versions: loop.versions, seen, next: loop.tasks, detached: p.detached, planner, interrupts: p.interrupts, input: loop.input, errors };
  if (loop.lastResult !== undefined) ck.result = loop.lastResult;
  if (p.spend !== undefined) ck.spend = p.spend;
  const asks = loop.asks.saved();
  if (asks) ck.asks = asks;
  let metadata: Record<string, unknown>;
  if (p.metadata) {
    // A spread (not Object.assign): a host's `__proto__` key stays a data property.
    metadata = { ...p.metadata };
    metadata.source = p.source;
    metadata.step = loop.step;
    metadata.runId = p.runId;
    metadata.changed = p.changed;
    metadata.ran = nodes;
  } else metadata = { source: p.source, step: loop.step, runId: p.runId, changed: p.changed, ran: nodes };
  if (loop.steering !== undefined) metadata.steering = loop.steering;
  if (loop.lineage !== undefined) metadata.lineage = loop.lineage;
  return { checkpoint: ck, metadata: metadata as unknown as CheckpointMetadata };
}
