/**
 * Output a reply does not show, and figures a provider under-reports, are charged
 * (`registry/usage-floor.ts`, `registry/call-meter.ts`, the openai and anthropic
 * providers' `onOutput`). Before:
 * - reasoning was charged as the reply's output figure said: a server reporting
 *   `completion_tokens: 1` with `reasoning_tokens: 50000` was charged 1 output token, and
 *   Anthropic's `output_tokens_details.thinking_tokens` above `output_tokens` likewise;
 * - reasoning text a server sends but the runtime does not pass on (Anthropic thinking
 *   blocks, the `reasoning_content` of OpenAI-compatible servers) was not counted by the
 *   usage floor, so 30,000 characters of it reported as 1 token cost 1;
 * - a failed attempt's input was charged as its error reported it, with no floor: a
 *   stream cut after `message_start` said `input_tokens: 1` for a 50 kB prompt cost 1;
 * - a provider's reply carrying `cached` (which only the response cache sets) cost nothing;
 * - an OpenAI completion read whole without `usage` was charged 0 + 0 raised to the floor
 *   of its text, not its reservation as a stream without usage is.
 * Reasoning is charged as output and priced as output.
 */
import { afterEach, describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import type { ChatResponse, ModelProvider } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { spentAt } from "../../runtime/checkpoint/types.js";
import { CompiledGraph, MemoryCheckpointer, type RunEvent } from "../../runtime/index.js";
import { anthropicProvider, openaiProvider } from "../../stdlib/index.js";
import { anthropicEvent as ev, chatChunk as chunk, chatCompletion as completion, closeReplyServers, replyServer, SSE_DONE, USAGE_CHUNK_1_1 } from "../helpers/reply-server.js";

afterEach(closeReplyServers);

const PRICE = { inputPerMTok: 1, outputPerMTok: 10 };

function graphOf(provider: ModelProvider, budget = "tokens: 1000000", loop = false) {
  const saver = new MemoryCheckpointer();
  const reg = registryFromConfig({ models: { m: { provider, price: PRICE } } });
  const src = loop
    ? `graph g { start a budget { ${budget} } defaults { recursion_limit: 100 } state { out: any  n: number = 0 }
        node a { model "m" prompt "{{ input.q }}" writes out next b }
        node b { kind set set { n: state.n + 1 } routes { when state.n >= 20 -> END else -> a } } }`
    : `graph g { start a budget { ${budget} } state { out: any } node a { model "m" prompt "{{ input.q }}" writes out next END } }`;
  const r = compile(src, { file: "hidden.rag", registry: reg.view() });
  const errs = r.diagnostics.filter((d) => d.severity === "error");
  if (errs.length) throw new Error(errs.map((d) => `${d.code}: ${d.message}`).join("\n"));
  return { g: new CompiledGraph(r.value.blueprints[0], { registry: reg, checkpointer: saver }), saver };
}

/**
 * Runs the graph; the events. `tokens`: with events and model tokens (providers stream);
 * else with state updates only (no event, providers answer whole), and a last event of
 * `run_completed` or `run_failed`.
 */
async function run(g: CompiledGraph, input: Record<string, unknown> = { q: "p" }, tokens = false): Promise<RunEvent[]> {
  if (!tokens) {
    const r = await g.invoke(input, { threadId: "t" }).then(
      () => ({ type: "run_completed" }),
      (e: Error) => ({ type: "run_failed", error: { ...e, message: e.message } }),
    );
    return [r as RunEvent];
  }
  const out: RunEvent[] = [];
  for await (const e of g.stream(input, { threadId: "t", mode: ["events", "messages"] })) if ((e as RunEvent).type) out.push(e as RunEvent);
  return out;
}

const spent = async (saver: MemoryCheckpointer) => spentAt((await saver.getTuple({ threadId: "t" }))!);
const completed = (events: RunEvent[]) => events.filter((e): e is Extract<RunEvent, { type: "model_completed" }> => e.type === "model_completed");

describe("reasoning tokens are charged as output and priced", () => {
  it("openai: `completion_tokens: 1` with `reasoning_tokens: 50000` is charged ≥ 50,000 output tokens at the output price", async () => {
    const s = await replyServer(() => completion({ content: "ok" }, { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11, completion_tokens_details: { reasoning_tokens: 50_000 } }));
    const { g, saver } = graphOf(openaiProvider({ baseURL: `${s.url}/v1`, apiKey: "k" }));
    // Asked to stream, the server answers with a whole completion (read whole), so the event shows the usage.
    const [mc] = completed(await run(g, { q: "p" }, true));
    expect(mc.usage.outputTokens).toBeGreaterThanOrEqual(50_000);
    expect(mc.usage.usageFloor).toBe(true);
    const sp = await spent(saver);
    expect(sp.tokens).toBeGreaterThanOrEqual(50_010);
    expect(sp.usd).toBeGreaterThanOrEqual(0.5);
  });

  it("openai: under a $1 budget a loop of such replies is stopped after two calls (before, each cost $0.00002)", async () => {
    const s = await replyServer(() => completion({ content: "ok" }, { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11, completion_tokens_details: { reasoning_tokens: 50_000 } }));
    const { g } = graphOf(openaiProvider({ baseURL: `${s.url}/v1`, apiKey: "k" }), "usd: 1", true);
    const events = await run(g);
    expect(JSON.stringify(events.at(-1))).toContain("budget_exceeded");
    expect(s.requests()).toBe(2);
  });

  it("openai, streamed: 30,000 characters of `reasoning_content` reported as 1 token are charged ≥ 5,000", async () => {
    const s = await replyServer(() => [
      ...Array.from({ length: 300 }, () => chunk({ reasoning_content: "r".repeat(100) })),
      chunk({ content: "ok" }),
      chunk({}, "stop"),
      USAGE_CHUNK_1_1,
      SSE_DONE,
    ]);
    const { g, saver } = graphOf(openaiProvider({ baseURL: `${s.url}/v1`, apiKey: "k" }));
    const [mc] = completed(await run(g, { q: "p" }, true));
    expect(mc.usage.outputTokens).toBeGreaterThanOrEqual(5_000);
    expect((await spent(saver)).tokens).toBeGreaterThanOrEqual(5_000);
  });

  it("openai, not streamed: a message's `reasoning_content` counts the same way", async () => {
    const s = await replyServer(() => completion({ content: "ok", reasoning_content: "r".repeat(30_000) }, { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }));
    const { g, saver } = graphOf(openaiProvider({ baseURL: `${s.url}/v1`, apiKey: "k" }));
    await run(g);
    expect((await spent(saver)).tokens).toBeGreaterThanOrEqual(5_000);
  });

  it("anthropic, streamed: 30,000 characters of thinking reported as 1 output token are charged ≥ 5,000", async () => {
    const s = await replyServer(() => [
      ev("message_start", { message: { id: "msg_1", type: "message", role: "assistant", model: "claude", content: [], stop_reason: null, usage: { input_tokens: 1, output_tokens: 1 } } }),
      ev("content_block_start", { index: 0, content_block: { type: "thinking", thinking: "", signature: "" } }),
      ...Array.from({ length: 300 }, () => ev("content_block_delta", { index: 0, delta: { type: "thinking_delta", thinking: "t".repeat(100) } })),
      ev("content_block_delta", { index: 0, delta: { type: "signature_delta", signature: "sig" } }),
      ev("content_block_stop", { index: 0 }),
      ev("content_block_start", { index: 1, content_block: { type: "text", text: "" } }),
      ev("content_block_delta", { index: 1, delta: { type: "text_delta", text: "ok" } }),
      ev("content_block_stop", { index: 1 }),
      ev("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 1 } }),
      ev("message_stop", {}),
    ]);
    const { g, saver } = graphOf(anthropicProvider({ baseURL: s.url, apiKey: "k" }));
    const events = await run(g, { q: "p" }, true);
    expect(events.at(-1)?.type).toBe("run_completed");
    expect(completed(events)[0].usage.outputTokens).toBeGreaterThanOrEqual(5_000);
    expect((await spent(saver)).tokens).toBeGreaterThanOrEqual(5_000);
  });

  it("anthropic, not streamed: `thinking_tokens: 8000` above `output_tokens: 1` is charged ≥ 8,000, and a thinking block's text counts", async () => {
    const s = await replyServer(() => ({
      id: "msg_1",
      type: "message",
      role: "assistant",
      model: "claude",
      content: [
        { type: "thinking", thinking: "t".repeat(600), signature: "sig" },
        { type: "text", text: "ok" },
      ],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 1, output_tokens: 1, output_tokens_details: { thinking_tokens: 8_000 } },
    }));
    // Under a budget of 1,000,000 tokens, the output cap the budget sends stays at the model's
    // maximum (16,384 by default): what is left (~1,000,000) the SDK refuses to send unstreamed.
    const { g, saver } = graphOf(anthropicProvider({ baseURL: s.url, apiKey: "k" }));
    expect((await run(g)).at(-1)).toEqual({ type: "run_completed" });
    const sp = await spent(saver);
    expect(sp.tokens).toBeGreaterThanOrEqual(8_000);
    expect(sp.usd).toBeGreaterThanOrEqual(0.08);
  });
});

describe("a failed attempt's reported input is raised to the prompt's floor", () => {
  it("anthropic: a stream cut after `message_start` says `input_tokens: 1` for a 50 kB prompt: charged ≥ 6,250 input tokens", async () => {
    const s = await replyServer(
      () => [
        ev("message_start", { message: { id: "msg_1", type: "message", role: "assistant", model: "claude", content: [], stop_reason: null, usage: { input_tokens: 1, output_tokens: 1 } } }),
        ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
        ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: "partial" } }),
      ],
      { cut: true },
    );
    const { g, saver } = graphOf(anthropicProvider({ baseURL: s.url, apiKey: "k" }));
    const events = await run(g, { q: "y".repeat(50_000) }, true);
    expect(events.at(-1)?.type).toBe("run_failed");
    expect((await spent(saver)).tokens).toBeGreaterThanOrEqual(6_250);
  });
});

describe("a reply that reports no usage", () => {
  it("openai, not streamed: a completion without `usage` is charged its reservation (~260), not the floor of its two characters", async () => {
    const s = await replyServer(() => {
      const { usage: _none, ...rest } = completion({ content: "ok" }, {});
      return rest;
    });
    const { g, saver } = graphOf(openaiProvider({ baseURL: `${s.url}/v1`, apiKey: "k" }));
    expect((await run(g)).at(-1)).toEqual({ type: "run_completed" });
    expect((await spent(saver)).tokens).toBeGreaterThanOrEqual(250);
  });
});

describe("only the response cache makes a reply free", () => {
  it("a provider's reply that carries `cached` is charged its usage", async () => {
    const provider: ModelProvider = {
      name: "liar",
      chat: async () => ({ message: { content: "ok" }, usage: { inputTokens: 10, outputTokens: 290 }, finishReason: "stop", cached: { key: "forged" } }) as ChatResponse,
    };
    const { g, saver } = graphOf(provider);
    await run(g);
    expect((await spent(saver)).tokens).toBe(300);
  });
});
