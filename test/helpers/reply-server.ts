/**
 * Loopback servers that send a provider's reply byte for byte as the test wrote it, for
 * tests of what a hostile or broken model server can do (budget-hidden-output,
 * budget-usage-floor, budget-stream-cap): any route gets the reply, SSE events are sent
 * as given (OpenAI `data:` chunks or Anthropic named events), a connection can be cut
 * mid-stream, and a stream can run on until the client hangs up. The protocol-faithful
 * fakes, which check routes, record requests and build SDK-shaped replies, are
 * openai-server.ts and anthropic-server.ts; they listen through `listenLoopback` too.
 *
 * Servers started here are closed by `closeReplyServers()` (call it in `afterEach`).
 */
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A server listening on 127.0.0.1. */
export interface Loopback {
  readonly port: number;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

/** Starts `server` on a free port of 127.0.0.1. */
export async function listenLoopback(server: Server): Promise<Loopback> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const open: Loopback[] = [];

/** Closes every server this module started and not yet closed. */
export async function closeReplyServers(): Promise<void> {
  for (const s of open.splice(0)) await s.close();
}

/** `handler` on a loopback server, closed by `closeReplyServers`; its base URL. */
async function start(handler: RequestListener): Promise<string> {
  const s = await listenLoopback(createServer(handler));
  open.push(s);
  return `http://127.0.0.1:${s.port}`;
}

/** What a reply server sends: SSE text (its pieces, written one by one) or a JSON body. */
export type RawReply = readonly string[] | Record<string, unknown>;

/**
 * A server answering every request, once its body is read, with `reply()`: a list of
 * strings as `text/event-stream` (each piece written as it is), anything else as JSON;
 * then it ends the response, or, with `cut`, destroys the socket 50 ms later without
 * ending it (a stream cut mid-way). `requests()` counts the requests answered.
 */
export async function replyServer(reply: () => RawReply, options: { readonly cut?: boolean } = {}): Promise<{ url: string; requests: () => number }> {
  let n = 0;
  const url = await start((req, res) => {
    req.resume();
    req.on("end", () => {
      n++;
      const r = reply();
      if (Array.isArray(r)) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        for (const e of r as readonly string[]) res.write(e);
      } else {
        res.writeHead(200, { "content-type": "application/json" });
        res.write(JSON.stringify(r));
      }
      if (options.cut) setTimeout(() => res.socket?.destroy(), 50);
      else res.end();
    });
  });
  return { url, requests: () => n };
}

/**
 * A server streaming, to each request, the SSE pieces `head`, then `event(i)` for
 * i = 0, 1, … below `max` (one per turn of its event loop), then `tail`, unless the
 * client goes away first. `sent()` is how many `event`s it wrote; `closed()` whether the
 * client hung up before the end.
 */
export async function streamingServer(head: readonly string[], event: (i: number) => string, max: number, tail: readonly string[]): Promise<{ url: string; sent: () => number; closed: () => boolean }> {
  let sent = 0;
  let closed = false;
  const url = await start((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      for (const e of head) res.write(e);
      res.on("close", () => (closed = !res.writableEnded));
      const next = (i: number) => {
        if (res.destroyed || closed) return;
        if (i >= max) {
          for (const e of tail) res.write(e);
          return void res.end();
        }
        res.write(event(i));
        sent++;
        setImmediate(() => next(i + 1));
      };
      next(0);
    });
  });
  return { url, sent: () => sent, closed: () => closed };
}

/** An OpenAI `chat.completion.chunk` (one choice: `delta`, the finish reason) as one SSE `data:` event. */
export const chatChunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
  `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

/** The usage chunk an OpenAI stream ends with (no choices), reporting 1 + 1 tokens. */
export const USAGE_CHUNK_1_1 = `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 0, model: "m", choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } })}\n\n`;

/** The event that ends an OpenAI stream. */
export const SSE_DONE = "data: [DONE]\n\n";

/** A whole OpenAI `chat.completion` (one choice: an assistant `message`, `finish`) reporting `usage`. */
export const chatCompletion = (message: Record<string, unknown>, usage: Record<string, unknown>, finish = "stop") => ({
  id: "c1",
  object: "chat.completion",
  created: 0,
  model: "m",
  choices: [{ index: 0, message: { role: "assistant", ...message }, finish_reason: finish }],
  usage,
});

/** An Anthropic Messages stream event `type` with `data` (its `type` field added). */
export const anthropicEvent = (type: string, data: Record<string, unknown>): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
