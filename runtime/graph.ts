/**
 * `CompiledGraph`: a Blueprint bound to a Registry (`language.md` pipeline: "runtime
 * binding → compiled state graph → runs"). Binding checks that every name the
 * blueprint uses has an implementation and fails with one BindError listing them all.
 */
import type { Blueprint, GrantLimit } from "../compiler/index.js";
import { bindRefusals, blueprintCapabilities, blueprintHash, CAPABILITY_KINDS } from "../compiler/index.js";
import { reviewStatus, toolParameters, type Registry } from "../registry/index.js";
import { RunAuthority } from "./authority.js";
import { isSpecial, type Checkpointer, type ListOptions } from "./checkpoint/types.js";
import { BindError, CancelledError, CompileError, CheckpointError, InvalidInputError, PolicyError, ReviewRequiredError } from "./errors.js";
import type { RunEvent, RunEventType } from "./events.js";
import type { ResumeCommand } from "./interrupt.js";
import { GraphIndex } from "./graph-index.js";
import { runLoop } from "./run.js";
import type { EventSink, ParentLink, RunOptions, RunResult, StreamModes } from "./run-options.js";
import { ChannelTable } from "./state.js";
import { BoundedStream } from "./stream.js";
import { fork, getState, getStateHistory, type StateSnapshot } from "./threads.js";
import { updateState, type UpdateStateOptions } from "./update-state.js";
import { getNestedHistory, getNestedState, updateNestedState, type SubgraphStateOptions } from "./subgraph-state.js";

export interface GraphOptions {
  readonly registry: Registry;
  /** Other graphs of the same file, callable as subgraphs by name. */
  readonly graphs?: ReadonlyMap<string, Blueprint>;
  /** Default checkpointer of every run (a run's `checkpointer` option overrides it). */
  readonly checkpointer?: Checkpointer;
  /**
   * Limits inherited from whoever starts the graph (outermost last): an enclosing
   * graph's `allow` lists, the grants of a session or `repl_agent` node. The graph binds
   * only if its capabilities fit them, and every use is checked against them too.
   */
  readonly limits?: readonly GrantLimit[];
}

/**
 * What a stream yields (`runtime.md` §6): `events` — every event; `values` — the state
 * after each superstep (`values` events); `updates` — each task's writes as it completes
 * (`updates` events); `messages` — model tokens as they stream (`model_token`, then
 * `model_completed`); `custom` — what node kinds emit (`task.emit(name, data)`: `custom`
 * events; LangGraph's `config.writer`). Every mode also yields the run's end:
 * `run_completed`, `run_failed`, or `interrupt` events then `run_interrupted`.
 */
export type StreamMode = "values" | "updates" | "events" | "messages" | "custom";

export interface StreamOptions extends RunOptions {
  /** Events buffered before the run waits for the consumer (backpressure). Default 256. */
  readonly bufferSize?: number;
  /** Default `events`; several modes yield the union of their events. */
  readonly mode?: StreamMode | readonly StreamMode[];
  /**
   * With modes other than `events`: also yield the `values`/`updates` events of subgraph
   * runs (LangGraph's `subgraphs: true`; tell them apart by `depth` and `namespace`).
   * Default false: a subgraph shows as its node's update in the parent. Model tokens of
   * subgraphs are always yielded in `messages` mode, and their custom events in `custom`
   * mode (as LangGraph streams a subgraph's writer output).
   */
  readonly subgraphs?: boolean;
}

const TERMINAL: readonly RunEventType[] = ["run_completed", "run_failed", "run_interrupted", "interrupt"];
const MODE_TYPES: Readonly<Record<Exclude<StreamMode, "events">, readonly RunEventType[]>> = {
  values: ["values", ...TERMINAL],
  updates: ["updates", ...TERMINAL],
  messages: ["model_token", "model_completed", ...TERMINAL],
  custom: ["custom", ...TERMINAL],
};
/** Event types of child runs shown whatever `subgraphs` says (LangGraph streams them from every depth). */
const ANY_DEPTH: ReadonlySet<RunEventType> = new Set(["model_token", "model_completed", "custom"]);

