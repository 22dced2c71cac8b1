/**
 * The `anthropic` provider through the official `@anthropic-ai/sdk` against a loopback
 * server speaking the Messages API wire format (JSON and named SSE events): request
 * mapping, reply normalisation, streaming deltas, structured output, route choice,
 * error classes, and a run through the runtime.
 */
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { tool, toolParameters, type ChatMessage, type ChatRequest } from "../../registry/index.js";
import { NodeError, type RunEvent } from "../../runtime/index.js";
import { anthropicProvider, type AnthropicProviderOptions } from "../../stdlib/providers/anthropic.js";
import { standardRegistry } from "../../stdlib/registry.js";
import { anthropicError, message, startAnthropicServer, type AnthropicHandler, type AnthropicScripted, type AnthropicServer } from "../helpers/anthropic-server.js";
import { buildGraph, eventsOf } from "../helpers/run-graph.js";
import { recorder } from "../helpers/stream.js";

const servers: AnthropicServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(script: AnthropicHandler | readonly AnthropicScripted[]): Promise<AnthropicServer> {
  const s = await startAnthropicServer(script);
  servers.push(s);
  return s;
}

const providerFor = (s: AnthropicServer, o: AnthropicProviderOptions = {}) => anthropicProvider({ baseURL: s.url, apiKey: "sk-ant-test", ...o });
const msg = (id: string, role: ChatMessage["role"], content: string, extra: Partial<ChatMessage> = {}): ChatMessage => ({ id, role, content, ...extra });

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected the promise to reject, but it resolved");
}

const lookup = tool({ description: "Look up a customer by email.", schema: z.object({ email: z.string() }), readOnly: true, run: ({ email }) => ({ email, plan: "pro" }) });

describe("anthropic provider: request and reply (JSON)", () => {
  it("maps system, alternating turns, tool use and tool results, tools and max_tokens", async () => {
    const server = await serve([{ body: message({ text: "Done.", usage: { input_tokens: 30, output_tokens: 4, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 } }) }]);
    const res = await providerFor(server).chat({
      model: "claude-test",
      messages: [
        msg("s", "system", "Be brief."),
        msg("u", "user", "Who is ada@x.org?"),
        msg("a", "assistant", "Let me look.", { toolCalls: [{ id: "toolu_1", name: "lookup", arguments: { email: "ada@x.org" } }, { id: "toolu_2", name: "lookup", arguments: { email: "bob@x.org" } }] }),
        msg("t1", "tool", '{"plan":"pro"}', { toolCallId: "toolu_1" }),
        msg("t2", "tool", '{"plan":"free"}', { toolCallId: "toolu_2" }),
      ],
      tools: [{ name: "lookup", description: lookup.description, parameters: toolParameters(lookup) }],
      metadata: { node: "n" },
    });
    const req = server.requests[0];
    expect(req.path).toBe("/v1/messages");
    // SDK 1.x sends the key as a bearer token (0.x used `x-api-key`).
    expect(req.headers.authorization ?? `Bearer ${req.headers["x-api-key"]}`).toBe("Bearer sk-ant-test");
    expect(req.headers["anthropic-version"]).toBeTruthy();
    expect(req.body).toEqual({
      model: "claude-test",
      max_tokens: 4096,
      system: "Be brief.",
      messages: [
        { role: "user", content: [{ type: "text", text: "Who is ada@x.org?" }] },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Let me look." },
            { type: "tool_use", id: "toolu_1", name: "lookup", input: { email: "ada@x.org" } },
            { type: "tool_use", id: "toolu_2", name: "lookup", input: { email: "bob@x.org" } },
          ],
        },
        // Two tool results merge into one user turn (the API alternates roles).
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: '{"plan":"pro"}' }, { type: "tool_result", tool_use_id: "toolu_2", content: '{"plan":"free"}' }] },
      ],
      tools: [{ name: "lookup", description: "Look up a customer by email.", input_schema: expect.objectContaining({ type: "object", properties: { email: { type: "string" } }, required: ["email"] }) }],
    });
    expect(req.rawBody).not.toContain('"n"');
    // Input tokens count cache reads and writes, as OpenAI's prompt tokens do.
    expect(res).toEqual({ message: { content: "Done." }, usage: { inputTokens: 150, outputTokens: 4, cachedTokens: 100 }, finishReason: "stop", responseId: expect.stringMatching(/^msg_test/), responseModel: "claude-test" });
  });

  it("normalises tool_use replies and stop reasons, and sends maxOutputTokens", async () => {
    const server = await serve([
      { body: message({ toolUses: [{ id: "toolu_9", name: "lookup", input: { email: "ada@x.org" } }] }) },
      { body: message({ text: "cut", stopReason: "max_tokens", usage: { input_tokens: 3, output_tokens: 9, output_tokens_details: { thinking_tokens: 6 } } }) },
    ]);
    const p = providerFor(server);
    const a = await p.chat({ model: "claude-test", messages: [msg("u", "user", "hi")] });
    expect(a.finishReason).toBe("tool_calls");
    expect(a.message).toEqual({ content: "", toolCalls: [{ id: "toolu_9", name: "lookup", arguments: { email: "ada@x.org" } }] });
    const b = await p.chat({ model: "claude-test", messages: [msg("u", "user", "hi")], maxOutputTokens: 9 });
    expect(server.requests[1].body.max_tokens).toBe(9);
    expect(b.finishReason).toBe("length");
    expect(b.usage).toEqual({ inputTokens: 3, outputTokens: 9, reasoningTokens: 6 });
  });

  it("asks for structured output with output_config.format and parses it", async () => {
    const server = await serve([{ body: message({ text: '{"verdict":"ok","score":2}' }) }]);
    const schema = { type: "object", properties: { verdict: { type: "string" }, score: { type: "number" } }, required: ["verdict", "score"], additionalProperties: false };
    const res = await providerFor(server).chat({ model: "claude-test", messages: [msg("u", "user", "grade")], output: { name: "grade_output", schema } });
    expect(server.requests[0].body.output_config).toEqual({ format: { type: "json_schema", schema } });
    expect(res.structured).toEqual({ verdict: "ok", score: 2 });
  });

  it("asks for a route choice among labels and maps {route, content}", async () => {
    const server = await serve([{ body: message({ text: '{"route":"tech","content":"Sounds technical."}' }) }]);
    const res = await providerFor(server).chat({ model: "claude-test", messages: [msg("u", "user", "wifi")], routeLabels: ["billing", "tech"] });
    expect(server.requests[0].body.output_config.format.schema.properties.route).toEqual({ type: "string", enum: ["billing", "tech"] });
    expect(res.route).toBe("tech");
    expect(res.message.content).toBe("Sounds technical.");
  });
});

