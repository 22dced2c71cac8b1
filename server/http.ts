/**
 * The studio's HTTP server (node:http): the JSON + SSE API of `routes.ts` under `/api/`,
 * and the page's static files (a built bundle folder) everywhere else. Binds
 * 127.0.0.1 unless told otherwise; every request passes `checkRequest` (token, Host,
 * Origin) first. Errors are `{"error": {"code", "message"}}` with a 4xx/5xx status,
 * never a stack trace.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";
import { parseUntrustedJson, UnsafeJsonError } from "../runtime/index.js";
import { ApiError, badRequest, notFound } from "./errors.js";
import { openApiDocument } from "./openapi.js";
import type { Project } from "./project.js";
import { matchRoute, type Route } from "./routes.js";
import { checkRequest, newToken, tokenCookie, type Guard } from "./security.js";

/** Largest request body, bytes. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Deepest nesting of arrays and objects accepted in a JSON body. */
export const MAX_BODY_DEPTH = 128;
/** Time a client has to send a whole request body (default), ms; a slower body is refused with 408. */
export const BODY_TIMEOUT_MS = 30_000;
/** Shortest token `startStudioServer` accepts (`rag serve` asks the same of `RAG_API_TOKEN`). */
export const MIN_TOKEN_CHARS = 16;
/** Event streams open at once (default); more are refused with 503. */
export const MAX_EVENT_STREAMS = 256;

export interface StudioServerOptions {
  readonly project: Project;
  /** Folder of the built page (index.html, app.js, …); without it only the API is served. */
  readonly staticDir?: string;
  /** Interface to bind (default 127.0.0.1). */
  readonly host?: string;
  /** Port (default 0: any free port). */
  readonly port?: number;
  /** Token (default: a random one). */
  readonly token?: string;
  /** More `Host` header values accepted as they are sent (e.g. `api.example.com` behind a load balancer; `rag serve --allow-host`). */
  readonly allowHosts?: readonly string[];
  /** Time a client has to send its headers and body, ms (default `BODY_TIMEOUT_MS`); a slower request is refused (408) and its connection closed. */
  readonly requestTimeoutMs?: number;
  /** Event streams (`GET /api/runs/{id}/events`) open at once (default `MAX_EVENT_STREAMS`); more are refused with 503 `too_many_streams`. */
  readonly maxEventStreams?: number;
  /** Bytes an event stream may have waiting to be sent before the server waits for the client to read (default `MAX_STREAM_BUFFER_BYTES`). */
  readonly maxStreamBufferBytes?: number;
}

export interface StudioServer {
  /** `http://127.0.0.1:PORT/?token=…` — what `rag studio` prints. */
  readonly url: string;
  /** `http://127.0.0.1:PORT` without the token. */
  readonly origin: string;
  readonly token: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".ttf": "font/ttf",
  ".woff2": "font/woff2",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".map": "application/json",
};

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff" });
  res.end(text);
}

function sendError(res: ServerResponse, e: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (e instanceof ApiError) send(res, e.status, { error: { code: e.code, message: e.message } });
  else if (e && typeof e === "object" && "code" in e && typeof (e as { code: unknown }).code === "string" && e instanceof Error && e.name !== "Error") send(res, 400, { error: { code: (e as { code: string }).code, message: e.message } });
  else send(res, 500, { error: { code: "internal", message: e instanceof Error ? e.message : String(e) } });
}

/**
 * The `type/subtype` of a Content-Type header, lower-cased, without parameters
 * (`text/plain; charset=application/json` is `text/plain`, not JSON).
 */
function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0].trim().toLowerCase();
}

/**
 * Reads and parses a JSON body. Limits are charged before the work: a declared
 * `Content-Length` over `MAX_BODY_BYTES` is refused before any byte is read, the
 * running size as it arrives, and the body must arrive within `timeoutMs` (408
 * `timeout`). It is parsed by `parseUntrustedJson`: objects are null-prototype, a
 * `__proto__`/`constructor`/`prototype` key is refused (400 `unsafe_key`), nesting past
 * `MAX_BODY_DEPTH` is 400 `too_deep`.
 * @throws ApiError 413 `too_large`, 408 `timeout`, 415 `unsupported_media_type`, 400 `invalid_request` / `too_deep` / `unsafe_key`
 */
