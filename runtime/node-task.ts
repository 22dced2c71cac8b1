/**
 * The `NodeTask` a node kind receives (`registry/node-kind.ts`): one object per task
 * attempt. Its methods live on the prototype, so a superstep of a thousand tasks makes no
 * closures per task (each closure costs an allocation, and under tsx's `keepNames` a
 * `defineProperty` too); the attempt's `signal` (the run's, the branch scope's and the
 * timeout's, combined with `AbortSignal.any`) and `scratch` are made on first use — most
 * pure nodes never read them. Copies with new keys use `Object.assign`, not `{ ...x, key }`
 * (in Node 20's V8 each key added after a spread in a literal costs ~1 µs).
 */
import type { Blueprint, CapabilityKind, Decision, ExprSpec, GrantLimit, Json, NodeSpec, TemplateSpec } from "../compiler/index.js";
import { checkToolResult, isMadeOverwrite, sealToolCall, isToolCommand, OVERWRITE, overwriteOf, withKey, type CallContext, type CapabilityOptions, type ChatMessage, type ChatRequest, type ChatResponse, type ChildRunResult, type ModelAsk, type ModelReply, type NodeTask, type Registry, type RunInfo, type SpendLedger, type ToolCall } from "../registry/index.js";
import { BindError, CapabilityDeniedError, errorMessage, InterruptError, NodeError } from "./errors.js";
import { evaluateShared, renderTemplate, sharedBudget, type Scope, type SharedBudget } from "./expr.js";
import { GraphInterrupt } from "./interrupt.js";
import type { BranchRef, PlannedTask } from "./planner-state.js";
import { callingNode } from "./persistent-child.js";
import { checkUntrustedValue, neutralizeJson, UnsafeJsonError } from "./safe-json.js";
import { isSpecial } from "./checkpoint/types.js";
import { describeIssues } from "./schema.js";
import type { TaskEnv } from "./task-env.js";
import { addModelCall, recordAsk, type UsageSink } from "./task-usage.js";

/** The scope expressions of a task see (`language.md` §3 roots). */
export function taskScope(task: PlannedTask, env: Pick<TaskEnv, "state" | "input" | "run" | "step">, extra: Record<string, unknown> = {}): Scope {
  return {
    state: env.state,
    input: env.input,
    args: task.args ?? null,
    run: { id: env.run.runId, thread: env.run.threadId, step: env.step },
    ...extra,
  };
}

/**
 * Most tool calls one model reply may ask for (model output is untrusted: a reply asking
 * for more is refused whole, before any call runs, as a retryable `NodeError`).
 */
export const MAX_TOOL_CALLS_PER_REPLY = 128;

export class TaskContext implements NodeTask {
  readonly node: NodeSpec;
  readonly blueprint: Blueprint;
  readonly taskId: string;
  readonly state: Readonly<Record<string, unknown>>;
  readonly input: Readonly<Record<string, unknown>>;
  readonly args: unknown;
  readonly registry: Registry;
  readonly messagesChannel: string | undefined;
  readonly branch?: BranchRef;
  private runInfo?: RunInfo;
  private combined?: AbortSignal;
  private scratchMap?: Map<string, unknown>;
  private messageCount = 0;
  private interrupts = 0;

  /**
   * @param extraSignals besides the run's signal: the timeout's and the branch and step scopes', when there are any (undefined: none).
   * @param attempt which attempt of the task this is (1-based).
   * @param sink where the task's model calls are counted for its completion record (`task-usage.ts`; shared by its attempts).
   */
  constructor(
    private readonly task: PlannedTask,
    spec: NodeSpec,
    private readonly env: TaskEnv,
    private readonly extraSignals?: readonly AbortSignal[],
    readonly attempt = 1,
    private readonly sink?: UsageSink,
  ) {
    this.node = spec;
    this.blueprint = env.blueprint;
    this.taskId = task.id;
    this.state = env.state;
    this.input = env.input;
    this.args = task.args;
    this.registry = env.registry;
    this.messagesChannel = env.messagesChannel;
    if (task.branch) this.branch = task.branch;
  }

