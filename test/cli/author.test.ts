/**
 * `rag author` (issue 15 §4) against a loopback OpenAI-compatible server through the
 * official `openai` SDK: the scripted replies are a broken file first, then a fixed
 * one. The repair message carries `rag check`'s diagnostic, the result is written with
 * the `// rag:generated-by` pragma, the summary shows the bindings, the graph and
 * simulate's paths, the conversation is recorded to a cassette and replays with no
 * server. A simulate failure (a tool run without approval) also goes back to the model.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ragIn, root, scratchProject } from "../helpers/cli.js";
import { message, startAnthropicServer } from "../helpers/anthropic-server.js";
import { completion, startOpenAIServer, type OpenAIServer } from "../helpers/openai-server.js";

const config = (url: string) => `import { defineConfig, tool, z } from ${JSON.stringify(join(root, "index.ts"))};
export default defineConfig({
  models: { writer: { provider: "openai", model: "gpt-4o-mini", options: { baseURL: ${JSON.stringify(url)}, apiKey: "test-key" } } },
  tools: {
    lookup: tool({ description: "look up an order", schema: z.object({ order: z.string() }), readOnly: true, run: async () => "found" }),
    refund: tool({ description: "refund an order", schema: z.object({ order: z.string() }), approval: "ask", run: async () => "refunded" }),
  },
});
`;

const fenced = (src: string) => "Here is the file.\n```rag\n" + src + "```\n";
const broken = `graph refunds {
  start agent
  defaults { recursion_limit 24 }
  state { messages: messages }
  node agent {
    kind agent
    model "writer"
    tools ["lookup", "refund"]
    routes { tool_call -> tools  final -> END }
  }
  node tools { kind tool_executor tools ["lookup", "refund"] next publish_everything }
}
`;
const fixed = broken.replace("next publish_everything", "next agent");

let server: OpenAIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("rag author", () => {
  it("repairs a broken file with rag check's diagnostics, writes it with the pragma, records and replays the conversation", async () => {
    server = await startOpenAIServer([{ body: completion({ content: fenced(broken) }) }, { body: completion({ content: fenced(`// rag:assert approval ["refund"]\n${fixed}`) }) }]);
    const dir = scratchProject({ "rag.config.ts": config(server.url) });
    const r = await ragIn(["author", "Handle refund requests; a person approves every refund.", "--out", "refunds.rag", "--record", "author.json"], dir);
    expect(r.stderr).toContain("round 0: 1 error from rag check");
    expect(r.stderr).toContain("round 1: compiles and simulates clean");
    expect(r.code).toBe(0);

    // The model got the card with the registry's signatures and the task, then the diagnostic.
    expect(server.requests).toHaveLength(2);
    const first = server.requests[0].body.messages;
    expect(first[0].content).toContain("## What you may use");
    expect(first[0].content).toContain('tool "refund"(order: string) [mutating, approval ask]');
    expect(first[1].content).toContain("Handle refund requests");
    const repair = server.requests[1].body.messages.at(-1);
    expect(repair.role).toBe("user");
    expect(repair.content).toContain("error[E-rag-unknown-node]");
    expect(repair.content).toContain("publish_everything");

    const written = readFileSync(join(dir, "refunds.rag"), "utf8");
    expect(written).toMatch(/^\/\/ rag:generated-by model author=gpt-4o-mini at=\S+ note="rag author"\n\/\/ rag:assert approval \["refund"\]\ngraph refunds \{/);
    expect(written).toContain("next agent");

    expect(r.stdout).toContain("wrote refunds.rag (graph refunds, sha256:");
    expect(r.stdout).toContain("after 1 repair round; it has not run");
    expect(r.stdout).toContain("binds: models writer; tools lookup, refund");
    expect(r.stdout).toContain("graph (Mermaid):");
    expect(r.stdout).toContain("agent → tools: only the model's choice exits it");
    expect(r.stdout).toContain('✓ line 1: rag:assert approval ["refund"]');
    expect(r.stdout).toContain("rag approve refunds.rag");

    const cassette = JSON.parse(readFileSync(join(dir, "author.json"), "utf8"));
    expect(cassette.entries.map((e: { model: string; node: string }) => [e.model, e.node])).toEqual([["writer", "author"], ["writer", "author"]]);
    expect(cassette.entries[1].response.message.content).toContain("next agent");

    // Replay: the same conversation with the server gone.
    await server.close();
    server = undefined;
    const again = await ragIn(["author", "Handle refund requests; a person approves every refund.", "--out", "again.rag", "--replay", "author.json", "--json"], dir);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ file: "again.rag", ok: true, rounds: 1, graph: "refunds" });
  }, 60_000);

  it("sends simulate's violations back: a refund that runs without approval is repaired", async () => {
    const unapproved = `// rag:assert approval ["lookup"]\n${fixed}`;
    server = await startOpenAIServer([{ body: completion({ content: fenced(unapproved) }) }, { body: completion({ content: fenced(fixed) }) }]);
    const dir = scratchProject({ "rag.config.ts": config(server.url) });
    const r = await ragIn(["author", "Refunds", "--json"], dir);
    expect(r.code).toBe(0);
    expect(server.requests[1].body.messages.at(-1).content).toContain("`rag:assert approval [\"lookup\"]` is violated: tool `lookup` ran without an approval of that call");
    expect(JSON.parse(r.stdout)).toMatchObject({ file: "refunds.rag", ok: true, rounds: 1 });
  }, 60_000);

  // Valid and simulates clean, but `label` is read and nothing writes it.
  const unwritten = `graph triage {
  start classify
  input { text: string }
  state { text: string, label: string }
  node classify { kind model model "writer" prompt "Classify: {{ state.text }}" next answer }
  node answer { kind model model "writer" prompt "Answer a {{ state.label }} ticket: {{ state.text }}" next END }
}
`;

  it("sends rag check's warnings back once: a field nothing writes is repaired", async () => {
    const written = unwritten.replace('prompt "Classify: {{ state.text }}"', 'prompt "Classify: {{ state.text }}" writes { label: result }');
    server = await startOpenAIServer([{ body: completion({ content: fenced(unwritten) }) }, { body: completion({ content: fenced(written) }) }]);
    const dir = scratchProject({ "rag.config.ts": config(server.url) });
    const r = await ragIn(["author", "Triage tickets", "--json"], dir);
    expect(r.stderr).toContain("round 0: compiles and simulates clean (1 warning)");
    expect(r.code).toBe(0);
    expect(server.requests).toHaveLength(2);
    const repair = server.requests[1].body.messages.at(-1).content;
    expect(repair).toContain("warning[W-rag-state-never-written]: `state.label` is read here");
    expect(JSON.parse(r.stdout)).toMatchObject({ file: "triage.rag", ok: true, rounds: 1, warnings: [] });
    expect(readFileSync(join(dir, "triage.rag"), "utf8")).toContain("writes { label: result }");
  }, 60_000);

  it("asks about warnings only once and lists the ones left in the summary and the JSON", async () => {
    server = await startOpenAIServer([{ body: completion({ content: fenced(unwritten) }) }, { body: completion({ content: fenced(unwritten) }) }, { body: completion({ content: fenced(unwritten) }) }]);
    const dir = scratchProject({ "rag.config.ts": config(server.url) });
    const r = await ragIn(["author", "Triage tickets", "--out", "t.rag"], dir);
    expect(r.code).toBe(0);
    expect(server.requests).toHaveLength(2);
    expect(r.stdout).toContain("warnings (1) — check each before approving:");
    expect(r.stdout).toContain("t.rag:7:69 warning[W-rag-state-never-written] `state.label` is read here");
    const json = await ragIn(["author", "Triage tickets", "--out", "u.rag", "--rounds", "0", "--json"], dir);
    expect(JSON.parse(json.stdout).warnings).toEqual([{ code: "W-rag-state-never-written", message: expect.stringContaining("`state.label` is read here"), line: 7, column: 69 }]);
    expect(readFileSync(join(dir, "u.rag"), "utf8").split("\n")[6]).toContain("{{ state.label }}");
  }, 60_000);

  it("keeps the clean file when the warnings' repair breaks it", async () => {
    server = await startOpenAIServer([{ body: completion({ content: fenced(unwritten) }) }, { body: completion({ content: fenced(broken) }) }]);
    const dir = scratchProject({ "rag.config.ts": config(server.url) });
    const r = await ragIn(["author", "Triage tickets", "--rounds", "1", "--json"], dir);
    expect(r.stderr).toContain("the last repair broke the file: the earlier version that compiles and simulates clean is kept");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ file: "triage.rag", ok: true, graph: "triage", warnings: [{ code: "W-rag-state-never-written" }] });
  }, 60_000);

  it("gives up after --rounds, still writes the file, and exits 1", async () => {
    server = await startOpenAIServer([{ body: completion({ content: fenced(broken) }) }, { body: completion({ content: fenced(broken) }) }]);
    const dir = scratchProject({ "rag.config.ts": config(server.url) });
    const r = await ragIn(["author", "Refunds", "--rounds", "1", "--out", "x.rag"], dir);
    expect(r.code).toBe(1);
    expect(server.requests).toHaveLength(2);
    expect(r.stdout).toContain("NOT READY: it still does not compile");
    expect(readFileSync(join(dir, "x.rag"), "utf8")).toContain("publish_everything");
  });

  it("works through an anthropic model of the registry too (the official SDK to a loopback Messages API)", async () => {
    const anthropic = await startAnthropicServer([{ body: message({ text: fenced(broken) }) }, { body: message({ text: fenced(fixed) }) }]);
    try {
      const dir = scratchProject({ "rag.config.ts": config(server?.url ?? "http://127.0.0.1:9/v1").replace('models: { writer: { provider: "openai", model: "gpt-4o-mini", options: { baseURL:', `models: { claude: { provider: "anthropic", model: "claude-test", options: { baseURL: ${JSON.stringify(anthropic.url)}, apiKey: "test-key" } }, writer: { provider: "openai", model: "gpt-4o-mini", options: { baseURL:`) });
      const r = await ragIn(["author", "Refunds", "--model", "claude", "--out", "c.rag", "--json"], dir);
      expect(r.stderr).toContain("round 1: compiles and simulates clean");
      expect(r.code).toBe(0);
      expect(anthropic.requests).toHaveLength(2);
      expect(anthropic.requests[0].body.system).toBeDefined();
      expect(readFileSync(join(dir, "c.rag"), "utf8")).toMatch(/^\/\/ rag:generated-by model author=claude-test /);
    } finally {
      await anthropic.close();
    }
  }, 60_000);
});
