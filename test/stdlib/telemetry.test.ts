/**
 * OpenTelemetry spans with the in-memory exporter of the OpenTelemetry SDK: run → step
 * → task → model call / tool call, nested by parent span ids, with GenAI
 * semantic-convention attributes; a no-op until an SDK is registered.
 */
import { trace, SpanStatusCode } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { tool } from "../../registry/index.js";
import { MemoryCheckpointer } from "../../runtime/index.js";
import { eventObserver, registryFromConfig, scripted } from "../../stdlib/index.js";
import { openaiProvider } from "../../stdlib/providers/openai.js";
import { completion, startOpenAIServer, type OpenAIServer } from "../helpers/openai-server.js";
import { buildGraph } from "../helpers/run-graph.js";

const servers: OpenAIServer[] = [];
afterEach(async () => {
  trace.disable();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function sdk() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, provider };
}

const SUPPORT = `graph support {\n  start agent\n  state {\n    messages: messages\n  }\n  node agent {\n    kind agent\n    model "gpt"\n    tools ["lookup"]\n    routes {\n      tool_call -> tools\n      final -> END\n    }\n  }\n  node tools {\n    kind tool_executor\n    tools ["lookup"]\n    next agent\n  }\n}\n`;
const lookup = tool({ description: "Find a customer.", schema: z.object({ email: z.string() }), readOnly: true, run: () => ({ plan: "pro" }) });

const byName = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);
const parentOf = (spans: ReadableSpan[], s: ReadableSpan) => spans.find((p) => p.spanContext().spanId === s.parentSpanContext?.spanId);

