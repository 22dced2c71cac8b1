/**
 * The built-in functions of a session (`repl.md` §2). Each capability call goes through
 * `invoke`: the session's budget for its kind (`E-ragsh-call-limit`), a call id, the
 * `capability_call_started/completed` events, a `calls[]` record with duration and
 * usage, and the host (registry + harness). Arguments leave the sandbox as copies of
 * plain data (`argsOut`: bounded, charged) and results come back as copies (`resultIn`).
 *
 * Batched forms keep input order, run at most `concurrency` calls at once, and record
 * a failed item as `null` plus a `W-ragsh-batch-item-failed` warning (limits and the
 * timeout still stop the cell).
 */
import type { CapabilityKind } from "../compiler/index.js";
import { diagnostic } from "../grammar/diagnostic.js";
import { didYouMean } from "../grammar/suggest.js";
import type { ChatMessage, Usage } from "../registry/index.js";
import { BindError } from "../runtime/index.js";
import { LimitError, ScriptError } from "./errors.js";
import type { CallRecord } from "./events.js";
import { graphFunctions } from "./graph-builtins.js";
import { ArgumentsError, CapabilityRefused } from "./host.js";
import type { CellState, Session } from "./session.js";
import { cellCharge, formatValue, fromHost, toHost } from "./boundary.js";
import { describeType, isRecord, NativeFunction, toStr, type ScriptRecord, type Value } from "./values.js";

export const RESERVED_CAPABILITIES = [
  "model_query", "model_query_batched", "agent_query", "agent_query_batched", "graph_run", "graph_run_batched",
  "graph_define", "graph_validate", "graph_compile", "graph_diff", "graph_register", "graph_history", "tool_call", "tool_call_batched",
  "emit", "print", "show_vars", "answer",
] as const;

/** The built-ins that return a promise (they suspend the cell); never started from the synchronous path. */
export const SUSPENDING: ReadonlySet<string> = new Set(["model_query", "model_query_batched", "agent_query", "agent_query_batched", "graph_run", "graph_run_batched", "graph_history", "tool_call", "tool_call_batched"]);

type Budget = "model" | "tool" | "agent" | "graph" | "definition";
const BUDGET_POLICY: Readonly<Record<Budget, "maxModelCalls" | "maxToolCalls" | "maxAgentCalls" | "maxGraphRuns" | "maxGraphDefinitions">> = {
  model: "maxModelCalls",
  tool: "maxToolCalls",
  agent: "maxAgentCalls",
  graph: "maxGraphRuns",
  definition: "maxGraphDefinitions",
};

/** Takes `n` calls from the session's budget for `kind`, or stops the cell. */
export function spend(s: Session, kind: Budget, n: number, capability: string): void {
  const limit = s.policy[BUDGET_POLICY[kind]];
  if (s.counts[kind] + n > limit) {
    throw new LimitError("E-ragsh-call-limit", `\`${capability}\` would exceed the session's limit of ${limit} ${kind === "definition" ? "graph definitions" : `${kind} calls`} (${s.counts[kind]} used)`, undefined, {
      help: `raise the \`${BUDGET_POLICY[kind]}\` policy, or do more per call`,
      capability,
    });
  }
  s.counts[kind] += n;
}

/**
 * A script value leaving as a capability's argument: plain data only, at most 64 levels
 * and `maxValueBytes`, its bytes charged to the cell's memory before it is copied.
 *
 * @throws ScriptError `E-ragsh-invalid-arguments` (a function, a cycle), `E-ragsh-value-limit`, `E-ragsh-memory-limit`.
 */
export function argsOut(s: Session, v: Value, what: string): unknown {
  return toHost(v, { functions: "error", what, maxBytes: s.policy.maxValueBytes, charge: cellCharge(s.runtime) });
}

/**
 * What a capability returned, entering the session: plain data only, at most 64 levels,
 * its bytes charged to the cell's memory as it is copied.
 *
 * @throws ScriptError `E-ragsh-host-value`, `E-ragsh-memory-limit`.
 */
