/**
 * The superstep loop (`runtime.md` §1, after the Pregel paper's bulk-synchronous model
 * and LangGraph's plan / execute / apply split): each step runs its tasks concurrently
 * against one frozen snapshot, then applies all writes at the barrier in task order,
 * then plans the next step. The loop is plain async code; events go to an optional
 * sink (a bounded stream), so `invoke` pays nothing for them.
 */
import type { Blueprint } from "../compiler/index.js";
import type { ChildRunResult, Registry, RunInfo } from "../registry/index.js";
import { CancelledError, errorToJson, InvalidInputError, RagError, RecursionLimitError } from "./errors.js";
import type { RunEvent, RunEventBody, TaskRef } from "./events.js";
import { newPlannerState, plan, type Completion, type GraphIndex, type PlannedTask } from "./plan.js";
import { recordSchema, describeIssues } from "./schema.js";
import type { ChannelTable, PendingWrite, State } from "./state.js";
import { executeTask, taskScope, taskSpec, type Clock, type TaskEnv, type TaskOutcome } from "./task.js";

export interface RunOptions {
  /** Thread id (a new one when omitted). */
  readonly threadId?: string;
  readonly runId?: string;
  /** Cancels the run: in-flight tasks see their signal aborted, the run fails with CancelledError. */
  readonly signal?: AbortSignal;
  /** Maximum supersteps; default `defaults.recursion_limit` or 100. */
  readonly recursionLimit?: number;
  /** Maximum concurrent tasks per superstep; default `defaults.concurrency` or unbounded. */
  readonly concurrency?: number;
  readonly clock?: Clock;
  /** Random numbers in [0, 1) for retry jitter. */
  readonly random?: () => number;
}

export interface RunResult {
  readonly runId: string;
  readonly threadId: string;
  /** Final state, all channels. */
  readonly state: State;
  /** The `output` projection, or the last task's result when the graph declares no output. */
  readonly output: unknown;
  readonly steps: number;
  /** Wall time, ms. */
  readonly durationMs: number;
}

/** Identity of the parent when this run is a child (subgraph) run. */
export interface ParentLink {
  readonly rootRunId: string;
  readonly parentRunId: string;
  readonly threadId: string;
  readonly namespace: string;
  readonly depth: number;
  readonly taskIdPrefix: string;
}

export type EventSink = (event: RunEvent) => Promise<void>;

/** What the loop needs from its compiled graph. */
export interface LoopGraph {
  readonly blueprint: Blueprint;
  readonly registry: Registry;
  readonly index: GraphIndex;
  readonly channels: ChannelTable;
  /** Runs a graph of the same file or the registry as a child run. */
  child(graph: string, input: Record<string, unknown>, options: RunOptions, parent: ParentLink, sink: EventSink | undefined): Promise<RunResult>;
}

const realClock: Clock = { now: () => Date.now() };
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });

export function newId(prefix: string): string {
  return `${prefix}-${globalThis.crypto.randomUUID().slice(0, 13)}`;
}

