/**
 * A stream that runs past what the budget has left is stopped as it crosses
 * (`registry/call-meter.ts` guard, `stdlib/middleware/budget.ts`). The provider is told
 * the output the budget leaves (`maxOutputTokens`), but a server may ignore it. Before,
 * such a stream was read to its end and charged only then: a server that streamed
 * 200,000 characters against a 2,000-token budget had them all read and charged, and a
 * stream that never ended was never stopped by the budget.
 *
 * Now every piece of output is counted as it arrives — at the ~4 characters per token a
 * stopped call is charged at, so its charge ends at the limit plus the last piece read
 * (it was counted at 6 and charged at 4: up to half the last call again above the
 * limit) — and once the call's input plus its output so far would cross a limit the
 * request is aborted, what it sent is charged, and the task fails `budget_exceeded`
 * naming the graph and the node. An honest stream that fits its cap with room to spare
 * is not stopped.
 */
import { afterEach, describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import type { ModelProvider } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { spentAt } from "../../runtime/checkpoint/types.js";
import { CompiledGraph, MemoryCheckpointer, type RunEvent } from "../../runtime/index.js";
import { anthropicProvider, openaiProvider, scripted } from "../../stdlib/index.js";
import { anthropicEvent as ev, chatChunk as chunk, chatCompletion, closeReplyServers, replyServer, SSE_DONE, streamingServer as endless, USAGE_CHUNK_1_1 } from "../helpers/reply-server.js";

afterEach(closeReplyServers);

const OPENAI_TAIL = [chunk({}, "stop"), USAGE_CHUNK_1_1, SSE_DONE];

function graphOf(provider: ModelProvider, budget: string, saver = new MemoryCheckpointer()) {
  const reg = registryFromConfig({ models: { m: { provider, price: { inputPerMTok: 1, outputPerMTok: 10 } } } });
  const r = compile(`graph g { start a budget { ${budget} } state { out: any } node a { model "m" prompt "p" writes out next END } }`, { file: "cap.rag", registry: reg.view() });
  const errs = r.diagnostics.filter((d) => d.severity === "error");
  if (errs.length) throw new Error(errs.map((d) => `${d.code}: ${d.message}`).join("\n"));
  return { g: new CompiledGraph(r.value.blueprints[0], { registry: reg, checkpointer: saver }), saver };
}

/** Runs with model tokens streamed (`messages` mode: providers stream); the events. */
async function run(g: CompiledGraph): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const e of g.stream({}, { threadId: "t", mode: ["events", "messages"] })) if ((e as RunEvent).type) out.push(e as RunEvent);
  return out;
}

const spent = async (saver: MemoryCheckpointer) => spentAt((await saver.getTuple({ threadId: "t" }))!);