  get run(): RunInfo {
    return (this.runInfo ??= Object.assign({}, this.env.run, { step: this.env.step }));
  }

  get signal(): AbortSignal {
    // One signal (the common case: no timeout, no branch or sibling scope) needs no combining.
    return (this.combined ??= this.extraSignals?.length ? AbortSignal.any([this.env.signal, ...this.extraSignals]) : this.env.signal);
  }

  get scratch(): Map<string, unknown> {
    return (this.scratchMap ??= new Map());
  }

  /** Event ids: a stand-in task (a send to an agent or graph) reports under the sending node the user wrote. */
  private ids(): { taskId: string; node: string } {
    const t = this.task;
    return { taskId: t.id, node: t.implicit && t.from !== undefined ? t.from : t.node };
  }

  private where(): { graph: string; node: string; taskId: string; step: number } {
    return { graph: this.env.blueprint.id, node: this.task.node, taskId: this.task.id, step: this.env.step };
  }

  /** The budget the expressions this task evaluates share (`input {…}` fields, `attach` entries, a kind's own): `SHARED_EXPR_BUDGET`. */
  private exprBudget?: SharedBudget;
  private shared(): SharedBudget {
    return (this.exprBudget ??= sharedBudget(`node \`${this.task.node}\`'s task`));
  }

  evaluate(expr: ExprSpec, extra?: Record<string, unknown>): unknown {
    return evaluateShared(expr, taskScope(this.task, this.env, extra), this.shared());
  }

  render(template: TemplateSpec, extra?: Record<string, unknown>): string {
    return renderTemplate(template, taskScope(this.task, this.env, extra));
  }

  resolveInput(): unknown {
    const input = this.node.input;
    if (!input) return this.task.args;
    if (input.kind === "map") {
      const scope = taskScope(this.task, this.env);
      // One budget for all the fields (red team 13A: each had its own, so work grew with their number).
      const shared = this.shared();
      return Object.fromEntries(input.fields.map((f) => [f.key, evaluateShared(f.value, scope, shared)]));
    }
    // Own fields only (as expressions read): `input "__proto__"` found Object.prototype
    // through `in` and handed it to the node as its input — a tool that wrote to its
    // arguments wrote onto every object of the process.
    const { state, input: given } = this.env;
    if (Object.hasOwn(state, input.path)) return state[input.path];
    return Object.hasOwn(given, input.path) ? (given[input.path] ?? null) : null;
  }

  newMessageId(): string {
    return `${this.env.run.namespace}:${this.task.id}#${++this.messageCount}`;
  }

  interrupt<T = unknown>(payload: unknown): T {
    const { task, env } = this;
    const id = `${task.id}#${this.interrupts++}`;
    if (id in env.answers) return env.answers[id] as T;
    if (!env.canInterrupt) {
      throw new InterruptError(`node \`${task.node}\` asked for human input (interrupt), but the run has no checkpointer to pause on: pass a checkpointer (CLI: --checkpoints) and a thread id`, payload, this.where());
    }
    throw new GraphInterrupt([{ id, kind: "node", node: task.node, taskId: task.id, payload, namespace: env.namespace }]);
  }

  emit(name: string, data: unknown): void {
    void this.env.emit({ type: "custom", name, data }, this.ids());
  }

  authorize(kind: CapabilityKind, name: string, options?: CapabilityOptions): Decision {
    return this.env.authority.check(this.node, kind, name, options);
  }

  requireCapability(kind: CapabilityKind, name: string, options?: CapabilityOptions): void {
    const d = this.env.authority.check(this.node, kind, name, options);
    if (d.allowed) return;
    const caller = options?.caller ?? (options?.agent ? "agent_loop" : this.node.kind);
    if (this.env.wants("capability_denied")) void this.env.emit({ type: "capability_denied", capability: kind, name, caller, rule: d.rule, reason: d.reason }, this.ids());
    throw new CapabilityDeniedError(d.reason, { kind, name }, caller, d.rule, this.where());
  }

