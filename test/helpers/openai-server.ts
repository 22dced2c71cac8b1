/**
 * A tiny OpenAI-compatible chat-completions server on 127.0.0.1 (random port) for
 * provider tests: the real `openai` SDK talks HTTP to it. It answers
 * `POST /v1/chat/completions` from a handler or a queue of scripted responses and
 * records every request (method, path, headers, parsed JSON body).
 *
 * Streaming: when the request asks for `stream: true` and the scripted response is a
 * 200 with a `chat.completion` body, the server sends it as the API does — Server-Sent
 * Events of `chat.completion.chunk`s (content in word pieces, each tool call's id and name
 * first and its arguments in fragments, the finish reason, a usage chunk when
 * `stream_options.include_usage` is set, then `data: [DONE]`). A response with `sse`
 * sends those raw event payloads instead.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { listenLoopback } from "./reply-server.js";

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** Node lower-cases header names. */
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body (undefined when the body was empty or not JSON). */
  readonly body: any;
  readonly rawBody: string;
}

export interface ScriptedResponse {
  /** HTTP status; default 200. */
  readonly status?: number;
  readonly headers?: Record<string, string>;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Wait this long before answering (aborted early when the client disconnects). */
  readonly delayMs?: number;
  /** Raw SSE `data:` payloads (objects are JSON-encoded), sent as an event stream. */
  readonly sse?: readonly unknown[];
  /** Answer with the body as JSON even when the request asked to stream (a compatible server that does not stream). */
  readonly noStream?: boolean;
}

export type ServerHandler = (request: RecordedRequest, index: number) => ScriptedResponse | Promise<ScriptedResponse>;

export interface OpenAIServer {
  /** Base URL for the SDK, e.g. `http://127.0.0.1:54321/v1`. */
  readonly url: string;
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Requests whose connection the client closed before the server answered. */
  readonly aborted: RecordedRequest[];
  close(): Promise<void>;
}

const CHAT_PATH = "/v1/chat/completions";

/** Reads `req`'s body to its end, then calls `then` with the request as recorded (the body parsed as JSON when it is JSON). */
export function whenRead(req: IncomingMessage, then: (recorded: RecordedRequest) => void): void {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const rawBody = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    then({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body, rawBody });
  });
}

/**
 * Starts the server. With an array, the n-th chat-completions request gets the n-th
 * response; a request past the end gets a 500 whose message says so (so a test that
 * makes too many calls fails loudly).
 */
export async function startOpenAIServer(script: ServerHandler | readonly ScriptedResponse[]): Promise<OpenAIServer> {
  const requests: RecordedRequest[] = [];
  const aborted: RecordedRequest[] = [];
  const handler: ServerHandler = typeof script === "function"
    ? script
    : (_req, i) => script[i] ?? { status: 500, body: errorBody(`openai-server: no scripted response left for request #${i + 1}`, "server_error") };

  const server = createServer((req, res) => {
    whenRead(req, (recorded) => {
      if (req.method !== "POST" || recorded.path !== CHAT_PATH) {
        requests.push(recorded);
        send(res, { status: 404, body: errorBody(`openai-server: unknown route ${req.method} ${req.url}`, "invalid_request_error") });
        return;
      }
      const index = requests.length;
      requests.push(recorded);
      let closed = false;
      res.on("close", () => {
        if (!res.writableEnded) {
          closed = true;
          aborted.push(recorded);
        }
      });
      void (async () => {
        let r: ScriptedResponse;
        try {
          r = await handler(recorded, index);
        } catch (e) {
          r = { status: 500, body: errorBody(`openai-server: handler threw: ${e instanceof Error ? e.message : String(e)}`, "server_error") };
        }
        if (r.delayMs) await waitOrClose(r.delayMs, res);
        if (closed || res.destroyed) return;
        const body = recorded.body as { stream?: boolean; stream_options?: { include_usage?: boolean } } | undefined;
        if (r.sse) sendEvents(res, r.sse);
        else if (body?.stream && !r.noStream && (r.status ?? 200) === 200 && (r.body as { object?: string } | undefined)?.object === "chat.completion") sendEvents(res, [...completionChunks(r.body as Record<string, any>, body.stream_options?.include_usage === true), "[DONE]"]);
        else send(res, r);
      })();
    });
  });
  const { port, close } = await listenLoopback(server);
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    aborted,
    close,
  };
}