/**
 * The stream modes asked for, checked: an unknown mode (a typo, or a LangGraph mode with
 * no counterpart such as `debug`) would otherwise yield no event at all, not even the end.
 *
 * @throws InvalidInputError naming the mode and the modes there are.
 */
function streamModes(mode: StreamOptions["mode"], graph: string): Set<StreamMode> {
  const modes = new Set<StreamMode>(typeof mode === "string" ? [mode] : (mode ?? ["events"]));
  for (const m of modes) {
    if (m !== "events" && !Object.hasOwn(MODE_TYPES, m)) {
      throw new InvalidInputError(`stream mode \`${String(m)}\` is not one of ${["values", "updates", "messages", "custom", "events"].map((x) => `\`${x}\``).join(", ")} (LangGraph's \`debug\`, \`tasks\` and \`checkpoints\` are in \`events\`)`, { graph });
    }
  }
  return modes;
}

export class CompiledGraph {
  readonly index: GraphIndex;
  readonly channels: ChannelTable;
  readonly registry: Registry;
  readonly checkpointer: Checkpointer | undefined;
  /** Decides every capability use of this graph's runs (`runtime/authority.ts`). */
  readonly authority: RunAuthority;
  /** Child graphs by the limits they were bound under (`RunAuthority.childLimits`, one list per calling node), then by name. */
  private readonly children = new WeakMap<readonly GrantLimit[], Map<string, CompiledGraph>>();

  /**
   * @throws BindError when the registry lacks a kind, model, tool, agent, graph or reducer the blueprint uses.
   * @throws PolicyError when the blueprint asks for capabilities the registry's policy withholds.
   * @throws ReviewRequiredError when the policy requires review and the blueprint's hash is not approved.
   */
  constructor(
    readonly blueprint: Blueprint,
    readonly options: GraphOptions,
  ) {
    this.registry = options.registry;
    this.checkpointer = options.checkpointer;
    const missing = bindProblems(blueprint, options);
    if (missing.length) {
      throw new BindError(`graph \`${blueprint.id}\` cannot be bound: ${missing.map((m) => m.message).join("; ")}`, missing.map((m) => m.name), { graph: blueprint.id });
    }
    // `__name__` is the runtime's namespace for its records among a task's pending writes
    // (`__task__`, `__interrupt__`, `__spend__` …): a state field of that form had its writes
    // read back as those records after a crash (a `__spend__` write counted as budget spend)
    // and dropped from the restored task. The compiler reports it (E-rag-reserved-field); binding refuses it too.
    const reserved = blueprint.state.find((f) => isSpecial(f.name));
    if (reserved) throw new CompileError(`graph \`${blueprint.id}\` declares state field \`${reserved.name}\`: names of the form \`__name__\` are reserved for the runtime's records; rename it`, [], { graph: blueprint.id });
    this.authority = new RunAuthority(blueprint, this.registry, options.limits ?? [], options.graphs?.keys() ?? []);
    checkCapabilities(blueprint, this.authority, options);
    checkPolicy(blueprint, this.registry);
    this.index = new GraphIndex(blueprint);
    this.channels = new ChannelTable(blueprint);
    prepareTools(blueprint, this.registry);
  }

  /**
   * Runs to the end or to a pause; resolves with the result (`status` completed or
   * interrupted), rejects with a typed error. `input` null (or `options.resume`)
   * resumes `options.threadId` from its checkpoint.
   */
  invoke(input: Record<string, unknown> | null = {}, options: RunOptions = {}): Promise<RunResult> {
    return runLoop(this, input, options, observerSink(options));
  }

  /**
   * Continues a paused, cancelled or crashed thread from its latest checkpoint (or
   * `options.checkpointId`): completed tasks are not run again; interrupted tasks run
   * again from their start, their `interrupt()` calls returning the answers.
   *
   * @throws CheckpointError without a checkpoint; InvalidResumeError when `command` does not fit the pending interrupts.
   */
  resume(threadId: string, command: ResumeCommand = {}, options: RunOptions = {}): Promise<RunResult> {
    return runLoop(this, null, { ...options, threadId, resume: command }, observerSink(options));
  }

