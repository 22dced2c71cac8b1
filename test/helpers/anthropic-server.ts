/**
 * A tiny Anthropic Messages API server on 127.0.0.1 (random port) for provider tests:
 * the real `@anthropic-ai/sdk` talks HTTP to it. It answers `POST /v1/messages` from a
 * handler or a queue of scripted responses and records every request.
 *
 * Streaming: when the request asks for `stream: true` and the scripted response is a
 * 200 with a `message` body, the server sends it as the API does — named Server-Sent
 * Events: `message_start` (usage so far), per content block `content_block_start`,
 * `content_block_delta`s (`text_delta` word pieces, `input_json_delta` fragments of a
 * tool's input), `content_block_stop`, then `message_delta` (stop reason, output
 * tokens) and `message_stop`. A response with `events` sends those `[name, data]` pairs.
 */
import { createServer, type ServerResponse } from "node:http";
import { listenLoopback } from "./reply-server.js";
import { whenRead, type RecordedRequest, type ScriptedResponse as OpenAIScripted } from "./openai-server.js";

export interface AnthropicScripted extends Omit<OpenAIScripted, "sse"> {
  /** Raw named events `[event, data]`, sent as an event stream. */
  readonly events?: readonly (readonly [string, unknown])[];
}

export type AnthropicHandler = (request: RecordedRequest, index: number) => AnthropicScripted | Promise<AnthropicScripted>;

export interface AnthropicServer {
  /** Base URL for the SDK (it appends `/v1/messages`). */
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startAnthropicServer(script: AnthropicHandler | readonly AnthropicScripted[]): Promise<AnthropicServer> {
  const requests: RecordedRequest[] = [];
  const handler: AnthropicHandler = typeof script === "function" ? script : (_r, i) => script[i] ?? { status: 500, body: anthropicError("api_error", `anthropic-server: no scripted response left for request #${i + 1}`) };
  const server = createServer((req, res) => {
    whenRead(req, (recorded) => {
      const index = requests.length;
      requests.push(recorded);
      if (req.method !== "POST" || !recorded.path.startsWith("/v1/messages")) {
        send(res, { status: 404, body: anthropicError("not_found_error", `anthropic-server: unknown route ${req.method} ${req.url}`) });
        return;
      }
      void (async () => {
        let r: AnthropicScripted;
        try {
          r = await handler(recorded, index);
        } catch (e) {
          r = { status: 500, body: anthropicError("api_error", `anthropic-server: handler threw: ${e instanceof Error ? e.message : String(e)}`) };
        }
        if (r.delayMs) await new Promise((resolve) => setTimeout(resolve, r.delayMs));
        if (res.destroyed) return;
        const wantsStream = (recorded.body as { stream?: boolean } | undefined)?.stream === true;
        if (r.events) sendEvents(res, r.events);
        else if (wantsStream && (r.status ?? 200) === 200 && (r.body as { type?: string } | undefined)?.type === "message") sendEvents(res, messageEvents(r.body as Record<string, any>));
        else send(res, r);
      })();
    });
  });
  const { port, close } = await listenLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close,
  };
}

function send(res: ServerResponse, r: AnthropicScripted): void {
  res.writeHead(r.status ?? 200, { "content-type": "application/json", ...r.headers });
  res.end(r.body === undefined ? "" : JSON.stringify(r.body));
}

function sendEvents(res: ServerResponse, events: readonly (readonly [string, unknown])[]): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  for (const [name, data] of events) res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  res.end();
}

/** An Anthropic error body. */
export function anthropicError(type: string, message: string) {
  return { type: "error", error: { type, message } };
}

export interface MessageSpec {
  readonly text?: string;
  readonly toolUses?: readonly { readonly id: string; readonly name: string; readonly input: unknown }[];
  readonly stopReason?: "end_turn" | "tool_use" | "max_tokens" | "stop_sequence" | "refusal";
  readonly model?: string;
  readonly usage?: { readonly input_tokens: number; readonly output_tokens: number; readonly cache_read_input_tokens?: number; readonly cache_creation_input_tokens?: number; readonly output_tokens_details?: { readonly thinking_tokens: number } };
}

let seq = 0;

/** A `message` object as the Messages API returns it. */
export function message(spec: MessageSpec): Record<string, unknown> {
  const content: unknown[] = [];
  if (spec.text !== undefined) content.push({ type: "text", text: spec.text, citations: null });
  for (const t of spec.toolUses ?? []) content.push({ type: "tool_use", id: t.id, name: t.name, input: t.input, caller: { type: "direct" } });
  const u = spec.usage ?? { input_tokens: 10, output_tokens: 5 };
  return {
    id: `msg_test${++seq}`,
    type: "message",
    role: "assistant",
    model: spec.model ?? "claude-test",
    content,
    stop_reason: spec.stopReason ?? (spec.toolUses?.length ? "tool_use" : "end_turn"),
    stop_sequence: null,
    usage: { cache_creation_input_tokens: null, cache_read_input_tokens: null, cache_creation: null, inference_geo: null, server_tool_use: null, service_tier: "standard", output_tokens_details: null, speed: null, ...u },
  };
}

/** The named events the API streams for a `message`. */
export function messageEvents(m: Record<string, any>): [string, unknown][] {
  const out: [string, unknown][] = [["message_start", { type: "message_start", message: { ...m, content: [], stop_reason: null, usage: { ...m.usage, output_tokens: 1 } } }]];
  (m.content as any[]).forEach((b, index) => {
    if (b.type === "text") {
      out.push(["content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "", citations: null } }]);
      for (const piece of (b.text as string).match(/\S+\s*|\s+/g) ?? []) out.push(["content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text: piece } }]);
    } else {
      out.push(["content_block_start", { type: "content_block_start", index, content_block: { ...b, input: {} } }]);
      const json = JSON.stringify(b.input);
      const cut = Math.ceil(json.length / 2);
      for (const frag of [json.slice(0, cut), json.slice(cut)]) out.push(["content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: frag } }]);
    }
    out.push(["content_block_stop", { type: "content_block_stop", index }]);
  });
  out.push(["message_delta", { type: "message_delta", delta: { stop_reason: m.stop_reason, stop_sequence: null }, usage: { output_tokens: m.usage.output_tokens, input_tokens: null, cache_creation_input_tokens: null, cache_read_input_tokens: null } }]);
  out.push(["message_stop", { type: "message_stop" }]);
  return out;
}
