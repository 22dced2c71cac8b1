/**
 * Shared pieces of the model-calling kinds: building the conversation a node sends,
 * offering tools, running a turn's tool calls, and the agent tool loop.
 */
import type { ChatMessage, ModelReply, NodeTask, ToolCall, ToolDescriptor } from "../../registry/index.js";
import { isToolCommand, toolParameters, type ToolCommand } from "../../registry/index.js";
import { NodeError } from "../../runtime/errors.js";
import { isInterrupt } from "../../runtime/interrupt.js";
import { describeIssues, typeSchema } from "../../runtime/schema.js";
import { parseUntrustedJson, UnsafeJsonError } from "../../runtime/safe-json.js";
import { approveCalls, type ApprovalDecision, type ApprovalScope } from "./approval.js";
import { attachmentParts } from "./attach.js";
import { canonicalJson } from "../../compiler/canonical.js";
import type { TypeSpec } from "../../compiler/index.js";
import { z } from "zod";

/** Route labels with built-in meaning on model and agent nodes (`language.md` §2.4). */
export const BUILTIN_LABELS = new Set(["tool_call", "final", "error"]);

/** Text a value becomes in a user message: strings as is, one-string-field objects as that string, else JSON. */
export function asUserText(v: unknown): string {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const entries = Object.entries(v);
    if (entries.length === 1 && typeof entries[0][1] === "string") return entries[0][1];
  }
  return JSON.stringify(v ?? null, null, 2);
}

/** The graph's conversation so far (the `messages` channel), or none. */
export function history(task: NodeTask): ChatMessage[] {
  const ch = task.messagesChannel;
  const v = ch ? task.state[ch] : undefined;
  return Array.isArray(v) ? (v as ChatMessage[]) : [];
}

/** State without conversation channels: the default input of a child agent or graph. */
export function stateWithoutMessages(task: NodeTask): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of task.blueprint.state) if (f.type.type !== "messages" && f.reducer.name !== "messages" && task.state[f.name] !== null) out[f.name] = task.state[f.name];
  return out;
}

export interface Conversation {
  /** What is sent (system prompt first). */
  readonly messages: ChatMessage[];
  /** Messages created for this call that belong in the conversation channel. */
  readonly created: ChatMessage[];
}

/**
 * True when the conversation ends with this node's own tool turn, fully answered: the
 * last assistant message was written by `node` and asked for tools, and a tool message
 * after it answers every call. The node is then continuing its tool loop (it routed
 * `tool_call` to an executor, which routed back), not starting a new task.
 */
export function continuesToolTurn(past: readonly ChatMessage[], node: string): boolean {
  let i = past.length - 1;
  while (i >= 0 && past[i].role === "tool") i--;
  const last = past[i];
  if (i < 0 || i === past.length - 1 || last.role !== "assistant" || last.name !== node || !last.toolCalls?.length) return false;
  const answered = new Set<string | undefined>();
  for (let k = i + 1; k < past.length; k++) answered.add(past[k].toolCallId);
  return last.toolCalls.every((c) => answered.has(c.id));
}

/**
 * system (rendered) + the conversation channel + the rendered `prompt` as a user
 * message; when there is neither a prompt nor any history, the node's input (or the
 * run input) becomes the user message.
 *
 * The prompt is the start of a node's turn, added once: when the node comes back from
 * its own tool calls (`routes { tool_call -> tools }` with `tools` routing back), the
 * conversation already holds the prompt, and adding it again would ask the model the
 * same question after every tool result — a loop that runs to the recursion limit
 * (LangGraph's ReAct agent likewise adds the prompt only in front of the conversation).
 */