async function readBody(req: IncomingMessage, timeoutMs: number): Promise<unknown> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new ApiError("too_large", `request body larger than ${MAX_BODY_BYTES} bytes`, 413);
  const chunks: Buffer[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ApiError("timeout", `the request body did not arrive within ${timeoutMs} ms`, 408)), timeoutMs);
  });
  const collect = (async () => {
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > MAX_BODY_BYTES) throw new ApiError("too_large", `request body larger than ${MAX_BODY_BYTES} bytes`, 413);
      chunks.push(c as Buffer);
    }
  })();
  try {
    await Promise.race([collect, deadline]);
  } finally {
    clearTimeout(timer);
    collect.catch(() => undefined);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text.trim()) return {};
  if (mediaType(req.headers["content-type"]) !== "application/json") throw new ApiError("unsupported_media_type", "send JSON bodies with Content-Type: application/json", 415);
  // The runtime's untrusted-JSON parser: null-prototype objects, `__proto__`/`constructor`/
  // `prototype` keys refused, nesting bounded with an explicit stack (JSON.parse itself is iterative).
  try {
    return parseUntrustedJson(text, { maxDepth: MAX_BODY_DEPTH });
  } catch (e) {
    if (!(e instanceof UnsafeJsonError)) throw e;
    if (e.code === "too_deep") throw badRequest(`the body nests arrays/objects deeper than ${MAX_BODY_DEPTH} levels`, "too_deep");
    if (e.code === "unsafe_key") throw badRequest(`the body ${e.message}`, "unsafe_key");
    throw badRequest(`the body is not valid JSON: ${e.message}`);
  }
}

function validate(schema: Route["body"], value: unknown, where: string): unknown {
  if (!schema) return value;
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.length ? i.path.join(".") : where}: ${i.message}`).join("; ");
  throw badRequest(`invalid ${where}: ${issues}`);
}

/**
 * Bytes of an event stream's response waiting to be sent (default) before the server
 * stops taking the run's next events for it: it takes them again as the client reads.
 */
export const MAX_STREAM_BUFFER_BYTES = 1024 * 1024;

/**
 * Streams a run's events as SSE, from after `Last-Event-ID`, then live, then `end`.
 * Events are taken from the run's record as the client reads (`res` drains), never more
 * than `highWater` bytes ahead of it: a client that reads slowly, or not at all, falls
 * behind the record's window (it is told `truncated`, as a late reader is) instead of
 * having every event the run makes held for it in the server. (Each event used to be
 * written at once, whatever the socket's backlog: a stream that was not read held the
 * whole run — 30 MB in the test, without end — and a reconnect wrote the whole record,
 * up to 16 MiB, into the buffer in one go.)
 */
async function streamEvents(req: IncomingMessage, res: ServerResponse, project: Project, runId: string, url: URL, highWater: number): Promise<void> {
  const run = await project.runs.find(runId);
  const header = req.headers["last-event-id"];
  const raw = typeof header === "string" ? header : (url.searchParams.get("lastEventId") ?? "0");
  const after = /^\d+$/.test(raw) ? Number(raw) : 0;
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive", "x-content-type-options": "nosniff" });
  res.write("retry: 1000\n\n");
  // A client gone before the subscription must not leave a listener behind.
  if (req.destroyed || res.destroyed) return void res.end();
  // Not clamped to the record's last id: under `rag serve --queue` a replica's record of a
  // run fills from Redis as it is read, so a client resuming with an id another replica
  // sent may be ahead of this record, and clamping replayed events it already had. An id
  // past the end of a finished run ends the stream at once.
  let next = after + 1;
  let finished = false;
  let heartbeat: NodeJS.Timeout | undefined;
  let unsubscribe = (): void => undefined;
  const stop = () => {
    finished = true;
    clearInterval(heartbeat);
    unsubscribe();
    res.off("drain", pump);
  };
  function pump(): void {
    if (finished) return;
    if (res.destroyed) return stop();
    while (res.writableLength < highWater) {
      if (next < run.firstId) {
        res.write(`event: truncated\ndata: ${JSON.stringify({ firstId: run.firstId })}\n\n`);
        next = run.firstId;
      }
      const e = run.event(next);
      if (!e) break;
      res.write(`id: ${next}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
      next++;
    }
    if (run.ended && next > run.lastId) {
      stop();
      res.write(`event: end\ndata: ${JSON.stringify(run.summary())}\n\n`);
      res.end();
    }
  }
  res.on("drain", pump);
  res.on("close", stop);
  if (!run.ended) {
    heartbeat = setInterval(() => res.write(": keep-alive\n\n"), 15_000);
    unsubscribe = run.subscribe(() => pump());
  }
  pump();
}

function serveStatic(res: ServerResponse, dir: string | undefined, pathname: string, setCookie: string | undefined): void {
  if (!dir) throw notFound("this server has no page (API only)");
  let rel: string;
  try {
    rel = pathname === "/" ? "index.html" : decodeURIComponent(pathname).replace(/^\/+/, "");
  } catch {
    throw badRequest(`${pathname}: malformed percent-encoding`);
  }
  if (rel.includes("\0")) throw notFound(`no file ${pathname}`);
  const full = normalize(join(dir, rel));
  if (!full.startsWith(normalize(dir) + sep) || !existsSync(full) || !statSync(full).isFile()) throw notFound(`no file ${pathname}`);
  res.writeHead(200, {
    "content-type": TYPES[extname(full)] ?? "application/octet-stream",
    "cache-control": rel === "index.html" ? "no-store" : "max-age=3600",
    "x-content-type-options": "nosniff",
    "content-security-policy": CSP,
    "referrer-policy": "no-referrer",
    ...(setCookie ? { "set-cookie": setCookie } : {}),
  });
  const stream = createReadStream(full);
  stream.on("error", () => res.destroy());
  stream.pipe(res);
}

