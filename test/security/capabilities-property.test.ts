/**
 * Property (issue "Grants that hold" §4): for random `.rag` programs, the capabilities a
 * run actually touches are a subset of what `rag approve` lists for the blueprint — its
 * own `capabilities` plus what the registered agents and graphs it binds may reach
 * (`indirectCapabilities`). The model is hostile: every turn it asks for every tool of
 * the registry, so any path that reaches further than the list would show up.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compileGraph, indirectCapabilities } from "../../compiler/index.js";
import { tool, type ChatRequest } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { CompiledGraph } from "../../runtime/index.js";
import { scripted, type ScriptedReply } from "../../stdlib/index.js";

const TOOLS = ["t1", "t2", "t3", "t4"] as const;
const AGENTS = { a1: { model: "m1", tools: ["t1"] }, a2: { model: "m2", tools: ["t2", "t3"] } } as const;

function setup() {
  const touched = new Set<string>();
  const hostile = (model: string) => (req: ChatRequest): string | ScriptedReply => {
    touched.add(`models:${model}`);
    if (req.messages.at(-1)?.role === "tool" || req.messages.filter((m) => m.role === "assistant").length > 2) return "done";
    return { toolCalls: TOOLS.map((t, i) => ({ id: `c${i}`, name: t, arguments: {} })) };
  };
  const registry = registryFromConfig({
    models: Object.fromEntries(["m1", "m2", "m3"].map((m) => [m, { provider: scripted({ rules: [{ reply: hostile(m) }] }) }])),
    tools: Object.fromEntries(TOOLS.map((t) => [t, tool({ description: t, schema: z.object({}).passthrough(), run: () => (touched.add(`tools:${t}`), "ok") })])),
    agents: AGENTS,
  });
  return { registry, touched };
}

const node = fc.oneof(
  fc.record({ kind: fc.constant("agent"), model: fc.constantFrom("m1", "m2", "m3"), tools: fc.subarray([...TOOLS]) }),
  fc.record({ kind: fc.constant("model"), model: fc.constantFrom("m1", "m2", "m3") }),
  fc.record({ kind: fc.constant("tool_executor"), tools: fc.subarray([...TOOLS]) }),
  fc.record({ kind: fc.constant("tool"), tool: fc.constantFrom(...TOOLS) }),
  fc.record({ kind: fc.constant("subagent"), agent: fc.constantFrom("a1", "a2", "inl") }),
  fc.record({ kind: fc.constant("send"), agent: fc.constantFrom("a1", "a2", "inl") }),
);

type N = { kind: string; model?: string; tools?: string[]; tool?: string; agent?: string };

function program(nodes: N[], inlineTools: string[], allow: string[] | undefined): string {
  const lines = nodes.map((n, i) => {
    const next = i + 1 < nodes.length ? `n${i + 1}` : "END";
    const list = (xs: string[]) => `[${xs.map((x) => `"${x}"`).join(", ")}]`;
    switch (n.kind) {
      case "agent": return `node n${i} { kind agent model "${n.model}" ${n.tools!.length ? `tools ${list(n.tools!)}` : ""} next ${next} }`;
      case "model": return `node n${i} { kind model model "${n.model}" next ${next} }`;
      case "tool_executor": return `node n${i} { kind tool_executor ${n.tools!.length ? `tools ${list(n.tools!)}` : ""} next ${next} }`;
      case "tool": return `node n${i} { kind tool tool "${n.tool}" next ${next} }`;
      case "subagent": return `node n${i} { kind subagent agent "${n.agent}" next ${next} }`;
      default: return `node n${i} { kind set send [${n.agent} { q: "x" }] join n${i}j } node n${i}j { kind set next ${next} }`;
    }
  });
  return [
    `agent inl { model "m3" ${inlineTools.length ? `tools [${inlineTools.map((t) => `"${t}"`).join(", ")}]` : ""} }`,
    `graph g {`,
    `  start n0`,
    `  channel messages messages`,
    ...(allow ? [`  allow tools [${allow.map((t) => `"${t}"`).join(", ")}]`] : []),
    ...lines.map((l) => `  ${l}`),
    `}`,
  ].join("\n");
}

describe("capabilities a run touches ⊆ what `rag approve` lists", () => {
  it("holds for random programs under a hostile model", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(node, { minLength: 1, maxLength: 5 }), fc.subarray([...TOOLS]), fc.option(fc.subarray([...TOOLS]), { nil: undefined }), async (nodes, inlineTools, allow) => {
        const { registry, touched } = setup();
        const r = compileGraph(program(nodes, inlineTools, allow), { file: "p.rag", graph: "g", registry: registry.view() });
        if (!r.value) return; // a program the compiler refuses runs nothing
        const bp = r.value;
        const listed = new Set<string>();
        for (const [kind, names] of Object.entries(bp.capabilities)) for (const n of names as string[]) listed.add(`${kind}:${n}`);
        for (const c of indirectCapabilities(bp, { agent: (n) => registry.agents.get(n), graph: (n) => registry.graphs.get(n) })) listed.add(`${c.kind}:${c.name}`);
        // Inline agents' own uses are part of the blueprint's capabilities (listed above).
        try {
          for await (const _ of new CompiledGraph(bp, { registry }).stream({})) void _;
        } catch {
          /* a failed run may still have touched things: checked below */
        }
        for (const t of touched) expect(listed, `touched ${t} not listed by approve for:\n${program(nodes, inlineTools, allow)}`).toContain(t);
      }),
      { numRuns: 150, seed: 20261205 },
    );
  });
});