export function buildConversation(task: NodeTask, system: string | undefined, prompt: string | undefined): Conversation {
  const past = history(task);
  const created: ChatMessage[] = [];
  const continuing = continuesToolTurn(past, task.node.name);
  if (continuing) {
    // continuing the node's tool loop: the prompt is already in the conversation
  } else if (prompt !== undefined && prompt !== "") created.push({ id: task.newMessageId(), role: "user", content: prompt });
  else if (past.length === 0) {
    const input = task.resolveInput() ?? (Object.keys(task.input).length ? task.input : undefined);
    created.push({ id: task.newMessageId(), role: "user", content: asUserText(input ?? "") });
  }
  if (!continuing) {
    // `attach` parts ride on the node's own user message (a new one when the turn has none);
    // a turn continuing its tool loop already has them in the conversation.
    const parts = attachmentParts(task);
    if (parts.length) {
      if (created.length) created[0] = { ...created[0], parts };
      else created.push({ id: task.newMessageId(), role: "user", content: "", parts });
    }
  }
  // One spread of the (frozen, growing) conversation, then unshift/push: in Node 20's V8
  // `[...a, ...past, ...b]` and `concat` copy a frozen array element by element through
  // the slow path (~10-20x a single spread, measured), and this runs every model turn.
  const messages = [...past];
  if (system) messages.unshift({ id: `${task.taskId}#system`, role: "system", content: system });
  for (const m of created) messages.push(m);
  return { messages, created };
}

/**
 * Tool descriptors (JSON Schema arguments) for the named registry tools the task (or
 * `agent`) is granted: a tool the authorisation check refuses is not offered.
 */
export function toolDescriptors(task: NodeTask, names: readonly string[], agent?: string): ToolDescriptor[] {
  return names.filter((name) => task.authorize("tools", name, agent !== undefined ? { agent } : undefined).allowed).map((name) => {
    const def = task.registry.tools.get(name);
    if (!def) throw new NodeError(`tool \`${name}\` is not registered`, "permanent", { graph: task.blueprint.id, node: task.node.name, taskId: task.taskId });
    return { name, description: def.description, parameters: toolParameters(def) };
  });
}

/**
 * Structured output: the JSON Schema sent to the provider (zod's exporter) and the zod
 * validator the reply is checked with, from a node's `output` type or from a zod schema
 * (a registered agent's `output`).
 */
export function outputSchema(t: TypeSpec | z.ZodType, task: NodeTask, name = `${task.node.name}_output`): { name: string; schema: Record<string, unknown>; validator: z.ZodType } {
  const validator = t instanceof z.ZodType ? t : typeSchema(t, task.blueprint.schemas);
  const { $schema: _s, ...schema } = z.toJSONSchema(validator, { unrepresentable: "any", io: "output" }) as Record<string, unknown>;
  return { name: name.replace(/[^A-Za-z0-9_-]/g, "_"), schema, validator };
}

/** Validates a structured reply; a mismatch is a permanent error (same input, same output). */
export function checkStructured(reply: ModelReply, out: ReturnType<typeof outputSchema>, task: NodeTask): unknown {
  let value = reply.structured;
  if (value === undefined) {
    // Model output is untrusted text: null-prototype objects, no prototype keys, bounded nesting (as `callModel` copies `structured`).
    try {
      value = parseUntrustedJson(reply.message.content);
    } catch (e) {
      const why = e instanceof UnsafeJsonError && e.code !== "syntax" ? `returned JSON that is refused for its \`output\` schema: it ${e.message.length > 240 ? `${e.message.slice(0, 239)}…` : e.message}` : "did not return JSON for its `output` schema";
      throw new NodeError(`node \`${task.node.name}\`: the model ${why}`, "validation", { graph: task.blueprint.id, node: task.node.name, taskId: task.taskId });
    }
  }
  const r = out.validator.safeParse(value);
  if (!r.success) throw new NodeError(`graph \`${task.blueprint.id}\`, node \`${task.node.name}\`: the model's output does not match the \`output\` schema: ${describeIssues(r.error)}`, "validation", { graph: task.blueprint.id, node: task.node.name, taskId: task.taskId });
  return r.data;
}

