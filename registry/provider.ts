/**
 * The model provider interface (`runtime.md` §7): `chat(request, {signal, onToken, onToolCall}) →
 * response`. Providers live in `stdlib/providers` (openai, anthropic, scripted, replay);
 * the middleware chain (`registry/middleware.ts`, implementations in `stdlib/middleware`)
 * wraps them.
 *
 * Everything that crosses this interface is normalised across vendors: messages and tool
 * calls as in `messages.ts` (tool calls whole, arguments parsed — never partial JSON),
 * usage in tokens, costs in USD, errors as `NodeError`s with an error class.
 */
import type { ChatMessage, ToolCall } from "./messages.js";

/** A tool as offered to a model: name, description and JSON Schema of its arguments. */
export interface ToolDescriptor {
  readonly name: string;
  readonly description: string;
  readonly parameters: Record<string, unknown>;
}

/** Where a request comes from; providers may use it (the scripted provider does), real APIs ignore it. */
export interface RequestMetadata {
  readonly graph?: string;
  readonly node?: string;
  readonly agent?: string;
  readonly runId?: string;
  readonly taskId?: string;
  readonly step?: number;
}

export interface ChatRequest {
  /** The provider's model id (e.g. `gpt-4o-mini`). */
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly tools?: readonly ToolDescriptor[];
  /** JSON Schema the reply must satisfy (structured output). */
  readonly output?: { readonly name: string; readonly schema: Record<string, unknown> };
  /** Labels the model must choose among (an LLM router); reported in `ChatResponse.route`. */
  readonly routeLabels?: readonly string[];
  /** Maximum output tokens. */
  readonly maxOutputTokens?: number;
  readonly temperature?: number;
  readonly metadata?: RequestMetadata;
}

/** Token usage of one call (tokens) and its cost (USD) when a price is known. */
export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedTokens?: number;
  readonly reasoningTokens?: number;
  readonly costUsd?: number;
  /**
   * Set when ragraph raised a reported figure to what it saw of the call — the output it
   * received, the prompt's size (`usage-floor.ts`): the provider reported less.
   */
  readonly usageFloor?: true;
}

export interface ChatResponse {
  /** The assistant message (the runtime assigns its id). */
  readonly message: { readonly content: string; readonly toolCalls?: readonly ToolCall[] };
  readonly usage: Usage;
  /** `stop`, `tool_calls`, `length`, … as the provider reports it. */
  readonly finishReason: string;
  /** The chosen route label, when the request offered `routeLabels`. */
  readonly route?: string;
  /** Parsed structured output, when the request asked for `output`. */
  readonly structured?: unknown;
  /** The vendor's response id (e.g. `chatcmpl-…`, `msg_…`), for telemetry. */
  readonly responseId?: string;
  /** The model that answered, as the vendor reports it (may differ from the requested id). */
  readonly responseModel?: string;
  /** Set when the reply came from the response cache instead of the provider: the entry's content address. */
  readonly cached?: { readonly key: string };
}

export interface ChatOptions {
  readonly signal?: AbortSignal;
  /**
   * Given when a consumer streams model tokens (the `messages` stream mode): a provider
   * that streams calls it with each text delta as it arrives and awaits it before
   * reading on, so a slow consumer slows the stream instead of buffering it. Providers
   * that cannot stream may deliver the whole text as one delta.
   */
  readonly onToken?: (delta: string) => Promise<void>;
  /**
   * Given with `onToken`: called with each tool call of a streamed reply once its
   * arguments are complete — whole, never partial JSON — in the order they complete.
   * The final `ChatResponse` still carries every call.
   */
  readonly onToolCall?: (call: ToolCall) => Promise<void>;
  /**
   * Given by the provider end of the chain (`providerHandler`), streaming or not: a
   * provider calls it with the size, in UTF-16 code units, of each piece of output as it
   * receives it — text, refusal, hidden reasoning (thinking) and tool-call argument
   * fragments — before passing anything on; a reply read whole, once with its size. What
   * it counts is the least the reply is charged (`usage-floor.ts`), and under a budget a
   * stream is stopped as it crosses what is left (`call-meter.ts`): it may throw, and the
   * provider then stops reading and rejects with that error. Optional for a provider
   * (one that does not call it is charged by what it returns and streams).
   */
  readonly onOutput?: (chars: number) => void;
}

/** The streaming callbacks of `ChatOptions`. */
export type StreamCallbacks = Pick<ChatOptions, "onToken" | "onToolCall">;

export interface ModelProvider {
  /** Provider name, e.g. `openai` or `scripted`. */
  readonly name: string;
  chat(request: ChatRequest, options?: ChatOptions): Promise<ChatResponse>;
  /**
   * A problem that would make every call fail, found without a network call (e.g. a
   * missing API key), or undefined. The CLI asks before a run starts.
   */
  preflight?(): string | undefined;
}

/** Rough token estimate (≈ 4 characters per token), for budgets and the scripted provider. */
export function estimateTokens(text: string): number {
  return estimateTokensOfLength(text.length);
}

/** `estimateTokens` of a text of `chars` UTF-16 code units, for callers that measure without building the text. */
export function estimateTokensOfLength(chars: number): number {
  return Math.ceil(chars / 4);
}
