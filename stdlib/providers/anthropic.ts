/**
 * The `anthropic` provider, through the official `@anthropic-ai/sdk` Messages API; the
 * key from options or `ANTHROPIC_API_KEY`, the base URL from options or
 * `ANTHROPIC_BASE_URL` (the SDK's own variables).
 *
 * Mapping (Anthropic API reference, "Messages"): system messages → the top-level
 * `system`; tool calls → `tool_use` content blocks; tool results → `tool_result` blocks
 * of a user turn (consecutive turns of one role are merged, as the API alternates
 * roles); tools → `tools` with `input_schema`; structured output and route choice →
 * `output_config.format` (JSON Schema). `max_tokens` is required by the API: the
 * request's `maxOutputTokens`, else `defaultMaxTokens` (4,096). `temperature` is not
 * sent (the current API takes no sampling parameters).
 *
 * Normalisation: stop reasons `end_turn`/`stop_sequence` → `stop`, `tool_use` →
 * `tool_calls`, `max_tokens` → `length`; usage `inputTokens` counts cache reads and
 * writes too (as OpenAI's prompt tokens do), `cachedTokens` = cache reads,
 * `reasoningTokens` = thinking tokens. With `onToken` the request streams: text deltas on
 * as they arrive, each `tool_use` block passed on whole when its block stops.
 *
 * SDK retries are off by default (the harness retries), and so is the SDK's own
 * OpenTelemetry tracing (the harness's telemetry middleware records the GenAI spans;
 * `sdkTelemetry: true` turns the SDK's on as well).
 */
import type Anthropic from "@anthropic-ai/sdk";
import type { ChatMessage, ChatOptions, ContentPart, ChatRequest, ChatResponse, ModelProvider, StreamCallbacks, ToolCall, Usage } from "../../registry/index.js";
import { NodeError } from "../../runtime/errors.js";
import { jsonChars } from "../../registry/json-chars.js";
import { finishReply, parseToolArguments, received, retryAfterMs, streamProgress, withPartialUsage, type StreamProgress } from "./shared.js";

type Body = Anthropic.MessageCreateParamsNonStreaming;
type ContentBlock = Anthropic.ContentBlockParam;

export interface AnthropicProviderOptions {
  readonly apiKey?: string;
  /** Name of the environment variable holding the key. Default `ANTHROPIC_API_KEY`. */
  readonly apiKeyEnv?: string;
  readonly baseURL?: string;
  /** Per-request timeout, ms. Default the SDK's (600,000). */
  readonly timeoutMs?: number;
  /** SDK-level retries. Default 0: the harness retries. */
  readonly maxRetries?: number;
  readonly defaultHeaders?: Record<string, string>;
  /** `max_tokens` when the request sets no `maxOutputTokens`. Default 4,096. */
  readonly defaultMaxTokens?: number;
  /** Keep the SDK's own OpenTelemetry spans too. Default false. */
  readonly sdkTelemetry?: boolean;
}

export function anthropicProvider(options: AnthropicProviderOptions = {}): ModelProvider {
  const env = typeof process !== "undefined" ? process.env : {};
  const apiKey = options.apiKey ?? env[options.apiKeyEnv ?? "ANTHROPIC_API_KEY"];
  let client: Anthropic | undefined;
  const getClient = async () => {
    if (!apiKey) throw new NodeError(`the anthropic provider needs an API key: set ${options.apiKeyEnv ?? "ANTHROPIC_API_KEY"}`, "auth");
    // Loaded on first use so that runs without an Anthropic model pay nothing for the SDK.
    const { default: AnthropicClient } = await import("@anthropic-ai/sdk");
    client ??= new AnthropicClient({
      apiKey,
      ...(options.baseURL ? { baseURL: options.baseURL } : {}),
      ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
      maxRetries: options.maxRetries ?? 0,
      ...(options.defaultHeaders ? { defaultHeaders: options.defaultHeaders } : {}),
      ...(options.sdkTelemetry ? {} : { openTelemetry: false as const }),
    });
    return client;
  };
  return {
    name: "anthropic",
    preflight: () => (apiKey ? undefined : `the anthropic provider needs an API key: set ${options.apiKeyEnv ?? "ANTHROPIC_API_KEY"} (in the environment, or in a .env file beside rag.config.ts)`),
    async chat(request, opts) {
      const body = toBody(request, options.defaultMaxTokens ?? 4096);
      const c = await getClient();
      const reqOpts = opts?.signal ? { signal: opts.signal } : {};
      const progress = streamProgress();
      try {
        if (!opts?.onToken) {
          const message = await c.messages.create(body, reqOpts);
          opts?.onOutput?.(messageOutputChars(message));
          return fromMessage(message, request);
        }
        const stream = await c.messages.create({ ...body, stream: true }, reqOpts);
        return await fromStream(stream, request, opts, progress);
      } catch (e) {
        // A stream that failed midway: what it delivered (and the usage reported so far) is charged.
        throw withPartialUsage(await fromSdkError(e), progress);
      }
    },
  };
}

