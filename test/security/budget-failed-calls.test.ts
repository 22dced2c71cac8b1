/**
 * A model call that fails is charged what is known of it (`registry/call-meter.ts`,
 * `docs/security.md` "Budgets across resumes and forks"). Before, the budget middleware
 * settled every failed call at 0: a hostile or flaky server could stream thousands of
 * tokens and then fail (cut the stream, time out, answer 500) and the budget never saw
 * them, and a node failing that way was bounded by its attempts, not by its budget;
 * attempts retried inside the harness (the retry middleware) were not charged either.
 *
 * Now each attempt that reached the provider and failed is charged the usage its error
 * reports, else its prompt's estimated input tokens plus the output streamed before it
 * failed (≈ 4 characters per token); every attempt is charged, retried or not.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { fakeModel } from "../helpers/fake-model.js";
import { compile } from "../../compiler/index.js";
import { composeChain, DEFAULT_CAPABILITIES, providerHandler, SpendBook, type CallContext, type ModelProvider, type RegisteredModel, type Usage } from "../../registry/index.js";
import type { NodeSpec } from "../../compiler/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { spentAt } from "../../runtime/checkpoint/types.js";
import { CompiledGraph, MemoryCheckpointer, NodeError, type Checkpointer } from "../../runtime/index.js";
import { anthropicProvider, budgetMiddleware, openaiProvider, retryMiddleware } from "../../stdlib/index.js";

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r())));
});

/**
 * A server whose every reply is an event stream of `events` (raw SSE text), then a cut
 * connection (no end of message, no `[DONE]`) unless `end`; counts requests. Any path: the OpenAI and
 * Anthropic SDKs both reach it by their base URL.
 */
async function cuttingServer(events: () => string[], end = false): Promise<{ url: string; requests: () => number }> {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      n++;
      res.writeHead(200, { "content-type": "text/event-stream" });
      for (const e of events()) res.write(e);
      if (end) res.end();
      else setTimeout(() => res.socket?.destroy(), 100);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => n };
}

/** OpenAI chat-completion chunks: `n` deltas made by `delta(i)`, no finish reason, no usage. */
const openaiChunks = (n: number, delta: (i: number) => Record<string, unknown>) => () =>
  Array.from({ length: n }, (_, i) => `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta: delta(i), finish_reason: null }] })}\n\n`);

function graphOf(src: string, provider: ModelProvider, saver: Checkpointer, middleware?: Record<string, unknown>): CompiledGraph {
  const reg = registryFromConfig({ models: { m: { provider } }, ...(middleware ? { middleware } : {}) });
  const r = compile(src, { file: "failed.rag", registry: reg.view() });
  const errs = r.diagnostics.filter((d) => d.severity === "error");
  if (errs.length) throw new Error(errs.map((d) => `${d.code}: ${d.message}`).join("\n"));
  return new CompiledGraph(r.value.blueprints[0], { registry: reg, checkpointer: saver });
}

/** Tokens the thread has spent (its latest checkpoint's spend plus the runs' `__spend__` records). */
async function spent(saver: Checkpointer, thread = "t"): Promise<number> {
  return spentAt((await saver.getTuple({ threadId: thread }))!).tokens;
}

/** Runs the graph streaming model tokens (`messages` mode: providers stream), to its end; the events. */
async function streamed(g: CompiledGraph, input: Record<string, unknown>, options: { threadId: string; signal?: AbortSignal }) {
  const events = [];
  for await (const e of g.stream(input, { ...options, mode: ["events"] })) events.push(e);
  return events;
}