  childLimits(): readonly GrantLimit[] {
    return this.env.authority.childLimits(callingNode(this.env.nodes, this.task));
  }

  childBudgets(): readonly Json[] {
    return this.env.childBudgets ?? [];
  }

  get spend(): SpendLedger | undefined {
    return this.env.spend;
  }

  async callModel(modelName: string, request: Omit<ChatRequest, "model">, options?: CapabilityOptions): Promise<ModelReply> {
    const { env, task } = this;
    const ids = this.ids();
    this.requireCapability("models", modelName, options);
    const m = env.registry.models.get(modelName);
    if (!m) throw new BindError(`model \`${modelName}\` is not registered`, [`models.${modelName}`], this.where());
    const agent = options?.agent;
    if (env.wants("model_started")) await env.emit({ type: "model_started", model: modelName, provider: m.provider.name, messages: request.messages.length, ...(agent ? { agent } : {}) }, ids);
    const t0 = env.clock.now();
    // Through the registry's middleware chain (registry/middleware.ts): the context
    // carries the node's policies (cache, validate, retry) and the graph's defaults (budget).
    // Fixed-shape literals in the common case (no agent, no caller metadata, no enclosing
    // budgets): spreads of optional keys made each call's objects slow-mode dictionaries.
    const metadata: Record<string, unknown> = { graph: env.blueprint.id, node: task.node, runId: env.run.runId, taskId: task.id, step: env.step };
    if (agent) metadata.agent = agent;
    if (request.metadata) Object.assign(metadata, request.metadata);
    const context: Record<string, unknown> = { run: this.run, taskId: task.id, node: this.node, defaults: env.blueprint.defaults };
    // Assigned, not a key of the literal: tsx/esbuild's keepNames wraps a named arrow in a
    // literal with a `defineProperty` of its name, on every model call.
    context.authorize = (kind: CapabilityKind, name: string) => this.authorize(kind, name);
    if (env.enclosingBudgets?.length) context.enclosingBudgets = env.enclosingBudgets;
    if (env.spend) context.spend = env.spend;
    if (agent) context.agent = agent;
    const reply = await env.registry.chat(
      m,
      Object.assign({}, request, { metadata }) as Omit<ChatRequest, "model">,
      env.tokens
        ? {
            signal: this.signal,
            context: context as unknown as CallContext,
            onToken: (delta: string) => env.emit({ type: "model_token", model: modelName, delta, ...(agent ? { agent } : {}) }, ids),
            // Streamed calls are model output too: an event carries only arguments that passed the check below.
            onToolCall: (toolCall: ToolCall) => env.emit({ type: "model_token", model: modelName, delta: "", toolCall: streamedCall(toolCall), ...(agent ? { agent } : {}) }, ids),
          }
        : { signal: this.signal, context: context as unknown as CallContext },
    );
    // Awaited, then checked: a `.then` callback here would be a closure per model call.
    const res = this.untrustedReply(modelName, reply);
    const usage = res.usage;
    if (res.cached && env.wants("task_cached")) await env.emit({ type: "task_cached", model: modelName, key: res.cached.key, ...(agent ? { agent } : {}) }, ids);
    const ms = env.clock.now() - t0;
    if (this.sink) addModelCall(this.sink, modelName, usage, ms, agent, Boolean(res.cached));
    if (env.usageSinks) for (const s of env.usageSinks) addModelCall(s, modelName, usage, ms, agent, Boolean(res.cached), env.run.graph);
    if (env.wants("model_completed")) await env.emit({ type: "model_completed", model: modelName, usage, finishReason: res.finishReason, toolCalls: res.message.toolCalls?.length ?? 0, durationMs: ms, ...(agent ? { agent } : {}), ...(res.cached ? { cached: true } : {}) }, ids);
    const assistant: { id: string; role: "assistant"; content: string; name: string; toolCalls?: readonly ToolCall[] } = { id: this.newMessageId(), role: "assistant", content: res.message.content, name: agent ?? task.node };
    if (res.message.toolCalls?.length) {
      assistant.toolCalls = res.message.toolCalls;
      // Who asked, recorded out of band (the task's completion record, then the checkpoint):
      // the executor that runs the calls authorises and gates them by this, never by the
      // message's own fields, which any state write can forge (red team 11).
      if (this.sink) recordAsk(this.sink, assistant.id, this.askOf(request, res.message.toolCalls, agent));
    }
    return Object.assign({}, res, { usage, assistant });
  }

