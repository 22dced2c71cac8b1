/**
 * Circuit breaker per provider (Nygard, "Release It!"; the closed / open / half-open
 * states): after `failureThreshold` consecutive transient failures (error classes
 * `retryable`, `rate_limited`, `timeout`) of one provider, its circuit opens and calls
 * fail fast for `cooldownMs` with a `retryable` NodeError whose `retryAfterMs` is the
 * time left, so an outer retry waits instead of hammering a provider that is down. After
 * the cooldown one probe call goes through (half-open): success closes the circuit,
 * failure opens it again. Other errors (auth, a bad request) say nothing about the
 * provider's health and leave the count alone; so do aborts.
 */
import type { CircuitBreakerConfig, ModelMiddleware } from "../../registry/index.js";
import { classifyError, NodeError } from "../../runtime/errors.js";
import { whereOf } from "./util.js";

export interface CircuitBreakerOptions extends CircuitBreakerConfig {
  /** Injected for tests: ms since the epoch. */
  readonly now?: () => number;
}

/** The state of one provider's circuit. */
export interface CircuitState {
  readonly state: "closed" | "open" | "half_open";
  readonly consecutiveFailures: number;
}

export interface CircuitBreaker extends ModelMiddleware {
  /** The circuit of provider `name` (closed when it has not been used). */
  circuit(name: string): CircuitState;
}

const TRANSIENT = new Set(["retryable", "rate_limited", "timeout"]);

export function circuitBreakerMiddleware(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const threshold = Math.max(1, options.failureThreshold ?? 5);
  const cooldownMs = options.cooldownMs ?? 30_000;
  const now = options.now ?? Date.now;
  const circuits = new Map<string, { failures: number; openedAt?: number; probing: boolean }>();
  const stateOf = (c: { failures: number; openedAt?: number; probing: boolean } | undefined): CircuitState["state"] =>
    !c || c.openedAt === undefined ? "closed" : c.probing || now() - c.openedAt >= cooldownMs ? "half_open" : "open";
  return {
    name: "circuit_breaker",
    circuit: (name) => {
      const c = circuits.get(name);
      return { state: stateOf(c), consecutiveFailures: c?.failures ?? 0 };
    },
    wrap: (next) => async (call) => {
      const provider = call.model.provider.name;
      let c = circuits.get(provider);
      if (!c) circuits.set(provider, (c = { failures: 0, probing: false }));
      let probe = false;
      if (c.openedAt !== undefined) {
        const left = c.openedAt + cooldownMs - now();
        if (left > 0 || c.probing) {
          const wait = Math.max(left, 1);
          throw new NodeError(
            `provider \`${provider}\` is failing (circuit open after ${c.failures} consecutive failures); calls fail fast for another ${Math.ceil(wait / 1000)} s`,
            "retryable",
            whereOf(call.context),
            { retryAfterMs: wait },
          );
        }
        c.probing = probe = true;
      }
      try {
        const res = await next(call);
        c.failures = 0;
        c.openedAt = undefined;
        return res;
      } catch (e) {
        if (!call.signal?.aborted && TRANSIENT.has(classifyError(e))) {
          c.failures++;
          if (probe || c.failures >= threshold) c.openedAt = now();
        }
        throw e;
      } finally {
        if (probe) c.probing = false;
      }
    },
  };
}
