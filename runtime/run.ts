/**
 * The superstep loop (`runtime.md` §1, after the Pregel paper's bulk-synchronous model
 * and LangGraph's plan / execute / apply split): each step runs its tasks concurrently
 * against one frozen snapshot, then applies all writes at the barrier in task order,
 * then plans the next step and, with a checkpointer, saves a checkpoint. The loop is
 * plain async code; events go to an optional sink (a bounded stream), so `invoke` pays
 * nothing for them, and a run without a checkpointer does no persistence work at all.
 */
import type { Blueprint, NodeSpec } from "../compiler/index.js";
import { capLimit } from "../compiler/limit-caps.js";
import { LinkedLedger, SpendBook, type RunInfo, type Spend, type SpendLedger } from "../registry/index.js";
import { Persister } from "./checkpoint/persist.js";
import { SPECIAL, type Checkpoint, type CheckpointMetadata, type Durability, type PendingInterrupt, type RecordedError, type ThreadClaim } from "./checkpoint/types.js";
import { CancelledError, CheckpointError, errorToJson, InterruptError, InvalidUpdateError, NamespaceError, NodeError, RagError, RecursionLimitError } from "./errors.js";
import type { RunEvent, RunEventBody, RunEventType, TaskRef } from "./events.js";
import { runChild, type ChildRunContext } from "./child.js";
import { typedAnswerCheck } from "./resume-type.js";
import { PersistentCalls } from "./persistent-child.js";
import { newId } from "./ids.js";
import { boundaryInterrupts, checkResumeCommand, graphInterrupts, NO_INTERRUPTS } from "./interrupt.js";
import { mergeParentCommands, type ParentCommand } from "./parent-command.js";
import { plan, type Completion, type PlannedTask } from "./plan.js";
import { PacketGauge } from "./planning.js";
import { MAX_TIMER_MS } from "./timers.js";
import { checkInput, checkUntrustedInput } from "./run-input.js";
import type { EventSink, ParentLink, RunOptions, RunResult } from "./run-options.js";
import { buildCheckpoint, freshStart, judgeAnswers, resumeStart, type CheckpointParts, type LoopState, type StartContext } from "./start.js";
import { runChannels, type PendingWrite } from "./state.js";
import { byChannel, StateGauge, stateBound } from "./state-size.js";
import { DetachedTasks, handledBy, recordOf, runStep } from "./step.js";
import { updateStateHeld } from "./update-state.js";
import type { LoopGraph } from "./loop-graph.js";
import type { NestedGraph } from "./subgraph-state.js";
import { travelToSubgraphHeld } from "./subgraph-travel.js";
import type { Clock, TaskEnv } from "./task-env.js";
import { taskScope, taskSpec, type TaskOutcome } from "./task.js";

const RESOLVED: Promise<void> = Promise.resolve();
const NOOP = (): void => {};

const realClock: Clock = { now: () => Date.now() };
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, Math.min(ms, MAX_TIMER_MS));
    signal.addEventListener("abort", () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });

/** The durability a run uses: the option, else the graph's `checkpoint` word; undefined for none. */
export function durabilityOf(option: Durability | "none" | undefined, bp: Blueprint, inherited?: Durability): Durability | undefined {
  const word = option ?? bp.checkpoint ?? inherited ?? "sync";
  if (word === "none" || word === "never") return undefined;
  if (word === "async" || word === "exit") return word;
  return word === "inherit" && inherited ? inherited : "sync";
}

/**
 * Runs `g` from `input` (a fresh run), or resumes its thread when `input` is null or
 * `options.resume` is set. Resolves with the result (completed or interrupted); rejects
 * with a typed error when the run fails.
 */