describe("anthropic provider: streaming (SSE)", () => {
  it("passes text deltas on as they arrive and each tool call whole, and returns the same reply as JSON would", async () => {
    const body = message({ text: "Checking that for you now.", toolUses: [{ id: "toolu_s", name: "lookup", input: { email: "ada@x.org", deep: { a: [1, 2] } } }], usage: { input_tokens: 12, output_tokens: 20 } });
    const server = await serve([{ body }, { body }]);
    const p = providerFor(server);
    const rec = recorder();
    const streamed = await p.chat({ model: "claude-test", messages: [msg("u", "user", "hi")] }, rec.cb);
    expect(server.requests[0].body.stream).toBe(true);
    const texts = rec.texts();
    expect(texts.length).toBeGreaterThan(3);
    expect(texts.join("")).toBe("Checking that for you now.");
    // The tool call arrives once, whole, after its JSON fragments — never partial.
    expect(rec.calls()).toEqual([{ id: "toolu_s", name: "lookup", arguments: { email: "ada@x.org", deep: { a: [1, 2] } } }]);
    expect(rec.seen.at(-1)?.kind).toBe("tool_call");
    const plain = await p.chat({ model: "claude-test", messages: [msg("u", "user", "hi")] });
    expect(server.requests[1].body).not.toHaveProperty("stream");
    expect(streamed).toEqual(plain);
    expect(streamed.usage).toEqual({ inputTokens: 12, outputTokens: 20 });
  });

  it("an `error` event mid-stream becomes a classified NodeError", async () => {
    const server = await serve([
      {
        events: [
          ["message_start", { type: "message_start", message: message({ text: "" }) }],
          ["error", { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }],
        ],
      },
    ]);
    const err = await rejection(providerFor(server).chat({ model: "claude-test", messages: [msg("u", "user", "hi")] }, recorder().cb));
    expect(err).toBeInstanceOf(NodeError);
    expect((err as NodeError).message).toMatch(/Overloaded/);
    expect((err as NodeError).errorClass).toBe("retryable");
  });

  it("a stream cut before message_stop is a retryable NodeError", async () => {
    const full = message({ text: "partial answer" });
    const server = await serve([{ events: [["message_start", { type: "message_start", message: { ...full, content: [] } }], ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }]] }]);
    const err = await rejection(providerFor(server).chat({ model: "claude-test", messages: [msg("u", "user", "hi")] }, recorder().cb));
    expect((err as NodeError).errorClass).toBe("retryable");
  });
});