  /** The provenance of a reply's calls (`ModelAsk`): this node (and agent), the tools offered, the `approve` lists of the blueprint. */
  private askOf(request: Omit<ChatRequest, "model">, calls: readonly ToolCall[], agent: string | undefined): ModelAsk {
    const env = this.env;
    const own = this.node.approve;
    const agents = agent !== undefined ? env.blueprint.agents.find((a) => a.name === agent)?.approve : undefined;
    // Without `approve` lists (the common case) no copies and no set per model call.
    const approve = own?.length || agents?.length ? [...new Set([...(own ?? []), ...(agents ?? [])])] : [];
    const ask: { -readonly [K in keyof ModelAsk]: ModelAsk[K] } = {
      node: this.task.node,
      graph: env.blueprint.id,
      tools: (request.tools ?? []).map((t) => t.name),
      approve,
      calls: calls.map(sealToolCall),
    };
    if (agent !== undefined) ask.agent = agent;
    return ask;
  }

  modelAsk(message: ChatMessage): ModelAsk | undefined {
    return this.env.asks?.find(message.id);
  }

  /**
   * A reply is model output, i.e. untrusted data (`docs/security.md`): its tool calls'
   * arguments and its structured output are copied as `neutralizeJson` copies them —
   * null-prototype objects, a `__proto__`/`constructor`/`prototype` key refused, nesting
   * at most `DEFAULT_JSON_DEPTH` — before a tool, a schema, a reducer or a checkpoint
   * sees them. (Providers parsed them with a bare `JSON.parse`: an own `__proto__` key
   * reached a tool's `z.any()` field, and a 5,000-deep value overflowed the stack of the
   * checkpoint write, which a queue worker then retried as a store failure.)
   *
   * @throws NodeError `retryable` for unsafe tool-call arguments (a new sample usually
   *   fixes them, as for arguments that are not JSON), `validation` for unsafe structured output.
   */
  private untrustedReply(modelName: string, res: ChatResponse): ChatResponse {
    const calls = res.message.toolCalls;
    let toolCalls: ToolCall[] | undefined;
    // Counted before any call is copied, authorised, approved or run: one reply of 10,000
    // calls ran a granted tool 10,000 times (read-only ones all at once).
    if (calls && calls.length > MAX_TOOL_CALLS_PER_REPLY) {
      throw new NodeError(`model \`${modelName}\` asked for ${calls.length} tool calls in one reply; at most ${MAX_TOOL_CALLS_PER_REPLY} are run from one reply, so none was run`, "retryable", this.where());
    }
    if (calls?.length) {
      toolCalls = new Array<ToolCall>(calls.length);
      for (let i = 0; i < calls.length; i++) {
        const c = calls[i]!;
        try {
          toolCalls[i] = withKey(c, "arguments", neutralizeJson(c.arguments) as Record<string, unknown>);
        } catch (e) {
          if (!(e instanceof UnsafeJsonError)) throw e;
          throw new NodeError(`model \`${modelName}\` returned tool call \`${String(c.name).slice(0, 80)}\` with arguments that are refused: their JSON ${cut(e.message)}`, "retryable", this.where());
        }
      }
    }
    // Call ids are how a turn's answers, approvals and edited calls find their call: a call
    // whose id is missing or repeats one before it gets one of its own (a shared id let the
    // edit a person approved for one call rewrite another in the saved conversation).
    if (toolCalls && toolCalls.length > 1) uniqueCallIds(toolCalls);
    let structured = res.structured;
    if (structured !== undefined) {
      try {
        structured = neutralizeJson(structured);
      } catch (e) {
        if (!(e instanceof UnsafeJsonError)) throw e;
        throw new NodeError(`node \`${this.task.node}\`: model \`${modelName}\` returned structured output that is refused: its JSON ${cut(e.message)}`, "validation", this.where());
      }
    }
    if (!toolCalls && structured === res.structured) return res;
    // Copies with `withKey`, not literals adding keys after a spread (a new hidden class per model call).
    const out: ChatResponse & { structured?: unknown } = withKey(res, "message", toolCalls ? withKey(res.message, "toolCalls", toolCalls) : { ...res.message });
    if (structured !== undefined) out.structured = structured;
    return out;
  }

