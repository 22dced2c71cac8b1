/**
 * The `openai` provider, through the official `openai` SDK's chat-completions API, with
 * any OpenAI-compatible base URL (vLLM, Ollama, a llama.cpp server, OpenRouter) from
 * options or `OPENAI_BASE_URL`; the key from options or `OPENAI_API_KEY`.
 *
 * Mapping (OpenAI API reference, "Chat Completions"): messages → `messages` (assistant
 * tool calls as `tool_calls`, tool results as `role: "tool"` with `tool_call_id`);
 * tools → `tools` of type `function` with JSON Schema `parameters`; structured output and
 * route choice → `response_format: json_schema`.
 */
import type OpenAI from "openai";
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from "openai/resources/chat/completions";
import type { ChatMessage, ChatRequest, ChatResponse, ModelProvider, ToolCall } from "../../registry/index.js";
import { NodeError } from "../../runtime/index.js";

export interface OpenAIProviderOptions {
  readonly apiKey?: string;
  /** Name of the environment variable holding the key. Default `OPENAI_API_KEY`. */
  readonly apiKeyEnv?: string;
  readonly baseURL?: string;
  readonly organization?: string;
  /** Per-request timeout, ms. Default 600,000 (the SDK's). */
  readonly timeoutMs?: number;
  /** SDK-level retries. Default 2 (the SDK's). */
  readonly maxRetries?: number;
  readonly defaultHeaders?: Record<string, string>;
}

export function openaiProvider(options: OpenAIProviderOptions = {}): ModelProvider {
  const env = typeof process !== "undefined" ? process.env : {};
  const baseURL = options.baseURL ?? env.OPENAI_BASE_URL;
  const apiKey = options.apiKey ?? env[options.apiKeyEnv ?? "OPENAI_API_KEY"] ?? (baseURL ? "not-needed" : undefined);
  let client: OpenAI | undefined;
  const getClient = async () => {
    if (!apiKey) throw new NodeError(`the openai provider needs an API key: set ${options.apiKeyEnv ?? "OPENAI_API_KEY"} (or a baseURL for a local OpenAI-compatible server)`, "auth");
    // Loaded on first use so that runs without an OpenAI model pay nothing for the SDK.
    const { default: OpenAIClient } = await import("openai");
    client ??= new OpenAIClient({
      apiKey,
      ...(baseURL ? { baseURL } : {}),
      ...(options.organization ? { organization: options.organization } : {}),
      ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
      ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
      ...(options.defaultHeaders ? { defaultHeaders: options.defaultHeaders } : {}),
    });
    return client;
  };
  return {
    name: "openai",
    async chat(request, opts) {
      const body = toBody(request);
      let res;
      const c = await getClient();
      try {
        res = await c.chat.completions.create(body, { ...(opts?.signal ? { signal: opts.signal } : {}) });
      } catch (e) {
        throw await fromSdkError(e);
      }
      return fromCompletion(res, request);
    },
  };
}

function toMessage(m: ChatMessage): ChatCompletionMessageParam {
  switch (m.role) {
    case "system":
      return { role: "system", content: m.content };
    case "user":
      return { role: "user", content: m.content };
    case "tool":
      return { role: "tool", content: m.content, tool_call_id: m.toolCallId ?? "" };
    case "assistant":
      return {
        role: "assistant",
        content: m.content,
        ...(m.toolCalls?.length ? { tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: "function" as const, function: { name: c.name, arguments: JSON.stringify(c.arguments) } })) } : {}),
      };
  }
}

function toBody(r: ChatRequest): ChatCompletionCreateParamsNonStreaming {
  const body: ChatCompletionCreateParamsNonStreaming = { model: r.model, messages: r.messages.map(toMessage) };
  if (r.tools?.length) body.tools = r.tools.map((t) => ({ type: "function", function: { name: t.name, description: t.description, parameters: t.parameters } }));
  if (r.maxOutputTokens !== undefined) body.max_completion_tokens = r.maxOutputTokens;
  if (r.temperature !== undefined) body.temperature = r.temperature;
  if (r.output) {
    body.response_format = { type: "json_schema", json_schema: { name: r.output.name, schema: r.output.schema } };
  } else if (r.routeLabels?.length) {
    body.response_format = {
      type: "json_schema",
      json_schema: {
        name: "route_choice",
        strict: true,
        schema: { type: "object", properties: { route: { type: "string", enum: [...r.routeLabels] }, content: { type: "string" } }, required: ["route", "content"], additionalProperties: false },
      },
    };
  }
  return body;
}

