/**
 * `http_get`: fetches a URL over HTTP(S) for a model, within limits the config sets —
 * only hosts on an allowlist (exact names, `*.example.org` for its subdomains, a literal
 * IP address, each optionally with `:port`; redirects are followed by hand and each hop
 * checked), at most `maxBytes` of body (the rest is cut and `truncated` set), at most
 * `timeoutMs` for the whole exchange, no credentials in URLs. The run's cancellation
 * aborts the request.
 *
 * Server-side request forgery guard (OWASP SSRF Prevention Cheat Sheet): a name on the
 * list may still resolve to an internal address (a subdomain someone else controls, DNS
 * rebinding), so every connection — the first request and each redirect hop — is checked
 * at connect time against the address it actually connects to: Node's `http`/`https`
 * are given a `lookup` that resolves the name, classifies every answer
 * (`net-guard.ts`) and hands only checked answers to the socket, so no second
 * resolution happens between check and connect. Loopback, private, link-local, CGNAT,
 * multicast, reserved and other special addresses are refused unless the user granted
 * them: an allowlist entry that is that literal address (`127.0.0.1:8080`, `[::1]:9000`),
 * an entry that is exactly `localhost` / `localhost:PORT` (grants loopback addresses to
 * the name `localhost` only), or `allowPrivateAddresses: true`.
 */
// node:http, node:https (with tls) and node:dns/promises are loaded on the first request,
// not with the stdlib: every `rag` command loads this module, and they cost ≈ 10 ms of
// start-up to commands that fetch nothing (`rag check`).
import type { IncomingMessage } from "node:http";
import { isIP, type LookupFunction } from "node:net";
import { z } from "zod";
import { tool, type ToolDefinition } from "../../registry/index.js";
import { classifyError, NodeError } from "../../runtime/errors.js";
import { canonicalAddress, classifyAddress, type AddressClass } from "./net-guard.js";

/** One address a host name resolves to (the shape of `dns.lookup(name, { all: true })`'s answers). */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

export interface HttpGetOptions {
  /** Hosts the tool may reach: `example.org`, `*.example.org` (subdomains), `127.0.0.1:8080` or `[::1]:9000` (a literal address, one port), `localhost:3000`. Required. */
  readonly allowHosts: readonly string[];
  /** Body bytes kept. Default 1,000,000. */
  readonly maxBytes?: number;
  /** Time for the whole exchange including redirects, ms. Default 10,000. */
  readonly timeoutMs?: number;
  /** Redirects followed. Default 3. */
  readonly maxRedirects?: number;
  /** Headers sent with every request, over the defaults `user-agent: ragraph-http_get` and `accept: *\/*`. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Dangerous: lets allowed host names reach loopback, private, link-local (cloud
   * metadata) and other internal addresses. Only for a tool whose every allowed name is
   * yours. Default false.
   */
  readonly allowPrivateAddresses?: boolean;
  /**
   * Resolves a host name to addresses (custom DNS, tests). Default: the system resolver,
   * `dns.lookup(name, { all: true })`. Its answers are checked like the system's.
   */
  readonly resolve?: (hostname: string) => Promise<readonly ResolvedAddress[]>;
}

/** What the tool returns to the model. */
export interface HttpGetResult {
  readonly url: string;
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly truncated: boolean;
}

/** One allowlist entry, parsed: `pattern` is a name, `*.suffix`, or (with `address` set) an IP address. */
interface Rule {
  readonly pattern: string;
  readonly port?: string;
  readonly address?: string;
}

function parseRule(rule: string): Rule | undefined {
  const r = rule.trim().toLowerCase();
  if (isIP(r) === 6) return { pattern: r, address: canonicalAddress(r) };
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d+))?$/.exec(r);
  if (!m) return undefined;
  const pattern = m[1] ?? m[2];
  return { pattern, port: m[3], address: canonicalAddress(pattern) };
}

const hostOf = (url: URL) => url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
const portOf = (url: URL) => url.port || (url.protocol === "https:" ? "443" : "80");

/** The allowlist entries that admit `url`'s host and port. A name or wildcard entry never admits an IP address, nor an IP entry a name. */
function matchingRules(url: URL, rules: readonly Rule[]): Rule[] {
  const host = hostOf(url);
  const address = canonicalAddress(host);
  const port = portOf(url);
  return rules.filter((r) => {
    if (r.port && r.port !== port) return false;
    if (r.address !== undefined || address !== undefined) return r.address === address;
    return r.pattern.startsWith("*.") ? host.endsWith(r.pattern.slice(1)) && host.length > r.pattern.length - 1 : host === r.pattern;
  });
}

/** True when `url`'s host (and port, when the entry names one) is on `allow`. */
export function hostAllowed(url: URL, allow: readonly string[]): boolean {
  return matchingRules(url, allow.flatMap((a) => parseRule(a) ?? [])).length > 0;
}

const refuse = (msg: string) => new NodeError(`http_get: ${msg}`, "permanent");
const explain = (c: AddressClass) => [c.kind, c.range, c.ipv4 && `embedded IPv4 ${c.ipv4}`].filter(Boolean).join(", ");

/**
 * `http_get` over Node's `http`/`https` (not `fetch`, whose connections cannot be
 * checked at connect time without a dependency). A fresh connection per request
 * (`agent: false`): a pooled socket would skip the check.
 *
 * @throws NodeError "permanent" for a refused URL, host or address, or too many redirects;
 *   "timeout" past `timeoutMs`; "cancelled" when the run is cancelled; network errors as
 *   `classifyError` classes them (ECONNREFUSED → retryable).
 */
