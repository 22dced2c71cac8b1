/**
 * `rag.config.ts` is validated at load (issue 14 §4): a bad shape is refused by
 * `rag check --config` before anything runs, naming the config file and the key path.
 */
import { describe, expect, it } from "vitest";
import { ragIn, root, scratchProject } from "../helpers/cli.js";

const ragraph = JSON.stringify(`${root}index.ts`);
const GRAPH = "graph g {\n  start a\n  node a { kind set set { } next END }\n}\n";

function project(configBody: string): string {
  return scratchProject({
    "rag.config.ts": `import { z } from "zod";\nimport { defineConfig } from ${ragraph};\nexport default defineConfig(${configBody} as any);\n`,
    "flow.rag": GRAPH,
  });
}

describe("config validation at load", () => {
  it("refuses a tool whose schema is a JSON Schema, naming the file and tools.<name>.schema", async () => {
    const dir = project(`{ tools: { search: { description: "web search", schema: { type: "object", properties: { q: { type: "string" } } }, run: () => "x" } } }`);
    const r = await ragIn(["check", "--config", "rag.config.ts", "flow.rag"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: config rag.config.ts is not valid (1 problem):");
    expect(r.stderr).toContain("rag.config.ts: `tools.search.schema`: expected a zod schema");
    expect(r.stderr).toContain("got a JSON Schema object");
    expect(r.stderr).not.toContain("Cannot read properties");
  });

  it("refuses a tool whose `result` is a JSON Schema, naming tools.<name>.result", async () => {
    const dir = project(`{ tools: { search: { description: "web search", schema: z.object({ q: z.string() }), result: { type: "array" }, run: () => [] } } }`);
    const r = await ragIn(["check", "--config", "rag.config.ts", "flow.rag"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("rag.config.ts: `tools.search.result`: expected a zod schema");
  });

  it("refuses `tools: { x: 5 }` and a misspelt key with a suggestion", async () => {
    const dir = project(`{ tools: { x: 5 }, defaultInput: {} }`);
    const r = await ragIn(["check", "--config", "rag.config.ts", "flow.rag"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("(2 problems)");
    expect(r.stderr).toContain("rag.config.ts: `tools.x`: expected a tool definition ({ description, schema: z.object({ … }), run }), got number 5");
    expect(r.stderr).toContain("rag.config.ts: `defaultInput`: unknown key; did you mean `defaultInputs`?");
  });

  it("refuses a misspelt policy key (`review` for `requireReview`): a review gate that silently did not apply", async () => {
    const dir = project(`{ policy: { name: "team", review: "all" } }`);
    const r = await ragIn(["check", "--config", "rag.config.ts", "flow.rag"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("rag.config.ts: `policy.review`: unknown key");
  });

  it("names a missing field of an agent and a model's bad provider", async () => {
    const dir = project(`{ models: { m: { provider: 7 } }, agents: { helper: { system: "be brief" } } }`);
    const r = await ragIn(["check", "--config", "rag.config.ts", "flow.rag"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("`models.m.provider`: expected a provider name");
    expect(r.stderr).toContain("`agents.helper.model`: missing (expected string)");
  });

  it("`limits.maxSendPackets` bounds every run's fan-out (rag run), and a bad value is named", async () => {
    const fan = "graph f {\n  start a\n  input { items: list<number> }\n  state { out: list<number> append }\n  node a { kind set send [w { n: x } for x in input.items -> out] join d }\n  node w { kind set }\n  node d { kind set next END }\n}\n";
    const dir = scratchProject({ "rag.config.ts": `import { defineConfig } from ${ragraph};\nexport default defineConfig({ limits: { maxSendPackets: 3 } });\n`, "fan.rag": fan });
    const over = await ragIn(["run", "fan.rag", "--input", '{"items": [1, 2, 3, 4]}', "--checkpoints", "memory"], dir);
    expect(over.code).not.toBe(0);
    expect(over.stdout + over.stderr).toMatch(/would dispatch 4 packets; one fan-out sends at most 3/);
    const ok = await ragIn(["run", "fan.rag", "--input", '{"items": [1, 2, 3]}', "--checkpoints", "memory"], dir);
    expect(ok.code).toBe(0);
    const bad = project(`{ limits: { maxSendPackets: "lots" } }`);
    const r = await ragIn(["check", "--config", "rag.config.ts", "flow.rag"], bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("`limits.maxSendPackets`");
  });

  it("accepts a well-formed config", async () => {
    const dir = project(`{ tools: { search: { description: "web search", schema: z.object({ q: z.string() }), run: () => "x" } } }`);
    const r = await ragIn(["check", "--config", "rag.config.ts", "flow.rag"], dir);
    expect(r.stderr).toContain("ok: 1 file checked");
    expect(r.code).toBe(0);
  });

  it("a scripted rule without `reply` is refused at load, naming the rule and where its toolCalls belong", async () => {
    const dir = scratchProject({
      "rag.config.ts": `import { defineConfig, scripted } from ${ragraph};\nexport default defineConfig({ models: { m: { provider: scripted({ rules: [{ reply: "ok" }, { when: { turn: 0 }, toolCalls: [{ name: "search" }] } as any] }) } } });\n`,
      "flow.rag": GRAPH,
    });
    const r = await ragIn(["check", "--config", "rag.config.ts", "flow.rag"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("rag.config.ts");
    expect(r.stderr).toContain("`rules[1].reply`: a scripted rule needs `reply`");
    expect(r.stderr).toContain("put `toolCalls` inside it");
    expect(r.stderr).not.toContain("Cannot read properties");
  });
});
