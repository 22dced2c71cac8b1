/**
 * The `openai` provider against a real loopback HTTP server speaking the OpenAI
 * chat-completions wire format: the official SDK makes real requests, the server records
 * them, and the tests check both directions of the mapping, error classes, abort, and a
 * full agent ⇄ tool_executor run through the runtime.
 */
import { afterEach, describe, expect, it } from "vitest";
import OpenAI from "openai";
import { z } from "zod";
import { compileGraph } from "../../compiler/index.js";
import { tool, toolParameters, type ChatMessage, type ChatRequest } from "../../registry/index.js";
import { classifyError, CompiledGraph, NodeError, RagError } from "../../runtime/index.js";
import { openaiProvider, type OpenAIProviderOptions } from "../../stdlib/providers/openai.js";
import { standardRegistry } from "../../stdlib/registry.js";
import { recorder } from "../helpers/stream.js";
import { completion, errorBody, startOpenAIServer, type OpenAIServer, type ScriptedResponse, type ServerHandler } from "../helpers/openai-server.js";

const servers: OpenAIServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(script: ServerHandler | readonly ScriptedResponse[]): Promise<OpenAIServer> {
  const s = await startOpenAIServer(script);
  servers.push(s);
  return s;
}

function providerFor(server: OpenAIServer, options: OpenAIProviderOptions = {}) {
  return openaiProvider({ baseURL: server.url, apiKey: "test-key", maxRetries: 0, ...options });
}

const msg = (id: string, role: ChatMessage["role"], content: string, extra: Partial<ChatMessage> = {}): ChatMessage => ({ id, role, content, ...extra });

/** Awaits a promise that must reject, and returns what it rejected with. */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected the promise to reject, but it resolved");
}

describe("openai provider: plain completion", () => {
  it("sends model and messages in OpenAI shape and maps content, usage and finish reason", async () => {
    const server = await serve([
      {
        body: completion({
          content: "Paris.",
          finishReason: "stop",
          usage: {
            prompt_tokens: 42,
            completion_tokens: 7,
            prompt_tokens_details: { cached_tokens: 16, audio_tokens: 0 },
            completion_tokens_details: { reasoning_tokens: 3, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
          },
        }),
      },
    ]);
    const provider = providerFor(server);
    expect(provider.name).toBe("openai");

    const res = await provider.chat({
      model: "gpt-test",
      messages: [msg("m1", "system", "You are terse."), msg("m2", "user", "Capital of France?")],
      maxOutputTokens: 64,
      temperature: 0.2,
      metadata: { graph: "g", node: "n" },
    });

    expect(server.requests).toHaveLength(1);
    const req = server.requests[0];
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/v1/chat/completions");
    expect(req.headers.authorization).toBe("Bearer test-key");
    expect(req.headers["content-type"]).toMatch(/^application\/json/);
    expect(req.body).toEqual({
      model: "gpt-test",
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "Capital of France?" },
      ],
      max_completion_tokens: 64,
      temperature: 0.2,
    });
    // No tools, no response_format, no stream, and our message ids/metadata never leak.
    expect(req.body).not.toHaveProperty("tools");
    expect(req.body).not.toHaveProperty("response_format");
    expect(req.body).not.toHaveProperty("stream");
    expect(req.rawBody).not.toContain("m1");

    expect(res).toEqual({
      message: { content: "Paris." },
      usage: { inputTokens: 42, outputTokens: 7, cachedTokens: 16, reasoningTokens: 3 },
      finishReason: "stop",
      responseId: expect.stringMatching(/^chatcmpl-test/),
      responseModel: "gpt-test",
    });
  });

  it("omits cachedTokens/reasoningTokens when the API reports none, and reports `length`", async () => {
    const server = await serve([{ body: completion({ content: "truncat", finishReason: "length", usage: { prompt_tokens: 5, completion_tokens: 1 } }) }]);
    const res = await providerFor(server).chat({ model: "gpt-test", messages: [msg("u", "user", "Say a long thing")] });
    expect(res.usage).toEqual({ inputTokens: 5, outputTokens: 1 });
    expect(res.finishReason).toBe("length");
    expect(res.message).toEqual({ content: "truncat" });
    expect(server.requests[0].body).not.toHaveProperty("max_completion_tokens");
    expect(server.requests[0].body).not.toHaveProperty("temperature");
  });

  it("sends defaultHeaders and keeps one client across calls", async () => {
    const server = await serve([{ body: completion({ content: "a" }) }, { body: completion({ content: "b" }) }]);
    const provider = providerFor(server, { defaultHeaders: { "x-test-header": "yes" } });
    const a = await provider.chat({ model: "gpt-test", messages: [msg("u", "user", "1")] });
    const b = await provider.chat({ model: "gpt-test", messages: [msg("u", "user", "2")] });
    expect([a.message.content, b.message.content]).toEqual(["a", "b"]);
    expect(server.requests.map((r) => r.headers["x-test-header"])).toEqual(["yes", "yes"]);
  });
});

