/**
 * Where a session's capability calls go (`repl.md` §2, `runtime.md` §7). Two hosts:
 *
 * - `nodeHost(task)`: a session inside a `repl_agent` node calls models and tools
 *   through the node's `NodeTask` — the runtime's harness, with its events, usage and
 *   cancellation — and runs registered graphs as child runs of the node;
 * - `sessionHost(…)`: a top-level session (`rag repl`) calls the registry's models and
 *   tools with the same request shape, usage/cost accounting and events as the
 *   runtime's harness, and runs graphs as child runs of the session (the session is
 *   their parent run, so their events nest under it).
 */
import { authorize, CAPABILITY_KINDS, compileGraph, grantsAsLimit, isRegistryKind, type AuthScope, type Blueprint, type CapabilityKind, type Decision, type GrantLimit, type Grants, type Json } from "../compiler/index.js";
import { checkToolResult, type CallContext, type ChatRequest, type NodeTask, type Registry, type SpendLedger, type Usage } from "../registry/index.js";
import { BindError, CapabilityDeniedError, CompiledGraph, type Checkpointer, type PendingInterrupt, type RunEvent } from "../runtime/index.js";
import { describeIssues } from "../runtime/schema.js";
import { agentLoop, asUserText } from "../stdlib/kinds/conversation.js";
import type { SessionEventBody } from "./events.js";

export interface ModelAnswer {
  readonly content: string;
  readonly structured?: unknown;
  readonly usage: Usage;
  readonly finishReason: string;
}

export interface GraphOutcome {
  readonly runId: string;
  readonly threadId: string;
  /** `interrupted`: the run paused for a person; `:resume THREAD JSON` at the prompt continues it. */
  readonly status: "completed" | "interrupted";
  readonly output: unknown;
  readonly state: Readonly<Record<string, unknown>>;
  readonly steps: number;
  readonly interrupts: readonly PendingInterrupt[];
  /** `state_updated` events of the run, in order (empty when the run's events are not visible here). */
  readonly history: readonly { readonly step: number; readonly channels: readonly string[]; readonly values: Readonly<Record<string, unknown>> }[];
}

/** A graph to run: a fresh run from `input`, or (`input` null) a resume of `thread` answering its interrupts by id. */
export interface GraphRunRequest {
  readonly name: string;
  readonly blueprint: Blueprint;
  /** Graphs its subgraph nodes may call by name (the session's, the file's). */
  readonly graphs: ReadonlyMap<string, Blueprint>;
  readonly input: Record<string, unknown> | null;
  readonly thread?: string;
  /** Answers to the thread's pending interrupts, by interrupt id (resume only). */
  readonly answers?: Readonly<Record<string, unknown>>;
}

/** Identity of the session, for model request metadata and child runs. */
export interface HostIds {
  readonly sessionId: string;
  readonly rootRunId: string;
  readonly depth: number;
  readonly namespace: string;
  readonly cellId: string;
  /** Budgets of the runs enclosing the session (a `repl_agent` node's graph): they bound the session's graph runs too. */
  readonly enclosingBudgets?: readonly Json[];
  /**
   * The budget ledger enclosing the session's calls and graph runs: the graph run's around
   * a session inside a node (`NodeTask.spend`), or a top-level session's own (`Session.spend`).
   */
  readonly spend?: SpendLedger;
}

export interface CapabilityHost {
  readonly registry: Registry;
  /**
   * The one authorisation check for the session's calls (`compiler/grants.ts`): a
   * top-level session's grants (every registered name, narrowed by the registry's policy
   * for who writes the cells), or the grants of the `repl_agent` node hosting it.
   * Built-ins ask before a call is made; a refused call never runs.
   */
  authorize(kind: CapabilityKind, name: string): Decision;
  /** Limits for graph runs the session starts (what they may use at most). */
  limits(): readonly GrantLimit[];
  callModel(model: string, request: Omit<ChatRequest, "model">, ids: HostIds, signal: AbortSignal): Promise<ModelAnswer>;
  callTool(tool: string, args: unknown, ids: HostIds, signal: AbortSignal): Promise<unknown>;
  runAgent(agent: string, input: unknown, ids: HostIds, signal: AbortSignal): Promise<{ answer: unknown; usage?: Usage }>;
  runGraph(request: GraphRunRequest, ids: HostIds, signal: AbortSignal): Promise<GraphOutcome>;
}

type Emit = (body: SessionEventBody, capability?: string) => void;
type Forward = (event: RunEvent) => void;

