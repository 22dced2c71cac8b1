/**
 * Request checks of the studio server, before any handler runs:
 * - the per-start token (random, 32 bytes) in `Authorization: Bearer`, the
 *   `X-Rag-Token` header, `?token=` or the `rag_studio_token` cookie (set when the page is
 *   opened with `?token=`, `HttpOnly; SameSite=Strict`), compared in constant time;
 * - `Host` must name the server itself (127.0.0.1, localhost, [::1] or `--host`) on its
 *   port — no DNS rebinding;
 * - `Origin`, when sent, must be the server's own; `Sec-Fetch-Site` other than
 *   `same-origin`/`none` (`cross-site`, `same-site`: a page on another port of the same
 *   host) is refused;
 * - a state-changing request (anything but GET/HEAD) authenticated only by the cookie
 *   must show it comes from the page itself: its own `Origin`, or `Sec-Fetch-Site:
 *   same-origin` (browsers send both on the page's fetches). The cookie is sent by the
 *   browser on its own; a header is not — this is the CSRF defence that does not rest on
 *   `SameSite` alone (a page on another port of 127.0.0.1 is same-site).
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { forbidden, ApiError } from "./errors.js";

export const TOKEN_COOKIE = "rag_studio_token";

/**
 * The cookie carrying the token of the server on `port`: `rag_studio_token_PORT`.
 * Cookies are not scoped by port, so one name for every studio made two studios on one
 * machine overwrite each other's cookie (the older page then got 401 on every call).
 */
export function tokenCookie(port: number): string {
  return `${TOKEN_COOKIE}_${port}`;
}

/** A fresh random token (URL-safe base64, 43 characters). */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export interface Guard {
  readonly token: string;
  /** Host names the server answers to (without port). */
  readonly hosts: readonly string[];
  port: number;
  /** `Host` values accepted exactly as sent (a public name behind a proxy, with or without port); their `http(s)://` origins too. */
  readonly exact?: readonly string[];
}

/** The token a request presents, if any, and where it was found. */
function tokenSource(req: IncomingMessage, url: URL, port: number): { token: string; from: "header" | "query" | "cookie" } | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith("Bearer ")) return { token: auth.slice(7).trim(), from: "header" };
  const header = req.headers["x-rag-token"];
  if (typeof header === "string") return { token: header, from: "header" };
  const q = url.searchParams.get("token");
  if (q) return { token: q, from: "query" };
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === tokenCookie(port)) return { token: v.join("="), from: "cookie" };
  }
  return undefined;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const SAFE_METHODS = new Set(["GET", "HEAD"]);

/** @throws ApiError 403 for a foreign Host/Origin or a cookie-only state change without its origin, 401 without the right token. */
export function checkRequest(req: IncomingMessage, url: URL, guard: Guard): void {
  const allowed = new Set([...guard.hosts.map((h) => `${h.includes(":") && !h.startsWith("[") ? `[${h}]` : h}:${guard.port}`), ...(guard.exact ?? [])]);
  const host = req.headers.host ?? "";
  if (!allowed.has(host.toLowerCase())) throw forbidden(`Host \`${host}\` is not this studio (expected one of ${[...allowed].join(", ")})`);
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== "null" && ![...allowed].some((h) => origin.toLowerCase() === `http://${h}` || (guard.exact?.includes(h) && origin.toLowerCase() === `https://${h}`))) throw forbidden(`cross-origin request from ${origin} refused`);
  if (origin === "null") throw forbidden("requests from an opaque origin are refused");
  const site = req.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none") throw forbidden(`${site} request refused (only the studio's own page may call the API from a browser)`);
  const presented = tokenSource(req, url, guard.port);
  if (!presented || !presented.token || !sameToken(presented.token, guard.token)) throw new ApiError("unauthorized", "missing or wrong token: open the URL `rag studio` printed (it carries ?token=…), or send `Authorization: Bearer TOKEN` with the token `rag serve` printed (RAG_API_TOKEN)", 401);
  if (presented.from === "cookie" && !SAFE_METHODS.has(req.method ?? "GET") && origin === undefined && site !== "same-origin") throw forbidden(`${req.method} with only the studio cookie must come from the studio page (Origin or Sec-Fetch-Site: same-origin); other clients send the token in a header`);
}