export function httpGet(options: HttpGetOptions): ToolDefinition {
  const maxBytes = options.maxBytes ?? 1_000_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxRedirects = options.maxRedirects ?? 3;
  const rules = options.allowHosts.flatMap((a) => parseRule(a) ?? []);
  const resolve = options.resolve ?? (async (host: string) => (await (await import("node:dns/promises")).lookup(host, { all: true, verbatim: true })) as ResolvedAddress[]);
  const headers: Record<string, string> = { "user-agent": "ragraph-http_get", accept: "*/*" };
  for (const [k, v] of Object.entries(options.headers ?? {})) headers[k.toLowerCase()] = v;

  /** Throws unless `url` may connect to `address`: public, or an internal address the user granted. */
  const guard = (url: URL, address: string): void => {
    const cls = classifyAddress(address);
    if (cls.kind === "public" || options.allowPrivateAddresses) return;
    const canonical = canonicalAddress(address);
    const port = portOf(url);
    if (rules.some((r) => r.address === canonical && (!r.port || r.port === port))) return; // the address itself is on the list
    if (cls.kind === "loopback" && matchingRules(url, rules).some((r) => r.pattern === "localhost")) return; // `localhost` named by an exact rule
    const host = hostOf(url);
    const what = isIP(host) ? `\`${host}\` is an internal address` : `\`${host}\` resolves to ${address}`;
    throw refuse(`${what} (${explain(cls)}), which is not allowed; allow it with allowPrivateAddresses or name the address in allowHosts`);
  };
  const check = (raw: string): URL => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw refuse(`\`${raw}\` is not an absolute URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw refuse(`only http and https URLs are allowed, not ${url.protocol}`);
    if (url.username || url.password) throw refuse("URLs with credentials are not allowed");
    if (matchingRules(url, rules).length === 0) throw refuse(`host \`${url.host}\` is not on the allowlist (${options.allowHosts.join(", ") || "empty"})`);
    if (isIP(hostOf(url))) guard(url, hostOf(url)); // a literal address is never looked up, so check it here
    return url;
  };
  /** The socket's `lookup` for one URL: resolve, check every answer, hand the checked answers to the connect. */
  const lookupFor =
    (url: URL): LookupFunction =>
    (hostname, opts, callback) => {
      // through a promise first, so a resolver that throws at once still answers through `callback`
      Promise.resolve(hostname).then(resolve).then(
        (answers) => {
          let ok: ResolvedAddress[];
          try {
            ok = answers.filter((a) => !opts.family || a.family === opts.family);
            if (ok.length === 0) throw refuse(`\`${hostname}\` has no ${opts.family ? `IPv${opts.family} ` : ""}address`);
            for (const a of ok) guard(url, a.address);
          } catch (e) {
            return callback(e as NodeJS.ErrnoException, "", 0);
          }
          if (opts.all) callback(null, ok.map((a) => ({ address: a.address, family: a.family })));
          else callback(null, ok[0].address, ok[0].family);
        },
        (e: NodeJS.ErrnoException) => callback(e, "", 0),
      );
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
          const res = await request(url, { headers, signal, lookup: lookupFor(url) });
          const location = res.headers.location;
          const status = res.statusCode ?? 0;
          if (status >= 300 && status < 400 && location) {
            res.destroy();
            if (hop >= maxRedirects) throw refuse(`more than ${maxRedirects} redirects`);
            url = check(new URL(location, url).href);
            continue;
          }
          const { text, truncated } = await readLimited(res, maxBytes, signal);
          return { url: url.href, status, contentType: res.headers["content-type"] ?? "", body: text, truncated };
        }
      } catch (e) {
        if (ctx.signal.aborted) throw new NodeError(`http_get: ${url.href} was cancelled`, "cancelled", {}, { cause: e });
        if (timeout.aborted) throw new NodeError(`http_get: ${url.href} did not answer within ${timeoutMs} ms`, "timeout");
        if (e instanceof NodeError) throw e;
        throw new NodeError(`http_get: ${url.href} failed: ${e instanceof Error ? e.message : String(e)}`, classifyError(e), {}, { cause: e });
      }
    },
  });
}

/** Sends one GET and resolves with the response head; rejects on a refused lookup, a network error or `signal`. */
async function request(url: URL, o: { headers: Record<string, string>; signal: AbortSignal; lookup: LookupFunction }): Promise<IncomingMessage> {
  const send = url.protocol === "https:" ? (await import("node:https")).request : (await import("node:http")).request;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: "GET", headers: o.headers, signal: o.signal, lookup: o.lookup, agent: false }, resolve);
    req.on("error", reject);
    req.end();
  });
}

/** Reads at most `maxBytes` of the body (bytes), decoded as UTF-8; stops early, closing the connection, past the limit or on `signal`. */
async function readLimited(res: IncomingMessage, maxBytes: number, signal: AbortSignal): Promise<{ text: string; truncated: boolean }> {
  const onAbort = () => res.destroy(new Error("aborted"));
  signal.addEventListener("abort", onAbort, { once: true });
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      if (size + chunk.byteLength > maxBytes) {
        chunks.push(chunk.subarray(0, maxBytes - size));
        truncated = true;
        break; // ends the iteration, which destroys the response
      }
      chunks.push(chunk);
      size += chunk.byteLength;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  return { text: Buffer.concat(chunks).toString("utf8"), truncated };
}
