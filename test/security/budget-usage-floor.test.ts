/**
 * A reply's reported usage is raised to what ragraph saw of the call
 * (`registry/usage-floor.ts`, `docs/security.md` "Budgets across resumes and forks").
 * Before, a successful reply's usage was charged as reported: an OpenAI-compatible server
 * that streamed 10,000 tokens and reported `completion_tokens: 1`, or read a 50 kB prompt
 * and reported `prompt_tokens: 1`, was charged 1, and a loop under a budget ran on.
 *
 * Now every reply — openai, anthropic, scripted — is charged at least the output it
 * delivered (≈ 4 characters per token, tool-call arguments included) and its prompt's
 * size at 8 characters per token; a higher reported figure is kept, and a raised one is
 * marked `usageFloor: true` on the `model_completed` event and shown by `rag run`.
 */
import { afterEach, describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import type { ModelProvider } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { spentAt } from "../../runtime/checkpoint/types.js";
import { CompiledGraph, MemoryCheckpointer, type RunEvent } from "../../runtime/index.js";
import { anthropicProvider, openaiProvider, scripted } from "../../stdlib/index.js";
import { ProgressPrinter } from "../../cli/progress.js";
import { anthropicEvent as ev, chatChunk as chunk, chatCompletion, closeReplyServers, replyServer, SSE_DONE, USAGE_CHUNK_1_1 } from "../helpers/reply-server.js";

afterEach(closeReplyServers);

/** An OpenAI stream of `n` content deltas of 100 characters, a stop, then usage `{prompt_tokens: 1, completion_tokens: 1}`. */
const lyingStream = (n: number) => () => [
  ...Array.from({ length: n }, () => chunk({ content: "x".repeat(99) + " " })),
  chunk({}, "stop"),
  USAGE_CHUNK_1_1,
  SSE_DONE,
];

/** A whole OpenAI chat completion with `message` and usage 1 + 1. */
const lyingCompletion = (message: Record<string, unknown>, finish = "stop") => () => chatCompletion(message, { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }, finish);

function graphOf(src: string, provider: ModelProvider, saver = new MemoryCheckpointer()): { g: CompiledGraph; saver: MemoryCheckpointer } {
  const reg = registryFromConfig({ models: { m: { provider } } });
  const r = compile(src, { file: "floor.rag", registry: reg.view() });
  const errs = r.diagnostics.filter((d) => d.severity === "error");
  if (errs.length) throw new Error(errs.map((d) => `${d.code}: ${d.message}`).join("\n"));
  return { g: new CompiledGraph(r.value.blueprints[0], { registry: reg, checkpointer: saver }), saver };
}

const ONE_CALL = (budget = 1_000_000) => `graph g { start a budget { tokens: ${budget} } state { out: any } node a { model "m" prompt "{{ input.q }}" writes out next END } }`;

/** Runs to the end with `events` (and, when `tokens`, streamed model tokens); the events. */
async function run(g: CompiledGraph, input: Record<string, unknown>, tokens = false): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const e of g.stream(input, { threadId: "t", mode: tokens ? ["events", "messages"] : ["events"] })) out.push(e as RunEvent);
  return out;
}

const spent = async (saver: MemoryCheckpointer) => spentAt((await saver.getTuple({ threadId: "t" }))!).tokens;
const completed = (events: RunEvent[]) => events.filter((e): e is Extract<RunEvent, { type: "model_completed" }> => e.type === "model_completed");

