/**
 * The `scripted` provider: deterministic replies from a script, for examples, tests and
 * offline runs (`runtime.md` §7). It goes through the same provider interface and code
 * path as a real model (streaming included: with `onToken` the text arrives in word
 * pieces); only the replies are canned. Rules are tried in order; the first whose
 * `when` matches the request (and has uses left) answers.
 */
import type { ChatRequest, ChatResponse, ModelProvider, Role, ToolCall, Usage } from "../../registry/index.js";
import { estimateTokensOfLength, messageChars, replyChars } from "../../registry/index.js";
import { ConfigError, type ConfigIssue } from "../../registry/config-schema.js";
import { NodeError } from "../../runtime/errors.js";
import { streamWhole } from "./shared.js";

export interface ScriptedReply {
  readonly text?: string;
  readonly toolCalls?: readonly { readonly name: string; readonly arguments?: Record<string, unknown>; readonly id?: string }[];
  /** The route label, when the request offers labels. */
  readonly route?: string;
  /** Structured output (also sent as the text, as JSON). */
  readonly json?: unknown;
  readonly usage?: Partial<Usage>;
}

export interface ScriptMatch {
  /** The requesting node. */
  readonly node?: string;
  /** The agent a subagent loop runs. */
  readonly agent?: string;
  readonly graph?: string;
  /** Role of the request's last message (`tool` right after tool results). */
  readonly lastRole?: Role;
  /** Text the last user or tool message contains. */
  readonly contains?: string;
  /** Number of assistant messages already in the request (0 = first turn). */
  readonly turn?: number;
}

export interface ScriptRule {
  readonly when?: ScriptMatch;
  readonly reply: string | ScriptedReply | ((request: ChatRequest) => string | ScriptedReply);
  /** How many times the rule may answer (unlimited when omitted). */
  readonly times?: number;
}

export interface ScriptedOptions {
  /** Shown in run headers, e.g. "research_review demo script". */
  readonly name?: string;
  readonly rules: readonly ScriptRule[];
  /** Reply when no rule matches; default: fail with a message naming the request. */
  readonly fallback?: string | ScriptedReply;
  /** Simulated latency per call, ms (default 0). */
  readonly latencyMs?: number;
}

export interface ScriptedProvider extends ModelProvider {
  readonly scriptName: string;
  /** Every request received, in order (for tests). */
  readonly requests: ChatRequest[];
}

/**
 * A scripted provider answering by `options.rules` (first match with uses left).
 * @throws ConfigError naming `rules[i].reply` when a rule has no reply (a common slip:
 *   `{ when, toolCalls }` instead of `{ when, reply: { toolCalls } }`), so the mistake is
 *   reported when the config loads, not as a failed node mid-run.
 */