/**
 * Starts the server; resolves once it listens.
 *
 * @throws RangeError when `requestTimeoutMs`, `maxEventStreams` or `maxStreamBufferBytes`
 *   is not a positive integer (0 would refuse every body at once, or every stream), or
 *   `token` is shorter than `MIN_TOKEN_CHARS` or blank.
 */
export async function startStudioServer(options: StudioServerOptions): Promise<StudioServer> {
  for (const key of ["requestTimeoutMs", "maxEventStreams", "maxStreamBufferBytes"] as const) {
    const v = options[key];
    if (v !== undefined && !(Number.isSafeInteger(v) && v > 0)) throw new RangeError(`startStudioServer: \`${key}\` must be a positive integer, not ${String(v)}`);
  }
  // A blank or short token (a host passing `process.env.X ?? ""`) made `Authorization: Bearer ` the token.
  if (options.token !== undefined && options.token.trim().length < MIN_TOKEN_CHARS) throw new RangeError(`startStudioServer: \`token\` must hold at least ${MIN_TOKEN_CHARS} characters that are not blank`);
  const host = options.host ?? "127.0.0.1";
  const token = options.token ?? newToken();
  const guard: Guard = { token, hosts: [...new Set(["127.0.0.1", "localhost", "::1", host.toLowerCase()])], port: 0, ...(options.allowHosts?.length ? { exact: options.allowHosts.map((h) => h.toLowerCase()) } : {}) };
  const { project } = options;
  const timeoutMs = options.requestTimeoutMs ?? BODY_TIMEOUT_MS;
  const maxStreams = options.maxEventStreams ?? MAX_EVENT_STREAMS;
  let streams = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      // Inside the try: a request-target the URL parser refuses (`GET //[ HTTP/1.1`) is a 400, not a crash.
      let url: URL;
      try {
        url = new URL(req.url ?? "/", "http://placeholder");
      } catch {
        throw badRequest("the request target is not a valid URL path");
      }
      checkRequest(req, url, guard);
      const method = req.method ?? "GET";
      if (url.pathname === "/api/openapi.json" && method === "GET") return send(res, 200, openApiDocument());
      if (url.pathname.startsWith("/api/")) {
        const m = matchRoute(method, url.pathname);
        if (!m) throw notFound(`no API route ${method} ${url.pathname} (GET /api/openapi.json lists them)`);
        const query = validate(m.route.query, Object.fromEntries(url.searchParams.entries()), "query");
        if (m.route.sse) {
          if (streams >= maxStreams) throw new ApiError("too_many_streams", `${streams} event streams are open (at most ${maxStreams}); close one first`, 503);
          streams++;
          res.once("close", () => streams--);
          return await streamEvents(req, res, project, m.params.runId, url, options.maxStreamBufferBytes ?? MAX_STREAM_BUFFER_BYTES);
        }
        const body = method === "GET" ? {} : validate(m.route.body, await readBody(req, timeoutMs), "body");
        const out = await m.route.handler({ params: m.params, query, body, project });
        return send(res, 200, out ?? null);
      }
      if (method !== "GET") throw new ApiError("method_not_allowed", `${method} ${url.pathname}`, 405);
      const cookie = url.searchParams.has("token") ? `${tokenCookie(guard.port)}=${token}; HttpOnly; SameSite=Strict; Path=/` : undefined;
      serveStatic(res, options.staticDir, url.pathname, cookie);
    } catch (e) {
      // A refused body (too large, too slow) is not read to its end: answer, then close the
      // connection. So is the body of a request refused before it was read (no token, a
      // foreign Host, no such route): it used to be read and dropped, up to the request timeout.
      const declared = Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined;
      const unread = (e instanceof ApiError && (e.status === 408 || e.status === 413)) || (declared && !req.readableEnded);
      if (unread && !res.headersSent) res.setHeader("connection", "close");
      sendError(res, e);
      if (unread) res.once("finish", () => req.destroy());
    }
  };
  const server = createServer({ requestTimeout: timeoutMs, headersTimeout: Math.min(timeoutMs, 60_000), connectionsCheckingInterval: Math.min(timeoutMs, 30_000) }, (req, res) => {
    handle(req, res).catch(() => {
      // sendError itself failed (the socket is gone): nothing left to answer.
      res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  guard.port = port;
  const shown = host.includes(":") ? `[${host}]` : host;
  const origin = `http://${shown}:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        project.runs.cancelAll();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
