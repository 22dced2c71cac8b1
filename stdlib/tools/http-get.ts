/**
 * `http_get`: fetches a URL over HTTP(S) for a model, within limits the config sets —
 * only hosts on an allowlist (exact names, or `*.example.org` for its subdomains; a
 * redirect to a host off the list is refused, redirects are followed by hand and each
 * hop checked), at most `maxBytes` of body (the rest is cut and `truncated` set), at
 * most `timeoutMs` for the whole exchange, no credentials in URLs. The run's
 * cancellation aborts the request. Uses Node's built-in `fetch` (undici).
 */
import { z } from "zod";
import { tool, type ToolDefinition } from "../../registry/index.js";
import { NodeError } from "../../runtime/index.js";

export interface HttpGetOptions {
  /** Hosts the tool may reach: `example.org`, `*.example.org` (subdomains), `127.0.0.1:8080` (one port). Required. */
  readonly allowHosts: readonly string[];
  /** Body bytes kept. Default 1,000,000. */
  readonly maxBytes?: number;
  /** Time for the whole exchange including redirects, ms. Default 10,000. */
  readonly timeoutMs?: number;
  /** Redirects followed. Default 3. */
  readonly maxRedirects?: number;
  /** Headers sent with every request (e.g. a User-Agent). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** What the tool returns to the model. */
export interface HttpGetResult {
  readonly url: string;
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly truncated: boolean;
}

/** True when `url`'s host (and port, when the rule names one) is on `allow`. */
export function hostAllowed(url: URL, allow: readonly string[]): boolean {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return allow.some((rule) => {
    const r = rule.toLowerCase();
    const m = /^(.*?)(?::(\d+))?$/.exec(r)!;
    const [pattern, rulePort] = [m[1].replace(/^\[|\]$/g, ""), m[2]];
    if (rulePort && rulePort !== port) return false;
    return pattern.startsWith("*.") ? host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1 : host === pattern;
  });
}

export function httpGet(options: HttpGetOptions): ToolDefinition {
  const maxBytes = options.maxBytes ?? 1_000_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxRedirects = options.maxRedirects ?? 3;
  const refuse = (msg: string) => new NodeError(`http_get: ${msg}`, "permanent");
  const check = (raw: string): URL => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw refuse(`\`${raw}\` is not an absolute URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw refuse(`only http and https URLs are allowed, not ${url.protocol}`);
    if (url.username || url.password) throw refuse("URLs with credentials are not allowed");
    if (!hostAllowed(url, options.allowHosts)) throw refuse(`host \`${url.host}\` is not on the allowlist (${options.allowHosts.join(", ") || "empty"})`);
    return url;
  };
  return tool({
    description: `Fetch a web page or API response with HTTP GET. Allowed hosts: ${options.allowHosts.join(", ")}. Returns status, content type and up to ${maxBytes} bytes of body as text.`,
    schema: z.object({ url: z.string().describe("absolute http(s) URL") }),
    readOnly: true,
    async run({ url: raw }, ctx): Promise<HttpGetResult> {
      let url = check(raw);
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = AbortSignal.any([ctx.signal, timeout]);
      try {
        for (let hop = 0; ; hop++) {
          const res = await fetch(url, { redirect: "manual", signal, headers: { ...options.headers } });
          const location = res.headers.get("location");
          if (res.status >= 300 && res.status < 400 && location) {
            await res.body?.cancel();
            if (hop >= maxRedirects) throw refuse(`more than ${maxRedirects} redirects`);
            url = check(new URL(location, url).href);
            continue;
          }
          const { text, truncated } = await readLimited(res, maxBytes);
          return { url: url.href, status: res.status, contentType: res.headers.get("content-type") ?? "", body: text, truncated };
        }
      } catch (e) {
        if (timeout.aborted && !ctx.signal.aborted) throw new NodeError(`http_get: ${url.href} did not answer within ${timeoutMs} ms`, "timeout");
        throw e;
      }
    },
  });
}

async function readLimited(res: Response, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  if (!res.body) return { text: "", truncated: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > maxBytes) {
      chunks.push(value.subarray(0, maxBytes - size));
      size = maxBytes;
      truncated = true;
      await reader.cancel();
      break;
    }
    chunks.push(value);
    size += value.byteLength;
  }
  const buf = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) buf.set(c, at), (at += c.byteLength);
  return { text: new TextDecoder("utf-8", { fatal: false }).decode(buf), truncated };
}