export function scripted(options: ScriptedOptions): ScriptedProvider {
  checkRules(options);
  const used = new Map<number, number>();
  const requests: ChatRequest[] = [];
  const scriptName = options.name ?? "scripted";
  return {
    name: "scripted",
    scriptName,
    requests,
    async chat(request, opts) {
      requests.push(request);
      if (options.latencyMs) await delay(options.latencyMs, opts?.signal);
      if (opts?.signal?.aborted) throw opts.signal.reason;
      const i = options.rules.findIndex((r, k) => (r.times === undefined || (used.get(k) ?? 0) < r.times) && matches(r.when, request));
      let reply: string | ScriptedReply;
      if (i >= 0) {
        used.set(i, (used.get(i) ?? 0) + 1);
        const r = options.rules[i].reply;
        reply = typeof r === "function" ? r(request) : r;
      } else if (options.fallback !== undefined) reply = options.fallback;
      else {
        const m = request.metadata;
        throw new NodeError(`scripted provider "${scriptName}" has no reply for node \`${m?.node ?? "?"}\`${m?.agent ? ` (agent \`${m.agent}\`)` : ""} at turn ${turnOf(request)} (last message: ${request.messages.at(-1)?.role ?? "none"})`, "permanent", { ...(m?.graph ? { graph: m.graph } : {}), ...(m?.node ? { node: m.node } : {}) });
      }
      const res = toResponse(typeof reply === "string" ? { text: reply } : reply, request);
      // Streams like a real provider: the text in word pieces, then each tool call whole.
      if (opts) await streamWhole(res, opts);
      return res;
    },
  };
}

function turnOf(r: ChatRequest): number {
  let n = 0;
  for (const m of r.messages) if (m.role === "assistant") n++;
  return n;
}

function matches(w: ScriptMatch | undefined, r: ChatRequest): boolean {
  if (!w) return true;
  const m = r.metadata ?? {};
  if (w.node !== undefined && m.node !== w.node) return false;
  if (w.agent !== undefined && m.agent !== w.agent) return false;
  if (w.graph !== undefined && m.graph !== w.graph) return false;
  const last = r.messages.at(-1);
  if (w.lastRole !== undefined && last?.role !== w.lastRole) return false;
  if (w.turn !== undefined && turnOf(r) !== w.turn) return false;
  if (w.contains !== undefined) {
    const text = [...r.messages].reverse().find((x) => x.role === "user" || x.role === "tool")?.content ?? "";
    if (!text.includes(w.contains)) return false;
  }
  return true;
}

function toResponse(reply: ScriptedReply, r: ChatRequest): ChatResponse {
  // The turn names calls the script gave no id (counted only then: a walk of the conversation per call).
  let turn: number | undefined;
  const toolCalls = (reply.toolCalls ?? []).map((c, i) => ({ id: c.id ?? `call_${r.metadata?.agent ?? r.metadata?.node ?? "node"}_${(turn ??= turnOf(r))}_${i}`, name: c.name, arguments: c.arguments ?? {} }));
  const text = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? "");
  let route = reply.route;
  if (r.routeLabels?.length && route === undefined) route = r.routeLabels.find((l) => text.includes(l)) ?? r.routeLabels[0];
  // ≈ 4 characters per token of the messages (tool calls included) and of the reply's text
  // and tool calls: never below the floor every reply is raised to (`registry/usage-floor.ts`),
  // so only a script's own `usage` can be raised.
  const estimated = { inputTokens: estimateTokensOfLength(messageChars(r)), outputTokens: estimateTokensOfLength(text.length + toolCallChars(toolCalls)) };
  const usage: Usage = reply.usage ? { ...estimated, ...reply.usage } : estimated;
  // By assignment, in the key order of the literal with conditional spreads it replaces (one per model call).
  const message: { content: string; toolCalls?: ToolCall[] } = { content: text };
  if (toolCalls.length) message.toolCalls = toolCalls;
  const res: { -readonly [K in keyof ChatResponse]: ChatResponse[K] } = { message, usage, finishReason: toolCalls.length ? "tool_calls" : "stop" };
  if (route !== undefined) res.route = route;
  if (reply.json !== undefined) res.structured = reply.json;
  return res;
}

/** Characters of tool calls as a stream delivers them: each name and its JSON arguments. */
const toolCallChars = (toolCalls: readonly ToolCall[]): number => replyChars({ message: { content: "", toolCalls } });

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });
}

function checkRules(options: ScriptedOptions): void {
  const issues: ConfigIssue[] = [];
  if (!Array.isArray(options?.rules)) issues.push({ path: ["rules"], message: "scripted({ rules: [...] }) needs a list of rules ({ when?, reply, times? })" });
  else
    options.rules.forEach((rule, i) => {
      const reply = (rule as { reply?: unknown } | null)?.reply;
      const ok = typeof reply === "string" || typeof reply === "function" || (typeof reply === "object" && reply !== null && !Array.isArray(reply));
      if (ok || issues.length >= 20) return;
      const stray = rule && typeof rule === "object" ? ["text", "toolCalls", "route", "json"].filter((k) => k in rule) : [];
      issues.push({
        path: ["rules", i, "reply"],
        message: `a scripted rule needs \`reply\` (a string, { text?, toolCalls?, route?, json? } or a function)${stray.length ? `; put ${stray.map((k) => `\`${k}\``).join(", ")} inside it: { when: …, reply: { ${stray.join(", ")} } }` : ""}`,
      });
    });
  if (issues.length) throw new ConfigError(issues);
}
