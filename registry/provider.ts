/**
 * The model provider interface (`runtime.md` §7): `chat(request, {signal}) → response`.
 * Providers live in `stdlib/providers` (openai, scripted, …); middleware wraps them.
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
}

export interface ChatResponse {
  /** The assistant message (its `id` may be empty; the runtime assigns ids). */
  readonly message: { readonly content: string; readonly toolCalls?: readonly ToolCall[] };
  readonly usage: Usage;
  /** `stop`, `tool_calls`, `length`, … as the provider reports it. */
  readonly finishReason: string;
  /** The chosen route label, when the request offered `routeLabels`. */
  readonly route?: string;
  /** Parsed structured output, when the request asked for `output`. */
  readonly structured?: unknown;
}

export interface ChatOptions {
  readonly signal?: AbortSignal;
  /**
   * Given when a consumer streams model tokens (the `messages` stream mode): a provider
   * that streams calls it with each text delta as it arrives and awaits it before
   * reading on, so a slow consumer slows the stream instead of buffering it.
   */
  readonly onToken?: (delta: string) => Promise<void>;
}

export interface ModelProvider {
  /** Provider name, e.g. `openai` or `scripted`. */
  readonly name: string;
  chat(request: ChatRequest, options?: ChatOptions): Promise<ChatResponse>;
}

/** Rough token estimate (≈ 4 characters per token), for budgets and the scripted provider. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