export async function runLoop(g: LoopGraph, input: Record<string, unknown>, options: RunOptions, sink: EventSink | undefined, parent?: ParentLink): Promise<RunResult> {
  const bp = g.blueprint;
  const clock = options.clock ?? realClock;
  const started = clock.now();
  const runId = options.runId ?? newId("run");
  const threadId = parent?.threadId ?? options.threadId ?? newId("thread");
  const run: Omit<RunInfo, "step"> = {
    runId,
    rootRunId: parent?.rootRunId ?? runId,
    ...(parent ? { parentRunId: parent.parentRunId } : {}),
    threadId,
    graph: bp.id,
    namespace: parent ? `${parent.namespace}/${bp.id}` : bp.id,
    depth: parent ? parent.depth + 1 : 0,
  };
  const controller = new AbortController();
  // Whatever reason the caller aborted with, the run fails with a CancelledError (the reason is its cause).
  const onAbort = () => {
    const reason: unknown = options.signal?.reason;
    controller.abort(reason instanceof CancelledError ? reason : new CancelledError(`the run was cancelled${reason instanceof Error && reason.name !== "AbortError" ? `: ${reason.message}` : ""}`, { graph: bp.id }, { cause: reason }));
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const aborted = new Promise<never>((_, reject) => {
    const fire = () => reject(controller.signal.reason);
    if (controller.signal.aborted) fire();
    else controller.signal.addEventListener("abort", fire, { once: true });
  });
  aborted.catch(() => {});
  const limit = options.recursionLimit ?? numberOr(bp.defaults.recursion_limit, 100);
  const concurrency = options.concurrency ?? numberOr(bp.defaults.concurrency, Infinity);
  const prefix = parent ? `${parent.taskIdPrefix}/` : "";
  let step = 0;
  const emit = (body: RunEventBody, task?: { taskId: string; node: string }): Promise<void> =>
    sink
      ? sink({ ...body, runId, rootRunId: run.rootRunId, ...(run.parentRunId ? { parentRunId: run.parentRunId } : {}), threadId, step, ...(task ?? {}), namespace: run.namespace, depth: run.depth, timestamp: clock.now() } as RunEvent)
      : Promise.resolve();

  try {
    checkInput(bp, input);
    await emit({ type: "run_started", graph: bp.id, hash: bp.hash, input });
    let state = g.channels.initial();
    const inputWrites: PendingWrite[] = Object.entries(input)
      .filter(([k]) => g.channels.channels.has(k))
      .map(([channel, value]) => ({ channel, value, taskId: "input", node: "__input__" }));
    if (inputWrites.length) state = g.channels.apply(state, inputWrites, g.registry, 0).state;

    const planner = newPlannerState();
    let tasks: PlannedTask[] = bp.start.map((node, i) => ({ id: `${prefix}1.${i}`, node, trigger: "start" as const }));
    let lastResult: unknown = undefined;
    while (tasks.length) {
      step++;
      if (step > limit) throw new RecursionLimitError(limit, { graph: bp.id, step });
      if (controller.signal.aborted) throw controller.signal.reason;
      const stepStarted = clock.now();
      if (sink) await emit({ type: "step_started", tasks: tasks.map((t) => taskRef(t, g)) });
      const env: TaskEnv = {
        blueprint: bp,
        registry: g.registry,
        nodes: g.index.nodes,
        run,
        step,
        input,
        state,
        messagesChannel: g.channels.messagesChannel,
        signal: controller.signal,
        aborted,
        clock,
        emit,
        random: options.random ?? Math.random,
        sleep,
        runChild: (graph, childInput, task) => runChild(g, graph, childInput, task, options, sink, run, controller.signal, emit),
      };
      const outcomes = await runTasks(tasks, env, concurrency, sink !== undefined);
      const failed = outcomes.find((o) => !o.ok && !handled(o, g));
      if (failed && !failed.ok) throw failed.error;
      if (controller.signal.aborted) throw controller.signal.reason;

      const writes = outcomes.flatMap((o) => (o.ok ? o.writes : []));
      const applied = g.channels.apply(state, writes, g.registry, step);
      state = applied.state;
      if (sink && applied.changed.length) await emit({ type: "state_updated", channels: applied.changed, values: Object.fromEntries(applied.changed.map((c) => [c, state[c]])) });

      const completions: Completion[] = outcomes.map((o) =>
        o.ok
          ? { task: o.task, ok: true, ...(o.route !== undefined ? { route: o.route } : {}), ...(o.result !== undefined ? { result: o.result } : {}) }
          : { task: o.task, ok: false, error: errorToJson(o.error) },
      );
      for (const o of outcomes) if (o.ok && o.result !== undefined) lastResult = o.result;
      const planned = plan(planner, completions, {
        index: g.index,
        state,
        step,
        scope: (t, result) => taskScope(t, { state, input, run, step }, { result: result ?? null }),
        taskId: (i) => `${prefix}${step + 1}.${i}`,
      });
      if (sink) {
        for (const e of planned.events) await emit(e);
        await emit({ type: "step_completed", durationMs: clock.now() - stepStarted });
      }
      tasks = planned.tasks;
    }
    const output = bp.output ? Object.fromEntries(bp.output.map((f) => [f.name, state[f.name] ?? null])) : (lastResult ?? null);
    const durationMs = clock.now() - started;
    await emit({ type: "run_completed", state, output, steps: step, durationMs });
    return { runId, threadId, state, output, steps: step, durationMs };
  } catch (e) {
    const err = e instanceof RagError || e instanceof Error ? e : new Error(String(e));
    await emit({ type: "run_failed", error: errorToJson(err), steps: step, durationMs: clock.now() - started });
    throw err;
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
}

function numberOr(v: unknown, d: number): number {
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : d;
}

function taskRef(t: PlannedTask, g: LoopGraph): TaskRef {
  return { taskId: t.id, node: t.node, kind: taskSpec(t, { nodes: g.index.nodes }).kind, trigger: t.trigger, ...(t.branch ? { fanoutId: t.branch.fanoutId, branch: t.branch.index } : {}) };
}

/** A failed task is handled when its node routes errors (`on_error`) or is an optional branch. */
function handled(o: TaskOutcome, g: LoopGraph): boolean {
  if (o.ok) return true;
  const spec = o.task.implicit ? undefined : g.index.nodes.get(o.task.node);
  return Boolean(spec?.onError) || (Boolean(spec?.optional) && o.task.branch !== undefined);
}

/** Runs a step's tasks with at most `concurrency` in flight; outcomes keep task order. */
async function runTasks(tasks: readonly PlannedTask[], env: TaskEnv, concurrency: number, withEvents: boolean): Promise<TaskOutcome[]> {
  const outcomes: TaskOutcome[] = new Array(tasks.length);
  const runOne = async (i: number) => {
    const t = tasks[i];
    const ids = { taskId: t.id, node: t.node };
    if (withEvents) {
      const spec = taskSpec(t, env);
      await env.emit({ type: "task_started", kind: spec.kind, trigger: t.trigger, ...(t.args !== undefined ? { args: t.args } : {}), ...(t.branch ? { fanoutId: t.branch.fanoutId, branch: t.branch.index } : {}) }, ids);
    }
    const o = await executeTask(t, env);
    outcomes[i] = o;
    if (withEvents) {
      if (o.ok) await env.emit({ type: "task_completed", durationMs: o.durationMs, writes: [...new Set(o.writes.map((w) => w.channel))], ...(o.route !== undefined ? { route: o.route } : {}), ...(o.result !== undefined ? { result: o.result } : {}) }, ids);
      else {
        const spec = t.implicit ? undefined : env.nodes.get(t.node);
        await env.emit({ type: "task_failed", durationMs: o.durationMs, error: errorToJson(o.error), handled: Boolean(spec?.onError) || (Boolean(spec?.optional) && t.branch !== undefined) }, ids);
      }
    }
  };
  if (tasks.length === 1) {
    await runOne(0);
    return outcomes;
  }
  if (concurrency >= tasks.length) {
    await Promise.all(tasks.map((_, i) => runOne(i)));
    return outcomes;
  }
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await runOne(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return outcomes;
}

async function runChild(
  g: LoopGraph,
  graph: string,
  input: Record<string, unknown>,
  task: PlannedTask,
  options: RunOptions,
  sink: EventSink | undefined,
  run: Omit<RunInfo, "step">,
  signal: AbortSignal,
  emit: (body: RunEventBody, task?: { taskId: string; node: string }) => Promise<void>,
): Promise<ChildRunResult> {
  const childRunId = newId("run");
  const ids = { taskId: task.id, node: task.node };
  await emit({ type: "subrun_started", childRunId, target: graph, targetKind: "graph" }, ids);
  try {
    const r = await g.child(graph, input, { ...options, runId: childRunId, signal }, { rootRunId: run.rootRunId, parentRunId: run.runId, threadId: run.threadId, namespace: run.namespace, depth: run.depth, taskIdPrefix: task.id }, sink);
    await emit({ type: "subrun_completed", childRunId, target: graph, ok: true }, ids);
    return { state: r.state, output: r.output };
  } catch (e) {
    await emit({ type: "subrun_completed", childRunId, target: graph, ok: false }, ids);
    throw e;
  }
}

/**
 * Checks a run input against the graph's `input` block.
 *
 * @throws InvalidInputError naming the graph and the mismatched fields.
 */
export function checkInput(bp: Blueprint, input: Record<string, unknown>): void {
  if (!input || typeof input !== "object" || Array.isArray(input)) throw new InvalidInputError(`the input of graph \`${bp.id}\` must be an object`, { graph: bp.id });
  if (!bp.input) return;
  const r = recordSchema(bp.input, bp.schemas).safeParse(input);
  if (!r.success) throw new InvalidInputError(`the input of graph \`${bp.id}\` does not match its \`input\` block: ${describeIssues(r.error)}`, { graph: bp.id });
}
