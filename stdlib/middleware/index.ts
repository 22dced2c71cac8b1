/**
 * The standard model-call chain, assembled from `defineConfig({ middleware })`
 * (`registry/middleware.ts` has the contract and the options), outermost first:
 *
 *   telemetry → [custom] → budget → validate → cache → retry → rate limit → circuit breaker → provider
 *
 * Telemetry is outermost so its span covers everything below; budget before the cache
 * so that a hit costs nothing and a refused call never reaches it; validation outside
 * the cache so each node validates under its own validators; retry outside the rate
 * limiter and breaker so every attempt waits its turn and counts toward the circuit.
 */
import type { MiddlewareConfig, ModelMiddleware, Registry } from "../../registry/index.js";
import type { RunEvent } from "../../runtime/index.js";
import { telemetryMiddleware } from "../telemetry/otel.js";
import { budgetMiddleware } from "./budget.js";
import { cacheMiddleware } from "./cache.js";
import { circuitBreakerMiddleware } from "./circuit-breaker.js";
import { rateLimitMiddleware } from "./rate-limit.js";
import { retryMiddleware } from "./retry.js";
import { validateMiddleware } from "./validate.js";

export function standardChain(registry: Registry, config: MiddlewareConfig = {}): ModelMiddleware[] {
  const opt = <T extends object>(v: boolean | T | undefined): T | undefined => (v === false ? undefined : v === true || v === undefined ? ({} as T) : v);
  const chain: ModelMiddleware[] = [];
  const telemetry = opt(config.telemetry);
  if (telemetry) chain.push(telemetryMiddleware(telemetry));
  chain.push(...(config.custom ?? []));
  chain.push(budgetMiddleware(config.budget));
  chain.push(validateMiddleware(registry));
  const cache = opt(config.cache);
  if (cache) chain.push(cacheMiddleware(cache));
  const retry = opt(config.retry);
  if (retry) chain.push(retryMiddleware(retry));
  if (config.rateLimit && Object.keys(config.rateLimit).length) chain.push(rateLimitMiddleware({ limits: config.rateLimit }));
  const breaker = opt(config.circuitBreaker);
  if (breaker) chain.push(circuitBreakerMiddleware(breaker));
  return chain;
}

/** Replaces the registry's chain with the standard one for `config`. */
export function installMiddleware(registry: Registry, config: MiddlewareConfig = {}): Registry {
  registry.middleware.splice(0, registry.middleware.length, ...standardChain(registry, config));
  return registry;
}

/**
 * The run-event observer of the registry's telemetry (its run, step, task and tool
 * spans), for `RunOptions.onEvent`; undefined when telemetry is off.
 */
export function eventObserver(registry: Registry): ((event: RunEvent) => void) | undefined {
  for (const m of registry.middleware) {
    const observe = (m as { onEvent?: unknown }).onEvent;
    if (typeof observe === "function") return observe as (event: RunEvent) => void;
  }
  return undefined;
}

export { budgetMiddleware, type BudgetMiddleware, type BudgetUsage } from "./budget.js";
export { cacheMiddleware, cachePolicy, MemoryCacheStore, type CacheOptions } from "./cache.js";
export { circuitBreakerMiddleware, type CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from "./circuit-breaker.js";
export { rateLimitMiddleware, attachmentTokens, estimateRequestTokens, FILE_PART_TOKENS, IMAGE_PART_TOKENS, type RateLimitOptions } from "./rate-limit.js";
export { retryMiddleware, runtimeRetries, type RetryOptions } from "./retry.js";
export { validateMiddleware } from "./validate.js";
export { normaliseRequest, requestKey, type NormalisedRequest } from "./request-key.js";
export { telemetryMiddleware, type TelemetryMiddleware } from "../telemetry/otel.js";
