/**
 * Record / replay: a run recorded through the real `openai` SDK against the loopback
 * server replays from the cassette file with the server gone and no key; a request that
 * was never recorded fails naming the node and the difference from the closest
 * recording.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { tool, type Registry } from "../../registry/index.js";
import type { RunEvent } from "../../runtime/index.js";
import { standardRegistry } from "../../stdlib/index.js";
import { Cassette, CassetteError, recordModels, replayModels } from "../../stdlib/providers/cassette.js";
import { openaiProvider } from "../../stdlib/providers/openai.js";
import { completion, startOpenAIServer, type OpenAIServer } from "../helpers/openai-server.js";
import { buildGraph, eventsOf } from "../helpers/run-graph.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const dir = scratchDir("rag-cassette-");
const servers: OpenAIServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const SUPPORT = `graph support {\n  start agent\n  state {\n    messages: messages\n  }\n  node agent {\n    kind agent\n    model "gpt"\n    system "Look the customer up first."\n    tools ["lookup"]\n    routes {\n      tool_call -> tools\n      final -> END\n    }\n  }\n  node tools {\n    kind tool_executor\n    tools ["lookup"]\n    next agent\n  }\n}\n`;

function registryFor(baseURL: string, apiKey?: string): { registry: Registry; lookups: unknown[] } {
  const registry = standardRegistry();
  registry.registerModel("gpt", { provider: openaiProvider({ baseURL, ...(apiKey ? { apiKey } : {}) }), modelId: "gpt-test" });
  const lookups: unknown[] = [];
  registry.registerTool("lookup", tool({ description: "Find a customer.", schema: z.object({ email: z.string() }), readOnly: true, run: (a) => (lookups.push(a), { plan: "pro" }) }));
  return { registry, lookups };
}

const outputOf = (events: RunEvent[]) => (events.at(-1) as { output?: unknown }).output;

describe("record / replay", () => {
  it("records a run's model calls through the real SDK and replays them with no network and no key", async () => {
    const server = await startOpenAIServer([
      { body: completion({ toolCalls: [{ id: "call_1", name: "lookup", arguments: '{"email":"ada@x.org"}' }], usage: { prompt_tokens: 20, completion_tokens: 5 } }) },
      { body: completion({ content: "You are on the pro plan.", usage: { prompt_tokens: 40, completion_tokens: 6 } }) },
    ]);
    servers.push(server);
    const rec = registryFor(server.url, "k");
    const cassette = new Cassette();
    recordModels(rec.registry, cassette);
    const recorded = await eventsOf(buildGraph(SUPPORT, { registry: rec.registry }).graph, { question: "ada@x.org: my plan?" });
    expect(outputOf(recorded)).toBe("You are on the pro plan.");
    expect(cassette.entries.map((e) => [e.model, e.provider, e.node])).toEqual([
      ["gpt", "openai", "agent"],
      ["gpt", "openai", "agent"],
    ]);
    const file = join(dir, "support.json");
    cassette.save(file);
    const url = server.url;
    await server.close();
    servers.splice(0);

    // Replay: the server is gone and there is no key; tools still run for real.
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      const rep = registryFor(url);
      replayModels(rep.registry, Cassette.load(file));
      const replayed = await eventsOf(buildGraph(SUPPORT, { registry: rep.registry }).graph, { question: "ada@x.org: my plan?" });
      expect(outputOf(replayed)).toBe("You are on the pro plan.");
      expect(rep.lookups).toEqual([{ email: "ada@x.org" }]);
      // Same usage as recorded; streamed tokens too (the replay provider streams like a real one).
      expect(replayed.filter((e) => e.type === "model_completed").map((e) => (e as { usage: { inputTokens: number } }).usage.inputTokens)).toEqual([20, 40]);
      expect(replayed.filter((e) => e.type === "model_token").length).toBeGreaterThan(3);
      expect(replayed.find((e) => e.type === "model_started")).toMatchObject({ provider: "replay" });
    } finally {
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    }
  });

  it("a request that was never recorded fails naming the node, the model and the closest recording's difference", async () => {
    const cassette = new Cassette([], "support.json");
    const fake = standardRegistry();
    fake.registerModel("gpt", { provider: { name: "openai", chat: async () => ({ message: { content: "hello" }, usage: { inputTokens: 1, outputTokens: 1 }, finishReason: "stop" }) }, modelId: "gpt-test" });
    recordModels(fake, cassette);
    const source = `graph g {\n  start ask\n  node ask {\n    kind model\n    model "gpt"\n    prompt "Capital of {{ input.country }}?"\n  }\n}\n`;
    await buildGraph(source, { registry: fake }).graph.invoke({ country: "France" });

    const replay = standardRegistry();
    replay.registerModel("gpt", { provider: openaiProvider({ apiKey: "unused" }), modelId: "gpt-test" });
    replay.registerModel("other", { provider: openaiProvider({ apiKey: "unused" }), modelId: "gpt-test" });
    replayModels(replay, cassette);
    const graph = buildGraph(source, { registry: replay }).graph;
    expect((await graph.invoke({ country: "France" })).output).toBe("hello");
    const err = await graph.invoke({ country: "Spain" }).catch((e: unknown) => e);
    expect(err).toMatchObject({ errorClass: "permanent", node: "ask" });
    expect((err as Error).message).toBe(
      'replay: support.json has no recorded reply for this request of node `ask` (model `gpt`); the closest recording (#1, node `ask`) differs at messages[0].content: recorded "Capital of France?", now "Capital of Spain?" — record again with --record',
    );
    const other = await buildGraph(source.replace('"gpt"', '"other"'), { registry: replay }).graph.invoke({ country: "France" }).catch((e: unknown) => e);
    expect((other as Error).message).toMatch(/has no recording for model `other` \(asked by node `ask`\); it holds `gpt`/);
  });

  it("identical requests get their recorded replies in order, then the last again", () => {
    const c = new Cassette();
    const req = { model: "m", messages: [{ id: "u", role: "user" as const, content: "roll a die" }], metadata: { node: "n" } };
    for (const n of ["3", "5"]) c.record("m", "openai", req, { message: { content: n }, usage: { inputTokens: 1, outputTokens: 1 }, finishReason: "stop" });
    expect([c.replay("m", req), c.replay("m", req), c.replay("m", req)].map((r) => r.message.content)).toEqual(["3", "5", "5"]);
  });

  it("loading reports a missing file, bad JSON and a foreign file clearly", () => {
    expect(() => Cassette.load(join(dir, "nope.json"))).toThrow(/cannot read cassette .*nope.json: no such file/);
    writeFileSync(join(dir, "bad.json"), "{");
    expect(() => Cassette.load(join(dir, "bad.json"))).toThrow(CassetteError);
    writeFileSync(join(dir, "foreign.json"), '{"interactions": []}');
    expect(() => Cassette.load(join(dir, "foreign.json"))).toThrow(/is not a ragraph cassette/);
  });
});