describe("a model call that fails after streaming is charged what it streamed", () => {
  it("a server that streams ~5,000 tokens and cuts the stream: the thread is charged them, and the next call is refused", async () => {
    // 200 deltas of 100 characters: 20,000 characters ≈ 5,000 tokens streamed, then the cut.
    const server = await cuttingServer(openaiChunks(200, () => ({ content: "x".repeat(99) + " " })));
    const saver = new MemoryCheckpointer();
    const src = `graph g {
      start a
      budget { tokens: 8000 }
      state { out: any }
      node a { model "m" prompt "p" writes out on_error b }
      node b { model "m" prompt "again" writes out next END }
    }`;
    const g = graphOf(src, openaiProvider({ baseURL: `${server.url}/v1`, apiKey: "k" }), saver);
    const events = await streamed(g, {}, { threadId: "t" });
    // `a`'s stream was cut: its task failed (handled by `b`); ~5,000 tokens were charged, so
    // `b`'s call (≈ 260 tokens estimated) fits 8,000; its stream is stopped as it crosses
    // the 8,000 (`budget-stream-cap.test.ts`) and what it sent is charged too.
    expect(server.requests()).toBe(2);
    expect(await spent(saver)).toBeGreaterThanOrEqual(8_000);
    expect(events.at(-1)?.type).toBe("run_failed");
    // A third call on the thread is refused before it is made: the budget saw the streamed tokens.
    const again = await streamed(g, {}, { threadId: "t" });
    expect(server.requests()).toBe(2);
    expect(JSON.stringify(again.at(-1))).toContain("budget_exceeded");
  });

  it("openai: a stream cut while it sends a tool call's arguments (never delivered whole) is charged the fragments it sent", async () => {
    // 40 fragments of 200 characters: 8,000 characters ≈ 2,000 tokens of arguments, then the cut.
    const server = await cuttingServer(openaiChunks(40, (i) => ({ tool_calls: [{ index: 0, ...(i === 0 ? { id: "call_1", type: "function", function: { name: "t", arguments: "" } } : { function: { arguments: "a".repeat(200) } }) }] })));
    const saver = new MemoryCheckpointer();
    const g = graphOf(`graph g { start a budget { tokens: 100000 } state { out: any } node a { model "m" prompt "p" writes out next END } }`, openaiProvider({ baseURL: `${server.url}/v1`, apiKey: "k" }), saver);
    await streamed(g, {}, { threadId: "t" });
    expect(server.requests()).toBe(1);
    expect(await spent(saver)).toBeGreaterThanOrEqual(1_900);
  });

  it("anthropic: a stream cut midway is charged the input tokens `message_start` reported plus the output it sent", async () => {
    const ev = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    const server = await cuttingServer(() => [
      ev("message_start", { message: { id: "msg_1", type: "message", role: "assistant", model: "claude", content: [], stop_reason: null, usage: { input_tokens: 3000, output_tokens: 1 } } }),
      ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
      ...Array.from({ length: 40 }, () => ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: "w".repeat(100) } })),
    ]);
    const saver = new MemoryCheckpointer();
    const g = graphOf(`graph g { start a budget { tokens: 100000 } state { out: any } node a { model "m" prompt "p" writes out next END } }`, anthropicProvider({ baseURL: server.url, apiKey: "k" }), saver);
    await streamed(g, {}, { threadId: "t" });
    expect(server.requests()).toBe(1);
    // 3,000 input tokens (reported) + 4,000 characters ≈ 1,000 output tokens.
    expect(await spent(saver)).toBeGreaterThanOrEqual(4_000);
  });

  it("openai: a streamed reply that reports no usage (`streamUsage: false`) is charged what it streamed, not 0", async () => {
    const deltas = openaiChunks(100, () => ({ content: "v".repeat(99) + " " }));
    const server = await cuttingServer(() => [...deltas(), `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\n`, "data: [DONE]\n\n"], true);
    const saver = new MemoryCheckpointer();
    const g = graphOf(`graph g { start a budget { tokens: 100000 } state { out: any } node a { model "m" prompt "p" writes out next END } }`, openaiProvider({ baseURL: `${server.url}/v1`, apiKey: "k", streamUsage: false }), saver);
    const events = await streamed(g, {}, { threadId: "t" });
    expect(JSON.stringify(events.at(-1))).toContain("run_completed");
    // 10,000 characters ≈ 2,500 output tokens.
    expect(await spent(saver)).toBeGreaterThanOrEqual(2_500);
  });

  it("a call cancelled mid-stream is charged the tokens it streamed before the cancel", async () => {
    let release!: () => void;
    const provider: ModelProvider = {
      name: "slow",
      async chat(_req, opts) {
        for (let i = 0; i < 40; i++) await opts?.onToken?.("y".repeat(100));
        await new Promise<void>((_, reject) => {
          release = () => reject(new NodeError("aborted", "cancelled"));
          opts?.signal?.addEventListener("abort", () => release(), { once: true });
        });
        throw new Error("unreachable");
      },
    };
    const saver = new MemoryCheckpointer();
    const g = graphOf(`graph g { start a budget { tokens: 100000 } state { out: any } node a { model "m" prompt "p" writes out next END } }`, provider, saver);
    const controller = new AbortController();
    const run = streamed(g, {}, { threadId: "t", signal: controller.signal });
    await expect.poll(() => release !== undefined).toBe(true);
    controller.abort();
    await run;
    // 4,000 characters ≈ 1,000 output tokens, plus the prompt's input estimate.
    expect(await spent(saver)).toBeGreaterThanOrEqual(1_000);
  });
});