  /**
   * Runs and yields events as an async iterator with backpressure (see `StreamMode`).
   * Breaking out of the loop cancels the run. A failed run ends the stream after its
   * `run_failed` event (no exception).
   *
   * @throws InvalidInputError for an unknown `mode`, before anything runs.
   */
  stream(input: Record<string, unknown> | null = {}, options: StreamOptions = {}): AsyncIterable<RunEvent> {
    const controller = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    // A consumer that stops after the run's last event cancels nothing (aborting then would
    // only fan the abort out to every task signal still alive).
    let ended = false;
    const stream = new BoundedStream<RunEvent>(options.bufferSize ?? 256, () => {
      if (!ended) controller.abort(new CancelledError("the event consumer stopped", { graph: this.blueprint.id }));
    });
    const modes = streamModes(options.mode, this.blueprint.id);
    const wanted = modes.has("events") ? undefined : new Set([...modes].flatMap((m) => MODE_TYPES[m as Exclude<StreamMode, "events">]));
    const sinkModes: StreamModes = { values: modes.has("values"), updates: modes.has("updates"), tokens: modes.has("messages") || modes.has("events") };
    const observe = options.onEvent;
    // User-facing modes show what the user wrote: the root run's events (plus model output
    // of child runs), not the inner steps, states and ends of subgraph runs.
    const nested = Boolean(options.subgraphs);
    const shown = (e: RunEvent) => wanted!.has(e.type) && (e.depth === 0 || nested || ANY_DEPTH.has(e.type));
    const deliver = wanted ? (e: RunEvent) => (shown(e) ? stream.push(e) : Promise.resolve()) : (e: RunEvent) => stream.push(e);
    const observed = observe ? (e: RunEvent) => (observe(e), deliver(e)) : deliver;
    const push = (e: RunEvent) => {
      if (e.depth === 0 && (e.type === "run_completed" || e.type === "run_failed" || e.type === "run_interrupted")) ended = true; // the root run's, not a child's
      return observed(e);
    };
    // An observer sees every event; without one, events no mode wants are not even built.
    const sink: EventSink = Object.assign(push, { modes: sinkModes, ...(wanted && !observe ? { types: wanted } : {}) });
    runLoop(this, input, { ...options, signal }, sink).then(
      () => stream.close(),
      () => stream.close(),
    );
    return stream;
  }

  private saver(options?: { checkpointer?: Checkpointer }): Checkpointer {
    const s = options?.checkpointer ?? this.checkpointer;
    if (!s) throw new CheckpointError(`graph \`${this.blueprint.id}\` has no checkpointer (pass one in GraphOptions)`, { graph: this.blueprint.id });
    return s;
  }

  /**
   * The thread at its latest checkpoint (or `checkpointId`); undefined when the thread has
   * none. Writes of next-step tasks that finished before a pause or failure are applied
   * (their nodes leave `next`); a failed run's error is in `error` (status `failed`).
   * `options.subgraphs`: pending tasks' child runs are attached as nested snapshots
   * (`subgraphs`, by task id); `options.namespace`: read a child run instead (a checkpoint
   * namespace such as `snapshot.subgraphs[id].namespace`, or a node path like `"review"`;
   * `checkpointId` is then one of that namespace). See `subgraph-state.ts`.
   *
   * @throws NamespaceError when `options.namespace` is malformed or names no child run.
   */
  getState(threadId: string, checkpointId?: string, options?: SubgraphStateOptions): Promise<StateSnapshot | undefined> {
    if (!options?.subgraphs && !options?.namespace) return getState(this.saver(), threadId, checkpointId, this);
    return getNestedState(this, this.saver(), threadId, checkpointId, options);
  }

  /** The thread's checkpoints, newest first (each as `getState` shows it); `options.namespace`: a child run's. */
  getStateHistory(threadId: string, options?: ListOptions): Promise<StateSnapshot[]> {
    if (!options?.namespace) return getStateHistory(this.saver(), threadId, options);
    return getNestedHistory(this, this.saver(), threadId, options);
  }