/**
 * Runs one turn's tool calls: read-only tools in parallel, mutating ones one at a time
 * in order (tkach's executor model); results come back in call order. Which tools may
 * run is the task's binding (or `agent`'s), decided by the one authorisation check —
 * deny by default: a call of a tool the node or agent does not bind, or that a limit or
 * the policy withholds, is not run and its result tells the model the tool is not
 * available (the run goes on). Calls of `ask` tools are approved first (`approval.ts`);
 * a declined call's result says so. A tool error becomes the tool message's content so
 * the model can recover (LangGraph ToolNode's default); cancellation propagates.
 *
 * With `edits`, the arguments of each call a person approved with edited arguments are
 * put there by call id: the caller records the call as it ran (`asApproved`).
 */
export async function runToolCalls(task: NodeTask, calls: readonly ToolCall[], options: ToolTurnOptions = {}): Promise<ChatMessage[]> {
  const turn = new ToolTurn(task, calls, options);
  let i = 0;
  while (i < calls.length) {
    if (turn.readOnly(i)) {
      const batch: number[] = [];
      while (i < calls.length && turn.readOnly(i)) batch.push(i++);
      await Promise.all(batch.map((k) => turn.runOne(k)));
    } else await turn.runOne(i++);
  }
  return (options.commands?.length ? turn.results.flat() : turn.results) as ChatMessage[];
}

/** How `runToolCalls` runs a turn. */
export interface ToolTurnOptions {
  /** The registered agent whose tool loop this is: its grants apply to each call (`task.authorize(…, { agent })`). */
  readonly agent?: string;
  /** Each approval is bound to its call's fingerprint (agent loops, whose calls may differ after a resume: `approveCalls`). */
  readonly bound?: boolean;
  /** Collects the calls that returned a `ToolCommand` (a `tool_executor`); absent, such a call fails the task (an agent's own loop cannot carry one out). */
  readonly commands?: ToolCommandOutcome[];
  /** Tools whose calls wait for a person besides the policy's `ask` tools and the node's own `approve`: the asking node's (a `tool_executor`, from its `ModelAsk`) or the inline agent's. */
  readonly approve?: readonly string[];
  /** Filled with the edited arguments of approved calls, by call id. */
  readonly edits?: Map<string, Record<string, unknown>>;
}

/**
 * `assistant` with its tool calls as they ran: each call in `edits` carries the arguments a
 * person approved instead of the model's (same message id and call id, so the `messages`
 * reducer replaces the message). LangGraph's human-in-the-loop "edit tool call" does the
 * same: the AIMessage's tool call is replaced by the edited one, so the saved conversation
 * and the model's next turn show what ran, not what was first asked. `assistant` itself
 * when nothing was edited.
 */
export function asApproved(assistant: ChatMessage, edits: ReadonlyMap<string, Record<string, unknown>>): ChatMessage {
  if (!edits.size || !assistant.toolCalls?.some((c) => edits.has(c.id))) return assistant;
  return { ...assistant, toolCalls: assistant.toolCalls.map((c) => (edits.has(c.id) ? { ...c, arguments: edits.get(c.id)! } : c)) };
}

/** One turn's tool calls (a class, not closures per turn: a tool loop runs one every superstep). */
class ToolTurn {
  readonly results: (ChatMessage | ChatMessage[] | undefined)[];
  private readonly as: { agent: string } | undefined;
  private readonly allowed: boolean[];
  /** Approval decisions of the granted calls, by position in `calls` (undefined: no approval needed). */
  private readonly decisions: (ApprovalDecision | undefined)[];

  constructor(
    private readonly task: NodeTask,
    private readonly calls: readonly ToolCall[],
    private readonly options: ToolTurnOptions,
  ) {
    this.results = new Array(calls.length);
    this.as = options.agent !== undefined ? { agent: options.agent } : undefined;
    // One authorisation check per call (not one per use of the answer).
    const allowed = (this.allowed = new Array<boolean>(calls.length));
    let all = true;
    for (let k = 0; k < calls.length; k++) if (!(allowed[k] = task.authorize("tools", calls[k].name, this.as).allowed)) all = false;
    const granted = all ? calls : calls.filter((_, k) => allowed[k]);
    // Every `ask` call of the turn is approved (or declined) before any call runs.
    const scope: ApprovalScope = options.approve ? { approve: options.approve } : {};
    const decided = approveCalls(task, granted, options.bound === true, scope);
    if (all) this.decisions = decided;
    else {
      this.decisions = new Array(calls.length);
      let g = 0;
      for (let k = 0; k < calls.length; k++) if (allowed[k]) this.decisions[k] = decided[g++];
    }
  }