function blocksOf(m: ChatMessage): ContentBlock[] {
  if (m.role === "tool") return [{ type: "tool_result", tool_use_id: m.toolCallId ?? "", content: m.content }];
  const blocks: ContentBlock[] = m.content ? [{ type: "text", text: m.content }] : [];
  if (m.role === "user") for (const p of m.parts ?? []) blocks.push(partBlock(p));
  if (m.role === "assistant") for (const c of m.toolCalls ?? []) blocks.push({ type: "tool_use", id: c.id, name: c.name, input: c.arguments });
  return blocks;
}

const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

/**
 * An `attach` part as a Messages API block: images as `image` (URL or base64 source),
 * files as `document` (a PDF by URL or base64, plain text as a text source). Other media
 * types are a permanent error naming what the API takes.
 */
function partBlock(p: ContentPart): ContentBlock {
  if (p.kind === "image") {
    if (p.url) return { type: "image", source: { type: "url", url: p.url } };
    if (!IMAGE_TYPES.has(p.mediaType ?? "")) throw new NodeError(`anthropic takes jpeg, png, gif or webp images, not \`${p.mediaType}\``, "permanent");
    return { type: "image", source: { type: "base64", media_type: p.mediaType as "image/png", data: p.data ?? "" } };
  }
  const title = p.name !== undefined ? { title: p.name } : {};
  if (p.url) return { type: "document", source: { type: "url", url: p.url }, ...title };
  if (p.mediaType === "application/pdf") return { type: "document", source: { type: "base64", media_type: "application/pdf", data: p.data ?? "" }, ...title };
  if (p.mediaType === "text/plain") return { type: "document", source: { type: "text", media_type: "text/plain", data: Buffer.from(p.data ?? "", "base64").toString("utf8") }, ...title };
  throw new NodeError(`anthropic takes PDF or plain-text documents, not \`${p.mediaType}\``, "permanent");
}

function toBody(r: ChatRequest, defaultMaxTokens: number): Body {
  const system = r.messages.filter((m) => m.role === "system").map((m) => m.content).join("\n\n");
  const messages: Anthropic.MessageParam[] = [];
  for (const m of r.messages) {
    if (m.role === "system") continue;
    const role = m.role === "assistant" ? "assistant" : "user";
    const blocks = blocksOf(m);
    const last = messages.at(-1);
    if (last && last.role === role) (last.content as ContentBlock[]).push(...blocks);
    else messages.push({ role, content: blocks });
  }
  const body: Body = { model: r.model, max_tokens: r.maxOutputTokens ?? defaultMaxTokens, messages };
  if (system) body.system = system;
  // `temperature` is not sent: the current Messages API (SDK 1.x) no longer takes sampling parameters.
  if (r.tools?.length) body.tools = r.tools.map((t) => ({ name: t.name, description: t.description, input_schema: { type: "object", ...t.parameters } as Anthropic.Tool.InputSchema }));
  if (r.output) body.output_config = { format: { type: "json_schema", schema: r.output.schema } };
  else if (r.routeLabels?.length) {
    body.output_config = {
      format: { type: "json_schema", schema: { type: "object", properties: { route: { type: "string", enum: [...r.routeLabels] }, content: { type: "string" } }, required: ["route", "content"], additionalProperties: false } },
    };
  }
  return body;
}

const STOP_REASONS: Readonly<Record<string, string>> = { end_turn: "stop", stop_sequence: "stop", tool_use: "tool_calls", max_tokens: "length" };

function usageOf(u: Partial<Anthropic.Usage> | undefined): Usage {
  const read = u?.cache_read_input_tokens ?? 0;
  const write = u?.cache_creation_input_tokens ?? 0;
  const thinking = u?.output_tokens_details?.thinking_tokens ?? 0;
  return {
    inputTokens: (u?.input_tokens ?? 0) + read + write,
    outputTokens: u?.output_tokens ?? 0,
    ...(read ? { cachedTokens: read } : {}),
    ...(thinking ? { reasoningTokens: thinking } : {}),
  };
}

function fromMessage(res: Anthropic.Message, r: ChatRequest): ChatResponse {
  let content = "";
  const toolCalls: ToolCall[] = [];
  for (const b of res.content) {
    if (b.type === "text") content += b.text;
    else if (b.type === "tool_use") toolCalls.push({ id: b.id, name: b.name, arguments: toolInput(b.name, b.input) });
  }
  return finishReply(r, { content, toolCalls, finishReason: STOP_REASONS[res.stop_reason ?? ""] ?? res.stop_reason ?? "stop", usage: usageOf(res.usage), responseId: res.id, responseModel: res.model });
}

/**
 * UTF-16 code units of output in a whole message (`ChatOptions.onOutput`): text, thinking
 * (the summarised text; the encrypted data of a redacted block) and tool calls' names and
 * inputs as JSON. Thinking is billed as output although no text of it is passed on.
 */