  async callTool(name: string, args: unknown, options?: CapabilityOptions & { readonly callId?: string; readonly approved?: boolean }): Promise<unknown> {
    const { env, task } = this;
    const ids = this.ids();
    this.requireCapability("tools", name, options);
    const def = env.registry.tools.get(name);
    if (!def) throw new NodeError(`tool \`${name}\` is not registered`, "permanent", this.where());
    if (def.approval === "deny") throw new NodeError(`tool \`${name}\` is denied by its approval policy`, "permanent", this.where());
    if (def.approval === "ask" && options?.approved !== true) throw new NodeError(`tool \`${name}\` needs a person's approval (approval: ask) and none was given; call it from an agent, tool_executor or tool node, which ask before running it`, "permanent", this.where());
    if (this.node.approve?.includes(name) && options?.approved !== true) throw new NodeError(`tool \`${name}\` needs a person's approval (\`approve\` on node \`${task.node}\`) and none was given`, "permanent", this.where());
    const agent = options?.agent !== undefined ? env.blueprint.agents.find((a) => a.name === options.agent) : undefined;
    if (agent?.approve?.includes(name) && options?.approved !== true) throw new NodeError(`tool \`${name}\` needs a person's approval (\`approve\` on agent \`${agent.name}\`) and none was given`, "permanent", this.where());
    const callId = options?.callId;
    if (env.wants("tool_started")) await env.emit({ type: "tool_started", tool: name, args, ...(callId ? { callId } : {}) }, ids);
    const t0 = env.clock.now();
    const parsed = def.schema.safeParse(args);
    if (!parsed.success) {
      const msg = `arguments for tool \`${name}\` do not match its schema: ${describeIssues(parsed.error)}`;
      if (env.wants("tool_completed")) await env.emit({ type: "tool_completed", tool: name, durationMs: 0, ok: false, error: msg, ...(callId ? { callId } : {}) }, ids);
      throw new NodeError(msg, "validation", this.where());
    }
    try {
      const context: { signal: AbortSignal; runId: string; threadId: string; node: string; callId?: string } = { signal: this.signal, runId: env.run.runId, threadId: env.run.threadId, node: task.node };
      if (callId) context.callId = callId;
      let out = await def.run(parsed.data, context);
      // A declared result shape is a promise the compiler relied on: a tool that breaks it fails here, not at a later read.
      const checked = checkToolResult(def, out);
      if (!checked.ok) throw new NodeError(`tool \`${name}\` returned a result that does not match its \`result\` schema: ${describeIssues(checked.error)}`, "permanent", this.where());
      out = checked.value;
      returnedData(name, out, this.where());
      if (env.wants("tool_completed")) await env.emit({ type: "tool_completed", tool: name, durationMs: env.clock.now() - t0, ok: true, ...(callId ? { callId } : {}) }, ids);
      return out;
    } catch (e) {
      if (env.wants("tool_completed")) await env.emit({ type: "tool_completed", tool: name, durationMs: env.clock.now() - t0, ok: false, error: errorMessage(e), ...(callId ? { callId } : {}) }, ids);
      throw e;
    }
  }