  /**
   * Writes values through the reducers as a new checkpoint (source `update`) of the
   * thread's head or of `options.checkpointId` (a fork); `asNode` schedules that node's
   * successors, `asNode: "END"` clears the next tasks. `options.namespace` edits a child
   * run (its reducers, its checkpoints). See `update-state.ts`, `subgraph-state.ts`.
   */
  updateState(threadId: string, values: Readonly<Record<string, unknown>> | null, options?: UpdateStateOptions): Promise<StateSnapshot> {
    if (!options?.namespace) return updateState(this, this.saver(), threadId, values, options);
    return updateNestedState(this, this.saver(), threadId, values, options);
  }

  /**
   * @internal The compiled graph `name` runs as when this graph runs it as a child
   * (under `authority.childLimits()`, no calling node); undefined when no graph has that name.
   */
  subgraph(name: string): CompiledGraph | undefined {
    try {
      return this.bindChild(name);
    } catch (e) {
      if (e instanceof BindError && e.missing.includes(`graphs.${name}`)) return undefined;
      throw e;
    }
  }

  /** Copies a checkpoint into a new thread (source `fork`); resume the new thread to re-run from there. */
  fork(threadId: string, checkpointId: string, newThreadId?: string): Promise<StateSnapshot> {
    return fork(this.saver(), threadId, checkpointId, newThreadId);
  }

  /**
   * @internal Runs a child graph (subgraph node, graph send target, `task.runGraph`, a
   * session's graph); `input` null resumes its checkpoint. `limits`: the child's, from
   * `authority.childLimits(calling node)` (default: no calling node).
   * @throws BindError, PolicyError, ReviewRequiredError as `bindChild`.
   */
  child(graph: string, input: Record<string, unknown> | null, options: RunOptions, parent: ParentLink, sink: EventSink | undefined, limits?: readonly GrantLimit[]): Promise<RunResult> {
    return runLoop(this.bindChild(graph, limits), input, options, sink, parent);
  }

  /**
   * @internal Graph `graph` bound as a child of this one under `limits` (default
   * `authority.childLimits()`), cached per limits list and name. Every child-run path binds
   * here, so a child uses no more than `childRunLimits` (compiler/grants.ts) lets it — the
   * rule `rag approve` lists what a blueprint reaches by.
   * @throws BindError when no graph has that name or the child lacks an implementation.
   * @throws PolicyError (with `refusals`) when the child uses what its limits or the policy refuse.
   */
  bindChild(graph: string, limits: readonly GrantLimit[] = this.authority.childLimits()): CompiledGraph {
    let byName = this.children.get(limits);
    if (!byName) {
      byName = new Map();
      this.children.set(limits, byName);
    }
    let c = byName.get(graph);
    if (!c) {
      const local = this.options.graphs?.get(graph);
      const bp = local ?? this.registry.graphs.get(graph);
      if (!bp) throw new BindError(`graph \`${graph}\` is not registered`, [`graphs.${graph}`], { graph: this.blueprint.id });
      // A subgraph can use no more than its caller may (`childRunLimits`). A graph
      // of this file resolves names as its file does (its siblings first); a registered one
      // as it was compiled, from the registry: handed this file's graphs, a graph it binds
      // by name (`graph "helper"`) ran this file's `graph helper` instead — a graph the
      // parent's capability list never named, with whatever it uses.
      const { graphs, ...rest } = this.options;
      c = new CompiledGraph(bp, { ...rest, ...(local && graphs ? { graphs } : {}), limits });
      byName.set(graph, c);
    }
    return c;
  }
}

/**
 * The capabilities a blueprint lists are the ones its nodes use (re-derived with the
 * compiler's own function), and each is allowed by the graph's limits and the
 * registry's policy — one `authorize` call per capability, as at call time. A blueprint
 * built or edited outside the compiler cannot use a name it does not list.
 *
 * @throws BindError when the blueprint uses a capability its `capabilities` list lacks.
 * @throws PolicyError when a listed capability is outside a limit or the policy.
 */