export function resultIn(s: Session, v: unknown, what: string): Value {
  return fromHost(v, what, { maxBytes: s.policy.maxMemoryBytes, charge: cellCharge(s.runtime) });
}

/** A record argument, or `E-ragsh-invalid-arguments` showing the expected shape. */
export function recordArg(v: Value, capability: string, shape: string): ScriptRecord {
  if (!isRecord(v)) throw new ScriptError("E-ragsh-invalid-arguments", `\`${capability}\` takes an object, not ${describeType(v)}`, undefined, { help: `call it as \`${capability}(${shape})\``, capability });
  return v;
}

export function stringField(r: ScriptRecord, key: string, capability: string, shape: string, optional = false): string | undefined {
  const v = r[key];
  if (v === undefined && optional) return undefined;
  if (typeof v !== "string" || v === "") throw new ScriptError("E-ragsh-invalid-arguments", `\`${capability}\` needs \`${key}\` as a non-empty string${v === undefined ? "" : `, not ${describeType(v)}`}`, undefined, { help: `call it as \`${capability}(${shape})\``, capability });
  return v;
}

/** `E-ragsh-unknown-model|tool|agent|graph` with a did-you-mean among the registered names. */
function unknownCapability(s: Session, capability: string, kind: string, target: string): ScriptError {
  const known = s.capabilityNames();
  const names = kind === "models" ? known.models : kind === "tools" ? known.tools : kind === "agents" ? known.agents : known.graphs;
  const noun = kind === "models" || kind === "tools" || kind === "agents" ? kind.slice(0, -1) : "graph";
  const guess = didYouMean(target, names);
  return new ScriptError(`E-ragsh-unknown-${noun}`, `${noun} \`${target}\` is not registered`, undefined, { capability, ...(guess ? { help: `did you mean \`${guess}\`?` } : {}) });
}

/** Turns a host failure into the diagnostic a script sees. */
function asCallError(e: unknown, s: Session, capability: string, target: string): ScriptError {
  if (e instanceof ScriptError) return e;
  const reason: unknown = s.current?.controller.signal.reason;
  if (reason instanceof ScriptError) return Object.assign(reason, { span: undefined });
  if (s.current?.controller.signal.aborted) return new LimitError("E-ragsh-timeout", `the cell ran longer than its ${s.policy.timeoutMs} ms limit during \`${capability}\``, undefined, { capability });
  if (e instanceof ArgumentsError) return new ScriptError("E-ragsh-invalid-arguments", e.message, undefined, { capability });
  if (e instanceof CapabilityRefused) return new ScriptError("E-ragsh-capability-denied", e.message, undefined, { capability, help: "the session (or the node hosting it) is not granted this; nothing was called" });
  if (e instanceof BindError) return unknownCapability(s, capability, e.missing[0]?.split(".")[0] ?? "", target);
  const message = e instanceof Error ? e.message : String(e);
  return new ScriptError("E-ragsh-capability-failed", `\`${capability}\` (${target}) failed: ${message}`, undefined, { capability, help: "the call's error is in the message; the session and its variables are intact" });
}

/**
 * The one authorisation check, before a call is charged or made: a refused call never
 * runs. It is recorded as a failed call (`E-ragsh-capability-denied`) and stops the cell.
 */
export function authorizeCall(s: Session, cell: CellState, capability: string, kind: CapabilityKind, name: string): void {
  const known = s.capabilityNames() as Partial<Record<CapabilityKind, ReadonlySet<string>>>;
  const registered = known[kind]?.has(name) ?? true;
  const d = registered ? s.host.authorize(kind, name) : undefined;
  if (d?.allowed) return;
  // An unregistered name is reported as unknown (with did-you-mean), a registered one the
  // session may not use as denied; either way nothing is called.
  const err = d ? new ScriptError("E-ragsh-capability-denied", d.reason, undefined, { capability, help: "the session (or the node hosting it) is not granted this; nothing was called" }) : unknownCapability(s, capability, kind, name);
  refuseCall(s, cell, capability, name, err);
}

