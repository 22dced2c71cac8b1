/**
 * Raw HTTP to a server on 127.0.0.1, for tests that forge what `fetch` will not let them
 * set: `Host`, `Origin`, `Sec-Fetch-Site`, cookies (`send`, over node:http), or bytes that
 * are not a well-formed request at all (`rawExchange`, over a plain socket).
 */
import { request, type IncomingHttpHeaders } from "node:http";
import { connect } from "node:net";

/** A response read to its end. */
export interface Reply {
  readonly status: number;
  /** Node lower-cases header names. */
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON; `{}` when it is empty or not JSON (SSE, HEAD). */
  readonly json: { error?: { code: string; message: string } } & Record<string, unknown>;
}

/**
 * One request to `127.0.0.1:port` with every header as given — no `Host` is added, so a
 * test may send a foreign one or none — plus `content-length` when there is a `body`.
 * Resolves once the response has ended; rejects on a socket error.
 */
export function send(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers: { ...headers, ...(body !== undefined ? { "content-length": String(Buffer.byteLength(body)) } : {}) }, setHost: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => {
        let json = {} as Reply["json"];
        try {
          json = text ? (JSON.parse(text) as Reply["json"]) : json;
        } catch {
          /* not JSON (SSE, HEAD) */
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/**
 * Writes `bytes` on a new socket to `127.0.0.1:port`; resolves with what came back (as
 * UTF-8), whether the server closed the connection (or it failed) within `ms`
 * milliseconds, and how long that took (`elapsed`, ms). Never rejects.
 */
export function rawExchange(port: number, bytes: string, ms: number): Promise<{ text: string; closed: boolean; elapsed: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const socket = connect(port, "127.0.0.1", () => socket.write(bytes));
    let text = "";
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closed, elapsed: Date.now() - t0 });
    };
    socket.on("data", (d) => (text += d.toString("utf8")));
    socket.on("close", () => finish(true));
    socket.on("error", () => finish(true));
    const timer = setTimeout(() => finish(false), ms);
  });
}