export async function runLoop(g: LoopGraph, input: Record<string, unknown> | null, options: RunOptions, sink: EventSink | undefined, parent?: ParentLink): Promise<RunResult> {
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
    checkpointNs: parent?.checkpointNs ?? "",
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
  // The superstep running now: its tasks race `stepAborted` (below), rejected with the run's.
  let rejectStep: ((reason: unknown) => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    const fire = () => {
      reject(controller.signal.reason);
      rejectStep?.(controller.signal.reason);
    };
    if (controller.signal.aborted) fire();
    else controller.signal.addEventListener("abort", fire, { once: true });
  });
  aborted.catch(() => {});
  /**
   * A promise per superstep that rejects when the run aborts, for the step's tasks to race.
   * Racing the run's own `aborted` would leave a reaction on it per task until the run ends
   * (it never settles otherwise): a thousand supersteps kept ~1000 promises, closures and
   * contexts alive, each surviving and slowing scavenges. A step's promise is dropped with
   * the step. Detached tasks outlive their step: they race the run's (`StepRun.runAborted`).
   */
  const stepAborted = (): Promise<never> => {
    const p = new Promise<never>((_, reject) => {
      if (controller.signal.aborted) reject(controller.signal.reason);
      else rejectStep = reject;
    });
    p.catch(NOOP);
    return p;
  };
  // A file's `recursion_limit` is capped (`LIMIT_CAPS`: the compiler reports more, a Blueprint built without it is clamped); the host's option is not.
  const limit = options.recursionLimit ?? capLimit("recursion_limit", numberOr(bp.defaults.recursion_limit, 100));
  const concurrency = options.concurrency ?? numberOr(bp.defaults.concurrency, Infinity);
  const prefix = parent ? `${parent.taskIdPrefix}/` : "";
  const modes = sink?.modes;
  let step = 0;
  const types = sink?.types;
  const wants = (type: RunEventType): boolean => sink !== undefined && (types === undefined || types.has(type));
  const emit = (body: RunEventBody, task?: { taskId: string; node: string }): Promise<void> => {
    if (!sink || (types && !types.has(body.type))) return RESOLVED;
    // Object.assign, not `{ ...body, runId, … }`: in Node 20's V8 every key a literal adds
    // after a spread costs ~1 µs (measured), which made each event ~12 µs.
    // A task's `updates` event (one per task in `updates` mode): one literal, in the key order below.
    if (body.type === "updates" && task && body.sendTarget === undefined) {
      const u = run.parentRunId
        ? { type: body.type, writes: body.writes, runId, rootRunId: run.rootRunId, parentRunId: run.parentRunId, threadId, step, taskId: task.taskId, node: task.node, namespace: run.namespace, depth: run.depth, timestamp: clock.now() }
        : { type: body.type, writes: body.writes, runId, rootRunId: run.rootRunId, threadId, step, taskId: task.taskId, node: task.node, namespace: run.namespace, depth: run.depth, timestamp: clock.now() };
      return sink(u as RunEvent);
    }
    // The ids are assigned in the order a second source would add them (no ids object per event).
    const e = Object.assign({}, body) as Record<string, unknown>;
    e.runId = runId;
    e.rootRunId = run.rootRunId;
    if (run.parentRunId) e.parentRunId = run.parentRunId;
    e.threadId = threadId;
    e.step = step;
    if (task) {
      e.taskId = task.taskId;
      e.node = task.node;
    }
    e.namespace = run.namespace;
    e.depth = run.depth;
    e.timestamp = clock.now();
    return sink(e as unknown as RunEvent);
  };

  const namespace = parent?.checkpointNs ?? "";
  const enclosingBudgets = parent?.enclosingBudgets ?? [];
  // What this run's child runs are charged against: the enclosing budgets, then this graph's own.
  const childBudgets = bp.defaults.budget !== undefined ? [...enclosingBudgets, bp.defaults.budget] : enclosingBudgets;
  const saver = parent ? parent.checkpointer : (options.checkpointer ?? g.checkpointer);
  const durability = saver ? durabilityOf(parent ? undefined : options.durability, bp, parent?.durability) : undefined;
  // `checkpoint_saved` events only when someone listens (which events a run emits is fixed for the run).
  const onSaved = wants("checkpoint_saved") ? (c: Checkpoint, m: CheckpointMetadata) => emit({ type: "checkpoint_saved", checkpointId: c.id, source: m.source, durability: durability! }) : undefined;
  const persist = saver && durability ? new Persister(saver, durability, threadId, namespace, onSaved) : undefined;
  const ctx: StartContext = { blueprint: bp, channels: g.channels, index: g.index, registry: g.registry, threadId, namespace, persist, allowBlueprintChange: Boolean(options.allowBlueprintChange), prefix, checkAnswer: input === null || options.resume !== undefined ? typedAnswerCheck(g, threadId, namespace) : undefined };
  const detached = new DetachedTasks();
  // Calls of `persistent true` subgraph nodes, by child namespace: one per superstep.
  const persistentCalls = new PersistentCalls();
  const idSuffix = persist ? globalThis.crypto.randomUUID().slice(0, 8) : "";
  let loop: LoopState | undefined;
  let parentCommand: ParentCommand | undefined;
  // The run tree's Send packets in flight (`PacketGauge`), and this run's share: the packets
  // of the tasks it planned last, given back once they have run or the run ends.
  const packets = parent?.packets ?? new PacketGauge();
  let inFlight = 0;
  let inFlightBytes = 0;
  /** Gives back this run's share (the packets of the tasks it planned last): once they have run, or the run ends. */
  const releasePlanned = (): void => {
    packets.release(inFlight, inFlightBytes);
    inFlight = inFlightBytes = 0;
  };
  // This run's share of the tree's write bytes in flight (charged by its tasks, `chargeWrites`).
  const written = { tree: packets, run: { bytes: 0 } };
  // The root run's budget ledger, from the spend its start checkpoint recorded; its
  // charges are saved against the latest root checkpoint as this run's `__spend__` record.
  let book: SpendBook | undefined;
  const spendRecord = `spend:${runId}`;
  let claim: ThreadClaim | undefined;

  const result = (status: RunResult["status"], output: unknown, interrupts: readonly PendingInterrupt[], l: LoopState): RunResult => ({
    runId,
    threadId,
    status,
    state: l.state,
    output,
    steps: l.step,
    durationMs: clock.now() - started,
    interrupts,
    errors: l.errors,
    ...(persist?.latestId !== undefined ? { checkpointId: persist.latestId } : {}),
  });
  // A checkpoint is saved in two synchronous halves around the loop's own await of the
  // store (`await store(…); stored()`): an async function around them was one more frame,
  // promise and microtask per superstep.
  /** Builds the checkpoint of the loop's position and hands it to the persister; resolves once it is stored (`sync`). */
  const store = (l: LoopState, source: "input" | "loop", ran: readonly PlannedTask[], changed: readonly string[], seen: Readonly<Record<string, number>>, interrupts: readonly PendingInterrupt[]): Promise<unknown> => {
    // The checkpoint holds the settled spend; this run's record starts again against it now,
    // with the reservations of calls in flight (detached branches) committed together with it.
    const spent = book?.checkpointed();
    // No conditional spread in the literal (V8 then copies it generically): one per superstep.
    const parts: { -readonly [K in keyof CheckpointParts]: CheckpointParts[K] } = { source, ran, changed, seenVersions: seen, detached: detached.tasks(), interrupts, runId, idSuffix, ts: clock.now(), metadata: options.metadata };
    if (spent?.spend) parts.spend = spent.spend;
    const { checkpoint, metadata } = buildCheckpoint(ctx, l, persist!.latestId, parts);
    // Steering is recorded once, by the first checkpoint after the resume that gave it (a
    // `delete` of an absent key per superstep is a runtime call: only when present).
    if (l.steering !== undefined) delete l.steering;
    // Nothing is awaited between `checkpointed` and `put` making this checkpoint the latest: a call settling meanwhile is recorded against it.
    return persist!.put(checkpoint, metadata, spent?.record ? [spendRecord, [[SPECIAL.spend, spent.record]]] : undefined);
  };
  /** After `store`'s promise resolved: records of detached tasks that completed meanwhile follow the new checkpoint; a background save's failure is thrown. */
  const stored = (): void => {
    // Detached tasks that completed after the barrier: their records must follow the new checkpoint.
    for (const o of detached.unmerged()) {
      const rec = recordOf(o, g.index.nodes);
      if (rec) persist!.putWrites(o.task.id, rec);
    }
    persist!.check();
  };
  const pause = async (l: LoopState, interrupts: readonly PendingInterrupt[]): Promise<RunResult> => {
    // Detached branches finish first; their completions are saved against the pause's checkpoint.
    await detached.settled();
    await persist!.drain();
    for (const i of interrupts) await emit({ type: "interrupt", interruptId: i.id, kind: i.kind, ...(i.payload !== undefined ? { payload: i.payload } : {}), interruptNamespace: i.namespace }, { taskId: i.taskId, node: i.node });
    const r = result("interrupted", null, interrupts, l);
    await emit({ type: "run_interrupted", interrupts: interrupts.map((i) => ({ ...i })), checkpointId: persist!.latestId!, state: l.state, steps: l.step, durationMs: r.durationMs });
    return r;
  };

  try {
    if (!persist && graphInterrupts(bp)) {
      throw new InterruptError(`graph \`${bp.id}\` pauses for humans (interrupt nodes or \`interrupt before/after\`), which needs a checkpointer and a thread id to resume from; pass a checkpointer (CLI: --checkpoints PATH)${saver && !durability ? ", and do not turn checkpoints off (`checkpoint none`)" : ""}`, undefined, { graph: bp.id });
    }
    const resuming = input === null || options.resume !== undefined;
    if (!resuming) {
      // A root run's input is untrusted data on every path (the runtime API too, not only
      // HTTP and the CLI, which parse with `parseUntrustedJson`): no prototype key, nesting
      // bounded before a checkpoint write overflows the stack (a `CheckpointError` a queue
      // worker retries, calling models again). A child's input is the parent's own value.
      if (!parent) checkUntrustedInput(bp, input);
      checkInput(bp, input);
    }
    // Charged before anything reads the checkpoint or writes state (issue 10: bounds on every path, not only HTTP's).
    if (!parent && options.resume) checkResumeCommand(threadId, options.resume, { graph: bp.id });
    // One run of a thread at a time, taken before the thread is read: a second run (another
    // process on the SQLite file, another run on this store) would start from the same
    // state and spend, and the two could spend the budget twice (ThreadBusyError).
    if (persist && namespace === "" && saver!.claim) claim = await saver!.claim(threadId, (e) => controller.abort(e));
    let from = parent ? undefined : options.checkpointId;
    if (!parent && options.checkpointNs) {
      if (!resuming) throw new NamespaceError("time travel to a subgraph checkpoint (`checkpointNs`) continues the thread: pass input null (or `resume`)", options.checkpointNs, { graph: bp.id });
      if (!persist || !g.subgraph) throw new CheckpointError("time travel to a subgraph checkpoint needs a checkpointer", { graph: bp.id });
      if (options.resume?.update) throw new NamespaceError("a resume `update` with `checkpointNs` is ambiguous (which run's state?): edit the child with `updateState(thread, values, { namespace, checkpointId })`, then travel to the checkpoint it returns", options.checkpointNs, { graph: bp.id });
      await travelToSubgraphHeld(g as LoopGraph & NestedGraph, persist.saver, threadId, options.checkpointNs, from, { allowBlueprintChange: Boolean(options.allowBlueprintChange) });
      from = undefined;
    }
    if (resuming && !parent && persist && options.resume?.update) {
      // The answers are judged before the update is saved: a refused answer leaves the thread as it was.
      await judgeAnswers(ctx, options.resume, from);
      await updateStateHeld(g, persist.saver, threadId, options.resume.update, { ...(from !== undefined ? { checkpointId: from } : {}), ...(options.maxStateBytes !== undefined ? { maxStateBytes: options.maxStateBytes } : {}), allowBlueprintChange: Boolean(options.allowBlueprintChange) });
      from = undefined;
    }
    loop = resuming ? await resumeStart(ctx, options.resume, from, parent?.answers) : await freshStart(ctx, input);
    const l = loop;
    step = l.step;
    // The whole state's bound (`state-size.ts`): measured once here, from the input or the loaded checkpoint; then moved by the writes.
    const stateSize = new StateGauge(stateBound(options.maxStateBytes, g.registry), g.channels);
    stateSize.measure(l.state);
    // A child run reads the conversation its parent handed in: the parent's records count too.
    if (parent?.asks) l.asks.enclosing = parent.asks;
    // A run that checkpoints as a root thread keeps the thread's ledger (`runLedger`).
    if (!parent || namespace === "") book = new SpendBook(l.spend, persist ? (record) => persist.putDurable(spendRecord, [[SPECIAL.spend, record]]) : undefined);
    // A root run of a worker pool: its budget is the run's account across the pool's processes.
    if (!parent && book && options.spendGate) book.gate = options.spendGate(runId, l.spend ?? { tokens: 0, usd: 0 });
    const spend = runLedger(book, parent, namespace, l.spend, threadId);
    await emit({ type: "run_started", graph: bp.id, hash: bp.hash, input: l.input, ...(l.resumedFrom !== undefined ? { resumedFrom: l.resumedFrom } : {}) });
    if (l.entryRoute) await emit({ type: "route_selected", from: "start", ...l.entryRoute });
    if (!resuming && persist) {
      const interrupts = boundaryInterrupts(bp, [], l.tasks, namespace);
      await store(l, "input", [], Object.keys(input ?? {}).filter((k) => g.channels.channels.has(k)), {}, interrupts);
      stored();
      if (interrupts.length) return await pause(l, interrupts);
    }
    if (modes?.values) await emit({ type: "values", values: l.state });

    let tasks = l.detached.length ? [...l.detached, ...l.tasks] : l.tasks;
    // What the reducers carry from one superstep of this run to the next.
    const channelRun = runChannels(persist !== undefined);
    let records = l.records;
    let stepsRun = 0;
    // A graph distributes its branches when the runner is given for all graphs, or it (or a graph enclosing it) asks.
    const distributes = options.branches !== undefined && (options.distribute !== "declared" || bp.defaults.distribute === "branches");
    // What child runs inherit: the runner, whether they distribute, and the root blueprint branch jobs name.
    const childRunOptions: RunOptions = options.branches ? { ...options, distribute: distributes ? "all" : "declared", rootBlueprintHash: options.rootBlueprintHash ?? bp.hash } : options;
    const childCtx: ChildRunContext = {
      options: childRunOptions,
      sink,
      run,
      signal: controller.signal,
      emit,
      parentNs: namespace,
      checkpointer: persist ? saver : undefined,
      durability,
      answers: l.answers,
      asks: l.asks,
      packets,
      enclosingBudgets: childBudgets,
      ...(spend ? { spend } : {}),
      ...(parent?.usageSinks ? { usageSinks: parent.usageSinks } : {}),
      ...(l.lineage !== undefined ? { lineage: l.lineage } : {}),
      persistentCalls,
    };
    // What every step's tasks share, made once (a closure per step is an allocation and,
    // under tsx's keepNames, a defineProperty: it adds up over a thousand supersteps).
    const baseEnv: TaskEnv = {
      blueprint: bp,
      written,
      stateSize,
      registry: g.registry,
      authority: g.authority,
      nodes: g.index.nodes,
      run,
      step: 0,
      input: l.input,
      state: l.state,
      messagesChannel: g.channels.messagesChannel,
      signal: controller.signal,
      aborted,
      clock,
      emit,
      wants,
      random: options.random ?? Math.random,
      sleep,
      runChild: (graph, childInput, task, usage, caller) => runChild(g, childCtx, graph, childInput, task, { step, ...(persist?.latestId !== undefined ? { parentCheckpoint: persist.latestId } : {}) }, usage, caller),
      ...(parent?.usageSinks ? { usageSinks: parent.usageSinks } : {}),
      enclosingBudgets,
      childBudgets,
      ...(spend ? { spend } : {}),
      answers: l.answers,
      namespace,
      canInterrupt: persist !== undefined,
      tokens: Boolean(modes?.tokens),
      asks: l.asks,
    };
    // Branches run elsewhere only from a stored checkpoint, in a graph that distributes (child graphs too).
    // A child run's branch jobs name the root blueprint too (the worker reaches the child's from it).
    const rootHash = parent ? options.rootBlueprintHash : bp.hash;
    const remote = distributes && rootHash !== undefined && persist && persist.durability !== "exit" ? { runner: options.branches!, hash: bp.hash, ...(parent ? { root: rootHash } : {}) } : undefined;
    // The host's bound on one fan-out: this run's option, else the registry's (`RagConfig.limits`).
    const maxSendPackets = options.maxSendPackets ?? g.registry.runLimits?.maxSendPackets;
    const planCtx = {
      index: g.index,
      state: l.state,
      step: 0,
      scope: (t: PlannedTask, res: unknown) => taskScope(t, { state: planCtx.state, input: l.input, run, step: planCtx.step }, { result: res ?? null }),
      taskId: (i: number) => `${prefix}${planCtx.step + 1}.${i}`,
      wants,
      ...(maxSendPackets !== undefined ? { maxSendPackets } : {}),
      packets,
    };
    while (tasks.length || detached.pending) {
      if (!tasks.length) await detached.next();
      step = l.step + 1;
      if (++stepsRun > limit) throw new RecursionLimitError(limit, { graph: bp.id, step });
      if (controller.signal.aborted) throw controller.signal.reason;
      const stepStarted = clock.now();
      if (wants("step_started")) await emit({ type: "step_started", tasks: tasks.map((t) => taskRef(t, g)) });
      // A two-key object over the shared one (copying its twenty-odd keys every superstep
      // was the run loop's largest allocation); the step's tasks read the rest through it.
      const env = Object.create(baseEnv) as { -readonly [K in keyof TaskEnv]: TaskEnv[K] };
      env.step = step;
      env.state = l.state;
      env.aborted = stepAborted();
      const { outcomes, saved } = await runStep(tasks, { env, index: g.index, planner: l.planner, concurrency, withEvents: sink !== undefined, updates: Boolean(modes?.updates), records, persist, detached, runAborted: aborted, remote });
      rejectStep = undefined;
      records = undefined;
      releasePlanned();
      const merged = detached.take();
      const all = merged.length ? [...outcomes, ...merged] : outcomes;
      // Their writes are applied now (or the run stops): the bytes they charged go back.
      for (const o of all) if (o.ok && o.writeBytes) (packets.writeBytes -= o.writeBytes), (written.run.bytes -= o.writeBytes);
      if (controller.signal.aborted) {
        saveUnsaved(persist, all, saved, g.index.nodes);
        throw controller.signal.reason;
      }
      let allOk = true;
      for (const o of all) if (!o.ok) allOk = false;
      if (!allOk) {
        const failed = all.find((o) => !o.ok && !o.interrupts && !o.toParent && !o.cancelled && !handledBy(o, g.index.nodes));
        if (failed && !failed.ok) {
          saveUnsaved(persist, all, saved, g.index.nodes);
          // The failure is saved with the checkpoint the task ran from (LangGraph's `__error__` write):
          // `getState` and `rag runs` show it; a resume runs the task again.
          persist?.putWrites(failed.task.id, [[SPECIAL.error, errorToJson(failed.error)]]);
          throw failed.error;
        }
        const commands = all.flatMap((o) => (!o.ok && o.toParent ? [o.toParent] : []));
        if (commands.length) {
          saveUnsaved(persist, all, saved, g.index.nodes);
          if (!parent) {
            const c = commands[0];
            throw new NodeError(`node \`${c.origin.node}\` sent a command to its parent graph (\`graph: "PARENT"\` / \`goto parent.…\`), but graph \`${bp.id}\` runs at the top, not as a subgraph`, "permanent", { graph: bp.id, node: c.origin.node, step });
          }
          // The run ends here; the parent's task completes with the command (`child.ts`).
          parentCommand = mergeParentCommands(commands);
          throw parentCommand;
        }
        const paused = all.flatMap((o) => (!o.ok && o.interrupts ? o.interrupts : []));
        if (paused.length) {
          saveUnsaved(persist, all, saved, g.index.nodes);
          return await pause(l, paused);
        }
      }

      let writes: PendingWrite[];
      const only = all.length === 1 ? all[0] : undefined;
      if (only?.ok) writes = only.writes;
      else {
        writes = [];
        for (const o of all) {
          if (o.ok) writes.push(...o.writes);
          else if (!o.cancelled) {
            const by = handledBy(o, g.index.nodes)!;
            const rec: RecordedError = { taskId: o.task.id, node: o.task.node, step, handledBy: by, error: errorToJson(o.error) };
            l.errors.push(rec);
            const w = errorWrite(g, rec);
            if (w) writes.push(w);
          }
        }
      }
      let applied: ReturnType<typeof g.channels.apply>;
      // Before anything of the step is applied or checkpointed: the state it would leave is within the bound.
      const grouped = byChannel(writes);
      stateSize.check(grouped, { graph: bp.id, step });
      const before = l.state;
      try {
        applied = g.channels.apply(l.state, writes, g.registry, step, channelRun);
      } catch (e) {
        refusedWrite(persist, e, all, saved, g.index.nodes);
        throw e;
      }
      stateSize.applied(before, applied.state, applied.changed, grouped);
      // The exact sizes the reducers made (a `messages` write given ids), before the state is kept or saved.
      stateSize.verify({ graph: bp.id, step });
      l.state = applied.state;
      // Who asked for the calls of the model replies just written; only the last assistant message's record is kept.
      for (const o of all) if (o.ok && o.asks) l.asks.add(o.asks);
      l.asks.prune(l.state, g.channels.messagesChannel);
      if (applied.changed.length && wants("state_updated")) await emit({ type: "state_updated", channels: applied.changed, values: Object.fromEntries(applied.changed.map((c) => [c, l.state[c]])) });
      if (modes?.values) await emit({ type: "values", values: l.state });

      const completions: Completion[] = all.map(completionOf);
      for (const o of all) if (o.ok && o.result !== undefined) l.lastResult = o.result;
      planCtx.state = l.state;
      planCtx.step = step;
      const planned = plan(l.planner, completions, planCtx);
      if (sink) for (const e of planned.events) if (wants(e.type)) await emit(e);
      l.step = step;
      l.tasks = tasks = planned.tasks;
      inFlight = planned.packets ?? 0;
      inFlightBytes = planned.packetBytes ?? 0;
      let interrupts: readonly PendingInterrupt[] = NO_INTERRUPTS;
      if (persist) {
        const seen = l.versions;
        if (applied.changed.length) {
          l.versions = { ...seen };
          for (const c of applied.changed) if (!g.channels.channels.get(c)!.reducer.untracked) l.versions[c] = (l.versions[c] ?? 0) + 1;
        }
        const ran = all.length === 1 ? [all[0].task] : all.map((o) => o.task);
        interrupts = boundaryInterrupts(bp, ran, tasks, namespace);
        await store(l, "loop", ran, applied.changed, seen, interrupts);
        stored();
      }
      if (wants("step_completed")) await emit({ type: "step_completed", durationMs: clock.now() - stepStarted });
      if (interrupts.length) return await pause(l, interrupts);
    }
    // An output field is read as an own field of the state: one the state lacks is null (a
    // field called `toString` returned Object.prototype's function, into the parent's state
    // and on to a tool's arguments).
    const output = bp.output ? Object.fromEntries(bp.output.map((f) => [f.name, (Object.hasOwn(l.state, f.name) ? l.state[f.name] : undefined) ?? null])) : (l.lastResult ?? null);
    if (persist) await persist.drain();
    const r = result("completed", output, [], l);
    await emit({ type: "run_completed", state: l.state, output, steps: l.step, durationMs: r.durationMs, errors: l.errors.map((e) => ({ ...e })) });
    return r;
  } catch (e) {
    const err = e instanceof RagError || e instanceof Error ? e : new Error(String(e));
    if (e === parentCommand && loop) {
      // Not a failure: the child run ends and hands its command to the parent's task.
      await detached.settled();
      if (persist) await persist.drain();
      await emit({ type: "run_completed", state: loop.state, output: null, steps: loop.step, durationMs: clock.now() - started, errors: loop.errors.map((x) => ({ ...x })) });
      throw e;
    }
    if (detached.running) {
      controller.abort(err);
      await detached.settled();
    }
    // Whatever the mode, what a failed, cancelled or crashed-into run did is kept (best effort: the run's own error wins).
    if (persist) await persist.drain().catch(() => {});
    await emit({ type: "run_failed", error: errorToJson(err), steps: step, durationMs: clock.now() - started });
    throw err;
  } finally {
    releasePlanned();
    packets.writeBytes -= written.run.bytes;
    options.signal?.removeEventListener("abort", onAbort);
    await claim?.release();
  }
}