describe("openai provider: tools", () => {
  const lookupUser = tool({
    description: "Look up a customer by email.",
    schema: z.object({ email: z.string().describe("the customer's email"), verbose: z.boolean().optional() }),
    readOnly: true,
    run: ({ email }) => ({ email }),
  });

  it("sends tools as function tools with the zod JSON Schema and parses tool calls", async () => {
    const server = await serve([
      {
        body: completion({
          toolCalls: [
            { id: "call_abc", name: "lookup_user", arguments: '{"email":"ada@bigco.com"}' },
            { id: "call_def", name: "lookup_user", arguments: '{"email":"bob@x.org","verbose":true}' },
          ],
        }),
      },
    ]);
    const parameters = toolParameters(lookupUser);
    const res = await providerFor(server).chat({
      model: "gpt-test",
      messages: [msg("u", "user", "Who is ada@bigco.com?")],
      tools: [{ name: "lookup_user", description: lookupUser.description, parameters }],
    });

    const body = server.requests[0].body;
    expect(body.tools).toEqual([{ type: "function", function: { name: "lookup_user", description: "Look up a customer by email.", parameters } }]);
    // The JSON Schema really is the zod schema's (not an empty object).
    expect(body.tools[0].function.parameters).toMatchObject({
      type: "object",
      properties: { email: { type: "string", description: "the customer's email" }, verbose: { type: "boolean" } },
      required: ["email"],
    });
    expect(body.tools[0].function.parameters).not.toHaveProperty("$schema");

    expect(res.finishReason).toBe("tool_calls");
    expect(res.message.content).toBe("");
    expect(res.message.toolCalls).toEqual([
      { id: "call_abc", name: "lookup_user", arguments: { email: "ada@bigco.com" } },
      { id: "call_def", name: "lookup_user", arguments: { email: "bob@x.org", verbose: true } },
    ]);
  });

  it("sends assistant tool calls and tool results back in OpenAI shape", async () => {
    const server = await serve([{ body: completion({ content: "done" }) }]);
    await providerFor(server).chat({
      model: "gpt-test",
      messages: [
        msg("u", "user", "hi"),
        msg("a", "assistant", "", { toolCalls: [{ id: "call_1", name: "lookup_user", arguments: { email: "ada@bigco.com" } }] }),
        msg("t", "tool", '{"plan":"enterprise"}', { toolCallId: "call_1", name: "lookup_user" }),
      ],
    });
    const messages = server.requests[0].body.messages;
    expect(messages[1]).toMatchObject({ role: "assistant", tool_calls: [{ id: "call_1", type: "function", function: { name: "lookup_user" } }] });
    expect(JSON.parse(messages[1].tool_calls[0].function.arguments)).toEqual({ email: "ada@bigco.com" });
    expect(messages[2]).toEqual({ role: "tool", content: '{"plan":"enterprise"}', tool_call_id: "call_1" });
  });

  it("treats empty tool-call arguments as {} and malformed ones as a retryable NodeError", async () => {
    const server = await serve([
      { body: completion({ toolCalls: [{ id: "call_e", name: "ping", arguments: "" }] }) },
      { body: completion({ toolCalls: [{ id: "call_bad", name: "ping", arguments: '{"email": ' }] }) },
    ]);
    const provider = providerFor(server);
    const ok = await provider.chat({ model: "gpt-test", messages: [msg("u", "user", "x")] });
    expect(ok.message.toolCalls).toEqual([{ id: "call_e", name: "ping", arguments: {} }]);
    const err = await rejection(provider.chat({ model: "gpt-test", messages: [msg("u", "user", "x")] }));
    expect(err).toBeInstanceOf(NodeError);
    expect((err as NodeError).errorClass).toBe("retryable");
    expect((err as NodeError).message).toContain("ping");
  });
});