/** The run's failure: it failed `budget_exceeded` at graph `g`, node `a`, saying the reply was stopped. */
function expectStopped(events: RunEvent[]): void {
  const last = events.at(-1) as Extract<RunEvent, { type: "run_failed" }>;
  expect(last.type).toBe("run_failed");
  expect(last.error).toMatchObject({ errorClass: "budget_exceeded", graph: "g", node: "a" });
  expect(String(last.error.message)).toMatch(/budget exceeded: the reply of node `a` was stopped after ~\d+ output tokens .*run's budget/);
}

describe("a stream past what the budget has left is stopped as it crosses", () => {
  it("openai: a server that ignores the cap and streams 200,000 characters is cut off near 2,000 tokens, and charged what it sent", async () => {
    const s = await endless([], () => chunk({ content: "x".repeat(99) + " " }), 2_000, OPENAI_TAIL);
    const { g, saver } = graphOf(openaiProvider({ baseURL: `${s.url}/v1`, apiKey: "k" }), "tokens: 2000");
    const events = await run(g);
    expectStopped(events);
    // Stopped at ~8,000 characters (2,000 tokens at the 4 per token it is charged at), far from the 2,000 chunks it would send.
    await expect.poll(() => s.closed()).toBe(true);
    expect(s.sent()).toBeLessThan(400);
    // Charged what it read (the failed-call rule: ~4 characters per token): the limit, and
    // at most the last 100-character piece (25 tokens) past it — not half as much again.
    const t = (await spent(saver)).tokens;
    expect(t).toBeGreaterThanOrEqual(2_000);
    expect(t).toBeLessThanOrEqual(2_000 + 25);
  });

  it("openai: hidden reasoning (`reasoning_content` deltas, never shown) is counted and stopped too", async () => {
    const s = await endless([], () => chunk({ reasoning_content: "r".repeat(100) }), 2_000, OPENAI_TAIL);
    const { g, saver } = graphOf(openaiProvider({ baseURL: `${s.url}/v1`, apiKey: "k" }), "tokens: 2000");
    expectStopped(await run(g));
    expect(s.sent()).toBeLessThan(400);
    // Charged the reasoning it received (~12,000 characters) like visible text, not only its input.
    expect((await spent(saver)).tokens).toBeGreaterThanOrEqual(2_000);
  });

  it("anthropic: a thinking stream past a USD budget is cut off", async () => {
    const s = await endless(
      [
        ev("message_start", { message: { id: "msg_1", type: "message", role: "assistant", model: "claude", content: [], stop_reason: null, usage: { input_tokens: 1, output_tokens: 1 } } }),
        ev("content_block_start", { index: 0, content_block: { type: "thinking", thinking: "", signature: "" } }),
      ],
      () => ev("content_block_delta", { index: 0, delta: { type: "thinking_delta", thinking: "t".repeat(100) } }),
      2_000,
      [ev("content_block_stop", { index: 0 }), ev("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 1 } }), ev("message_stop", {})],
    );
    // $0.02 at $10 per million output tokens: ~2,000 tokens.
    const { g, saver } = graphOf(anthropicProvider({ baseURL: s.url, apiKey: "k" }), "usd: 0.02");
    const events = await run(g);
    const last = events.at(-1) as Extract<RunEvent, { type: "run_failed" }>;
    expect(last.error).toMatchObject({ errorClass: "budget_exceeded", graph: "g", node: "a" });
    expect(String(last.error.message)).toMatch(/was stopped after .*\$0\.02/);
    expect(s.sent()).toBeLessThan(400);
    expect((await spent(saver)).usd).toBeGreaterThanOrEqual(0.02);
  });

  it("scripted: a 40,000-character reply streamed in words is stopped, its text never delivered whole", async () => {
    const text = "word ".repeat(8_000);
    const provider = scripted({ rules: [{ reply: { text } }] });
    const { g } = graphOf(provider, "tokens: 1000");
    const events = await run(g);
    expectStopped(events);
    const delivered = events.filter((e) => e.type === "model_token").length;
    expect(delivered).toBeGreaterThan(0);
    expect(delivered).toBeLessThan(8_000);
  });
});

describe("a reply read whole past what the budget has left", () => {
  it("openai: a whole completion of 200,000 characters that says `completion_tokens: 1` is stopped when it arrives and charged its text, not its input alone", async () => {
    const s = await replyServer(() => chatCompletion({ content: "x".repeat(200_000) }, { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }));
    const { g, saver } = graphOf(openaiProvider({ baseURL: `${s.url}/v1`, apiKey: "k" }), "tokens: 2000");
    expectStopped(await run(g));
    expect((await spent(saver)).tokens).toBeGreaterThanOrEqual(2_000);
  });
});

describe("an honest stream within the budget is not stopped", () => {
  it("English prose at ~4.5 characters per token, reported honestly, completes under a budget it fits", async () => {
    const prose = "The quick brown fox jumps over the lazy dog. ".repeat(200); // 9,000 characters, ~2,000 tokens
    const honest = Math.ceil(prose.length / 4.5);
    const provider = scripted({ rules: [{ reply: { text: prose, usage: { inputTokens: 10, outputTokens: honest } } }] });
    const { g, saver } = graphOf(provider, `tokens: ${honest + 300}`);
    const events = await run(g);
    expect(events.at(-1)?.type).toBe("run_completed");
    expect((await spent(saver)).tokens).toBe(10 + honest);
  });
});