/** What the planner learns of an outcome (built by assignment, in the key order of the literal it replaces: one per task). */
function completionOf(o: TaskOutcome): Completion {
  if (!o.ok) return o.cancelled ? { task: o.task, ok: false, cancelled: true, error: errorToJson(o.error) } : { task: o.task, ok: false, error: errorToJson(o.error) };
  const c: { -readonly [K in keyof Completion]: Completion[K] } = { task: o.task, ok: true };
  if (o.route !== undefined) c.route = o.route;
  if (o.result !== undefined) c.result = o.result;
  if (o.goto !== undefined) c.goto = o.goto;
  return c;
}

/** Saves the records of a step's outcomes not saved yet (before the run stops at an abort, a failure or a pause). */
function saveUnsaved(persist: Persister | undefined, all: readonly TaskOutcome[], saved: ReadonlySet<TaskOutcome>, nodes: ReadonlyMap<string, NodeSpec>): void {
  if (!persist) return;
  for (const o of all) {
    if (saved.has(o) || o.restored) continue;
    const rec = recordOf(o, nodes);
    if (rec) persist.putWrites(o.task.id, rec);
  }
}

/**
 * A write the state refused at the barrier (`InvalidUpdateError` naming its task: a value
 * its field's type or reducer cannot take) fails the run at the task that wrote it: the
 * step's records are saved, then the error against that task, marked `refused` (the task
 * completed; its writes did not fit), so `getState`/`rag runs` show the thread `failed`
 * with the error — it said `resumable`, with none. A resume applies the saved writes again,
 * through the blueprint it is given: after a fix of the field's type it goes on, else it
 * fails the same way (the task does not run again: LangGraph's pending writes are never
 * redone either).
 */
