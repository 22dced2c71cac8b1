/**
 * Request checks of the studio server, before any handler runs:
 * - the per-start token (random, 32 bytes) in `Authorization: Bearer`, the
 *   `X-Rag-Token` header, `?token=` or the `rag_studio_token` cookie (set when the page is
 *   opened with `?token=`, `HttpOnly; SameSite=Strict`), compared in constant time;
 * - `Host` must name the server itself (127.0.0.1, localhost, [::1] or `--host`) on its
 *   port — no DNS rebinding;
 * - `Origin`, when sent, must be the server's own; `Sec-Fetch-Site: cross-site` is refused.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { forbidden, ApiError } from "./errors.js";

export const TOKEN_COOKIE = "rag_studio_token";

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

/** The token a request presents, if any. */
export function presentedToken(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith("Bearer ")) return auth.slice(7).trim();
  const header = req.headers["x-rag-token"];
  if (typeof header === "string") return header;
  const q = url.searchParams.get("token");
  if (q) return q;
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === TOKEN_COOKIE) return v.join("=");
  }
  return undefined;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** @throws ApiError 403 for a foreign Host/Origin, 401 without the right token. */
export function checkRequest(req: IncomingMessage, url: URL, guard: Guard): void {
  const allowed = new Set([...guard.hosts.map((h) => `${h.includes(":") && !h.startsWith("[") ? `[${h}]` : h}:${guard.port}`), ...(guard.exact ?? [])]);
  const host = req.headers.host ?? "";
  if (!allowed.has(host.toLowerCase())) throw forbidden(`Host \`${host}\` is not this studio (expected one of ${[...allowed].join(", ")})`);
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== "null" && ![...allowed].some((h) => origin.toLowerCase() === `http://${h}` || (guard.exact?.includes(h) && origin.toLowerCase() === `https://${h}`))) throw forbidden(`cross-origin request from ${origin} refused`);
  if (origin === "null") throw forbidden("requests from an opaque origin are refused");
  if (req.headers["sec-fetch-site"] === "cross-site") throw forbidden("cross-site request refused");
  const token = presentedToken(req, url);
  if (!token || !sameToken(token, guard.token)) throw new ApiError("unauthorized", "missing or wrong studio token: open the URL `rag studio` printed (it carries ?token=…)", 401);
}
