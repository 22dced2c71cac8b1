/**
 * The harness around model providers (`runtime.md` §7): a chain of middleware between a
 * node's `callModel` and the provider. The standard chain (assembled by
 * `stdlib/middleware` from `defineConfig({ middleware })`) is, outermost first:
 *
 *   telemetry → budget → validate → cache → retry → rate limit → circuit breaker → provider
 *
 * How a node's policies reach the chain: the runtime passes a `CallContext` with every
 * call — the run's identity, the task id, the node's spec (its `cache` policy,
 * `validate` list and `retry` policy) and the graph's `defaults` (`budget`, `cache`,
 * `retry`). Providers never see it; middleware reads what it needs. A call made outside
 * a run (a REPL, a test) has no context, and node policies do not apply to it.
 *
 * Who retries what (no double retries): SDK-level retries are off in the stdlib
 * providers (`maxRetries: 0`). The retry middleware retries one model call (a 429, a
 * 5xx, a timeout) — unless the node or the graph declares a `retry` policy, in which
 * case the runtime retries the whole task and the harness passes errors straight
 * through. Either way exactly one layer retries.
 */
import type { Tracer } from "@opentelemetry/api";
import type { CapabilityKind, Decision, Json, NodeSpec } from "../compiler/index.js";
import type { RunInfo } from "./run-info.js";
import type { ToolCall } from "./messages.js";
import type { ChatRequest, ChatResponse } from "./provider.js";
import { priceUsage, type RegisteredModel } from "./registered-model.js";
import type { SpendLedger } from "./spend.js";
import type { CallMeter } from "./call-meter.js";
import { inputFloor, raiseToFloor, usageFloor } from "./usage-floor.js";
import { jsonChars } from "./json-chars.js";

/** Who makes a model call: set by the runtime for calls made by a node. */
export interface CallContext {
  readonly run: RunInfo;
  readonly taskId: string;
  /** The calling node's spec: `cache`, `validators`, `retry` are its policies. */
  readonly node: NodeSpec;
  /** The agent whose loop makes the call (subagents). */
  readonly agent?: string;
  /** The graph's `defaults` block (`budget`, `cache`, `retry`, …). */
  readonly defaults: { readonly [key: string]: Json };
  /**
   * The `budget` blocks of the runs enclosing this one (subgraphs, graph sends, CodeAct
   * `graph_run`), outermost first: their run limits (`tokens`, `usd`) bound this call too.
   */
  readonly enclosingBudgets?: readonly Json[];
  /**
   * What the thread has spent under budgets (`spend.ts`): the root run's ledger, shared by
   * its child runs, started from the spend the thread's checkpoint recorded and persisted
   * with it. Absent outside a graph run; the budget middleware then keeps its own per
   * `run.rootRunId`.
   */
  readonly spend?: SpendLedger;
  /**
   * The caller's authorisation check (`NodeTask.authorize`), for capabilities the chain
   * itself uses (output validators). Absent for calls outside a graph task: a session
   * binds no validator.
   */
  readonly authorize?: (kind: CapabilityKind, name: string) => Decision;
}

/** One model call as it travels down the chain. */
export interface ModelCall {
  /** The registered model (provider, model id, capabilities, price). */
  readonly model: RegisteredModel;
  /** The request, `model` already set to the provider's model id. */
  readonly request: ChatRequest;
  readonly signal?: AbortSignal;
  /** Streaming: see `ChatOptions.onToken` and `onToolCall`. */
  readonly onToken?: (delta: string) => Promise<void>;
  readonly onToolCall?: (call: ToolCall) => Promise<void>;
  readonly context?: CallContext;
  /**
   * Set by the budget middleware on a budgeted call: the provider end of the chain
   * (`providerHandler`) records each attempt there — its streamed output, and what it is
   * charged when it fails — so that every attempt is charged (`call-meter.ts`).
   */
  readonly meter?: CallMeter;
}

export type ChatHandler = (call: ModelCall) => Promise<ChatResponse>;

/** A layer of the chain: wraps the next handler. State (caches, ledgers) lives in the closure. */
export interface ModelMiddleware {
  readonly name: string;
  wrap(next: ChatHandler): ChatHandler;
}