const ZERO = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };

/**
 * The middleware's view of a session's call: the session is the run (budgets are per
 * root run, so a session's calls share one budget), the cell the task, and the calling
 * "node" is `session` (no per-node cache, validate or retry policy).
 */
function sessionContext(ids: HostIds): CallContext {
  return {
    run: { runId: ids.sessionId, rootRunId: ids.rootRunId, threadId: ids.sessionId, graph: "session", namespace: ids.namespace, checkpointNs: "", depth: ids.depth, step: 0 },
    taskId: ids.cellId,
    node: { name: "session", kind: "repl_agent", span: ZERO },
    defaults: {},
    // The session's ledger: its graph runs are charged to it too (`LinkedLedger`), so a budget covers both.
    ...(ids.spend ? { spend: ids.spend } : {}),
  };
}

/**
 * A top-level session's host. `emit` records harness events; `forward` passes graph
 * events on; graph runs checkpoint to `checkpointer` as root threads (so the prompt's
 * `:resume` and `graph_history` find them, and so does `rag resume` on the same file).
 */
export function sessionHost(registry: Registry, emit: Emit, forward: Forward, checkpointer: Checkpointer, grant: SessionGrant = scopeGrant(sessionScope(registry, "human"))): CapabilityHost {
  const refuse = (kind: CapabilityKind, name: string) => {
    const d = grant.authorize(kind, name);
    if (!d.allowed) throw new CapabilityRefused(d.reason);
  };
  // Read at each use: a session's grant changes when its trust is lowered (`Session.lowerTrust`).
  const host: CapabilityHost = {
    registry,
    authorize: (kind, name) => grant.authorize(kind, name),
    limits: () => grant.limits,
    async callModel(model, request, ids, signal) {
      refuse("models", model);
      const m = registry.models.get(model);
      if (!m) throw new BindError(`model \`${model}\` is not registered`, [`models.${model}`]);
      emit({ type: "model_started", model, provider: m.provider.name, messages: request.messages.length }, "model_query");
      const t0 = Date.now();
      // Through the registry's middleware chain (telemetry, budget, validate, cache, retry,
      // rate limit, circuit breaker), as a graph node's calls are; the session is the run.
      const res = await registry.chat(m, { ...request, metadata: { graph: ids.namespace, node: ids.cellId, runId: ids.sessionId, ...request.metadata } }, { signal, context: sessionContext(ids) });
      emit({ type: "model_completed", model, usage: res.usage, finishReason: res.finishReason, durationMs: Date.now() - t0, ...(res.cached ? { cached: true } : {}) }, "model_query");
      return { content: res.message.content, ...(res.structured !== undefined ? { structured: res.structured } : {}), usage: res.usage, finishReason: res.finishReason };
    },
    async callTool(tool, args, ids, signal) {
      refuse("tools", tool);
      const def = registry.tools.get(tool);
      if (!def) throw new BindError(`tool \`${tool}\` is not registered`, [`tools.${tool}`]);
      if (def.approval === "deny") throw new Error(`tool \`${tool}\` is denied by its approval policy`);
      if (def.approval === "ask") throw new Error(`tool \`${tool}\` needs a person's approval for each call (approval \`ask\`), which a session cannot give`);
      const parsed = def.schema.safeParse(args);
      if (!parsed.success) throw new ArgumentsError(`arguments for tool \`${tool}\` do not match its schema: ${parsed.error.issues.map((i) => `${i.message}${i.path.length ? ` at .${i.path.join(".")}` : ""}`).join("; ")}`);
      emit({ type: "tool_started", tool, args }, "tool_call");
      const t0 = Date.now();
      try {
        let out = await def.run(parsed.data, { signal, runId: ids.sessionId, threadId: ids.sessionId, node: ids.cellId });
        const checked = checkToolResult(def, out);
        if (!checked.ok) throw new Error(`tool \`${tool}\` returned a result that does not match its \`result\` schema: ${describeIssues(checked.error)}`);
        out = checked.value;
        emit({ type: "tool_completed", tool, ok: true, durationMs: Date.now() - t0 }, "tool_call");
        return out;
      } catch (e) {
        emit({ type: "tool_completed", tool, ok: false, durationMs: Date.now() - t0, error: e instanceof Error ? e.message : String(e) }, "tool_call");
        throw e;
      }
    },
    async runAgent(agent, input, ids, signal) {
      refuse("agents", agent);
      const def = registry.agents.get(agent);
      if (!def) throw new BindError(`agent \`${agent}\` is not registered`, [`agents.${agent}`]);
      // A one-node graph running the agent as a `subagent`: the runtime's own agent loop, events and harness.
      const bp = agentBlueprint(agent);
      const r = await host.runGraph({ name: bp.id, blueprint: bp, graphs: new Map(), input: { input: asUserText(input) } }, ids, signal);
      return { answer: r.output };
    },
    async runGraph(req, ids, signal) {
      // A registered graph is a capability; a session's own graph binds only what fits the session's limits.
      const registered = registry.graphs.get(req.name) === req.blueprint;
      if (registered) refuse("graphs", req.name);
      // A registered graph resolves the graphs it binds as it was compiled, from the
      // registry: handed the session's, a graph it binds by name ran the one a script
      // registered under that name instead (runtime/graph.ts childGraph, the same rule).
      const all = registered ? new Map<string, Blueprint>() : new Map(req.graphs);
      all.set(req.name, req.blueprint);
      const parent = new CompiledGraph(req.blueprint, { registry, graphs: all, limits: grant.limits });
      const history: GraphOutcome["history"][number][] = [];
      let runDepth = -1;
      const link = {
        rootRunId: ids.rootRunId,
        parentRunId: ids.sessionId,
        threadId: req.thread ?? `thread-${globalThis.crypto.randomUUID().slice(0, 13)}`,
        namespace: ids.namespace,
        depth: ids.depth,
        // Stable across cells, so a thread's task and interrupt ids survive a resume from a later cell.
        taskIdPrefix: "repl",
        // The run checkpoints as a root thread (namespace ""), not as a subgraph of the session.
        checkpointNs: "",
        checkpointer,
        durability: undefined,
        answers: req.answers ?? {},
        enclosingBudgets: ids.enclosingBudgets ?? [],
        ...(ids.spend ? { spend: ids.spend } : {}),
      };
      const sink = async (e: RunEvent) => {
        if (runDepth < 0) runDepth = e.depth;
        if (e.type === "state_updated" && e.depth === runDepth) history.push({ step: e.step, channels: e.channels, values: e.values });
        forward(e);
      };
      let r;
      try {
        r = await parent.child(req.name, req.input, { signal }, link, sink);
      } finally {
        // The run is over (ended or paused): a shared store (Postgres) keeps the thread locked
        // against other processes until released (`Checkpointer.release`).
        await checkpointer.release?.(link.threadId).catch(() => undefined);
      }
      return { runId: r.runId, threadId: r.threadId, status: r.status, output: r.output, state: r.state, steps: r.steps, interrupts: r.interrupts, history };
    },
  };
  return host;
}

