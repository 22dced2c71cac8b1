/**
 * Pieces every vendor provider shares: parsing tool-call arguments, reading
 * `Retry-After`, and turning a raw reply into a `ChatResponse` (structured output and
 * route choice parsed the same way for every vendor).
 */
import type { ChatRequest, ChatResponse, StreamCallbacks, ToolCall, Usage } from "../../registry/index.js";
import { NodeError } from "../../runtime/errors.js";

/**
 * Parses a tool call's JSON arguments (`""` is `{}`).
 *
 * @throws NodeError (retryable: a new sample usually fixes it) when they are not a JSON object.
 */
export function parseToolArguments(tool: string, text: string | undefined): Record<string, unknown> {
  if (!text || !text.trim()) return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new NodeError(`the model returned tool call \`${tool}\` with arguments that are not JSON`, "retryable");
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new NodeError(`the model returned tool call \`${tool}\` with arguments that are not a JSON object`, "retryable");
  return v as Record<string, unknown>;
}

/**
 * Milliseconds to wait from response headers: `retry-after-ms` (OpenAI's), else
 * `Retry-After` in seconds or as an HTTP date (RFC 9110 §10.2.3).
 */
export function retryAfterMs(headers: { get(name: string): string | null } | undefined | null, now = Date.now()): number | undefined {
  const ms = headers?.get?.("retry-after-ms");
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const ra = headers?.get?.("retry-after");
  if (!ra) return undefined;
  if (Number.isFinite(Number(ra))) return Math.max(0, Number(ra) * 1000);
  const at = Date.parse(ra);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/**
 * Delivers a whole reply to streaming callbacks as a real stream would: the text in
 * word pieces (`whole`: in one delta), then each tool call. No-op without `onToken`.
 */
export async function streamWhole(res: ChatResponse, cb: StreamCallbacks, whole = false): Promise<void> {
  if (!cb.onToken) return;
  const text = res.message.content;
  if (text) for (const piece of whole ? [text] : (text.match(/\S+\s*|\s+/g) ?? [])) await cb.onToken(piece);
  if (cb.onToolCall) for (const call of res.message.toolCalls ?? []) await cb.onToolCall(call);
}

export interface RawReply {
  readonly content: string;
  readonly toolCalls: readonly ToolCall[];
  readonly finishReason: string;
  readonly usage: Usage;
  readonly responseId?: string;
  readonly responseModel?: string;
}

/**
 * The normalised response: with `output`, the text parsed as JSON into `structured`
 * (validation against the schema is the node kind's: a mismatch is a permanent
 * error); with route labels, `{route, content}` parsed, or a label named in plain text.
 */
export function finishReply(r: ChatRequest, raw: RawReply): ChatResponse {
  let content = raw.content;
  let route: string | undefined;
  let structured: unknown;
  if (r.output && content) {
    try {
      structured = JSON.parse(content);
    } catch {
      /* validated (and reported) by the node kind */
    }
  } else if (r.routeLabels?.length && content && !raw.toolCalls.length) {
    try {
      const parsed = JSON.parse(content) as { route?: unknown; content?: unknown };
      if (typeof parsed.route === "string") route = parsed.route;
      if (typeof parsed.content === "string") content = parsed.content;
    } catch {
      route = r.routeLabels.find((l) => content.includes(l));
    }
  }
  // Optional keys assigned in order (conditional spreads in a literal copy generically, per call).
  const res: { -readonly [K in keyof ChatResponse]: ChatResponse[K] } = { message: raw.toolCalls.length ? { content, toolCalls: [...raw.toolCalls] } : { content }, usage: raw.usage, finishReason: raw.finishReason };
  if (route !== undefined) res.route = route;
  if (structured !== undefined) res.structured = structured;
  if (raw.responseId) res.responseId = raw.responseId;
  if (raw.responseModel) res.responseModel = raw.responseModel;
  return res;
}

/**
 * What a streamed reply had delivered when it failed, for the budget (`CallMeter.fail`):
 * the usage the vendor reported so far, else NaN (unknown: the meter uses the prompt's
 * estimate), and the characters of output received — text, refusal and tool-call argument
 * fragments, complete or not — as output tokens (≈ 4 characters per token) when the vendor
 * reported fewer.
 */
export interface StreamProgress {
  inputTokens: number;
  outputTokens: number;
  chars: number;
}

/** A fresh `StreamProgress`: nothing known yet. */
export const streamProgress = (): StreamProgress => ({ inputTokens: NaN, outputTokens: NaN, chars: 0 });

/**
 * Counts `n` UTF-16 code units of output received (text, hidden reasoning, tool-call
 * fragments) in `progress` and reports them to the budget's meter (`ChatOptions.onOutput`),
 * before any of it is passed on. Nothing is reported for `n = 0`.
 */
export function received(progress: StreamProgress, onOutput: ((chars: number) => void) | undefined, n: number): void {
  if (!n) return;
  progress.chars += n;
  onOutput?.(n);
}

/**
 * Attaches what a failed stream had delivered to its error as `usage` (unless the error
 * already carries one), so the budget charges it; returns the error.
 */
export function withPartialUsage(e: unknown, p: StreamProgress): unknown {
  if (!e || typeof e !== "object" || "usage" in e) return e;
  const outputTokens = Math.max(Number.isFinite(p.outputTokens) ? p.outputTokens : 0, Math.ceil(p.chars / 4));
  try {
    Object.defineProperty(e, "usage", { value: { inputTokens: p.inputTokens, outputTokens }, enumerable: false, configurable: true });
  } catch {
    /* a frozen error: the meter counts what was streamed through the callbacks */
  }
  return e;
}

