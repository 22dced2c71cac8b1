/**
 * Node policies in the harness, through real runs: budgets (tokens and USD, per run and
 * per node, checked before a call and reconciled after), the response cache (per-node
 * `cache` policy, `task_cached` events, shared by fan-out branches with one provider
 * call in flight), output validators (`validate [...]`: pass, reject, filter), and
 * structured output that fails its schema (permanent: never retried).
 */
import { describe, expect, it } from "vitest";
import { ConfigError, type BudgetConfig, type ChatRequest, type ContentPart, type MiddlewareConfig, type OutputValidator, type RagConfig } from "../../registry/index.js";
import type { RunEvent } from "../../runtime/index.js";
import { attachmentTokens, budgetMiddleware, cachePolicy, FILE_PART_TOKENS, IMAGE_PART_TOKENS, MemoryCacheStore, registryFromConfig, requestKey, scripted, type ScriptedOptions, type ScriptedProvider } from "../../stdlib/index.js";
import { buildGraph, eventsOf } from "../helpers/run-graph.js";

type Ev<T extends RunEvent["type"]> = Extract<RunEvent, { type: T }>;
const ofType = <T extends RunEvent["type"]>(events: readonly RunEvent[], type: T) => events.filter((e): e is Ev<T> => e.type === type);

function setup(script: ScriptedOptions, middleware: MiddlewareConfig = {}, extra: Partial<RagConfig> = {}): { provider: ScriptedProvider; config: RagConfig } {
  const provider = scripted(script);
  return { provider, config: { models: { m: { provider, capabilities: { structuredOutput: true } }, ...extra.models }, middleware: { retry: false, ...middleware }, ...extra } };
}

async function run(source: string, config: RagConfig, input: Record<string, unknown> = { q: "hello" }) {
  const registry = registryFromConfig(config);
  const events = await eventsOf(buildGraph(source, { registry }).graph, input);
  return { events, last: events.at(-1) as RunEvent & Record<string, any>, registry };
}

const oneNode = (items = "", defaults = "") => `graph g {\n  start ask\n  ${defaults}\n  node ask {\n    kind model\n    model "m"\n    prompt "{{ input.q }}"\n    ${items}\n  }\n}\n`;