describe("every attempt is charged", () => {
  /** Fails `failures` times (with `usage` on the error when given), then answers 10 + 10 tokens. */
  function flaky(failures: number, usage?: Usage) {
    const m = { calls: 0 };
    const provider: ModelProvider = {
      name: "flaky",
      async chat() {
        m.calls++;
        if (m.calls <= failures) throw Object.assign(new NodeError("upstream 503", "retryable"), usage ? { usage } : {});
        return { message: { content: "ok" }, usage: { inputTokens: 10, outputTokens: 10 }, finishReason: "stop" };
      },
    };
    return { m, provider };
  }

  it("attempts the retry middleware retries are each charged the usage their error reports", async () => {
    const { m, provider } = flaky(2, { inputTokens: 100, outputTokens: 400 });
    const saver = new MemoryCheckpointer();
    const g = graphOf(`graph g { start a budget { tokens: 100000 } state { out: any } node a { model "m" prompt "p" writes out next END } }`, provider, saver, { retry: { maxAttempts: 3, initialMs: 1, jitter: false } });
    const r = await g.invoke({}, { threadId: "t" });
    expect(r.status).toBe("completed");
    expect(m.calls).toBe(3);
    expect(await spent(saver)).toBe(500 + 500 + 20);
  });

  it("a retry the retry middleware would make is refused before it reaches the provider when the failed attempts leave no room for its estimate", async () => {
    // Each failed attempt reports 500 tokens. Attempt 1: 500; attempt 2 (500 + its ~257
    // estimate fits 1,000): 1,000; attempt 3 would bring the run to ~1,257 of 1,000 and is
    // not made. Before, the retries ran to `maxAttempts` (5 × 500 = 2,500 of 1,000), each
    // attempt's spend counted only once the call had ended.
    const { m, provider } = flaky(100, { inputTokens: 100, outputTokens: 400 });
    const saver = new MemoryCheckpointer();
    const g = graphOf(`graph g { start a budget { tokens: 1000 } state { out: any } node a { model "m" prompt "p" writes out next END } }`, provider, saver, { retry: { maxAttempts: 5, initialMs: 1, jitter: false } });
    const e = await g.invoke({}, { threadId: "t" }).then(() => new Error("completed"), (x: unknown) => x);
    expect(JSON.stringify(e)).toMatch(/budget exceeded: a retry of the call of node `a` \(its failed attempts charged 1000 tokens/);
    expect(m.calls).toBe(2);
    // Both failed attempts are the thread's spend.
    expect(await spent(saver)).toBe(1_000);
  });

  it("what a failed attempt was charged is held in the ledger at once: a call checking while the retry waits its backoff sees it", async () => {
    // Call A's first attempt fails reporting 800 tokens; its retry waits on `gate`. Call B
    // (≈ 257 estimated) checks meanwhile against 1,000: 800 + 257 do not fit. Before, A held
    // only its estimate (257) until it ended, and B's call was made.
    const { m, provider } = flaky(1, { inputTokens: 100, outputTokens: 700 });
    const model: RegisteredModel = { name: "m", provider, modelId: "m", capabilities: DEFAULT_CAPABILITIES };
    let open!: () => void;
    const gate = new Promise<void>((ok) => (open = ok));
    let waiting!: () => void;
    const backoff = new Promise<void>((ok) => (waiting = ok));
    const chain = composeChain([budgetMiddleware({ run: { tokens: 1_000 } }), retryMiddleware({ maxAttempts: 3, sleep: () => (waiting(), gate) })], providerHandler);
    const ledger = new SpendBook();
    const ctx = (task: string): CallContext => ({ run: { runId: "r", rootRunId: "r", threadId: "t", graph: "g", namespace: "g", checkpointNs: "", depth: 0, step: 1 }, taskId: task, node: { name: "n", kind: "model" } as NodeSpec, defaults: {}, spend: ledger });
    const call = (task: string) => chain({ model, request: { model: "m", messages: [{ id: "u", role: "user", content: "p" }] }, context: ctx(task) });
    const a = call("a").catch((e: unknown) => e);
    await backoff;
    const b = await call("b").catch((e: unknown) => e);
    expect(String(b)).toMatch(/budget exceeded: a call of node `n` \(estimated \d+ tokens\) would bring the run's budget to \d+ tokens of 1000/);
    expect(m.calls).toBe(1);
    open();
    // A's retry (800 + its estimate) does not fit either: refused before it is made; the thread keeps the 800.
    expect(String(await a)).toMatch(/a retry of the call of node `n`/);
    expect(m.calls).toBe(1);
    expect([ledger.run.tokens, ledger.run.reservedTokens]).toEqual([800, 0]);
  });

  it("a node whose task the runtime retries is bounded by its budget, not only by its attempts: each failed attempt is charged its prompt", async () => {
    // A prompt of 4,000 characters ≈ 1,000 input tokens; the provider fails every call
    // without reporting usage. Attempts 1 and 2 are charged ~1,000 each; attempt 3 (≈ 1,256
    // estimated) does not fit 3,000 and is refused before the call.
    const { m, provider } = flaky(100);
    const saver = new MemoryCheckpointer();
    const src = `graph g {
      start a
      budget { tokens: 3000 }
      state { out: any }
      node a { model "m" prompt "${"z".repeat(3999)} " retry { max_attempts: 5 backoff: "fixed" initial: 1ms jitter: false } writes out next END }
    }`;
    const e = await graphOf(src, provider, saver).invoke({}, { threadId: "t" }).then(() => new Error("completed"), (x: unknown) => x);
    expect(JSON.stringify(e)).toContain("budget_exceeded");
    expect(m.calls).toBe(2);
    expect(await spent(saver)).toBeGreaterThanOrEqual(2_000);
  });
});

describe("a reply the chain rejects after the provider answered", () => {
  it("is charged its usage: a loop whose replies an output validator rejects is stopped at the budget", async () => {
    const { m, provider } = fakeModel({ content: "sk-secret" });
    const reg = registryFromConfig({ models: { m: { provider } }, validators: { no_secrets: (text: string) => (text.includes("sk-") ? { reject: "a key" } : { pass: true }) } });
    const src = `graph g {
      start a
      budget { tokens: 1000 }
      defaults { recursion_limit: 100 }
      state { out: any  n: number = 0 }
      node a { model "m" prompt "p" validate ["no_secrets"] writes out on_error b next b }
      node b { kind set set { n: state.n + 1 } routes { when state.n >= 20 -> END else -> a } }
    }`;
    const r = compile(src, { file: "v.rag", registry: reg.view() });
    const saver = new MemoryCheckpointer();
    const out = await new CompiledGraph(r.value.blueprints[0], { registry: reg, checkpointer: saver }).invoke({}, { threadId: "t" }).catch((e: unknown) => e);
    // Each rejected reply cost 300: three fit in 1,000, the fourth call is refused before it is made.
    expect(m.calls).toBe(3);
    expect(JSON.stringify(out)).toContain("budget_exceeded");
    expect(await spent(saver)).toBe(900);
  });
});