function messageOutputChars(res: Anthropic.Message): number {
  let n = 0;
  for (const b of res?.content ?? []) n += blockChars(b);
  return n;
}

function blockChars(b: Anthropic.ContentBlock): number {
  switch (b.type) {
    case "text":
      return b.text?.length ?? 0;
    case "thinking":
      return b.thinking?.length ?? 0;
    case "redacted_thinking":
      return b.data?.length ?? 0;
    case "tool_use":
      return (b.name?.length ?? 0) + jsonChars(b.input ?? {});
    default:
      return 0;
  }
}

function toolInput(name: string, input: unknown): Record<string, unknown> {
  if (input && typeof input === "object" && !Array.isArray(input)) return input as Record<string, unknown>;
  throw new NodeError(`the model returned tool call \`${name}\` with an input that is not a JSON object`, "retryable");
}

/** Reads a Messages event stream: text deltas on, a `tool_use` block whole once its block stops. */
async function fromStream(stream: AsyncIterable<Anthropic.RawMessageStreamEvent>, r: ChatRequest, cb: StreamCallbacks & Pick<ChatOptions, "onOutput">, progress: StreamProgress): Promise<ChatResponse> {
  let content = "";
  let usage: Partial<Anthropic.Usage> = {};
  let stop: string | null | undefined;
  let id: string | undefined;
  let model: string | undefined;
  let ended = false;
  const blocks = new Map<number, { id: string; name: string; json: string }>();
  const toolCalls: ToolCall[] = [];
  for await (const e of stream) {
    switch (e.type) {
      case "message_start":
        id = e.message.id;
        model = e.message.model;
        usage = { ...e.message.usage };
        progress.inputTokens = usageOf(usage).inputTokens;
        break;
      case "content_block_start":
        if (e.content_block.type === "tool_use") blocks.set(e.index, { id: e.content_block.id, name: e.content_block.name, json: "" });
        // A redacted thinking block arrives whole here: its data is counted (billed as output, never shown).
        if (e.content_block.type === "redacted_thinking") {
          received(progress, cb.onOutput, blockChars(e.content_block));
        }
        break;
      case "content_block_delta":
        if (e.delta.type === "text_delta") {
          received(progress, cb.onOutput, e.delta.text.length);
          content += e.delta.text;
          await cb.onToken?.(e.delta.text);
        } else if (e.delta.type === "input_json_delta") {
          const b = blocks.get(e.index);
          received(progress, cb.onOutput, e.delta.partial_json.length);
          if (b) b.json += e.delta.partial_json;
        } else if (e.delta.type === "thinking_delta") {
          // Thinking is billed as output though none of it is passed on: counted, not shown.
          received(progress, cb.onOutput, e.delta.thinking.length);
        }
        break;
      case "content_block_stop": {
        const b = blocks.get(e.index);
        if (b) {
          blocks.delete(e.index);
          const call: ToolCall = { id: b.id, name: b.name, arguments: parseToolArguments(b.name, b.json) };
          toolCalls.push(call);
          await cb.onToolCall?.(call);
        }
        break;
      }
      case "message_delta":
        stop = e.delta.stop_reason ?? stop;
        for (const [k, v] of Object.entries(e.usage)) if (v !== null && v !== undefined) (usage as Record<string, unknown>)[k] = v;
        progress.outputTokens = usageOf(usage).outputTokens;
        break;
      case "message_stop":
        ended = true;
        break;
    }
  }
  if (!ended) throw new NodeError("the anthropic stream ended before `message_stop`", "retryable");
  return finishReply(r, { content, toolCalls, finishReason: STOP_REASONS[stop ?? ""] ?? stop ?? "stop", usage: usageOf(usage), ...(id ? { responseId: id } : {}), ...(model ? { responseModel: model } : {}) });
}

/** SDK errors → NodeError with an error class (529 `overloaded` is retryable like any 5xx). */
async function fromSdkError(e: unknown): Promise<unknown> {
  if (e instanceof NodeError) return e;
  const { default: SDK } = await import("@anthropic-ai/sdk");
  if (e instanceof SDK.APIUserAbortError) return e;
  if (e instanceof SDK.APIConnectionTimeoutError) return new NodeError(`anthropic: ${e.message}`, "timeout", {}, { cause: e });
  if (e instanceof SDK.APIError) {
    const status = e.status;
    const cls = status === 429 ? "rate_limited" : status === 401 || status === 403 ? "auth" : status === 408 ? "timeout" : status !== undefined && status >= 500 ? "retryable" : e instanceof SDK.APIConnectionError || status === undefined ? "retryable" : "permanent";
    const after = retryAfterMs(e.headers);
    return new NodeError(`anthropic: ${e.message}`, cls, {}, { cause: e, ...(after !== undefined ? { retryAfterMs: after } : {}) });
  }
  return e;
}