function send(res: ServerResponse, r: ScriptedResponse): void {
  const payload = r.body === undefined ? "" : JSON.stringify(r.body);
  res.writeHead(r.status ?? 200, { "content-type": "application/json", ...r.headers });
  res.end(payload);
}

/** Sends SSE `data:` events (strings as is, anything else as JSON). */
export function sendEvents(res: ServerResponse, events: readonly unknown[]): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  for (const e of events) res.write(`data: ${typeof e === "string" ? e : JSON.stringify(e)}\n\n`);
  res.end();
}

/** A `chat.completion` as the `chat.completion.chunk`s the API streams for it. */
export function completionChunks(c: Record<string, any>, includeUsage: boolean): Record<string, unknown>[] {
  const base = { id: c.id, object: "chat.completion.chunk", created: c.created, model: c.model, system_fingerprint: c.system_fingerprint };
  const choice = c.choices[0];
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  const out: Record<string, unknown>[] = [chunk({ role: "assistant", content: "", refusal: null })];
  const content: string = choice.message.content ?? "";
  for (const piece of content.match(/\S+\s*|\s+/g) ?? []) out.push(chunk({ content: piece }));
  (choice.message.tool_calls ?? []).forEach((t: any, index: number) => {
    out.push(chunk({ tool_calls: [{ index, id: t.id, type: "function", function: { name: t.function.name, arguments: "" } }] }));
    const a: string = t.function.arguments;
    const cut = Math.ceil(a.length / 2);
    for (const frag of [a.slice(0, cut), a.slice(cut)]) if (frag) out.push(chunk({ tool_calls: [{ index, function: { arguments: frag } }] }));
  });
  out.push(chunk({}, choice.finish_reason));
  if (includeUsage) out.push({ ...base, choices: [], usage: c.usage });
  return out;
}

function waitOrClose(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    res.once("close", done);
    function done() {
      clearTimeout(t);
      resolve();
    }
  });
}

/** An OpenAI error body (`{error: {message, type, param, code}}`). */
export function errorBody(message: string, type: string, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

export interface CompletionSpec {
  readonly content?: string | null;
  readonly toolCalls?: readonly { readonly id: string; readonly name: string; readonly arguments: string }[];
  readonly finishReason?: "stop" | "length" | "tool_calls" | "content_filter";
  readonly model?: string;
  readonly usage?: {
    readonly prompt_tokens: number;
    readonly completion_tokens: number;
    readonly prompt_tokens_details?: { readonly cached_tokens?: number; readonly audio_tokens?: number };
    readonly completion_tokens_details?: { readonly reasoning_tokens?: number; readonly audio_tokens?: number; readonly accepted_prediction_tokens?: number; readonly rejected_prediction_tokens?: number };
  };
}

let completionSeq = 0;

/** A `chat.completion` object as the OpenAI API returns it (one choice). */
export function completion(spec: CompletionSpec): Record<string, unknown> {
  const toolCalls = spec.toolCalls?.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } }));
  const usage = spec.usage ?? { prompt_tokens: 10, completion_tokens: 5 };
  return {
    id: `chatcmpl-test${++completionSeq}`,
    object: "chat.completion",
    created: 1_700_000_000,
    model: spec.model ?? "gpt-test",
    system_fingerprint: "fp_test",
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: spec.content === undefined ? (toolCalls ? null : "") : spec.content,
          refusal: null,
          annotations: [],
          ...(toolCalls ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: spec.finishReason ?? (toolCalls ? "tool_calls" : "stop"),
      },
    ],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    service_tier: "default",
  };
}