function checkCapabilities(bp: Blueprint, authority: RunAuthority, o: GraphOptions): void {
  // Same-file graphs are those the host handed over with the blueprint (`graphs`): a name
  // the blueprint's own `subgraphs` claims but the host did not give resolves from the
  // registry when it runs, so it is a registry capability like any other (a forged
  // `subgraphs: { privg: … }` ran a registered graph the policy refused).
  const local = { agents: new Set(bp.agents.map((a) => a.name)), graphs: new Set(o.graphs?.keys() ?? []) };
  const used = blueprintCapabilities(bp.nodes, bp.agents, bp.state, local);
  const unlisted: string[] = [];
  for (const kind of CAPABILITY_KINDS) {
    const listed = new Set((bp.capabilities as unknown as Record<string, readonly string[] | undefined>)[kind] ?? []);
    for (const n of (used as unknown as Record<string, readonly string[] | undefined>)[kind] ?? []) if (!listed.has(n)) unlisted.push(`${kind}.${n}`);
  }
  if (unlisted.length) throw new BindError(`graph \`${bp.id}\` uses capabilities its \`capabilities\` list does not name (${unlisted.join(", ")}): the blueprint was edited outside the compiler; recompile it`, unlisted, { graph: bp.id });
  const refused = bindRefusals(bp, authority.limits, authority.registry.policy);
  if (refused.length) {
    const by = [...new Set(refused.map((r) => r.source ?? ""))].filter(Boolean).join(", ");
    throw new PolicyError(`graph \`${bp.id}\` uses capabilities it may not: ${refused.map((r) => r.reason).join("; ")}`, refused.map((r) => `${r.kind}.${r.name}`), by || "policy", { graph: bp.id }, refused);
  }
}

/** Review gate at bind time (`registry/review.ts`): the compiler reports the same as a diagnostic. */
function checkPolicy(bp: Blueprint, registry: Registry): void {
  const policy = registry.policy;
  if (!policy) return;
  const review = reviewStatus(registry, bp);
  // An approval names a hash: the blueprint must be the one the hash was taken of.
  if (review.required && blueprintHash(bp) !== bp.hash) {
    throw new ReviewRequiredError(`graph \`${bp.id}\`: its content does not match its hash ${bp.hash} (edited after it was compiled), so no approval can cover it; recompile it`, bp.hash, policy.name, { graph: bp.id });
  }
  if (!review.approved) {
    const who = bp.provenance ? ` (generated by ${bp.provenance.generatedBy}${bp.provenance.author ? `, ${bp.provenance.author}` : ""})` : "";
    throw new ReviewRequiredError(`graph \`${bp.id}\`${who} needs review under policy \`${policy.name}\`: approve its hash ${bp.hash} first (\`rag approve FILE\`)`, bp.hash, policy.name, { graph: bp.id });
  }
}

interface Problem {
  readonly name: string;
  readonly message: string;
}

