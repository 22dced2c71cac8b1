/**
 * The resilience layers of the harness — retry, circuit breaker, rate limit — on the
 * real code path: the `openai` provider through the official SDK against the loopback
 * server, which answers 429 (with Retry-After), 500 and 401 as the API does. Waits are
 * injected (recorded, not slept) so the tests are fast and exact.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, Registry, type ChatRequest, type ModelMiddleware } from "../../registry/index.js";
import { classifyError, NodeError, type RunEvent } from "../../runtime/index.js";
import { circuitBreakerMiddleware, rateLimitMiddleware, retryMiddleware, standardRegistry, type RateLimitOptions } from "../../stdlib/index.js";
import { openaiProvider } from "../../stdlib/providers/openai.js";
import { completion, errorBody, startOpenAIServer, type OpenAIServer, type ScriptedResponse, type ServerHandler } from "../helpers/openai-server.js";
import { buildGraph, eventsOf } from "../helpers/run-graph.js";
import { recorder } from "../helpers/stream.js";

const servers: OpenAIServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function serve(script: ServerHandler | readonly ScriptedResponse[]) {
  const s = await startOpenAIServer(script);
  servers.push(s);
  return s;
}

/** A registry whose model `m` is the openai provider at `server`, with exactly `chain`. */
function registryWith(server: OpenAIServer, chain: ModelMiddleware[]): Registry {
  const r = new Registry();
  r.registerModel("m", { provider: openaiProvider({ baseURL: server.url, apiKey: "k" }), modelId: "gpt-test" });
  r.middleware.push(...chain);
  return r;
}

const ask: Omit<ChatRequest, "model"> = { messages: [{ id: "u", role: "user", content: "hi" }] };
const fail = (status: number, headers: Record<string, string> = {}): ScriptedResponse => ({ status, headers, body: errorBody(`status ${status}`, "test_error") });
const ok = (content = "ok"): ScriptedResponse => ({ body: completion({ content }) });

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