describe("anthropic provider: errors", () => {
  const request: ChatRequest = { model: "claude-test", messages: [{ id: "u", role: "user", content: "hi" }] };

  it("maps 429 with Retry-After to rate_limited with retryAfterMs, and does not retry in the SDK", async () => {
    const server = await serve([{ status: 429, headers: { "retry-after": "7" }, body: anthropicError("rate_limit_error", "Number of requests has exceeded your rate limit") }]);
    const err = (await rejection(providerFor(server).chat(request))) as NodeError;
    expect(err).toBeInstanceOf(NodeError);
    expect(err.errorClass).toBe("rate_limited");
    expect(err.retryAfterMs).toBe(7000);
    expect(err.message).toMatch(/rate limit/);
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    [500, "api_error", "retryable"],
    [529, "overloaded_error", "retryable"],
    [401, "authentication_error", "auth"],
    [400, "invalid_request_error", "permanent"],
  ] as const)("maps HTTP %i (%s) to %s", async (status, type, errorClass) => {
    const server = await serve([{ status, body: anthropicError(type, `status ${status}`) }]);
    const err = await rejection(providerFor(server).chat(request));
    expect(err).toBeInstanceOf(NodeError);
    expect((err as NodeError).errorClass).toBe(errorClass);
    expect(server.requests).toHaveLength(1);
  });

  it("without a key it fails with an auth error naming the variable, before any request", async () => {
    const saved = process.env.ANTHROPIC_API_KEY;
    delete process.env.ANTHROPIC_API_KEY;
    try {
      const err = await rejection(anthropicProvider({ baseURL: "http://127.0.0.1:9" }).chat(request));
      expect((err as NodeError).errorClass).toBe("auth");
      expect((err as NodeError).message).toMatch(/ANTHROPIC_API_KEY/);
    } finally {
      if (saved !== undefined) process.env.ANTHROPIC_API_KEY = saved;
    }
  });
});

describe("anthropic provider: through the runtime", () => {
  it("an agent ⇄ tool_executor loop streams model_token events and runs the tool once", async () => {
    const server = await serve([
      { body: message({ text: "Looking up.", toolUses: [{ id: "toolu_a", name: "lookup", input: { email: "ada@x.org" } }] }) },
      { body: message({ text: "You are on the pro plan." }) },
    ]);
    const registry = standardRegistry();
    registry.registerModel("claude", { provider: providerFor(server), modelId: "claude-test" });
    const seen: unknown[] = [];
    registry.registerTool("lookup", { ...lookup, run: (args) => (seen.push(args), { plan: "pro" }) });
    const { graph } = buildGraph(
      `graph support {\n  start agent\n  state {\n    messages: messages\n  }\n  node agent {\n    kind agent\n    model "claude"\n    tools ["lookup"]\n    routes {\n      tool_call -> tools\n      final -> END\n    }\n  }\n  node tools {\n    kind tool_executor\n    tools ["lookup"]\n    next agent\n  }\n}\n`,
      { registry },
    );
    const events = await eventsOf(graph, { question: "ada@x.org: my plan?" });
    const last = events.at(-1) as RunEvent & { output?: unknown };
    expect(last.type).toBe("run_completed");
    expect(last.output).toBe("You are on the pro plan.");
    expect(seen).toEqual([{ email: "ada@x.org" }]);
    const tokens = events.filter((e): e is Extract<RunEvent, { type: "model_token" }> => e.type === "model_token");
    expect(tokens.map((t) => t.delta).join("")).toBe("Looking up.You are on the pro plan.");
    expect(tokens.filter((t) => t.toolCall).map((t) => t.toolCall)).toEqual([{ id: "toolu_a", name: "lookup", arguments: { email: "ada@x.org" } }]);
    // Tokens come between the call's model_started and model_completed.
    const firstToken = events.indexOf(tokens[0]);
    expect(events.findIndex((e) => e.type === "model_started")).toBeLessThan(firstToken);
    expect(events.findIndex((e) => e.type === "model_completed")).toBeGreaterThan(firstToken);
    // The second request carries the tool result as a tool_result block.
    expect(server.requests[1].body.messages.at(-1)).toEqual({ role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_a", content: '{"plan":"pro"}' }] });
  });
});