/**
 * A session inside a graph node (CodeAct): every call goes through the node's task — the
 * runtime's harness and its authorisation check, with the `repl_agent` node's binding
 * (its `model`, `tools`, `models`, `agents`, `graphs`), the graph's `allow` lists and the
 * registry's policy; graphs the script runs are limited to what the node was granted.
 */
export function nodeHost(task: NodeTask, forward: Forward, checkpointer: Checkpointer): CapabilityHost {
  const codeact = { caller: "codeact" } as const;
  const limits = task.childLimits();
  const session = sessionHost(task.registry, () => {}, forward, checkpointer, { authorize: (kind, name) => task.authorize(kind, name, codeact), limits });
  const refuse = (kind: CapabilityKind, name: string) => {
    try {
      task.requireCapability(kind, name, codeact);
    } catch (e) {
      throw new CapabilityRefused(e instanceof Error ? e.message : String(e));
    }
  };
  return {
    registry: task.registry,
    authorize: (kind, name) => task.authorize(kind, name, codeact),
    limits: () => limits,
    async callModel(model, request) {
      refuse("models", model);
      const r = await task.callModel(model, request, codeact);
      return { content: r.assistant.content, ...(r.structured !== undefined ? { structured: r.structured } : {}), usage: r.usage, finishReason: r.finishReason };
    },
    async callTool(tool, args) {
      refuse("tools", tool);
      return task.callTool(tool, args, codeact);
    },
    async runAgent(agent, input) {
      refuse("agents", agent);
      const def = task.registry.agents.get(agent);
      if (!def) throw new BindError(`agent \`${agent}\` is not registered`, [`agents.${agent}`]);
      const start = [
        ...(def.system ? [{ id: `${task.taskId}#agent-system`, role: "system" as const, content: def.system }] : []),
        { id: task.newMessageId(), role: "user" as const, content: asUserText(input) },
      ];
      const run = await agentLoop(task, start, { model: def.model, tools: def.tools ?? [], maxSteps: def.maxSteps ?? 8, agent });
      return { answer: run.result, usage: run.final.usage };
    },
    async runGraph(req, ids, signal) {
      if (req.input !== null && task.registry.graphs.get(req.name) === req.blueprint) {
        // A registered graph runs as a child run of the node (the runtime's own subgraph path).
        refuse("graphs", req.name);
        let r;
        try {
          r = await task.runGraph(req.name, req.input, codeact);
        } catch (e) {
          // The graph uses more than the node was granted (or than its generated caller may):
          // refused before it started (runtime/child.ts), reported as a `capability_denied` event.
          if (e instanceof CapabilityDeniedError && e.taskId === task.taskId) throw new CapabilityRefused(e.message);
          throw e;
        }
        return { runId: "", threadId: task.run.threadId, status: "completed", output: r.output, state: r.state, steps: 0, interrupts: [], history: [] };
      }
      // Every enclosing run's budget, not only the node's own graph's: a run budget covers all its descendants.
      const budgets = task.childBudgets();
      return session.runGraph(req, { ...ids, rootRunId: task.run.rootRunId, ...(budgets.length ? { enclosingBudgets: budgets } : {}), ...(task.spend ? { spend: task.spend } : {}) }, signal);
    },
  };
}