describe("retry middleware", () => {
  it("retries a 500 with exponential backoff and jitter, then returns the reply", async () => {
    const server = await serve([fail(500), fail(503), ok("third time")]);
    const { waits, sleep } = recordingSleep();
    const r = registryWith(server, [retryMiddleware({ initialMs: 100, random: () => 0, sleep })]);
    const res = await r.chat("m", ask);
    expect(res.message.content).toBe("third time");
    expect(server.requests).toHaveLength(3);
    // random() = 0 → half of 100·2^(n-1): 50, then 100.
    expect(waits).toEqual([50, 100]);
  });

  it("waits at least as long as a 429's Retry-After", async () => {
    const server = await serve([fail(429, { "retry-after": "3" }), ok()]);
    const { waits, sleep } = recordingSleep();
    await registryWith(server, [retryMiddleware({ initialMs: 100, sleep })]).chat("m", ask);
    expect(waits).toEqual([3000]);
    expect(server.requests).toHaveLength(2);
  });

  it("does not retry 401 (auth) or 400 (permanent): one request each", async () => {
    for (const status of [401, 400]) {
      const server = await serve([fail(status), ok()]);
      const { waits, sleep } = recordingSleep();
      const err = await rejection(registryWith(server, [retryMiddleware({ sleep })]).chat("m", ask));
      expect(err).toBeInstanceOf(NodeError);
      expect(server.requests).toHaveLength(1);
      expect(waits).toEqual([]);
    }
  });

  it("gives up after maxAttempts and raises the last error; a Retry-After beyond the cap is raised at once", async () => {
    const server = await serve([fail(500), fail(502), fail(504)]);
    const { waits, sleep } = recordingSleep();
    const err = (await rejection(registryWith(server, [retryMiddleware({ maxAttempts: 3, sleep })]).chat("m", ask))) as NodeError;
    expect(err.errorClass).toBe("retryable");
    expect(err.message).toMatch(/504/);
    expect(waits).toHaveLength(2);

    const slow = await serve([fail(429, { "retry-after": "120" }), ok()]);
    const r2 = recordingSleep();
    const err2 = (await rejection(registryWith(slow, [retryMiddleware({ maxRetryAfterMs: 60_000, sleep: r2.sleep })]).chat("m", ask))) as NodeError;
    expect(err2.errorClass).toBe("rate_limited");
    expect(err2.retryAfterMs).toBe(120_000);
    expect(slow.requests).toHaveLength(1);
    expect(r2.waits).toEqual([]);
  });

  it("does not retry a stream that already delivered tokens (a retry would repeat them)", async () => {
    const chunk = (content: string) => ({ id: "c1", object: "chat.completion.chunk", created: 1, model: "gpt-test", choices: [{ index: 0, delta: { content }, finish_reason: null }] });
    const server = await serve([{ sse: [chunk("Hello"), chunk(" wor"), { error: { message: "upstream reset", type: "server_error" } }] }, ok()]);
    const { waits, sleep } = recordingSleep();
    const rec = recorder();
    const err = await rejection(registryWith(server, [retryMiddleware({ sleep })]).chat("m", ask, rec.cb));
    expect(classifyError(err)).toBe("retryable");
    expect(rec.texts()).toEqual(["Hello", " wor"]);
    expect(server.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it("in a run, the harness retries a node without a retry policy; a node with one is retried by the runtime instead — never both", async () => {
    const source = (retry: string) => `graph g {\n  start ask\n  node ask {\n    kind model\n    model "m"\n    ${retry}\n  }\n}\n`;
    // Harness only: 500 then ok → 2 requests, no task_retried.
    const s1 = await serve([fail(500), ok("via harness")]);
    const r1 = standardRegistry();
    r1.registerModel("m", { provider: openaiProvider({ baseURL: s1.url, apiKey: "k" }), modelId: "gpt-test" });
    r1.middleware.splice(r1.middleware.findIndex((m) => m.name === "retry"), 1, retryMiddleware({ initialMs: 1 }));
    const e1 = await eventsOf(buildGraph(source(""), { registry: r1 }).graph, { q: "x" });
    expect((e1.at(-1) as { output?: unknown }).output).toBe("via harness");
    expect(e1.filter((e) => e.type === "task_retried")).toHaveLength(0);
    expect(s1.requests).toHaveLength(2);

    // Node policy: 500, 500 then ok with max_attempts 2 → the runtime makes 2 attempts of 1 request each and fails.
    const s2 = await serve([fail(500), fail(500), ok("too late")]);
    const r2 = standardRegistry();
    r2.registerModel("m", { provider: openaiProvider({ baseURL: s2.url, apiKey: "k" }), modelId: "gpt-test" });
    const e2 = await eventsOf(buildGraph(source("retry { max_attempts: 2, initial: 1ms, jitter: false }"), { registry: r2 }).graph, { q: "x" });
    expect(e2.filter((e) => e.type === "task_retried")).toHaveLength(1);
    expect(e2.at(-1)?.type).toBe("run_failed");
    expect(s2.requests).toHaveLength(2);
  });
});

describe("circuit breaker", () => {
  it("opens after N consecutive transient failures, fails fast with retryAfterMs, lets one probe through after the cooldown, and closes on success", async () => {
    const server = await serve([fail(500), fail(500), ok("recovered"), ok("again")]);
    let now = 1_000_000;
    const breaker = circuitBreakerMiddleware({ failureThreshold: 2, cooldownMs: 10_000, now: () => now });
    const r = registryWith(server, [breaker]);
    await rejection(r.chat("m", ask));
    expect(breaker.circuit("openai")).toEqual({ state: "closed", consecutiveFailures: 1 });
    await rejection(r.chat("m", ask));
    expect(breaker.circuit("openai").state).toBe("open");
    now += 4_000;
    const fast = (await rejection(r.chat("m", ask))) as NodeError;
    expect(server.requests).toHaveLength(2);
    expect(fast.errorClass).toBe("retryable");
    expect(fast.retryAfterMs).toBe(6_000);
    expect(fast.message).toMatch(/provider `openai` is failing.*circuit open after 2 consecutive failures/);
    now += 6_000;
    expect(breaker.circuit("openai").state).toBe("half_open");
    expect((await r.chat("m", ask)).message.content).toBe("recovered");
    expect(breaker.circuit("openai")).toEqual({ state: "closed", consecutiveFailures: 0 });
    expect((await r.chat("m", ask)).message.content).toBe("again");
  });

  it("a failed probe opens the circuit again; auth errors do not count as provider failures", async () => {
    const server = await serve([fail(401), fail(401), fail(500), fail(500), ok()]);
    let now = 0;
    const breaker = circuitBreakerMiddleware({ failureThreshold: 1, cooldownMs: 100, now: () => now });
    const r = registryWith(server, [breaker]);
    await rejection(r.chat("m", ask));
    await rejection(r.chat("m", ask));
    expect(breaker.circuit("openai").state).toBe("closed");
    await rejection(r.chat("m", ask)); // 500 → open
    expect(breaker.circuit("openai").state).toBe("open");
    now += 100;
    await rejection(r.chat("m", ask)); // probe: 500 → open again
    expect(breaker.circuit("openai").state).toBe("open");
    await rejection(r.chat("m", ask)); // fast fail, no request
    expect(server.requests).toHaveLength(4);
  });

  it("with retry outside it, a call waits out the cooldown and then succeeds", async () => {
    const server = await serve([fail(503), ok("after cooldown")]);
    let now = 0;
    const waits: number[] = [];
    const r = registryWith(server, [retryMiddleware({ maxAttempts: 3, initialMs: 1, jitter: false, sleep: async (ms) => void (waits.push(ms), (now += ms)) }), circuitBreakerMiddleware({ failureThreshold: 1, cooldownMs: 5_000, now: () => now })]);
    expect((await r.chat("m", ask)).message.content).toBe("after cooldown");
    // 1st wait: backoff 1 ms; the 2nd attempt fails fast (open), so the 2nd wait is the rest of the cooldown.
    expect(waits).toEqual([1, 4_999]);
    expect(server.requests).toHaveLength(2);
  });
});

describe("rate limit", () => {
  it("requests per minute: a call beyond the bucket waits for it to refill, in arrival order", async () => {
    const server = await serve(() => ok());
    let now = 0;
    const waits: number[] = [];
    const r = registryWith(server, [rateLimitMiddleware({ limits: { openai: { requestsPerMinute: 2 } }, now: () => now, sleep: async (ms) => void (waits.push(ms), (now += ms)) })]);
    await Promise.all([r.chat("m", ask), r.chat("m", ask), r.chat("m", ask)]);
    // Two fit the bucket; the third waits for one request's refill: 60 s / 2.
    expect(waits).toEqual([30_000]);
    expect(server.requests).toHaveLength(3);
  });

  it("tokens per minute: estimated before, corrected by real usage after", async () => {
    const server = await serve(() => ({ body: completion({ content: "x", usage: { prompt_tokens: 900, completion_tokens: 100 } }) }));
    let now = 0;
    const waits: number[] = [];
    const r = registryWith(server, [rateLimitMiddleware({ limits: { openai: { tokensPerMinute: 1_200 } }, now: () => now, sleep: async (ms) => void (waits.push(ms), (now += ms)) })]);
    await r.chat("m", { ...ask, maxOutputTokens: 10 });
    // 1,000 real tokens spent of 1,200: the next call (≈11 estimated) fits; a third one then has to wait.
    await r.chat("m", { ...ask, maxOutputTokens: 10 });
    expect(waits).toEqual([]);
    await r.chat("m", { ...ask, maxOutputTokens: 10 });
    expect(waits.length).toBe(1);
    expect(waits[0]).toBeGreaterThan(30_000);
  });

  it("maxConcurrent: at most N calls in flight; other providers are not limited", async () => {
    let inFlight = 0;
    let peak = 0;
    // A request is held until `hold` requests are in flight or no more will arrive (all
    // `total` have), so the peak does not depend on how fast a loaded machine delivers
    // them; 15 s only bounds a limiter that wrongly lets fewer through (the peak then fails).
    let [hold, total, arrived] = [2, 6, 0];
    const server = await serve(async () => {
      peak = Math.max(peak, ++inFlight);
      arrived++;
      const until = Date.now() + 15_000;
      while (inFlight < hold && arrived < total && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      return ok();
    });
    const r = registryWith(server, [rateLimitMiddleware({ limits: { openai: { maxConcurrent: 2 } } })]);
    await Promise.all(Array.from({ length: 6 }, () => r.chat("m", ask)));
    expect(peak).toBe(2);
    peak = 0;
    [hold, total, arrived] = [4, 4, 0];
    const free = registryWith(server, [rateLimitMiddleware({ limits: { anthropic: { maxConcurrent: 1 } } })]);
    await Promise.all(Array.from({ length: 4 }, () => free.chat("m", ask)));
    expect(peak).toBe(4);
  });

  it("the constructor refuses limits the limiter would read as none (0, NaN, a string) or not at all (a misspelt key), naming the key", () => {
    const refused = (limits: unknown) => {
      try {
        rateLimitMiddleware({ limits } as RateLimitOptions);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      return "accepted";
    };
    expect(refused({ openai: { requestsPerMinute: 0 } })).toMatch(/^`middleware\.rateLimit\.openai\.requestsPerMinute`: /);
    expect(refused({ openai: { tokensPerMinute: Number.NaN } })).toMatch(/`middleware\.rateLimit\.openai\.tokensPerMinute`/);
    expect(refused({ openai: { maxConcurrent: 1.5 } })).toMatch(/`middleware\.rateLimit\.openai\.maxConcurrent`/);
    expect(refused({ openai: { requestsPerMinut: 60 } })).toMatch(/`middleware\.rateLimit\.openai\.requestsPerMinut`: unknown key; did you mean `requestsPerMinute`\?/);
    expect(refused({ openai: "60/min" })).toMatch(/`middleware\.rateLimit\.openai`: expected a provider's rate limits/);
    expect(refused(undefined)).toMatch(/`middleware\.rateLimit`/);
    expect(refused({ openai: { requestsPerMinute: 60, maxConcurrent: 2 } })).toBe("accepted");
  });

  it("an abort while waiting rejects that call without blocking the next", async () => {
    const server = await serve(() => ok());
    const r = registryWith(server, [rateLimitMiddleware({ limits: { openai: { requestsPerMinute: 1 } } })]);
    await r.chat("m", ask);
    const controller = new AbortController();
    const waiting = r.chat("m", ask, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("stop")), 10);
    await expect(waiting).rejects.toThrow("stop");
    expect(server.requests).toHaveLength(1);
  });
});

describe("the default chain in a run", () => {
  it("a 429 with Retry-After: 0 is retried by the standard registry's harness and the run completes", async () => {
    const server = await serve([fail(429, { "retry-after": "0" }), ok("fine")]);
    const registry = standardRegistry();
    registry.registerModel("m", { provider: openaiProvider({ baseURL: server.url, apiKey: "k" }), modelId: "gpt-test" });
    const events: RunEvent[] = await eventsOf(buildGraph(`graph g {\n  start ask\n  node ask {\n    kind model\n    model "m"\n  }\n}\n`, { registry }).graph, { q: "x" });
    expect(events.at(-1)?.type).toBe("run_completed");
    expect(server.requests).toHaveLength(2);
  });
});