describe("openai provider: structured output and route labels", () => {
  it("asks for json_schema output and parses the reply into `structured`", async () => {
    const schema = { type: "object", properties: { answer: { type: "string" }, score: { type: "number" } }, required: ["answer", "score"], additionalProperties: false };
    const server = await serve([{ body: completion({ content: '{"answer":"yes","score":0.9}' }) }]);
    const res = await providerFor(server).chat({ model: "gpt-test", messages: [msg("u", "user", "Grade it")], output: { name: "grade_output", schema } });
    expect(server.requests[0].body.response_format).toEqual({ type: "json_schema", json_schema: { name: "grade_output", schema } });
    expect(res.structured).toEqual({ answer: "yes", score: 0.9 });
    expect(res.message.content).toBe('{"answer":"yes","score":0.9}');
    expect(res).not.toHaveProperty("route");
  });

  it("asks for a route choice with an enum of the labels and maps {route, content}", async () => {
    const server = await serve([{ body: completion({ content: '{"route":"billing","content":"Routing you to billing."}' }) }]);
    const res = await providerFor(server).chat({ model: "gpt-test", messages: [msg("u", "user", "I was charged twice")], routeLabels: ["billing", "tech", "final"] });
    const rf = server.requests[0].body.response_format;
    expect(rf.type).toBe("json_schema");
    expect(rf.json_schema.schema).toMatchObject({
      type: "object",
      properties: { route: { type: "string", enum: ["billing", "tech", "final"] }, content: { type: "string" } },
      required: expect.arrayContaining(["route", "content"]),
    });
    expect(res.route).toBe("billing");
    expect(res.message.content).toBe("Routing you to billing.");
    expect(res).not.toHaveProperty("structured");
  });

  it("falls back to a label named in plain text when the reply is not JSON", async () => {
    const server = await serve([{ body: completion({ content: "I would pick tech here." }) }]);
    const res = await providerFor(server).chat({ model: "gpt-test", messages: [msg("u", "user", "wifi down")], routeLabels: ["billing", "tech"] });
    expect(res.route).toBe("tech");
    expect(res.message.content).toBe("I would pick tech here.");
  });

  it("routes an LLM-router `model` node through the runtime", async () => {
    const server = await serve([{ body: completion({ content: '{"route":"tech","content":"Sounds technical."}' }) }]);
    const registry = standardRegistry();
    registry.registerModel("default", { provider: providerFor(server), modelId: "gpt-test" });
    const source = `
graph triage {
  start classify
  state {
    messages: messages
  }
  node classify {
    kind model
    model "default"
    system "Classify the request."
    routes {
      billing -> billing_desk
      tech -> tech_desk
    }
  }
  node billing_desk {
    kind set
  }
  node tech_desk {
    kind set
  }
}
`;
    const compiled = compileGraph(source, { registry: registry.view() });
    expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const visited: string[] = [];
    const g = new CompiledGraph(compiled.value!, { registry });
    for await (const e of g.stream({ question: "my wifi is down" })) {
      if (e.type === "task_started" && e.node) visited.push(e.node);
    }
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].body.response_format.json_schema.schema.properties.route.enum).toEqual(["billing", "tech"]);
    expect(visited).toContain("tech_desk");
    expect(visited).not.toContain("billing_desk");
  });
});