function bindProblems(bp: Blueprint, o: GraphOptions): Problem[] {
  const r = o.registry;
  const out: Problem[] = [];
  // `miss` is called only for what is missing: the names and messages are built then, not
  // once per node and binding of a graph that binds (a 1,000-node graph made thousands).
  const miss = (name: string, message: string) => {
    if (!out.some((p) => p.name === name)) out.push({ name, message });
  };
  const inlineAgents = new Set(bp.agents.map((a) => a.name));
  const hasGraph = (g: string) => Boolean(o.graphs?.has(g) || r.graphs.has(g));
  for (const n of bp.nodes) {
    if (!r.nodeKinds.has(n.kind)) miss(`nodeKinds.${n.kind}`, `node kind \`${n.kind}\` (node \`${n.name}\`) is not registered`);
    if (n.model && !r.models.has(n.model)) miss(`models.${n.model}`, `model \`${n.model}\` (node \`${n.name}\`) is not registered`);
    if (n.tools) for (const t of n.tools) if (!r.tools.has(t)) miss(`tools.${t}`, `tool \`${t}\` (node \`${n.name}\`) is not registered`);
    if (n.tool && !r.tools.has(n.tool)) miss(`tools.${n.tool}`, `tool \`${n.tool}\` (node \`${n.name}\`) is not registered`);
    if (n.agent && !(inlineAgents.has(n.agent) || r.agents.has(n.agent))) miss(`agents.${n.agent}`, `agent \`${n.agent}\` (node \`${n.name}\`) is not registered`);
    if (n.graph && !hasGraph(n.graph)) miss(`graphs.${n.graph}`, `graph \`${n.graph}\` (node \`${n.name}\`) is not registered`);
    if (n.route && !r.routers.has(n.route)) miss(`routers.${n.route}`, `route function \`${n.route}\` (node \`${n.name}\`) is not registered`);
    if (n.script && !r.scripts.has(n.script)) miss(`scripts.${n.script}`, `script \`${n.script}\` (node \`${n.name}\`) is not registered`);
    for (const v of n.validators ?? []) if (!r.validators.has(v)) miss(`validators.${v}`, `validator \`${v}\` (node \`${n.name}\`) is not registered`);
    for (const s of n.sends ?? []) {
      if (s.targetKind === "agent") {
        if (!(inlineAgents.has(s.target) || r.agents.has(s.target))) miss(`agents.${s.target}`, `agent \`${s.target}\` (send from \`${n.name}\`) is not registered`);
        if (!r.nodeKinds.has("subagent")) miss("nodeKinds.subagent", "node kind `subagent` is not registered");
      }
      if (s.targetKind === "graph") {
        if (!hasGraph(s.target)) miss(`graphs.${s.target}`, `graph \`${s.target}\` (send from \`${n.name}\`) is not registered`);
        if (!r.nodeKinds.has("subgraph")) miss("nodeKinds.subgraph", "node kind `subgraph` is not registered");
      }
    }
  }
  for (const a of bp.agents) {
    if (a.model && !r.models.has(a.model)) miss(`models.${a.model}`, `model \`${a.model}\` (agent \`${a.name}\`) is not registered`);
    for (const t of a.tools ?? []) if (!r.tools.has(t)) miss(`tools.${t}`, `tool \`${t}\` (agent \`${a.name}\`) is not registered`);
  }
  for (const name of new Set([...(bp.agents.map((a) => a.name)), ...bp.nodes.flatMap((n) => (n.agent ? [n.agent] : []))])) {
    const def = r.agents.get(name);
    if (def && !inlineAgents.has(name)) {
      if (!r.models.has(def.model)) miss(`models.${def.model}`, `model \`${def.model}\` (agent \`${name}\`) is not registered`);
      for (const t of def.tools ?? []) if (!r.tools.has(t)) miss(`tools.${t}`, `tool \`${t}\` (agent \`${name}\`) is not registered`);
    }
  }
  for (const f of bp.state) if (f.reducer.name === "aggregate" && f.reducer.fn && !r.reducers.has(f.reducer.fn)) miss(`reducers.${f.reducer.fn}`, `reducer function \`${f.reducer.fn}\` (channel \`${f.name}\`) is not registered`);
  return out;
}

/** For `invoke`/`resume`: a sink that only feeds `RunOptions.onEvent` (no stream modes, no tokens). */
function observerSink(options: RunOptions): EventSink | undefined {
  const observe = options.onEvent;
  return observe ? Object.assign((e: RunEvent) => (observe(e), Promise.resolve()), { modes: {} }) : undefined;
}

/**
 * Exports the JSON Schema of every registry tool the blueprint binds at bind time (cached
 * per definition), as LangGraph binds an agent's tools when the agent is built, so the
 * first model call of a run does not pay for it. A schema zod cannot export is left to
 * fail at the call that offers it, with the node named.
 */
function prepareTools(blueprint: Blueprint, registry: Registry): void {
  for (const name of blueprint.capabilities.tools) {
    const def = registry.tools.get(name);
    if (!def) continue;
    try {
      toolParameters(def);
    } catch {
      // reported where the tool is offered
    }
  }
}