/**
 * Records a refused capability call (a failed `calls[]` entry and its
 * `capability_call_completed` event, duration 0: nothing was called) and throws `err`.
 */
export function refuseCall(s: Session, cell: CellState, capability: string, target: string, err: ScriptError): never {
  const call: CallRecord = { callId: `${cell.cellId}.${++cell.callSeq}`, capability, target, ok: false, durationMs: 0, error: { code: err.code, message: err.message } };
  cell.calls.push(call);
  s.emit({ type: "capability_call_completed", call }, capability);
  throw err;
}

/** One capability call with its events and `calls[]` record. */
export async function invoke<T>(s: Session, cell: CellState, capability: string, target: string, fn: (signal: AbortSignal) => Promise<{ value: T; usage?: Usage }>, index?: number): Promise<T> {
  const callId = `${cell.cellId}.${++cell.callSeq}`;
  s.emit({ type: "capability_call_started", callId, target, ...(index !== undefined ? { index } : {}) }, capability);
  const t0 = performance.now();
  const record = (ok: boolean, usage?: Usage, error?: ScriptError) => {
    const call: CallRecord = { callId, capability, target, ok, durationMs: Math.round(performance.now() - t0), ...(usage ? { usage } : {}), ...(index !== undefined ? { index } : {}), ...(error ? { error: { code: error.code, message: error.message } } : {}) };
    cell.calls.push(call);
    s.emit({ type: "capability_call_completed", call }, capability);
  };
  try {
    const r = await fn(cell.controller.signal);
    record(true, r.usage);
    return r.value;
  } catch (e) {
    const err = asCallError(e, s, capability, target);
    record(false, undefined, err);
    throw err;
  }
}

/**
 * Runs `items` with at most `limit` at a time; results in input order. A failure of
 * one item becomes `null` and a warning, unless it is a limit (which stops the cell).
 */
