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
import type { ChatMessage } from "../registry/index.js";
import { LimitError, ScriptError } from "./errors.js";
import { graphFunctions } from "./graph-builtins.js";
import type { CellState, SessionCore } from "./session-core.js";
import { cellCharge, formatValue, fromHost } from "./boundary.js";
import { recordKeys } from "./record-keys.js";
import { describeType, isRecord, NativeFunction, toStr, type ScriptRecord, type Value } from "./values.js";
import { argsOut, authorizeCall, batch, invoke, recordArg, resultIn, spend, stringField, SUSPENDING } from "./capability-calls.js";

export { RESERVED_CAPABILITIES, SUSPENDING } from "./capability-calls.js";

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
function modelOf(s: SessionCore, r: ScriptRecord): string {
  if (r.model !== undefined) return stringField(r, "model", "model_query", MODEL_SHAPE)!;
  if (s.registry.models.has("default")) return "default";
  if (s.registry.models.size === 1) return [...s.registry.models.keys()][0];
  throw new ScriptError("E-ragsh-invalid-arguments", "`model_query` needs `model`: the registry has no model called `default`", undefined, { help: `registered models: ${[...s.registry.models.keys()].join(", ") || "none"}`, capability: "model_query" });
}

/** Every built-in function, bound to `s` and the running `cell`. */
export function capabilityFunctions(s: SessionCore, cell: CellState): Map<string, Value> {
  const fns = new Map<string, Value>();
  const def = (name: string, impl: (args: Value[]) => Value | Promise<Value>) => fns.set(name, new NativeFunction(name, impl, undefined, undefined, SUSPENDING.has(name)));
  let requests = 0;

  const modelQuery = async (arg: Value, index?: number): Promise<Value> => {
    const r = recordArg(arg, "model_query", MODEL_SHAPE);
    const model = modelOf(s, r);
    const messages = messagesOf(r, cell.cellId, ++requests);
    const output = r.output === undefined ? undefined : argsOut(s, r.output, "the `output` schema");
    if (output !== undefined && (typeof output !== "object" || output === null || Array.isArray(output))) throw new ScriptError("E-ragsh-invalid-arguments", "`output` must be a JSON Schema object", undefined, { capability: "model_query" });
    // A model-written script's `max_tokens` reaches the provider: a whole number ≥ 1 or nothing
    // (-1 is "no limit" to some OpenAI-compatible servers, and went past a budget's output cap).
    if (r.max_tokens !== undefined && !(typeof r.max_tokens === "number" && Number.isSafeInteger(r.max_tokens) && r.max_tokens >= 1)) {
      throw new ScriptError("E-ragsh-invalid-arguments", `\`model_query\` needs \`max_tokens\` as a whole number ≥ 1, not ${describeType(r.max_tokens)}${typeof r.max_tokens === "number" ? ` ${String(r.max_tokens)}` : ""}`, undefined, { help: `call it as \`model_query(${MODEL_SHAPE})\``, capability: "model_query" });
    }
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
      const piece = formatValue(a, Math.min(max, max - size + 1), (o) => recordKeys(s.runtime, o), (x) => s.runtime.readChars?.(x));
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
  // Every variable is previewed, each record's keys listed: charged to the cell (`recordKeys`).
  def("show_vars", () => fromHost(s.variablePreviews(80, s.runtime), "show_vars", { charge: cellCharge(s.runtime) }));
  def("answer", ([v]) => {
    cell.answered = true;
    cell.answer = s.exportValue(v ?? null, "the answer", undefined, true, cellCharge(s.runtime));
    return v;
  });
  return fns;
}