function fromCompletion(res: OpenAI.Chat.Completions.ChatCompletion, r: ChatRequest): ChatResponse {
  const choice = res.choices[0];
  if (!choice) throw new NodeError("the openai response had no choices", "retryable");
  const msg = choice.message;
  const toolCalls: ToolCall[] = [];
  for (const c of msg.tool_calls ?? []) {
    if (c.type !== "function") continue;
    let args: Record<string, unknown>;
    try {
      args = c.function.arguments ? JSON.parse(c.function.arguments) : {};
    } catch {
      throw new NodeError(`the model returned tool call \`${c.function.name}\` with arguments that are not JSON`, "retryable");
    }
    toolCalls.push({ id: c.id, name: c.function.name, arguments: args });
  }
  let content = msg.content ?? "";
  let route: string | undefined;
  let structured: unknown;
  if (r.output && content) {
    try {
      structured = JSON.parse(content);
    } catch {
      /* validated (and reported) by the node kind */
    }
  } else if (r.routeLabels?.length && content && !toolCalls.length) {
    try {
      const parsed = JSON.parse(content) as { route?: unknown; content?: unknown };
      if (typeof parsed.route === "string") route = parsed.route;
      if (typeof parsed.content === "string") content = parsed.content;
    } catch {
      route = r.routeLabels.find((l) => content.includes(l));
    }
  }
  const u = res.usage;
  return {
    message: { content, ...(toolCalls.length ? { toolCalls } : {}) },
    usage: {
      inputTokens: u?.prompt_tokens ?? 0,
      outputTokens: u?.completion_tokens ?? 0,
      ...(u?.prompt_tokens_details?.cached_tokens ? { cachedTokens: u.prompt_tokens_details.cached_tokens } : {}),
      ...(u?.completion_tokens_details?.reasoning_tokens ? { reasoningTokens: u.completion_tokens_details.reasoning_tokens } : {}),
    },
    finishReason: choice.finish_reason ?? "stop",
    ...(route !== undefined ? { route } : {}),
    ...(structured !== undefined ? { structured } : {}),
  };
}

/**
 * SDK errors → NodeError with the class the retry policy understands. `Retry-After`
 * (seconds or an HTTP date) and OpenAI's `retry-after-ms` become `retryAfterMs`.
 */
async function fromSdkError(e: unknown): Promise<unknown> {
  const { default: SDK } = await import("openai");
  if (e instanceof SDK.APIUserAbortError) return e;
  if (e instanceof SDK.APIConnectionTimeoutError) return new NodeError(`openai: ${e.message}`, "timeout", {}, { cause: e });
  if (e instanceof SDK.APIError) {
    const status = e.status;
    const cls = status === 429 ? "rate_limited" : status === 401 || status === 403 ? "auth" : status === 408 ? "timeout" : status !== undefined && status >= 500 ? "retryable" : e instanceof SDK.APIConnectionError ? "retryable" : "permanent";
    const ms = e.headers?.get?.("retry-after-ms");
    const ra = e.headers?.get?.("retry-after");
    const retryAfterMs = ms && Number.isFinite(Number(ms)) ? Number(ms) : ra ? (Number.isFinite(Number(ra)) ? Number(ra) * 1000 : Math.max(0, Date.parse(ra) - Date.now())) : undefined;
    return new NodeError(`openai: ${e.message}`, cls, {}, { cause: e, ...(retryAfterMs !== undefined && Number.isFinite(retryAfterMs) ? { retryAfterMs } : {}) });
  }
  return e;
}
