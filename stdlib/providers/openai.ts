/**
 * The `openai` provider, through the official `openai` SDK's chat-completions API, with
 * any OpenAI-compatible base URL (vLLM, Ollama, a llama.cpp server, OpenRouter) from
 * options or `OPENAI_BASE_URL`; the key from options or `OPENAI_API_KEY`.
 *
 * Mapping (OpenAI API reference, "Chat Completions"): messages → `messages` (assistant
 * tool calls as `tool_calls`, tool results as `role: "tool"` with `tool_call_id`);
 * tools → `tools` of type `function` with JSON Schema `parameters`; structured output and
 * route choice → `response_format: json_schema`. With `onToken` the request streams
 * (SSE, `stream_options.include_usage`): text deltas are passed on as they arrive, tool
 * calls are accumulated from their argument fragments and passed on whole. A compatible
 * server that answers a streaming request with plain JSON (`application/json`, not
 * `text/event-stream`) is read as a whole completion and delivered to the callbacks in
 * one piece; the provider then stops asking that server to stream. `stream: false`
 * never streams.
 *
 * A missing API key is reported by `preflight()` (the CLI asks before a run starts);
 * a connection failure names the URL and the errno (`ECONNREFUSED`, `ENOTFOUND`, …).
 *
 * SDK retries are off by default (`maxRetries: 0`): the harness's retry middleware or the
 * node's retry policy retries (see `registry/middleware.ts`).
 */