/** The authorisation check refused a session's call (reported as `E-ragsh-capability-denied`); nothing ran. */
export class CapabilityRefused extends Error {
  override readonly name = "CapabilityRefused";
}

/**
 * The grants of a top-level session (`rag repl`, a script file): every name the registry
 * holds, under the registry's policy for the provenance of whoever writes the cells — a
 * person's session is trusted, a model's is `untrusted` (`policy.untrustedAllow`).
 */
export function sessionScope(registry: Registry, author: "human" | "model", owner = "the session"): AuthScope {
  const grants: Grants = {
    models: new Set(registry.models.keys()),
    tools: new Set(registry.tools.keys()),
    agents: new Set(registry.agents.keys()),
    graphs: new Set(registry.graphs.keys()),
    scripts: new Set(registry.scripts.keys()),
    // The registry's own node kinds, for the graphs the session runs (its grants are their limit).
    nodeKinds: new Set([...registry.nodeKinds.keys()].filter(isRegistryKind)),
  };
  return { owner, grants, limits: [], ...(registry.policy ? { policy: registry.policy } : {}), provenance: { generatedBy: author } };
}

/** What a session may use: its authorisation check and the limits of the graph runs it starts. */
export interface SessionGrant {
  authorize(kind: CapabilityKind, name: string): Decision;
  readonly limits: readonly GrantLimit[];
}

/** A session's grant from a scope: `authorize` over it, and its effective grants as the limit of its runs. */
export function scopeGrant(scope: AuthScope): SessionGrant {
  return {
    authorize: (kind, name) => authorize({ kind, name, caller: "repl" }, scope),
    limits: [grantsAsLimit(`the grants of ${scope.owner}`, effectiveGrants(scope)), ...scope.limits],
  };
}

/** What a scope may actually use: its grants that pass the check. */
export function effectiveGrants(scope: AuthScope): Grants {
  const out: { [K in CapabilityKind]?: Set<string> } = {};
  for (const kind of CAPABILITY_KINDS) {
    const names = scope.grants[kind];
    if (!names) continue;
    out[kind] = new Set([...names].filter((name) => authorize({ kind, name, caller: "repl" }, scope).allowed));
  }
  return out;
}

/** A tool's arguments failed its schema (reported as `E-ragsh-invalid-arguments`). */
export class ArgumentsError extends Error {
  override readonly name = "ArgumentsError";
}

const agentGraphs = new Map<string, Blueprint>();

/** A one-node graph that runs registered agent `agent` as a `subagent` on the run input's `input`. */
function agentBlueprint(agent: string): Blueprint {
  let bp = agentGraphs.get(agent);
  if (!bp) {
    const source = `graph agent_query {\n  state { answer: any }\n  start agent\n  node agent { kind subagent agent ${JSON.stringify(agent)} input "input" writes answer next END }\n}\n`;
    const r = compileGraph(source, { file: "<agent_query>" });
    if (!r.value) throw new Error(`internal: the agent_query graph does not compile: ${r.diagnostics.map((d) => d.message).join("; ")}`);
    bp = r.value;
    agentGraphs.set(agent, bp);
  }
  return bp;
}
