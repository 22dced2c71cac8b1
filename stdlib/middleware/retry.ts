/**
 * Retry middleware: retries one model call that failed with a transient error class
 * (`retryable`, `rate_limited`, `timeout` — `runtime.md` §5), with exponential backoff
 * and jitter (the "exponential backoff and jitter" scheme of the AWS Architecture Blog,
 * as the OpenAI and Anthropic SDKs also do), waiting at least as long as the provider's
 * `Retry-After` asks.
 *
 * It never retries: an abort; an error class outside the three (auth, permanent,
 * validation, budget_exceeded); a `Retry-After` longer than `maxRetryAfterMs` (the error
 * is raised so the run fails or the node's `on_error` route takes it); a call whose
 * stream already delivered deltas (a retry would repeat tokens to the consumer); a call
 * of a node whose node or graph declares a `retry` policy with more than one attempt —
 * then the runtime retries the whole task, and one layer retrying is enough.
 */
import type { CallContext, ChatHandler, ChatResponse, ModelCall, ModelMiddleware, RetryConfig } from "../../registry/index.js";
import { classifyError, type ErrorClass } from "../../runtime/errors.js";
import { count, isRecord, sleep as realSleep } from "./util.js";

const RETRIED: ReadonlySet<ErrorClass> = new Set(["retryable", "rate_limited", "timeout"]);

export interface RetryOptions extends RetryConfig {
  /** Injected for tests: waits `ms` (rejecting on abort). */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injected for tests: a number in [0, 1). */
  readonly random?: () => number;
  /** Called before each wait, e.g. for logging. */
  readonly onRetry?: (info: { readonly attempt: number; readonly delayMs: number; readonly error: unknown }) => void;
}

export function retryMiddleware(options: RetryOptions = {}): ModelMiddleware {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const initialMs = options.initialMs ?? 500;
  const maxMs = options.maxMs ?? 20_000;
  const jitter = options.jitter ?? true;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  return {
    name: "retry",
    // Calls the runtime retries (or with one attempt) pass straight through (no async frame of this layer).
    wrap: (next) => (call) => (maxAttempts === 1 || runtimeRetries(call.context) ? next(call) : retried(next, call)),
  };

  async function retried(next: ChatHandler, call: ModelCall): Promise<ChatResponse> {
    for (let attempt = 1; ; attempt++) {
      let streamed = false;
      const { onToken, onToolCall } = call;
      const attemptCall = onToken
        ? { ...call, onToken: (d: string) => ((streamed = true), onToken(d)), ...(onToolCall ? { onToolCall: (c: Parameters<typeof onToolCall>[0]) => ((streamed = true), onToolCall(c)) } : {}) }
        : call;
      try {
        return await next(attemptCall);
      } catch (e) {
        if (call.signal?.aborted || streamed || attempt >= maxAttempts || !RETRIED.has(classifyError(e))) throw e;
        const retryAfter = (e as { retryAfterMs?: unknown }).retryAfterMs;
        const after = typeof retryAfter === "number" ? retryAfter : undefined;
        if (after !== undefined && after > maxRetryAfterMs) throw e;
        const base = Math.min(initialMs * 2 ** (attempt - 1), maxMs);
        const delayMs = Math.round(Math.max(jitter ? base * (0.5 + random() / 2) : base, after ?? 0));
        options.onRetry?.({ attempt, delayMs, error: e });
        await sleep(delayMs, call.signal);
      }
    }
  }
}

/** True when the runtime retries the calling task: its node or its graph declares a `retry` policy of more than one attempt. */
export function runtimeRetries(ctx: CallContext | undefined): boolean {
  if (!ctx) return false;
  // `!(≤ 1)`: a NaN max_attempts is capped by the runtime (`LIMIT_CAPS`), which then retries.
  if (ctx.node.retry) return !(ctx.node.retry.maxAttempts <= 1);
  const r = ctx.defaults.retry;
  if (typeof r === "number") return r > 1;
  if (isRecord(r)) return (count(r.max_attempts) ?? 3) > 1;
  return false;
}