describe("a reply that under-reports its usage is charged what ragraph saw", () => {
  it("openai, streamed: 40,000 characters of output reported as 1 token are charged ≥ 6,667 (6 characters per token), and the event says the figure was raised", async () => {
    const s = await replyServer(lyingStream(400)); // 40,000 characters
    const { g, saver } = graphOf(ONE_CALL(), openaiProvider({ baseURL: `${s.url}/v1`, apiKey: "k" }));
    const events = await run(g, { q: "p" }, true);
    expect(events.at(-1)?.type).toBe("run_completed");
    const [mc] = completed(events);
    expect(mc.usage.outputTokens).toBeGreaterThanOrEqual(6_667);
    expect(mc.usage.usageFloor).toBe(true);
    expect(await spent(saver)).toBeGreaterThanOrEqual(6_667);
  });

  it("openai, streamed: under a budget of 10,000 the third call is refused (before, 1 + 1 a call let a loop run on)", async () => {
    const s = await replyServer(lyingStream(400));
    const src = `graph g {
      start a
      budget { tokens: 10000 }
      defaults { recursion_limit: 100 }
      state { out: any  n: number = 0 }
      node a { model "m" prompt "p" writes out next b }
      node b { kind set set { n: state.n + 1 } routes { when state.n >= 20 -> END else -> a } }
    }`;
    const { g, saver } = graphOf(src, openaiProvider({ baseURL: `${s.url}/v1`, apiKey: "k" }));
    const events = await run(g, {}, true);
    // Each reply is charged ≥ 6,667 (its output cap was lowered, but a hostile server ignores it): the run stops at the budget.
    expect(s.requests()).toBeLessThanOrEqual(2);
    expect(JSON.stringify(events.at(-1))).toContain("budget_exceeded");
    expect(await spent(saver)).toBeGreaterThanOrEqual(10_000);
  });

  it("openai, not streamed: a 50 kB prompt reported as 1 input token is charged ≥ 6,250 (8 characters per token)", async () => {
    const s = await replyServer(lyingCompletion({ content: "ok" }));
    const { g, saver } = graphOf(ONE_CALL(), openaiProvider({ baseURL: `${s.url}/v1`, apiKey: "k" }));
    const events = await run(g, { q: "y".repeat(50_000) });
    const [mc] = completed(events);
    expect(mc.usage.inputTokens).toBeGreaterThanOrEqual(6_250);
    expect(mc.usage.outputTokens).toBe(1);
    expect(mc.usage.usageFloor).toBe(true);
    expect(await spent(saver)).toBeGreaterThanOrEqual(6_250);
  });

  it("openai, not streamed: a tool call with 8,000 characters of arguments reported as 1 output token is charged ≥ 1,335", async () => {
    const args = JSON.stringify({ text: "a".repeat(8_000) });
    const s = await replyServer(lyingCompletion({ content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "t", arguments: args } }] }, "tool_calls"));
    const { g, saver } = graphOf(ONE_CALL(), openaiProvider({ baseURL: `${s.url}/v1`, apiKey: "k" }));
    const [mc] = completed(await run(g, { q: "p" }));
    expect(mc.usage.outputTokens).toBeGreaterThanOrEqual(1_335);
    expect(await spent(saver)).toBeGreaterThanOrEqual(1_335);
  });

  it("anthropic, streamed: 20,000 characters of output reported as 1 token (message_start and message_delta) are charged ≥ 3,334", async () => {
    const s = await replyServer(() => [
      ev("message_start", { message: { id: "msg_1", type: "message", role: "assistant", model: "claude", content: [], stop_reason: null, usage: { input_tokens: 1, output_tokens: 1 } } }),
      ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
      ...Array.from({ length: 200 }, () => ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: "w".repeat(100) } })),
      ev("content_block_stop", { index: 0 }),
      ev("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 1 } }),
      ev("message_stop", {}),
    ]);
    const { g, saver } = graphOf(ONE_CALL(), anthropicProvider({ baseURL: s.url, apiKey: "k" }));
    const events = await run(g, { q: "p" }, true);
    expect(events.at(-1)?.type).toBe("run_completed");
    const [mc] = completed(events);
    expect(mc.usage.outputTokens).toBeGreaterThanOrEqual(3_334);
    expect(mc.usage.usageFloor).toBe(true);
    expect(await spent(saver)).toBeGreaterThanOrEqual(3_334);
  });

  it("scripted: a script's own usage below what its reply holds is raised the same way, with a budget or without", async () => {
    const provider = scripted({ rules: [{ reply: { text: "z".repeat(4_000), usage: { inputTokens: 1, outputTokens: 1 } } }] });
    const { g, saver } = graphOf(ONE_CALL(), provider);
    const [mc] = completed(await run(g, { q: "q".repeat(8_000) }));
    expect(mc.usage).toMatchObject({ inputTokens: 1_000, outputTokens: 667, usageFloor: true });
    expect(await spent(saver)).toBe(1_667);
    const unbudgeted = graphOf(`graph g { start a state { out: any } node a { model "m" prompt "p" writes out next END } }`, provider);
    expect(completed(await run(unbudgeted.g, {}))[0].usage).toMatchObject({ outputTokens: 667, usageFloor: true });
  });

  it("`rag run` shows the raised figure and says so", async () => {
    const provider = scripted({ rules: [{ reply: { text: "z".repeat(4_000), usage: { inputTokens: 1, outputTokens: 1 } } }] });
    const { g } = graphOf(ONE_CALL(), provider);
    let text = "";
    const out = { write: (s: string) => ((text += s), true), isTTY: false } as unknown as NodeJS.WriteStream;
    const printer = new ProgressPrinter(out, g.registry, g.blueprint);
    for (const e of await run(g, { q: "p" })) printer.event(e);
    expect(text).toMatch(/model m → answer \(1\+667 tokens, raised: the provider reported fewer\)/);
  });
});

describe("honest usage is kept", () => {
  it("a reported figure above the floor is charged as reported, with no mark; the scripted provider's own estimate is never raised", async () => {
    const s = await replyServer(() => ({ ...lyingCompletion({ content: "a short answer" })(), usage: { prompt_tokens: 900, completion_tokens: 700, total_tokens: 1600 } }));
    const { g, saver } = graphOf(ONE_CALL(), openaiProvider({ baseURL: `${s.url}/v1`, apiKey: "k" }));
    const [mc] = completed(await run(g, { q: "a question" }));
    expect(mc.usage).toEqual({ inputTokens: 900, outputTokens: 700 });
    expect(await spent(saver)).toBe(1_600);
    // English text at ~4 characters per token as input: well above 8 per token, not raised.
    const prose = "The quick brown fox jumps over the lazy dog. ".repeat(400);
    const sc = graphOf(ONE_CALL(), scripted({ rules: [{ reply: { text: prose, toolCalls: [{ name: "search", arguments: { query: prose.slice(0, 500) } }] } }] }));
    const [own] = completed(await run(sc.g, { q: prose }));
    expect(own.usage.usageFloor).toBeUndefined();
    // An honest provider's count of English prose (≈ 4.5 characters per token, OpenAI's o200k) is kept, not raised.
    const honest = await replyServer(() => ({ ...lyingCompletion({ content: prose })(), usage: { prompt_tokens: 10, completion_tokens: Math.ceil(prose.length / 4.5), total_tokens: 10 + Math.ceil(prose.length / 4.5) } }));
    const h = graphOf(ONE_CALL(), openaiProvider({ baseURL: `${honest.url}/v1`, apiKey: "k" }));
    const [hm] = completed(await run(h.g, { q: "a question" }));
    expect(hm.usage).toEqual({ inputTokens: 10, outputTokens: Math.ceil(prose.length / 4.5) });
  });
});