function refusedWrite(persist: Persister | undefined, e: unknown, all: readonly TaskOutcome[], saved: ReadonlySet<TaskOutcome>, nodes: ReadonlyMap<string, NodeSpec>): void {
  if (!persist || !(e instanceof InvalidUpdateError) || e.taskId === undefined) return;
  const task = e.taskId;
  if (!all.some((o) => o.task.id === task)) return;
  saveUnsaved(persist, all, saved, nodes);
  persist.putWrites(task, [[SPECIAL.error, { ...errorToJson(e), refused: true }]]);
}

function numberOr(v: unknown, d: number): number {
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : d;
}

/**
 * The ledger a run's model calls are charged to (`CallContext.spend`). A root run: its
 * own `book` (the thread's ledger). A run linked from outside the runtime that
 * checkpoints as a root thread (a REPL session's `graph_run`/`:resume`, a CodeAct
 * script's graph; `namespace` ""): its own book too, which starts from the thread's
 * spend (`spent`) and records its own, joined with the enclosing ledger when there is
 * one (`LinkedLedger`: the thread's earlier spend counted once). A child run of this runtime (a subgraph): its root's ledger.
 */
function runLedger(book: SpendBook | undefined, parent: ParentLink | undefined, namespace: string, spent: Spend | undefined, threadId: string): SpendLedger | undefined {
  if (!parent) return book;
  if (namespace !== "") return parent.spend;
  return parent.spend && book ? new LinkedLedger(book, spent ?? { tokens: 0, usd: 0 }, parent.spend, threadId) : book;
}

function taskRef(t: PlannedTask, g: LoopGraph): TaskRef {
  return { taskId: t.id, node: t.node, kind: taskSpec(t, { nodes: g.index.nodes }).kind, trigger: t.trigger, ...(t.branch ? { fanoutId: t.branch.fanoutId, branch: t.branch.index } : {}) };
}

/**
 * A handled failure is also written to a state field named `errors` when the graph
 * declares one: the text of the error for a list of strings, else the record.
 */
function errorWrite(g: LoopGraph, rec: RecordedError): PendingWrite | undefined {
  const ch = g.channels.channels.get("errors");
  if (!ch) return undefined;
  const t = ch.field.type;
  const item = t.type === "list" ? t.items : t;
  const text = `${rec.node}: ${String(rec.error.message ?? "failed")}`;
  return { channel: "errors", value: item.type === "string" ? text : { ...rec }, taskId: rec.taskId, node: rec.node };
}