describe("budget", () => {
  it("a run token budget refuses a call whose estimate does not fit, before the provider sees it", async () => {
    const { provider, config } = setup({ rules: [{ reply: "never" }] });
    const { last } = await run(oneNode("", "defaults {\n    budget { tokens: 100 }\n  }"), config, { q: "x".repeat(2000) });
    expect(last.type).toBe("run_failed");
    expect(last.error).toMatchObject({ errorClass: "budget_exceeded", node: "ask" });
    expect(last.error.message).toMatch(/budget exceeded: a call of node `ask` \(estimated \d+ tokens\) would bring the run's budget to \d+ tokens of 100/);
    expect(provider.requests).toHaveLength(0);
  });

  it("reconciles after the call: real usage beyond the limit fails the task, and the usage is recorded", async () => {
    const { config } = setup({ rules: [{ reply: { text: "long", usage: { inputTokens: 5_000, outputTokens: 10 } } }] });
    const budget = budgetMiddleware({ run: { tokens: 1_000 } });
    const { last, events } = await run(oneNode(), { ...config, middleware: { retry: false, custom: [budget], budget: {} } });
    expect(last.type).toBe("run_failed");
    expect(last.error.errorClass).toBe("budget_exceeded");
    expect(last.error.message).toMatch(/a call of node `ask` \(5010 tokens\) brought the run's budget to 5010 tokens of 1000/);
    expect(budget.usage(events[0].rootRunId)).toEqual({ tokens: 5010, usd: 0, nodes: { ask: { tokens: 5010, usd: 0 } } });
  });

  it("per-node limits from the config apply to the named node only", async () => {
    const two = `graph g {\n  start a\n  node a {\n    kind model\n    model "m"\n    prompt "one"\n    next b\n  }\n  node b {\n    kind model\n    model "m"\n    prompt "two"\n  }\n}\n`;
    const { provider, config } = setup({ rules: [{ reply: { text: "ok", usage: { inputTokens: 40, outputTokens: 10 } } }] }, { budget: { nodes: { b: { tokens: 20 } }, expectedOutputTokens: 5 } });
    const { last } = await run(two, config);
    expect(last.type).toBe("run_failed");
    expect(last.error).toMatchObject({ errorClass: "budget_exceeded", node: "b" });
    expect(last.error.message).toMatch(/budget of node `b`/);
    expect(provider.requests.map((r) => r.metadata?.node)).toEqual(["a", "b"]);
  });

  it("the graph's `defaults { budget { per_node { … } } }` limits each node; the stricter of graph and config applies", async () => {
    const { provider, config } = setup({ rules: [{ reply: { text: "ok", usage: { inputTokens: 30, outputTokens: 30 } } }] }, { budget: { node: { tokens: 10_000 }, expectedOutputTokens: 5 } });
    const { last } = await run(oneNode("", "defaults {\n    budget { per_node { tokens: 50 } }\n  }"), config);
    expect(last.type).toBe("run_failed");
    expect(last.error.message).toMatch(/brought the budget of node `ask` to 60 tokens of 50/);
    expect(provider.requests).toHaveLength(1);
  });

  it("USD: cost comes from the model's price; a USD budget on a model without a price fails closed", async () => {
    const priced = setup({ rules: [{ reply: { text: "ok", usage: { inputTokens: 1_000_000, outputTokens: 100_000, cachedTokens: 500_000 } } }] }, { budget: { run: { usd: 1 } } }, {});
    const withPrice: RagConfig = { ...priced.config, models: { m: { provider: priced.provider, price: { inputPerMTok: 1, cachedInputPerMTok: 0.1, outputPerMTok: 4 } } } };
    const a = await run(oneNode(), withPrice);
    const completed = ofType(a.events, "model_completed")[0];
    // 500k uncached × $1 + 500k cached × $0.10 + 100k × $4 per million = $0.95
    expect(completed.usage.costUsd).toBeCloseTo(0.95, 10);
    expect(a.last.type).toBe("run_completed");

    const b = await run(oneNode(), setup({ rules: [{ reply: "ok" }] }, { budget: { run: { usd: 1 } } }).config);
    expect(b.last.type).toBe("run_failed");
    expect(b.last.error.errorClass).toBe("permanent");
    expect(b.last.error.message).toMatch(/USD budget applies to node `ask`, but model `m` has no price: declare `price`/);
  });

  it("the constructor refuses limits that are not counts or keys it does not know, naming the key (a bad figure switched the limit off)", () => {
    const refused = (config: unknown) => {
      try {
        budgetMiddleware(config as BudgetConfig);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      return "accepted";
    };
    expect(refused({ run: { tokens: -1 } })).toMatch(/^`middleware\.budget\.run\.tokens`: /);
    expect(refused({ run: { tokens: "lots" } })).toMatch(/`middleware\.budget\.run\.tokens`: expected number, got string "lots"/);
    expect(refused({ node: { usd: Number.NaN } })).toMatch(/`middleware\.budget\.node\.usd`/);
    expect(refused({ nodes: { ask: { tokns: 10 } } })).toMatch(/`middleware\.budget\.nodes\.ask\.tokns`: unknown key; did you mean `tokens`\?/);
    expect(refused({ expectedOutputTokens: 0 })).toMatch(/`middleware\.budget\.expectedOutputTokens`/);
    expect(refused({ runn: { tokens: 5 } })).toMatch(/`middleware\.budget\.runn`: unknown key; did you mean `run`\?/);
    expect(refused({ run: { tokens: 0 }, nodes: { ask: { usd: 0.5 } }, expectedOutputTokens: 100 })).toBe("accepted");
    expect(refused(undefined)).toBe("accepted");
  });

  it("attachments count in the estimate before the call: three images (~1,600 tokens each) do not fit 4,000 tokens, two do", async () => {
    const png = { data: Buffer.from("\x89PNG fake").toString("base64"), media_type: "image/png" };
    const src = (n: number) => oneNode(`attach {\n      image: [${Array.from({ length: n }, () => "state.photo").join(", ")}]\n    }`, "state {\n    photo: any\n  }\n  defaults {\n    budget { tokens: 4000 }\n  }");
    const three = setup({ rules: [{ reply: { text: "ok", usage: { inputTokens: 1, outputTokens: 1 } } }] });
    const a = await run(src(3), three.config, { photo: png });
    expect(a.last.type).toBe("run_failed");
    expect(a.last.error.message).toMatch(/budget exceeded: a call of node `ask` \(estimated (\d+) tokens\) would bring the run's budget to \d+ tokens of 4000/);
    expect(Number(/estimated (\d+)/.exec(a.last.error.message)![1])).toBeGreaterThanOrEqual(3 * 1_600);
    expect(three.provider.requests).toHaveLength(0);
    const two = setup({ rules: [{ reply: { text: "ok", usage: { inputTokens: 1, outputTokens: 1 } } }] });
    const b = await run(src(2), two.config, { photo: png });
    expect(b.last.type).toBe("run_completed");
    expect(two.provider.requests[0]!.messages.at(-1)!.parts).toHaveLength(2);
  });

  it("a text file attached inline is estimated at its size (4 bytes per token), a PDF at a page's 3,000 tokens", () => {
    const msg = (parts: ContentPart[]): ChatRequest => ({ model: "m", messages: [{ id: "u", role: "user", content: "", parts }] });
    const text = Buffer.from("x".repeat(40_000)).toString("base64");
    expect(attachmentTokens(msg([{ kind: "file", data: text, mediaType: "text/plain" }]))).toBe(10_000);
    expect(attachmentTokens(msg([{ kind: "file", data: text, mediaType: "application/pdf" }]))).toBe(FILE_PART_TOKENS);
    expect(attachmentTokens(msg([{ kind: "image", url: "https://example.com/a.png" }, { kind: "file", url: "https://example.com/a.pdf" }]))).toBe(IMAGE_PART_TOKENS + FILE_PART_TOKENS);
  });

  it("fan-out branches reserve their estimates: with room for two, the third concurrent call is refused", async () => {
    const source = `graph g {\n  start fan\n  channel out append\n  node fan {\n    kind set\n    send [work { item: x } for x in [1, 2, 3] -> out]\n  }\n  node work {\n    kind model\n    model "m"\n    prompt "item {{ args.item }}"\n    optional true\n  }\n}\n`;
    const { provider, config } = setup({ rules: [{ reply: { text: "done", usage: { inputTokens: 1, outputTokens: 1 } } }], latencyMs: 20 }, { budget: { run: { tokens: 200 }, expectedOutputTokens: 90 } });
    const { events } = await run(source, config);
    const failed = ofType(events, "task_failed");
    expect(failed).toHaveLength(1);
    expect(failed[0].error.errorClass).toBe("budget_exceeded");
    expect(provider.requests).toHaveLength(2);
  });
});

describe("response cache", () => {
  it("a node with `cache true`: the second identical call is a hit — no provider call, a task_cached event, zero cost", async () => {
    const { provider, config } = setup({ rules: [{ reply: "cached answer" }] }, {}, {});
    const registry = registryFromConfig({ ...config, models: { m: { provider, price: { inputPerMTok: 1, outputPerMTok: 1 } } } });
    const graph = buildGraph(oneNode("cache true"), { registry }).graph;
    const first = await eventsOf(graph, { q: "same" });
    const second = await eventsOf(graph, { q: "same" });
    expect(provider.requests).toHaveLength(1);
    expect(ofType(first, "task_cached")).toHaveLength(0);
    const hit = ofType(second, "task_cached");
    expect(hit).toHaveLength(1);
    expect(hit[0]).toMatchObject({ node: "ask", model: "m", key: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    const completed = ofType(second, "model_completed")[0];
    expect(completed.cached).toBe(true);
    expect(completed.usage.costUsd).toBe(0);
    expect((second.at(-1) as Ev<"run_completed">).output).toBe("cached answer");
    // A different question is a different address.
    await eventsOf(graph, { q: "other" });
    expect(provider.requests).toHaveLength(2);
  });

  it("nodes without a cache policy are never cached; `defaults { cache: true }` turns it on graph-wide; `cache false` on a node wins", async () => {
    const { provider, config } = setup({ rules: [{ reply: "x" }] });
    const registry = registryFromConfig(config);
    const plain = buildGraph(oneNode(), { registry }).graph;
    await eventsOf(plain);
    await eventsOf(plain);
    expect(provider.requests).toHaveLength(2);
    const graphWide = buildGraph(oneNode("", "defaults {\n    cache: true\n  }"), { registry }).graph;
    await eventsOf(graphWide);
    await eventsOf(graphWide);
    expect(provider.requests).toHaveLength(3);
    const optedOut = buildGraph(oneNode("cache false", "defaults {\n    cache: true\n  }"), { registry }).graph;
    await eventsOf(optedOut);
    expect(provider.requests).toHaveLength(4);
  });

  it("fan-out branches asking the same thing at once share one provider call", async () => {
    const source = `graph g {\n  start fan\n  channel out append\n  node fan {\n    kind set\n    send [work { item: x } for x in [1, 2, 3, 4] -> out]\n  }\n  node work {\n    kind model\n    model "m"\n    prompt "the same question"\n    cache true\n  }\n}\n`;
    const { provider, config } = setup({ rules: [{ reply: "shared" }], latencyMs: 30 });
    const { events, last } = await run(source, config);
    expect(last.type).toBe("run_completed");
    expect(last.state.out).toEqual(["shared", "shared", "shared", "shared"]);
    expect(provider.requests).toHaveLength(1);
    expect(ofType(events, "task_cached")).toHaveLength(3);
  });

  it("the policy's ttl comes from the node (`cache { ttl: 10m }`), else the graph's defaults", () => {
    const { blueprint } = buildGraph(oneNode("cache { ttl: 10m }"), { registry: registryFromConfig(setup({ rules: [] }).config) });
    const ctx = (node: (typeof blueprint.nodes)[number], defaults = blueprint.defaults) => ({ run: { runId: "r", rootRunId: "r", threadId: "t", graph: "g", namespace: "g", checkpointNs: "", depth: 0, step: 1 }, taskId: "1.0", node, defaults });
    const call = (c: ReturnType<typeof ctx>) => ({ model: {} as never, request: { model: "x", messages: [] }, context: c });
    expect(cachePolicy(call(ctx(blueprint.nodes[0])))).toEqual({ enabled: true, ttlMs: 600_000 });
    const plain = { ...blueprint.nodes[0], cache: undefined };
    expect(cachePolicy(call(ctx(plain, { cache: { ttl: 5_000 } })))).toEqual({ enabled: true, ttlMs: 5_000 });
    expect(cachePolicy(call(ctx(plain)))).toEqual({ enabled: false });
    expect(cachePolicy({ model: {} as never, request: { model: "x", messages: [] } })).toEqual({ enabled: false });
  });

  it("entries expire after their ttl; the key ignores ids and metadata but not content", () => {
    let now = 0;
    const store = new MemoryCacheStore(2, () => now);
    const res = { message: { content: "a" }, usage: { inputTokens: 1, outputTokens: 1 }, finishReason: "stop" };
    store.set("k", res, 1000);
    now = 999;
    expect(store.get("k")).toBe(res);
    now = 1000;
    expect(store.get("k")).toBeUndefined();
    store.set("a", res, undefined);
    store.set("b", res, undefined);
    store.get("a");
    store.set("c", res, undefined);
    expect([store.get("a"), store.get("b"), store.get("c")].map(Boolean)).toEqual([true, false, true]);

    const base = { model: "gpt", messages: [{ id: "m1", role: "user" as const, content: "hi", name: "n" }], metadata: { node: "a", runId: "r1" } };
    expect(requestKey(base)).toBe(requestKey({ ...base, messages: [{ id: "other", role: "user", content: "hi" }], metadata: { node: "b", runId: "r2" } }));
    expect(requestKey(base)).not.toBe(requestKey({ ...base, messages: [{ id: "m1", role: "user", content: "hi!" }] }));
    expect(requestKey(base)).not.toBe(requestKey({ ...base, temperature: 0.5 }));
    expect(requestKey(base, "openai")).not.toBe(requestKey(base, "anthropic"));
  });
});

describe("output validators", () => {
  const validators: Record<string, OutputValidator> = {
    no_secrets: (text) => (text.includes("sk-") ? { reject: "the reply contains an API key" } : { pass: true }),
    redact_emails: (text) => ({ filter: text.replace(/[\w.]+@[\w.]+/g, "[email]") }),
    shout: async (text) => ({ filter: text.toUpperCase() }),
  };

  it("filters replace the text in order; the result and the conversation carry the filtered text", async () => {
    const { config } = setup({ rules: [{ reply: "Write to ada@x.org today." }] }, {}, { validators });
    const source = `graph g {\n  start ask\n  state {\n    messages: messages\n  }\n  node ask {\n    kind model\n    model "m"\n    prompt "contact?"\n    validate ["no_secrets", "redact_emails", "shout"]\n  }\n}\n`;
    const { last, events } = await run(source, config);
    expect(last.type).toBe("run_completed");
    expect(last.output).toBe("WRITE TO [EMAIL] TODAY.");
    expect(last.state.messages.at(-1).content).toBe("WRITE TO [EMAIL] TODAY.");
    // Tokens streamed to consumers are the validated text only.
    const tokens = ofType(events, "model_token").map((e) => e.delta).join("");
    expect(tokens).toBe("WRITE TO [EMAIL] TODAY.");
  });

  it("a reject fails the task with a permanent error naming the validator and the reason; it is not retried", async () => {
    const { provider, config } = setup({ rules: [{ reply: "your key is sk-123" }] }, {}, { validators });
    const { last, events } = await run(oneNode('validate ["no_secrets"]\n    retry { max_attempts: 3, initial: 1ms }'), config);
    expect(last.type).toBe("run_failed");
    expect(last.error).toMatchObject({ errorClass: "permanent", node: "ask" });
    expect(last.error.message).toBe("validator `no_secrets` rejected the output of node `ask`: the reply contains an API key");
    expect(ofType(events, "task_retried")).toHaveLength(0);
    expect(provider.requests).toHaveLength(1);
  });

  it("structured output: a reply that does not match the schema is a `validation` error, not retried", async () => {
    const { provider, config } = setup({ rules: [{ reply: { json: { verdict: 3 } } }] });
    const { last, events } = await run(oneNode("output { verdict: string }", "defaults {\n    retry: 3\n  }"), config);
    expect(last.type).toBe("run_failed");
    expect(last.error.errorClass).toBe("validation");
    expect(last.error.message).toMatch(/does not match the `output` schema/);
    expect(ofType(events, "task_retried")).toHaveLength(0);
    expect(provider.requests).toHaveLength(1);
  });
});

describe("registry errors from the harness", () => {
  it("calls outside a run (no context) skip node policies but still go through the chain", async () => {
    const provider = scripted({ rules: [{ reply: "direct" }] });
    const registry = registryFromConfig({ models: { m: { provider, price: { inputPerMTok: 2, outputPerMTok: 2 } } } });
    const res = await registry.chat("m", { messages: [{ id: "u", role: "user", content: "hi" }] });
    expect(res.message.content).toBe("direct");
    expect(res.usage.costUsd).toBeGreaterThan(0);
    await expect(registry.chat("nope", { messages: [] })).rejects.toThrow("model `nope` is not registered");
  });
});