describe("openai provider: errors", () => {
  const request: ChatRequest = { model: "gpt-test", messages: [{ id: "u", role: "user", content: "hi" }] };

  it("maps 429 with Retry-After to rate_limited with retryAfterMs", async () => {
    const server = await serve([{ status: 429, headers: { "retry-after": "2" }, body: errorBody("Rate limit reached for gpt-test", "requests", "rate_limit_exceeded") }]);
    const err = await rejection(providerFor(server).chat(request));
    expect(err).toBeInstanceOf(NodeError);
    const ne = err as NodeError;
    expect(ne.errorClass).toBe("rate_limited");
    expect(ne.retryAfterMs).toBe(2000);
    expect(ne.message).toContain("Rate limit reached");
    expect(ne.cause).toBeInstanceOf(OpenAI.RateLimitError);
    expect(server.requests).toHaveLength(1); // maxRetries: 0 → the SDK did not retry
  });

  it("reads an HTTP-date Retry-After as a delay", async () => {
    const when = new Date(Date.now() + 30_000).toUTCString();
    const server = await serve([{ status: 429, headers: { "retry-after": when }, body: errorBody("slow down", "requests", "rate_limit_exceeded") }]);
    const err = (await rejection(providerFor(server).chat(request))) as NodeError;
    expect(err.errorClass).toBe("rate_limited");
    expect(err.retryAfterMs).toBeGreaterThan(25_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it.each([
    [500, "retryable"],
    [503, "retryable"],
    [401, "auth"],
    [403, "auth"],
    [408, "timeout"],
    [400, "permanent"],
    [404, "permanent"],
  ] as const)("maps HTTP %i to %s", async (status, errorClass) => {
    const server = await serve([{ status, body: errorBody(`status ${status} from test`, "test_error") }]);
    const err = await rejection(providerFor(server).chat(request));
    expect(err).toBeInstanceOf(NodeError);
    expect((err as NodeError).errorClass).toBe(errorClass);
    expect((err as NodeError).retryAfterMs).toBeUndefined();
    expect(server.requests).toHaveLength(1);
  });

  it("maps a refused connection to retryable", async () => {
    const server = await serve([]);
    const url = server.url;
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    const err = await rejection(openaiProvider({ baseURL: url, apiKey: "k", maxRetries: 0 }).chat(request));
    expect(err).toBeInstanceOf(NodeError);
    expect((err as NodeError).errorClass).toBe("retryable");
  });

  it("a response without choices is a retryable NodeError", async () => {
    const server = await serve([{ body: { ...completion({ content: "x" }), choices: [] } }]);
    const err = await rejection(providerFor(server).chat(request));
    expect(err).toBeInstanceOf(NodeError);
    expect((err as NodeError).errorClass).toBe("retryable");
  });
});

describe("openai provider: streaming (SSE)", () => {
  it("streams text deltas as they arrive and each tool call whole, and returns what the JSON reply would", async () => {
    const body = completion({
      content: "Let me check both accounts.",
      toolCalls: [
        { id: "call_a", name: "lookup_user", arguments: '{"email":"ada@bigco.com","verbose":true}' },
        { id: "call_b", name: "lookup_user", arguments: '{"email":"bob@x.org"}' },
      ],
      usage: { prompt_tokens: 30, completion_tokens: 9, completion_tokens_details: { reasoning_tokens: 2 } },
    });
    const server = await serve([{ body }, { body }]);
    const provider = providerFor(server);
    const rec = recorder();
    const streamed = await provider.chat({ model: "gpt-test", messages: [msg("u", "user", "hi")] }, rec.cb);
    expect(server.requests[0].body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const texts = rec.texts();
    expect(texts.length).toBeGreaterThan(3);
    expect(texts.join("")).toBe("Let me check both accounts.");
    // Arguments arrive in fragments on the wire; each call is passed on once, whole, in order.
    expect(rec.calls()).toEqual([
      { id: "call_a", name: "lookup_user", arguments: { email: "ada@bigco.com", verbose: true } },
      { id: "call_b", name: "lookup_user", arguments: { email: "bob@x.org" } },
    ]);
    expect(rec.seen.at(-1)?.kind).toBe("tool_call");
    const plain = await provider.chat({ model: "gpt-test", messages: [msg("u", "user", "hi")] });
    expect(streamed).toEqual(plain);
    expect(streamed.usage).toEqual({ inputTokens: 30, outputTokens: 9, reasoningTokens: 2 });
  });

  it("streamUsage: false omits stream_options (for servers that reject it); usage is then unknown (NaN: a budget charges the reservation, never 0)", async () => {
    const server = await serve([{ body: completion({ content: "ok" }) }]);
    const res = await providerFor(server, { streamUsage: false }).chat({ model: "gpt-test", messages: [msg("u", "user", "hi")] }, recorder().cb);
    expect(server.requests[0].body).not.toHaveProperty("stream_options");
    expect(res.message.content).toBe("ok");
    expect(res.usage).toEqual({ inputTokens: NaN, outputTokens: NaN });
  });

  it("a stream that ends without any choice is a retryable NodeError", async () => {
    const server = await serve([{ sse: ["[DONE]"] }]);
    const err = await rejection(providerFor(server).chat({ model: "gpt-test", messages: [msg("u", "user", "hi")] }, recorder().cb));
    expect((err as NodeError).errorClass).toBe("retryable");
  });
});

describe("openai provider: abort", () => {
  it("rejects promptly when the signal aborts while the server delays", async () => {
    const server = await serve([{ delayMs: 60_000, body: completion({ content: "too late" }) }]);
    const controller = new AbortController();
    const t0 = Date.now();
    // Abort once the server holds the request (a fixed 50 ms could fire before a loaded
    // machine sent it); it would answer only after a minute, so settling at all is prompt.
    void abortOnArrival(server, controller);
    const err = await rejection(providerFor(server).chat(request(), { signal: controller.signal }));
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThan(10_000);
    expect(err).toBeInstanceOf(OpenAI.APIUserAbortError);
    // Not a NodeError: an abort must not be classified as something to retry.
    expect(err).not.toBeInstanceOf(NodeError);
    expect(server.requests).toHaveLength(1);
    await expect.poll(() => server.aborted.length, { timeout: 15_000 }).toBe(1);
  });

  it("does not send a request when the signal is already aborted", async () => {
    const server = await serve([{ body: completion({ content: "x" }) }]);
    const err = await rejection(providerFor(server).chat(request(), { signal: AbortSignal.abort() }));
    expect(err).toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(server.requests).toHaveLength(0);
  });

  it("cancelling a run aborts the in-flight model request and does not retry it", async () => {
    const server = await serve([{ delayMs: 60_000, body: completion({ content: "too late" }) }]);
    const registry = standardRegistry();
    registry.registerModel("default", { provider: providerFor(server), modelId: "gpt-test" });
    // `retry: 3` would retry a retryable failure; a cancellation must not be retried.
    const source = 'graph g {\n  start ask\n  defaults {\n    retry: 3\n  }\n  node ask {\n    kind model\n    model "default"\n  }\n}\n';
    const compiled = compileGraph(source, { registry: registry.view() });
    expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const controller = new AbortController();
    const t0 = Date.now();
    void abortOnArrival(server, controller);
    const err = await rejection(new CompiledGraph(compiled.value!, { registry }).invoke({ question: "q" }, { signal: controller.signal }));
    expect(Date.now() - t0).toBeLessThan(10_000);
    // The spec (runtime.md §5) asks for the in-flight HTTP request to be aborted; the
    // run's error is a cancellation (CancelledError, or a NodeError of class `cancelled`).
    expect(err).toBeInstanceOf(RagError);
    expect(classifyError(err)).toBe("cancelled");
    await expect.poll(() => server.aborted.length, { timeout: 15_000 }).toBe(1);
    expect(server.requests).toHaveLength(1);
  });

  /** Aborts `controller` once `server` has received a request (polled; gives up after 15 s). */
  async function abortOnArrival(server: { requests: readonly unknown[] }, controller: AbortController): Promise<void> {
    const end = Date.now() + 15_000;
    while (server.requests.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
  }

  function request(): ChatRequest {
    return { model: "gpt-test", messages: [{ id: "u", role: "user", content: "hi" }] };
  }
});

describe("openai provider: end to end through the runtime", () => {
  const SUPPORT_AGENT = `
graph support_agent {
  start agent

  defaults {
    recursion_limit: 20
  }

  state {
    messages: messages
  }

  node agent {
    kind agent
    model "default"
    system "You are a concise support agent. Look the customer up before answering."
    tools ["lookup_user"]
    routes {
      tool_call -> tools
      final -> END
    }
  }

  node tools {
    kind tool_executor
    tools ["lookup_user"]
    next agent
  }
}
`;

  it("runs agent ⇄ tool_executor: tool call, tool result, final answer", async () => {
    const FINAL = "You are on the enterprise plan; I have reset your API key.";
    const server = await serve([
      { body: completion({ toolCalls: [{ id: "call_lookup_1", name: "lookup_user", arguments: '{"email":"ada@bigco.com"}' }], usage: { prompt_tokens: 50, completion_tokens: 12 } }) },
      { body: completion({ content: FINAL, usage: { prompt_tokens: 80, completion_tokens: 15 } }) },
    ]);
    const registry = standardRegistry();
    registry.registerModel("default", { provider: openaiProvider({ baseURL: server.url, apiKey: "test", maxRetries: 0 }), modelId: "gpt-test" });
    const calls: { args: unknown; callId: string | undefined }[] = [];
    registry.registerTool(
      "lookup_user",
      tool({
        description: "Look up a customer by email.",
        schema: z.object({ email: z.string() }),
        readOnly: true,
        run: (args, ctx) => {
          calls.push({ args, callId: ctx.callId });
          return { email: args.email, plan: "enterprise", tickets: 2 };
        },
      }),
    );

    const compiled = compileGraph(SUPPORT_AGENT, { registry: registry.view() });
    expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(compiled.value).toBeDefined();
    const result = await new CompiledGraph(compiled.value!, { registry }).invoke({ question: "Hi, I'm ada@bigco.com and my API key stopped working." });

    // The tool ran exactly once, with the parsed arguments and the model's call id.
    expect(calls).toEqual([{ args: { email: "ada@bigco.com" }, callId: "call_lookup_1" }]);

    // Two model requests, both for the registered model id, both offering the tool.
    expect(server.requests).toHaveLength(2);
    const [first, second] = server.requests.map((r) => r.body);
    for (const b of [first, second]) {
      expect(b.model).toBe("gpt-test");
      expect(b.tools).toEqual([
        {
          type: "function",
          function: {
            name: "lookup_user",
            description: "Look up a customer by email.",
            parameters: expect.objectContaining({ type: "object", properties: { email: { type: "string" } }, required: ["email"] }),
          },
        },
      ]);
    }
    expect(first.messages).toEqual([
      { role: "system", content: "You are a concise support agent. Look the customer up before answering." },
      { role: "user", content: "Hi, I'm ada@bigco.com and my API key stopped working." },
    ]);

    // The second request replays the conversation: system, user, assistant tool call, tool result.
    expect(second.messages).toHaveLength(4);
    expect(second.messages.slice(0, 2)).toEqual(first.messages);
    const assistant = second.messages[2];
    expect(assistant.role).toBe("assistant");
    expect(assistant.tool_calls).toHaveLength(1);
    expect(assistant.tool_calls[0]).toMatchObject({ id: "call_lookup_1", type: "function", function: { name: "lookup_user" } });
    expect(JSON.parse(assistant.tool_calls[0].function.arguments)).toEqual({ email: "ada@bigco.com" });
    const toolMsg = second.messages[3];
    expect(toolMsg).toMatchObject({ role: "tool", tool_call_id: "call_lookup_1" });
    expect(JSON.parse(toolMsg.content)).toEqual({ email: "ada@bigco.com", plan: "enterprise", tickets: 2 });

    // Final state: user, assistant (tool call), tool, assistant (answer); output is the answer.
    const messages = result.state.messages as ChatMessage[];
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant"]);
    expect(messages[1].toolCalls).toEqual([{ id: "call_lookup_1", name: "lookup_user", arguments: { email: "ada@bigco.com" } }]);
    expect(messages[2]).toMatchObject({ role: "tool", toolCallId: "call_lookup_1", name: "lookup_user" });
    expect(messages[3].content).toBe(FINAL);
    expect(result.output).toBe(FINAL);
  });

  it("an agent node with `output` sends response_format json_schema and validates the reply", async () => {
    const server = await serve([{ body: completion({ content: '{"verdict":"ok","confidence":0.75}' }) }]);
    const registry = standardRegistry();
    registry.registerModel("default", { provider: providerFor(server), modelId: "gpt-test" });
    const source = `
graph judge {
  start grade
  node grade {
    kind agent
    model "default"
    output { verdict: string, confidence: number }
  }
}
`;
    const compiled = compileGraph(source, { registry: registry.view() });
    expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const result = await new CompiledGraph(compiled.value!, { registry }).invoke({ question: "Is it ok?" });
    const rf = server.requests[0].body.response_format;
    expect(rf.type).toBe("json_schema");
    expect(rf.json_schema.name).toBe("grade_output");
    expect(rf.json_schema.schema).toMatchObject({ type: "object", properties: { verdict: { type: "string" }, confidence: { type: "number" } } });
    expect(result.output).toEqual({ verdict: "ok", confidence: 0.75 });
  });
});