  async runGraph(graph: string, input: Record<string, unknown>, options?: CapabilityOptions): Promise<ChildRunResult> {
    this.requireCapability("graphs", graph, options);
    return this.env.runChild(graph, input, this.task, this.sink, options?.caller);
  }
}

/**
 * What a tool returns is data from outside the run (a fetched page's JSON, a file): like
 * a model's reply it may hold an own `__proto__` key, nest without end or contain itself.
 * It is judged here, where every tool call meets (tool nodes, tool executors, agents'
 * loops, CodeAct), before anything keeps it (`checkUntrustedValue`): an own `__proto__`
 * key used to ride in state to another tool's arguments, where the tool's own
 * `Object.assign({}, args.opts)` took it as a prototype; a 100,000-deep value ended the run
 * with a RangeError and a cyclic one with a TypeError out of the checkpoint write (red team 6).
 * @throws NodeError `permanent` naming the tool and the path.
 */
function returnedData(tool: string, out: unknown, where: { graph: string; node: string; taskId: string; step: number }): void {
  try {
    checkUntrustedValue(out);
  } catch (e) {
    if (!(e instanceof UnsafeJsonError)) throw e;
    throw new NodeError(cut(`tool \`${tool}\` returned a value the run cannot keep as data: it ${e.message}`), "permanent", where);
  }
  if (isToolCommand(out)) {
    commandUpdate(tool, out.update, where);
    for (const t of out.targets()) if (typeof t === "object" && t !== null) commandUpdate(tool, t.command?.update, where);
  }
}

/**
 * A tool's command update (its own, or a Send packet's among its `goto`) is the tool's
 * data, whichever node carries it out (a `tool` node, a `tool_executor`): it may not name
 * the runtime's own records (`__spend__`, any `__name__`), and it may replace a field past
 * its reducer only with an overwrite the tool's code made (`overwrite(v)`: a symbol key
 * no JSON has) — a value merely shaped like a marker, model-chosen arguments or a fetched
 * body copied into the update, wiped an `append` audit log.
 * @throws NodeError `validation` naming the tool and the field.
 */
function commandUpdate(tool: string, update: Readonly<Record<string, unknown>> | undefined, where: { graph: string; node: string; taskId: string; step: number }): void {
  for (const [channel, value] of Object.entries(update ?? {})) {
    if (isSpecial(channel)) throw new NodeError(cut(`tool \`${tool}\` returned a command whose update names \`${channel}\`, one of the runtime's own records; a command updates state fields only`), "validation", where);
    if (overwriteOf(value)[0] && !isMadeOverwrite(value)) {
      throw new NodeError(`tool \`${tool}\` returned a command whose update of \`${channel}\` is shaped like an overwrite marker (\`${OVERWRITE}\`) but was not made by \`overwrite()\`: data a tool passes on may not replace a field`, "validation", where);
    }
  }
}

/** A refusal's message, at most 240 characters (its path can name 256 levels). */
const cut = (m: string): string => (m.length > 240 ? `${m.slice(0, 239)}…` : m);

/** A streamed tool call as an event shows it: its arguments only when they are safe JSON (else none; the call itself is refused when the reply completes). */
function streamedCall(c: ToolCall): ToolCall {
  try {
    return { ...c, arguments: neutralizeJson(c.arguments) as Record<string, unknown> };
  } catch {
    return { ...c, arguments: Object.create(null) as Record<string, unknown> };
  }
}

/** Gives each call of `calls` (in place) an id no other call of the reply has: a missing or repeated id becomes `<id>_<position>` (or `call_<position>`). */
function uniqueCallIds(calls: ToolCall[]): void {
  const seen = new Set<string>();
  for (let i = 0; i < calls.length; i++) {
    const given = calls[i]!.id;
    let id = typeof given === "string" && given !== "" ? given : `call_${i}`;
    while (seen.has(id)) id = `${id}_${i}`;
    seen.add(id);
    if (id !== given) calls[i] = withKey(calls[i]!, "id", id);
  }
}