import type OpenAI from "openai";
import type { ChatCompletionChunk, ChatCompletionContentPart, ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from "openai/resources/chat/completions";
import type { ChatMessage, ChatOptions, ContentPart, ChatRequest, ChatResponse, ModelProvider, StreamCallbacks, ToolCall, Usage } from "../../registry/index.js";
import { NodeError } from "../../runtime/errors.js";
import { finishReply, parseToolArguments, received, retryAfterMs, streamProgress, streamWhole, withPartialUsage, type StreamProgress } from "./shared.js";

export interface OpenAIProviderOptions {
  readonly apiKey?: string;
  /** Name of the environment variable holding the key. Default `OPENAI_API_KEY`. */
  readonly apiKeyEnv?: string;
  readonly baseURL?: string;
  readonly organization?: string;
  /** Per-request timeout, ms. Default 600,000 (the SDK's). */
  readonly timeoutMs?: number;
  /** SDK-level retries. Default 0: the harness retries. */
  readonly maxRetries?: number;
  readonly defaultHeaders?: Record<string, string>;
  /** Ask for usage in streamed replies (`stream_options.include_usage`). Default true; some older compatible servers reject it. */
  readonly streamUsage?: boolean;
  /** `false`: never stream, even when a consumer wants tokens (the reply is delivered whole). Default true. */
  readonly stream?: boolean;
}

const DEFAULT_BASE_URL = "https://api.openai.com/v1";

/**
 * An OpenAI chat-completions provider.
 * @throws nothing at construction; calls reject with NodeError (`auth`, `rate_limited`,
 *   `timeout`, `retryable`, `permanent`) and `preflight()` names a missing key.
 */
export function openaiProvider(options: OpenAIProviderOptions = {}): ModelProvider {
  const env = typeof process !== "undefined" ? process.env : {};
  const baseURL = options.baseURL ?? env.OPENAI_BASE_URL;
  const keyEnv = options.apiKeyEnv ?? "OPENAI_API_KEY";
  const apiKey = options.apiKey ?? env[keyEnv] ?? (baseURL ? "not-needed" : undefined);
  const missingKey = `the openai provider needs an API key: set ${keyEnv} (in the environment, or in a .env file beside rag.config.ts), or a baseURL for a local OpenAI-compatible server`;
  const url = baseURL ?? DEFAULT_BASE_URL;
  let streams = options.stream !== false;
  let client: OpenAI | undefined;
  const getClient = async () => {
    if (!apiKey) throw new NodeError(missingKey, "auth");
    // Loaded on first use so that runs without an OpenAI model pay nothing for the SDK.
    const { default: OpenAIClient } = await import("openai");
    client ??= new OpenAIClient({
      apiKey,
      ...(baseURL ? { baseURL } : {}),
      ...(options.organization ? { organization: options.organization } : {}),
      ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
      maxRetries: options.maxRetries ?? 0,
      ...(options.defaultHeaders ? { defaultHeaders: options.defaultHeaders } : {}),
    });
    return client;
  };
  return {
    name: "openai",
    preflight: () => (apiKey ? undefined : missingKey),
    async chat(request, opts) {
      const body = toBody(request);
      const c = await getClient();
      const reqOpts = opts?.signal ? { signal: opts.signal } : {};
      const progress = streamProgress();
      try {
        if (!opts?.onToken || !streams) {
          const completion = await c.chat.completions.create(body, reqOpts);
          opts?.onOutput?.(completionChars(completion));
          const res = fromCompletion(completion, request);
          if (opts?.onToken) await streamWhole(res, opts, true);
          return res;
        }
        const { data: stream, response } = await c.chat.completions
          .create({ ...body, stream: true, ...(options.streamUsage === false ? {} : { stream_options: { include_usage: true } }) }, reqOpts)
          .withResponse();
        if (!isEventStream(response.headers.get("content-type"))) {
          // An OpenAI-compatible server that does not stream answered with the whole completion.
          streams = false;
          const completion = (await response.json()) as OpenAI.Chat.Completions.ChatCompletion;
          opts.onOutput?.(completionChars(completion));
          const res = fromCompletion(completion, request);
          await streamWhole(res, opts, true);
          return res;
        }
        return await fromStream(stream, request, opts, progress);
      } catch (e) {
        // A stream that failed midway: what it delivered is charged (`withPartialUsage`).
        throw withPartialUsage(await fromSdkError(e, url), progress);
      }
    },
  };
}

/** SSE, as the API streams; anything else (JSON) is a whole completion. A missing header is taken as a stream. */
function isEventStream(contentType: string | null): boolean {
  if (!contentType) return true;
  return contentType.split(";")[0]!.trim().toLowerCase() === "text/event-stream";
}

function toMessage(m: ChatMessage): ChatCompletionMessageParam {
  switch (m.role) {
    case "system":
      return { role: "system", content: m.content };
    case "user":
      return m.parts?.length ? { role: "user", content: [...(m.content ? [{ type: "text" as const, text: m.content }] : []), ...m.parts.map(partOf)] } : { role: "user", content: m.content };
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

/**
 * An `attach` part as a chat-completions content part: images as `image_url` (a URL or
 * a `data:` URL), files as `file` with `file_data` (a `data:` URL; the chat API takes no
 * file URLs, so a file by URL is a permanent error).
 */
function partOf(p: ContentPart): ChatCompletionContentPart {
  const dataUrl = p.data !== undefined ? `data:${p.mediaType ?? "application/octet-stream"};base64,${p.data}` : undefined;
  if (p.kind === "image") return { type: "image_url", image_url: { url: p.url ?? dataUrl ?? "" } };
  if (!dataUrl) throw new NodeError("the openai chat API takes files as data, not URLs: attach `{ data, media_type }` or a `data:` URL", "permanent");
  return { type: "file", file: { file_data: dataUrl, filename: p.name ?? "file" } };
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

/** The reply's usage; a figure the server left out is unknown (NaN), which the budget charges at the call's reservation, never as 0. */
function usageOf(u: OpenAI.CompletionUsage | null | undefined): Usage {
  return {
    inputTokens: u?.prompt_tokens ?? NaN,
    outputTokens: u?.completion_tokens ?? NaN,
    ...(u?.prompt_tokens_details?.cached_tokens ? { cachedTokens: u.prompt_tokens_details.cached_tokens } : {}),
    ...(u?.completion_tokens_details?.reasoning_tokens ? { reasoningTokens: u.completion_tokens_details.reasoning_tokens } : {}),
  };
}

function fromCompletion(res: OpenAI.Chat.Completions.ChatCompletion, r: ChatRequest): ChatResponse {
  const choice = res.choices[0];
  if (!choice) throw new NodeError("the openai response had no choices", "retryable");
  const msg = choice.message;
  const toolCalls: ToolCall[] = [];
  for (const c of msg.tool_calls ?? []) if (c.type === "function") toolCalls.push({ id: c.id, name: c.function.name, arguments: parseToolArguments(c.function.name, c.function.arguments) });
  const refused = !msg.content && msg.refusal;
  return finishReply(r, {
    content: msg.content ?? (refused ? msg.refusal ?? "" : ""),
    toolCalls,
    finishReason: refused ? "refusal" : (choice.finish_reason ?? "stop"),
    usage: usageOf(res.usage),
    responseId: res.id,
    responseModel: res.model,
  });
}

/**
 * The reasoning text an OpenAI-compatible server sends beside the reply (not in the SDK's
 * types): `reasoning_content` (DeepSeek, vLLM, llama.cpp) or `reasoning` (OpenRouter,
 * Ollama), in a message or a streamed delta. It is output the vendor bills.
 */
function reasoningOf(m: unknown): string {
  if (!m || typeof m !== "object") return "";
  const r = (m as { reasoning_content?: unknown; reasoning?: unknown }).reasoning_content ?? (m as { reasoning?: unknown }).reasoning;
  return typeof r === "string" ? r : "";
}

/** UTF-16 code units of output in a whole completion: text, refusal, reasoning and tool calls' names and arguments (`ChatOptions.onOutput`). */
function completionChars(res: OpenAI.Chat.Completions.ChatCompletion): number {
  const msg = res?.choices?.[0]?.message;
  if (!msg) return 0;
  let n = (msg.content?.length ?? 0) + (msg.refusal?.length ?? 0) + reasoningOf(msg).length;
  for (const c of msg.tool_calls ?? []) if (c.type === "function") n += (c.function.name?.length ?? 0) + (c.function.arguments?.length ?? 0);
  return n;
}

/** Reads a streamed completion: text deltas on, tool calls whole (a call is complete when the next begins or the stream ends). */
async function fromStream(stream: AsyncIterable<ChatCompletionChunk>, r: ChatRequest, cb: StreamCallbacks & Pick<ChatOptions, "onOutput">, progress: StreamProgress): Promise<ChatResponse> {
  let content = "";
  let refusal = "";
  let finishReason: string | undefined;
  let usage: Usage | undefined;
  let id: string | undefined;
  let model: string | undefined;
  const partial = new Map<number, { id: string; name: string; args: string }>();
  const done: ToolCall[] = [];
  const complete = async (index: number) => {
    const p = partial.get(index);
    if (!p) return;
    partial.delete(index);
    const call: ToolCall = { id: p.id, name: p.name, arguments: parseToolArguments(p.name, p.args) };
    done.push(call);
    await cb.onToolCall?.(call);
  };
  for await (const chunk of stream) {
    id ??= chunk.id;
    model ??= chunk.model;
    if (chunk.usage) {
      usage = usageOf(chunk.usage);
      progress.inputTokens = usage.inputTokens;
      progress.outputTokens = usage.outputTokens;
    }
    const choice = chunk.choices[0];
    if (!choice) continue;
    const d = choice.delta;
    // Every piece of output, hidden reasoning included, is counted before anything is passed on.
    let n = (d?.content?.length ?? 0) + (d?.refusal?.length ?? 0) + reasoningOf(d).length;
    for (const tc of d?.tool_calls ?? []) n += (tc.function?.name?.length ?? 0) + (tc.function?.arguments?.length ?? 0);
    received(progress, cb.onOutput, n);
    if (d?.content) {
      content += d.content;
      await cb.onToken?.(d.content);
    }
    if (d?.refusal) refusal += d.refusal;
    for (const tc of d?.tool_calls ?? []) {
      for (const k of [...partial.keys()]) if (k < tc.index) await complete(k);
      const p = partial.get(tc.index) ?? { id: "", name: "", args: "" };
      if (tc.id) p.id = tc.id;
      if (tc.function?.name) p.name += tc.function.name;
      if (tc.function?.arguments) p.args += tc.function.arguments;
      partial.set(tc.index, p);
    }
    if (choice.finish_reason) finishReason = choice.finish_reason;
  }
  for (const k of [...partial.keys()].sort((a, b) => a - b)) await complete(k);
  if (finishReason === undefined && !content && !done.length) throw new NodeError("the openai stream ended without a reply", "retryable");
  const refused = !content && refusal;
  return finishReply(r, {
    content: refused ? refusal : content,
    toolCalls: done,
    finishReason: refused ? "refusal" : (finishReason ?? "stop"),
    // No usage chunk (`streamUsage: false`, or a server that sends none): unknown (NaN), which
    // the budget charges at the call's reservation or at what streamed, whichever is more — never 0.
    usage: usage ?? { inputTokens: NaN, outputTokens: NaN },
    ...(id ? { responseId: id } : {}),
    ...(model ? { responseModel: model } : {}),
  });
}

/**
 * SDK errors → NodeError with the class the retry policy understands; a connection
 * failure names `url` and the errno. `Retry-After`
 * (seconds or an HTTP date) and OpenAI's `retry-after-ms` become `retryAfterMs`.
 */
async function fromSdkError(e: unknown, url: string): Promise<unknown> {
  if (e instanceof NodeError) return e;
  const { default: SDK } = await import("openai");
  if (e instanceof SDK.APIUserAbortError) return e;
  if (e instanceof SDK.APIConnectionTimeoutError) return new NodeError(`openai: ${e.message} (${url})`, "timeout", {}, { cause: e });
  if (e instanceof SDK.APIConnectionError) {
    const errno = errnoOf(e);
    return new NodeError(`openai: cannot connect to ${url}${errno ? ` (${errno})` : ""}: ${e.message}`, "retryable", {}, { cause: e });
  }
  if (e instanceof SDK.APIError) {
    const status = e.status;
    const cls = status === 429 ? "rate_limited" : status === 401 || status === 403 ? "auth" : status === 408 ? "timeout" : status !== undefined && status >= 500 ? "retryable" : e instanceof SDK.APIConnectionError || status === undefined ? "retryable" : "permanent";
    const after = retryAfterMs(e.headers);
    return new NodeError(`openai: ${e.message}`, cls, {}, { cause: e, ...(after !== undefined ? { retryAfterMs: after } : {}) });
  }
  return e;
}

/** The errno code (`ECONNREFUSED`, `ENOTFOUND`, …) of an error or its causes (fetch wraps the socket error). */
function errnoOf(e: unknown): string | undefined {
  for (let c: unknown = e, depth = 0; c && typeof c === "object" && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return code;
  }
  return undefined;
}