export async function batch(s: Session, cell: CellState, capability: string, items: Value, limit: Value, one: (item: Value, index: number) => Promise<Value>): Promise<Value> {
  if (!Array.isArray(items)) throw new ScriptError("E-ragsh-invalid-arguments", `\`${capability}\` takes a list of requests, not ${describeType(items)}`, undefined, { capability });
  const span = s.currentSpan();
  const width = Math.max(1, Math.min(s.policy.concurrency, typeof limit === "number" && limit > 0 ? Math.floor(limit) : s.policy.concurrency));
  const out: Value[] = new Array(items.length).fill(null);
  let next = 0;
  let fatal: unknown;
  const worker = async () => {
    while (next < items.length && fatal === undefined) {
      const i = next++;
      try {
        out[i] = await one(items[i], i);
      } catch (e) {
        if (e instanceof LimitError || cell.controller.signal.aborted) {
          fatal ??= e;
          return;
        }
        const err = e instanceof ScriptError ? e : new ScriptError("E-ragsh-capability-failed", String(e));
        cell.warnings.push(diagnostic("W-ragsh-batch-item-failed", `item ${i} of \`${capability}\` failed: ${err.message}`, span, { file: cell.file, label: `item ${i} is null in the result`, help: "the other items completed; retry the failed ones or handle `null`" }));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  if (fatal !== undefined) throw fatal;
  return out;
}

const ROLES: ReadonlySet<string> = new Set(["system", "user", "assistant"]);
const MODEL_SHAPE = '{model: "default", prompt: "…", system?: "…", output?: {JSON Schema}}';

/** Messages of a `model_query` request: an optional system message, then the prompt. */
function messagesOf(r: ScriptRecord, cellId: string, n: number): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (typeof r.system === "string") out.push({ id: `${cellId}#${n}-system`, role: "system", content: r.system });
  const p = r.prompt;
  if (Array.isArray(p)) {
    p.forEach((m, i) => {
      if (!isRecord(m) || typeof m.content !== "string") throw new ScriptError("E-ragsh-invalid-arguments", "`prompt` as a list needs messages `{role: \"user\"|\"assistant\"|\"system\", content: \"…\"}`", undefined, { capability: "model_query" });
      // The role is checked as a string, never converted: a list would pass `String(["user"])`.
      if (typeof m.role !== "string" || !ROLES.has(m.role)) {
        const got = typeof m.role === "string" ? `\`${m.role.slice(0, 40)}\`` : describeType(m.role);
        throw new ScriptError("E-ragsh-invalid-arguments", `\`role\` of message ${i} must be the string "user", "assistant" or "system", not ${got}`, undefined, { capability: "model_query", help: 'write messages as `{role: "user", content: "…"}`' });
      }
      out.push({ id: `${cellId}#${n}-${i}`, role: m.role as "user", content: m.content });
    });
  } else if (typeof p === "string") out.push({ id: `${cellId}#${n}-user`, role: "user", content: p });
  else throw new ScriptError("E-ragsh-invalid-arguments", `\`model_query\` needs \`prompt\` as a string or a list of messages${p === undefined ? "" : `, not ${describeType(p)}`}`, undefined, { help: `call it as \`model_query(${MODEL_SHAPE})\``, capability: "model_query" });
  return out;
}

/** The model a request names, or the session's default (`default`, or the only model). */
function modelOf(s: Session, r: ScriptRecord): string {
  if (r.model !== undefined) return stringField(r, "model", "model_query", MODEL_SHAPE)!;
  if (s.registry.models.has("default")) return "default";
  if (s.registry.models.size === 1) return [...s.registry.models.keys()][0];
  throw new ScriptError("E-ragsh-invalid-arguments", "`model_query` needs `model`: the registry has no model called `default`", undefined, { help: `registered models: ${[...s.registry.models.keys()].join(", ") || "none"}`, capability: "model_query" });
}

/** Every built-in function, bound to `s` and the running `cell`. */
export function capabilityFunctions(s: Session, cell: CellState): Map<string, Value> {
  const fns = new Map<string, Value>();
  const def = (name: string, impl: (args: Value[]) => Value | Promise<Value>) => fns.set(name, new NativeFunction(name, impl, undefined, undefined, SUSPENDING.has(name)));
  let requests = 0;

  const modelQuery = async (arg: Value, index?: number): Promise<Value> => {
    const r = recordArg(arg, "model_query", MODEL_SHAPE);
    const model = modelOf(s, r);
    const messages = messagesOf(r, cell.cellId, ++requests);
    const output = r.output === undefined ? undefined : argsOut(s, r.output, "the `output` schema");
    if (output !== undefined && (typeof output !== "object" || output === null || Array.isArray(output))) throw new ScriptError("E-ragsh-invalid-arguments", "`output` must be a JSON Schema object", undefined, { capability: "model_query" });
    authorizeCall(s, cell, "model_query", "models", model);
    if (index === undefined) spend(s, "model", 1, "model_query");
    return invoke(s, cell, "model_query", model, async (signal) => {
      const res = await s.host.callModel(model, { messages, ...(output ? { output: { name: "output", schema: output as Record<string, unknown> } } : {}), ...(typeof r.temperature === "number" ? { temperature: r.temperature } : {}), ...(typeof r.max_tokens === "number" ? { maxOutputTokens: r.max_tokens } : {}) }, s.hostIds(), signal);
      if (!output) return { value: res.content, usage: res.usage };
      let structured = res.structured;
      if (structured === undefined) {
        try {
          structured = JSON.parse(res.content);
        } catch {
          throw new Error(`model \`${model}\` did not return JSON for the \`output\` schema`);
        }
      }
      return { value: resultIn(s, structured, `model \`${model}\``), usage: res.usage };
    }, index);
  };
  def("model_query", ([a]) => modelQuery(a));
  def("model_query_batched", ([items, opts]) => {
    if (Array.isArray(items)) spend(s, "model", items.length, "model_query_batched");
    return batch(s, cell, "model_query_batched", items, isRecord(opts) ? opts.concurrency : undefined, (item, i) => modelQuery(item, i));
  });

  const AGENT_SHAPE = '{agent: "name", input: "…"}';
  const agentQuery = async (arg: Value, index?: number): Promise<Value> => {
    const r = recordArg(arg, "agent_query", AGENT_SHAPE);
    const agent = stringField(r, "agent", "agent_query", AGENT_SHAPE)!;
    const input = argsOut(s, r.input ?? null, "the agent's input");
    authorizeCall(s, cell, "agent_query", "agents", agent);
    if (index === undefined) spend(s, "agent", 1, "agent_query");
    return invoke(s, cell, "agent_query", agent, async (signal) => {
      const res = await s.host.runAgent(agent, input, s.hostIds(), signal);
      return { value: resultIn(s, res.answer, `agent \`${agent}\``), ...(res.usage ? { usage: res.usage } : {}) };
    }, index);
  };
  def("agent_query", ([a]) => agentQuery(a));
  def("agent_query_batched", ([items, opts]) => {
    if (Array.isArray(items)) spend(s, "agent", items.length, "agent_query_batched");
    return batch(s, cell, "agent_query_batched", items, isRecord(opts) ? opts.concurrency : undefined, (item, i) => agentQuery(item, i));
  });

  const TOOL_SHAPE = '{tool: "name", arguments: {…}}';
  const toolCall = async (arg: Value, index?: number): Promise<Value> => {
    const r = recordArg(arg, "tool_call", TOOL_SHAPE);
    const tool = stringField(r, "tool", "tool_call", TOOL_SHAPE)!;
    const args = argsOut(s, r.arguments ?? r.args ?? {}, `the arguments of tool \`${tool}\``);
    authorizeCall(s, cell, "tool_call", "tools", tool);
    if (index === undefined) spend(s, "tool", 1, "tool_call");
    return invoke(s, cell, "tool_call", tool, async (signal) => ({ value: resultIn(s, await s.host.callTool(tool, args, s.hostIds(), signal), `tool \`${tool}\``) }), index);
  };
  def("tool_call", ([a]) => toolCall(a));
  def("tool_call_batched", ([items, opts]) => {
    if (Array.isArray(items)) spend(s, "tool", items.length, "tool_call_batched");
    return batch(s, cell, "tool_call_batched", items, isRecord(opts) ? opts.concurrency : undefined, (item, i) => toolCall(item, i));
  });

  for (const [k, v] of graphFunctions(s, cell)) fns.set(k, v);

  def("print", (args) => {
    // Argument by argument: each is formatted to at most the output budget left, checked
    // against it and charged to the cell's memory before the next one is formatted.
    const max = s.policy.maxOutputBytes;
    const over = () => new LimitError("E-ragsh-output-limit", `the cell printed more than ${max} bytes`, undefined, { help: "print summaries (counts, `slice(0, 200)`) instead of whole values, or raise the `maxOutputBytes` policy" });
    const parts: string[] = [];
    let size = cell.outputBytes + 1;
    for (const a of args) {
      if (size > max) throw over();
      const piece = formatValue(a, Math.min(max, max - size + 1));
      size += piece.length + (parts.length ? 1 : 0);
      if (size > max) throw over();
      s.runtime.alloc(piece.length * 2);
      parts.push(piece);
    }
    const text = parts.join(" ") + "\n";
    cell.outputBytes += text.length;
    if (cell.outputBytes > max) throw over();
    cell.stdout.push(text);
    s.emit({ type: "cell_stdout", text });
    return undefined;
  });
  def("emit", ([name, data]) => {
    // The name, the data's copy and the route label are charged to the cell's memory before they are built.
    const n = toStr(name, s.runtime);
    const payload = s.exportValue(data ?? null, "the event data", undefined, true, cellCharge(s.runtime));
    if (n === "route") s.routeLabel = toStr(data, s.runtime);
    s.emit({ type: "custom", name: n, data: payload });
    return undefined;
  });
  def("show_vars", () => fromHost(s.variablePreviews(), "show_vars"));
  def("answer", ([v]) => {
    cell.answered = true;
    cell.answer = s.exportValue(v ?? null, "the answer", undefined, true, cellCharge(s.runtime));
    return v;
  });
  return fns;
}