/** `middleware[0]` is the outermost layer; `inner` (normally `providerHandler`) the innermost. */
export function composeChain(middleware: readonly ModelMiddleware[], inner: ChatHandler = providerHandler): ChatHandler {
  let handler = inner;
  for (let i = middleware.length - 1; i >= 0; i--) handler = middleware[i].wrap(handler);
  return handler;
}

/**
 * The end of the chain: the provider itself; its reply's usage raised to what was seen of
 * the call (`usage-floor.ts`: the output the provider received, through
 * `ChatOptions.onOutput`, and what it streamed) and priced at the model's price. A
 * budgeted call (with a `meter`) has each attempt metered (`call-meter.ts`): a stream the
 * meter's guard stops is aborted through the call's signal and rejects with the guard's
 * error, whatever the provider made of it.
 */
export const providerHandler: ChatHandler = async (call) => {
  const { signal, onToken, onToolCall, meter } = call;
  // Assigned in key order (conditional spreads in a literal copy generically, per call).
  const options: { signal?: AbortSignal; onToken?: (delta: string) => Promise<void>; onToolCall?: (call: ToolCall) => Promise<void>; onOutput?: (chars: number) => void } = {};
  if (!meter) {
    if (signal) options.signal = signal;
    if (onToken) options.onToken = onToken;
    if (onToolCall) options.onToolCall = onToolCall;
    let received = 0;
    options.onOutput = (n) => void (received += n > 0 ? n : 0);
    return priced(call, strip(await call.model.provider.chat(call.request, options)), received);
  }
  // A budgeted call: what the attempt streams is counted as it arrives, a stream past what
  // the budget has left is stopped, and a failure is charged (`CallMeter.fail`). A retried
  // attempt the budget has no room for is refused here, before it reaches the provider.
  await meter.begin();
  const stop = new AbortController();
  const forward = () => stop.abort(signal!.reason);
  if (signal?.aborted) forward();
  else signal?.addEventListener("abort", forward, { once: true });
  meter.onStop = (e) => stop.abort(e);
  options.signal = stop.signal;
  if (onToken) options.onToken = (delta) => (meter.streamed(typeof delta === "string" ? delta.length : 0), onToken(delta));
  if (onToolCall) options.onToolCall = (c) => (meter.streamed(c.name.length + jsonChars(c.arguments)), onToolCall(c));
  options.onOutput = (n) => meter.received(n);
  let res: ChatResponse;
  try {
    res = strip(await call.model.provider.chat(call.request, options));
  } catch (e) {
    meter.fail(e, inputFloor(call.request));
    throw meter.stopped ?? e;
  } finally {
    signal?.removeEventListener("abort", forward);
  }
  const out = priced(call, res, meter.streamedChars);
  meter.succeed(out.usage);
  // A provider that went on after the guard stopped it: its reply is charged, and refused.
  if (meter.stopped) throw meter.stopped;
  return out;
};


/**
 * A provider's reply without `cached`: only the response cache above sets it (a cache hit
 * costs nothing), so a provider — a user's own, a replayed recording — cannot mark its
 * reply free.
 */
function strip(reply: ChatResponse): ChatResponse {
  if (!reply || typeof reply !== "object" || !("cached" in reply)) return reply;
  const { cached: _cached, ...rest } = reply;
  return rest;
}

/**
 * A provider's reply with its usage made readable, raised to the floor of what was seen
 * (`receivedChars`: output the attempt streamed or the provider received) and priced at
 * the model's price.
 */
function priced(call: ModelCall, reply: ChatResponse, receivedChars = 0): ChatResponse {
  let res = reply;
  // A reply without usage (a provider or proxy that reports none): its counts are unknown
  // (NaN), which the budget charges at the call's reservation (`spentOf`) and the rate
  // limiter at its estimate — never as 0, and never a TypeError in a layer reading it.
  if (!res.usage || typeof res.usage !== "object") res = { ...res, usage: { inputTokens: NaN, outputTokens: NaN } };
  // Reported counts below what ragraph saw of the call are raised to it (a server cannot under-report).
  const usage = raiseToFloor(res.usage, usageFloor(call.request, res, receivedChars));
  if (usage !== res.usage) res = { ...res, usage };
  const costUsd = call.model.price ? priceUsage(res.usage, call.model.price) : res.usage.costUsd;
  return costUsd === undefined || costUsd === res.usage.costUsd ? res : { ...res, usage: { ...res.usage, costUsd } };
}