  readOnly(i: number): boolean {
    return this.task.registry.tools.get(this.calls[i].name)?.readOnly === true;
  }

  async runOne(i: number): Promise<void> {
    const { task, options, as } = this;
    const c = this.calls[i];
    const decision = this.decisions[i];
    let content: string;
    if (!this.allowed[i]) content = unavailable(task, c, as);
    else if (decision && !decision.approved) content = `Error: tool \`${c.name}\` was not run: ${decision.reason}`;
    else {
      let out: unknown;
      try {
        // Keys assigned in order (conditional spreads in a literal copy generically, per tool call).
        const callOptions: { callId: string; agent?: string; approved?: boolean } = { callId: c.id };
        if (as) callOptions.agent = as.agent;
        if (decision) {
          callOptions.approved = true;
          if (decision.args !== c.arguments && options.edits && canonicalJson(decision.args) !== canonicalJson(c.arguments)) options.edits.set(c.id, decision.args);
        }
        out = await task.callTool(c.name, decision ? decision.args : c.arguments, callOptions);
      } catch (e) {
        if (task.signal.aborted || isInterrupt(e)) throw e;
        out = new ToolFailure(e);
      }
      if (isToolCommand(out)) {
        if (!options.commands) {
          throw new NodeError(`tool \`${c.name}\` returned a command, which an agent's own tool loop cannot carry out: run the tool from a \`tool_executor\` node`, "permanent", { graph: task.blueprint.id, node: task.node.name, taskId: task.taskId });
        }
        options.commands.push({ index: i, call: c, command: out });
        this.results[i] = commandAnswer(task, c, out);
        return;
      }
      if (out instanceof ToolFailure) content = `Error: ${out.error instanceof Error ? out.error.message : String(out.error)}`;
      else content = typeof out === "string" ? out : JSON.stringify(out ?? null);
    }
    this.results[i] = { id: task.newMessageId(), role: "tool", content, name: c.name, toolCallId: c.id };
  }
}

/**
 * The answer to a call of a tool the asker may not use (not bound, withheld by a limit or
 * the policy, or not offered to its model): "not available", with the refusal reported on
 * the run's stream (`capability_denied`, by `requireCapability`) when the one authorisation
 * check refuses it. Every refusal of a tool call answers through this (a model node's,
 * an agent's loop, a `tool_executor`'s), so none goes unreported.
 */
