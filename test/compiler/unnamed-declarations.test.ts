/**
 * Parse-error recovery keeps declarations whose name is missing (`agent { … }`,
 * `graph { … }`); no diagnostic may then name them by an empty name ("used by agent ``").
 * `compiler/diagnostics/unnamed.ts` says "the unnamed agent" instead.
 */
import { describe, expect, it } from "vitest";
import { compile, registryViewFromSnapshot } from "../../compiler/index.js";

const registry = registryViewFromSnapshot({ models: ["default"], tools: ["search"], agents: [], graphs: [], scripts: [], routers: [], reducers: ["append", "overwrite", "messages"], node_kinds: ["model", "agent", "set"] });

function texts(src: string): string[] {
  const r = compile(src, { file: "x.rag", registry });
  return r.diagnostics.flatMap((d) => [`${d.code}: ${d.message}`, ...(d.label !== undefined ? [d.label] : []), ...(d.help !== undefined ? [d.help] : []), ...d.labels.map((l) => l.message)]);
}

describe("declarations without a name after recovery", () => {
  it("an agent without a name is 'the unnamed agent', never agent ``", () => {
    const out = texts('agent { model "nope" tools ["nothere"] budget { usd: 1 } budget { usd: 2 } }\ngraph g { start a node a { kind set next END } }\n');
    expect(out).toContain("E-rag-unknown-model: model `nope` is not registered (used by the unnamed agent)");
    expect(out).toContain("E-rag-unknown-tool: tool `nothere` is not registered (used by the unnamed agent)");
    expect(out.some((t) => t.startsWith("E-rag-duplicate-item:") && t.endsWith("on the unnamed agent"))).toBe(true);
    expect(out.filter((t) => t.includes("``"))).toEqual([]);
  });

  it("a graph without a name is 'the unnamed graph', never graph ``", () => {
    const out = texts('graph { start a allow tools ["q"] node a { kind model model "default" tools ["search"] next END } }\n');
    expect(out).toContain("E-rag-disallowed-capability: tool `search` (used by node `a`) is not in the unnamed graph's `allow tools` list");
    expect(out.filter((t) => t.includes("``"))).toEqual([]);
  });
});