// ───────────────────────── configuration (defineConfig({ middleware })) ─────────────────────────

/** A spending limit: tokens (input + output) and/or USD. */
export interface BudgetLimit {
  readonly tokens?: number;
  readonly usd?: number;
}

/**
 * Budgets. A run's budget covers its child runs (subgraphs, subagents); a node's covers
 * all of that node's tasks in the run (fan-out branches included). The graph can set
 * its own in `.rag`: `defaults { budget { tokens: 20000, usd: 0.5, per_node { tokens: 4000 } } }`;
 * the stricter of the config's and the graph's limit applies.
 */
export interface BudgetConfig {
  readonly run?: BudgetLimit;
  /** Default limit of every node. */
  readonly node?: BudgetLimit;
  /** Limits of named nodes (instead of `node`). */
  readonly nodes?: Readonly<Record<string, BudgetLimit>>;
  /** Output tokens assumed, before a call, for a request that sets no `maxOutputTokens`. Default 256. */
  readonly expectedOutputTokens?: number;
}

/** Where cached responses live; the default is an in-memory LRU. */
export interface ResponseCacheStore {
  get(key: string): ChatResponse | undefined | Promise<ChatResponse | undefined>;
  /** @param ttlMs time to live, ms (forever when undefined). */
  set(key: string, value: ChatResponse, ttlMs: number | undefined): void | Promise<void>;
}

export interface CacheConfig {
  /** Entries kept by the default in-memory store. Default 1,000. */
  readonly maxEntries?: number;
  /** Time to live of an entry, ms, when the node's policy sets none. Default: forever. */
  readonly ttlMs?: number;
  readonly store?: ResponseCacheStore;
}

export interface RetryConfig {
  /** Attempts per call, the first included. Default 3. */
  readonly maxAttempts?: number;
  /** First backoff, ms (doubling per attempt). Default 500. */
  readonly initialMs?: number;
  /** Backoff cap, ms. Default 20,000. */
  readonly maxMs?: number;
  /** Randomise each delay in [50 %, 100 %]. Default true. */
  readonly jitter?: boolean;
  /** A `Retry-After` longer than this (ms) is not waited for: the error is raised. Default 60,000. */
  readonly maxRetryAfterMs?: number;
}

/** Limits of one provider (by provider name: `openai`, `anthropic`, …). */
export interface RateLimitConfig {
  readonly requestsPerMinute?: number;
  /** Estimated input + output tokens per minute. */
  readonly tokensPerMinute?: number;
  /** Calls in flight at once. */
  readonly maxConcurrent?: number;
}

export interface CircuitBreakerConfig {
  /** Consecutive transient failures (5xx, 429, timeouts) that open the circuit. Default 5. */
  readonly failureThreshold?: number;
  /** How long an open circuit fails calls fast before letting one probe through, ms. Default 30,000. */
  readonly cooldownMs?: number;
}

export interface TelemetryConfig {
  /** The tracer to record spans with. Default: `trace.getTracer("ragraph")` of the globally registered OpenTelemetry SDK (a no-op without one). */
  readonly tracer?: Tracer;
}

/**
 * The harness configuration (`defineConfig({ middleware: { … } })`). Every layer is on
 * by default with the defaults above except budgets and rate limits (none unless
 * configured); `false` removes a layer. Telemetry is a no-op unless an OpenTelemetry
 * SDK is registered.
 */
export interface MiddlewareConfig {
  readonly telemetry?: boolean | TelemetryConfig;
  readonly budget?: BudgetConfig;
  readonly cache?: boolean | CacheConfig;
  readonly retry?: boolean | RetryConfig;
  /** By provider name. */
  readonly rateLimit?: Readonly<Record<string, RateLimitConfig>>;
  readonly circuitBreaker?: boolean | CircuitBreakerConfig;
  /** Extra layers, placed between telemetry and budget. */
  readonly custom?: readonly ModelMiddleware[];
}
