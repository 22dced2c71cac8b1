/**
 * `serviceSnapshot(registry)`: what editors see of a registry — the names the compiler
 * checks and the shapes hovers show — and a language service built from it checks and
 * completes against that registry.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createLanguageService } from "../../language-service/index.js";
import { Registry, serviceSnapshot, tool } from "../../registry/index.js";
import { scripted } from "../../stdlib/index.js";

describe("serviceSnapshot", () => {
  const r = new Registry();
  r.registerModel("fast", { provider: scripted({ rules: [{ reply: "x" }] }), modelId: "gpt-4o-mini" });
  r.registerTool("search", tool({ description: "Search the notes.", schema: z.object({ query: z.string().describe("what to look for") }), readOnly: true, run: () => [] }));
  r.registerAgent("helper", { model: "fast", tools: ["search"], writes: "notes", description: "Finds things." });

  it("lists names and carries tool schemas, model ids and agent details", () => {
    const s = serviceSnapshot(r);
    expect(s.models).toEqual(["fast"]);
    expect(s.tools).toEqual(["search"]);
    expect(s.agents).toEqual(["helper"]);
    expect(s.tool_details?.search).toEqual({
      description: "Search the notes.",
      parameters: { type: "object", properties: { query: { type: "string", description: "what to look for" } }, required: ["query"] },
      read_only: true,
      approval: "auto",
    });
    expect(s.model_details?.fast).toEqual({ model_id: "gpt-4o-mini" });
    expect(s.model_capabilities?.fast?.vision).toBe(true);
    expect(s.agent_details?.helper).toEqual({ model: "fast", description: "Finds things.", tools: ["search"], writes: "notes" });
    expect(JSON.parse(JSON.stringify(s))).toEqual(s); // plain JSON: posted to a Web Worker as is
  });

  it("drives a language service: unknown names are errors, registry names complete", () => {
    const ls = createLanguageService({ registry: serviceSnapshot(r) });
    ls.update("file:///a.rag", 'graph g {\n  start a\n  node a { kind agent model "fast" tools ["serch"] next END }\n}\n');
    expect(ls.diagnostics("file:///a.rag").map((d) => d.code)).toContain("E-rag-unknown-tool");
    expect(ls.completion("file:///a.rag", { line: 2, character: 45 }).items.map((i) => i.label)).toEqual(["search"]);
  });
});