describe("OpenTelemetry spans", () => {
  it("run → step → task → chat / execute_tool, with GenAI attributes, through the real openai SDK", async () => {
    const server = await startOpenAIServer([
      { body: completion({ toolCalls: [{ id: "call_7", name: "lookup", arguments: '{"email":"ada@x.org"}' }], usage: { prompt_tokens: 50, completion_tokens: 12, prompt_tokens_details: { cached_tokens: 10 } } }) },
      { body: completion({ content: "Pro plan.", model: "gpt-test-2025", usage: { prompt_tokens: 80, completion_tokens: 4 } }) },
    ]);
    servers.push(server);
    const { exporter, provider } = sdk();
    const registry = registryFromConfig({
      models: { gpt: { provider: openaiProvider({ baseURL: server.url, apiKey: "k" }), model: "gpt-test", price: { inputPerMTok: 1, outputPerMTok: 2 } } },
      tools: { lookup },
      middleware: { telemetry: { tracer: provider.getTracer("test") } },
    });
    const onEvent = eventObserver(registry)!;
    expect(onEvent).toBeTypeOf("function");
    const result = await buildGraph(SUPPORT, { registry }).graph.invoke({ q: "ada@x.org?" }, { onEvent });
    expect(result.output).toBe("Pro plan.");
    const spans = exporter.getFinishedSpans();

    const [run] = byName(spans, "run support");
    expect(run.parentSpanContext).toBeUndefined();
    expect(run.attributes).toMatchObject({ "ragraph.graph": "support", "ragraph.run_id": result.runId, "gen_ai.conversation.id": result.threadId, "ragraph.steps": 3 });
    const steps = spans.filter((s) => s.name.startsWith("step "));
    expect(steps.map((s) => s.name).sort()).toEqual(["step 1", "step 2", "step 3"]);
    for (const s of steps) expect(parentOf(spans, s)).toBe(run);
    const tasks = spans.filter((s) => s.name.startsWith("task "));
    expect(tasks.map((s) => s.name)).toEqual(["task agent", "task tools", "task agent"]);
    for (const t of tasks) expect(parentOf(spans, t)?.name).toMatch(/^step /);
    expect(tasks[0].attributes).toMatchObject({ "ragraph.kind": "agent", "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "agent" });

    const chats = byName(spans, "chat gpt-test");
    expect(chats).toHaveLength(2);
    expect(parentOf(spans, chats[0])).toBe(tasks[0]);
    expect(parentOf(spans, chats[1])).toBe(tasks[2]);
    expect(chats[0].kind).toBe(2); // SpanKind.CLIENT
    expect(chats[0].attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.system": "openai",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "gpt-test",
      "gen_ai.response.model": "gpt-test",
      "gen_ai.response.finish_reasons": ["tool_calls"],
      "gen_ai.usage.input_tokens": 50,
      "gen_ai.usage.output_tokens": 12,
      "ragraph.usage.cached_tokens": 10,
      "ragraph.node": "agent",
      "ragraph.cache_hit": false,
      "gen_ai.conversation.id": result.threadId,
    });
    expect(chats[0].attributes["gen_ai.response.id"]).toMatch(/^chatcmpl-/);
    expect(chats[0].attributes["ragraph.cost_usd"]).toBeCloseTo((50 * 1 + 12 * 2) / 1e6, 12);
    expect(chats[1].attributes["gen_ai.response.model"]).toBe("gpt-test-2025");

    const [toolSpan] = byName(spans, "execute_tool lookup");
    expect(parentOf(spans, toolSpan)).toBe(tasks[1]);
    expect(toolSpan.attributes).toMatchObject({ "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "lookup", "gen_ai.tool.call.id": "call_7", "gen_ai.tool.type": "function" });
    // Every span is in one trace and ended.
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    expect(spans.every((s) => s.ended)).toBe(true);
  });

  it("a failing run marks its task and run spans as errors, and a child run nests under the task that started it", async () => {
    const { exporter, provider } = sdk();
    const registry = registryFromConfig({
      models: { m: { provider: scripted({ rules: [{ when: { node: "inner" }, reply: "inner ok" }] }) } },
      middleware: { telemetry: { tracer: provider.getTracer("test") }, retry: false },
    });
    const source = `graph outer {\n  start sub\n  node sub {\n    kind subgraph\n    graph "child"\n    next bad\n  }\n  node bad {\n    kind model\n    model "m"\n  }\n}\ngraph child {\n  start inner\n  node inner {\n    kind model\n    model "m"\n  }\n}\n`;
    const { graph } = buildGraph(source, { registry, graph: "outer" });
    await expect(graph.invoke({ q: "x" }, { onEvent: eventObserver(registry)! })).rejects.toThrow(/no reply for node `bad`/);
    const spans = exporter.getFinishedSpans();
    const [outer] = byName(spans, "run outer");
    const [child] = byName(spans, "run child");
    const [subTask] = byName(spans, "task sub");
    expect(parentOf(spans, child)).toBe(subTask);
    expect(parentOf(spans, byName(spans, "chat m")[0])?.name).toBe("task inner");
    const [badTask] = byName(spans, "task bad");
    expect(badTask.status.code).toBe(SpanStatusCode.ERROR);
    expect(badTask.attributes["error.type"]).toBe("permanent");
    expect(outer.status.code).toBe(SpanStatusCode.ERROR);
    const failedChat = byName(spans, "chat m").find((s) => parentOf(spans, s) === badTask)!;
    expect(failedChat.status.code).toBe(SpanStatusCode.ERROR);
    expect(failedChat.events.map((e) => e.name)).toContain("exception");
    expect(spans.every((s) => s.ended)).toBe(true);
  });

  it("a run that pauses for a person ends all its spans; the resumed run is a new trace root", async () => {
    const { exporter, provider } = sdk();
    const registry = registryFromConfig({ middleware: { telemetry: { tracer: provider.getTracer("test") } } });
    const source = `graph g {\n  start ask\n  node ask {\n    kind interrupt\n    prompt "ok?"\n    options ["yes", "no"]\n    routes {\n      yes -> END\n      no -> END\n    }\n  }\n}\n`;
    const { graph } = buildGraph(source, { registry, checkpointer: new MemoryCheckpointer() });
    const onEvent = eventObserver(registry)!;
    expect((await graph.invoke({}, { threadId: "t", onEvent })).status).toBe("interrupted");
    const paused = exporter.getFinishedSpans();
    expect(paused.map((s) => s.name).sort()).toEqual(["run g", "step 1", "task ask"]);
    expect(byName(paused, "run g")[0].attributes["ragraph.interrupted"]).toBe(true);
    expect((await graph.resume("t", { value: "yes" }, { onEvent })).status).toBe("completed");
    expect(byName(exporter.getFinishedSpans(), "run g")).toHaveLength(2);
    expect(exporter.getFinishedSpans().every((s) => s.ended)).toBe(true);
  });

  it("is a no-op until an SDK is registered, then records through the global tracer provider", async () => {
    const registry = registryFromConfig({ models: { m: { provider: scripted({ rules: [{ reply: "hi" }] }) } } });
    const { graph } = buildGraph(`graph g {\n  start a\n  node a {\n    kind model\n    model "m"\n  }\n}\n`, { registry });
    const { exporter, provider } = sdk();
    await graph.invoke({ q: "x" }, { onEvent: eventObserver(registry)! });
    expect(exporter.getFinishedSpans()).toEqual([]);
    trace.setGlobalTracerProvider(provider);
    await graph.invoke({ q: "x" }, { onEvent: eventObserver(registry)! });
    expect(exporter.getFinishedSpans().map((s) => s.name).sort()).toEqual(["chat m", "run g", "step 1", "task a"]);
    expect(byName(exporter.getFinishedSpans(), "chat m")[0].instrumentationScope.name).toBe("ragraph");
  });

  it("telemetry: false leaves no observer and no telemetry layer", () => {
    const registry = registryFromConfig({ middleware: { telemetry: false } });
    expect(eventObserver(registry)).toBeUndefined();
    expect(registry.middleware.map((m) => m.name)).toEqual(["budget", "validate", "cache", "retry", "circuit_breaker"]);
    expect(registryFromConfig({ middleware: { rateLimit: { openai: { requestsPerMinute: 60 } } } }).middleware.map((m) => m.name)).toEqual(["telemetry", "budget", "validate", "cache", "retry", "rate_limit", "circuit_breaker"]);
  });
});