export function unavailable(task: NodeTask, c: ToolCall, as?: { agent: string }): string {
  try {
    task.requireCapability("tools", c.name, as); // throws, and reports the refusal on the run's stream
    return `Error: tool \`${c.name}\` is not available`;
  } catch (e) {
    return `Error: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/**
 * Splits a model reply's calls by the tools its model was offered (`offered`, names): the
 * others are answered at once, each with a tool message "tool X is not available" (LangGraph
 * ToolNode's answer to an unknown tool; the run goes on and the model sees it), so they are
 * never pending for a `tool_executor` — which runs only what the asking node's model was
 * offered (red team 11: a model offered `search` replied with `refund`, and the executor
 * behind its `tool_call` route, which also binds `refund` for another node, ran it).
 *
 * @returns the answers, in call order (empty when every call was offered).
 */
export function answerUnoffered(task: NodeTask, calls: readonly ToolCall[] | undefined, offered: readonly ToolDescriptor[]): ChatMessage[] {
  if (!calls?.length) return [];
  const names = new Set(offered.map((d) => d.name));
  const out: ChatMessage[] = [];
  for (const c of calls) if (!names.has(c.name)) out.push({ id: task.newMessageId(), role: "tool", content: unavailable(task, c), name: c.name, toolCallId: c.id });
  return out;
}

/** A tool's failure, told to the model as the call's answer. */
class ToolFailure {
  constructor(readonly error: unknown) {}
}

/** A tool call that returned a `ToolCommand` (`runToolCalls` with `commands`): its position in the turn, the call and the command. */
export interface ToolCommandOutcome {
  readonly index: number;
  readonly call: ToolCall;
  readonly command: ToolCommand;
}

/**
 * The conversation messages that answer a call whose tool returned a command: the
 * command's own messages for the conversation channel when it has some (LangGraph's tools
 * put their ToolMessage in `update.messages`), else one tool message with the command's
 * `content` — every call is answered, as providers require. None for `graph: "PARENT"`
 * (its update is the parent's; this graph's run ends with the step).
 */
function commandAnswer(task: NodeTask, c: ToolCall, cmd: ToolCommand): ChatMessage[] {
  if (cmd.graph === "PARENT") return [];
  const ch = task.messagesChannel;
  const own = ch !== undefined ? cmd.update?.[ch] : undefined;
  if (own !== undefined) {
    const list = (Array.isArray(own) ? own : [own]) as ChatMessage[];
    // Messages without an id get one (the reducer merges by id); a tool message without a call id answers this call.
    return list.map((m) => ({ ...m, id: m.id ?? task.newMessageId(), ...(m.role === "tool" && m.toolCallId === undefined ? { toolCallId: c.id, name: m.name ?? c.name } : {}) }));
  }
  return [{ id: task.newMessageId(), role: "tool", content: cmd.content ?? "", name: c.name, toolCallId: c.id }];
}

export interface AgentLoopSpec {
  readonly model: string;
  readonly tools: readonly string[];
  readonly maxSteps: number;
  readonly agent?: string;
  /** The inline agent's `approve [..]` list: its calls of these tools wait for a person. */
  readonly approve?: readonly string[];
  /** The `output` type of an inline agent, or the zod schema of a registered one. */
  readonly output?: TypeSpec | z.ZodType;
}

/**
 * The agent tool loop: call the model; while it asks for tools, run them and call it
 * again; stop at a reply without tool calls (`language.md` §2.4), bounded by `maxSteps`
 * model turns.
 */
export async function agentLoop(task: NodeTask, start: ChatMessage[], spec: AgentLoopSpec): Promise<{ created: ChatMessage[]; final: ModelReply; result: unknown }> {
  const offered = spec.tools.length ? toolDescriptors(task, spec.tools, spec.agent) : [];
  const tools = offered.length ? offered : undefined;
  const out = spec.output ? outputSchema(spec.output, task, spec.agent ? `${spec.agent}_output` : undefined) : undefined;
  const created: ChatMessage[] = [];
  const messages = [...start];
  for (let turn = 1; turn <= spec.maxSteps; turn++) {
    const reply = await task.callModel(spec.model, { messages, ...(tools ? { tools } : {}), ...(out ? { output: { name: out.name, schema: out.schema } } : {}) }, spec.agent ? { agent: spec.agent } : undefined);
    created.push(reply.assistant);
    messages.push(reply.assistant);
    const calls = reply.assistant.toolCalls ?? [];
    if (!calls.length) return { created, final: reply, result: out ? checkStructured(reply, out, task) : reply.assistant.content };
    // The loop's model turns are asked again when the task re-runs on resume: approvals name the call.
    const edits = new Map<string, Record<string, unknown>>();
    const toolMessages = await runToolCalls(task, calls, { bound: true, edits, ...(spec.agent !== undefined ? { agent: spec.agent } : {}), ...(spec.approve?.length ? { approve: spec.approve } : {}) });
    // The call as approved is what the next turn and the saved conversation show.
    if (edits.size) created[created.length - 1] = messages[messages.length - 1] = asApproved(reply.assistant, edits);
    created.push(...toolMessages);
    messages.push(...toolMessages);
  }
  throw new NodeError(`${spec.agent ? `agent \`${spec.agent}\`` : `node \`${task.node.name}\``} did not finish within ${spec.maxSteps} model turns (max_steps)`, "permanent", { graph: task.blueprint.id, node: task.node.name, taskId: task.taskId });
}
