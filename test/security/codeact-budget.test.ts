/**
 * Budgets reach every graph a CodeAct (`repl_agent`) script builds and runs: a run budget
 * covers its whole run tree, so a script two levels down (a subgraph's `repl_agent`)
 * cannot escape the outermost graph's `budget {}` by defining and running a graph of its
 * own (issue 10 audit: only the immediately enclosing graph's budget was passed down).
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import type { ChatRequest } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { CompiledGraph, MemoryCheckpointer } from "../../runtime/index.js";
import { scripted } from "../../stdlib/index.js";

const SPEND = 'graph spend { start a node a { model "m" prompt "p" next b } node b { model "m" prompt "p" next c } node c { model "m" prompt "p" next END } }';
const SCRIPT = `let c = graph_compile(graph_define({name: "spend", source: ${JSON.stringify(SPEND)}}))\ngraph_register({graph: c})\nlet out = graph_run({graph: "spend", input: {}})\nanswer("ran")`;

function setup(outer: string) {
  const spent: string[] = [];
  // Review of generated graphs is off so the script can run its graph: the budget is what is under test.
  const reg = registryFromConfig({
    repl: { reviewGeneratedGraphs: false },
    models: {
      coder: { provider: scripted({ rules: [{ reply: (req: ChatRequest) => (req.messages.some((m) => m.role === "assistant") ? { text: '```ragsh\nanswer("gave up")\n```', usage: { inputTokens: 1, outputTokens: 1 } } : { text: "```ragsh\n" + SCRIPT + "\n```", usage: { inputTokens: 1, outputTokens: 1 } }) }] }) },
      m: { provider: scripted({ rules: [{ reply: () => (spent.push("m"), { text: "x", usage: { inputTokens: 400, outputTokens: 400 } }) }] }) },
    },
  });
  const src = `${outer}
graph mid { start c state { out: any } node c { kind repl_agent model "coder" models ["m"] max_steps 2 writes out next END } }`;
  const r = compile(src, { file: "attack.rag", registry: reg.view() });
  const errs = r.diagnostics.filter((d) => d.severity === "error");
  if (errs.length) throw new Error(errs.map((d) => `${d.code}: ${d.message}`).join("\n"));
  const g = new CompiledGraph(r.value.blueprints.find((b) => b.id === "g")!, { registry: reg, checkpointer: new MemoryCheckpointer(), graphs: new Map(r.value.blueprints.map((b) => [b.id, b])) });
  return { g, spent };
}

describe("budget {}: a CodeAct script's own graphs are under every enclosing run's budget", () => {
  it("baseline: without a budget the script's graph makes its three calls", async () => {
    const { g, spent } = setup('graph g { start a node a { kind subgraph graph "mid" next END } }');
    await g.invoke({}, { threadId: "t" });
    expect(spent).toEqual(["m", "m", "m"]);
  });

  it("the outermost graph's budget stops the calls of a graph run by a script in a subgraph", async () => {
    const { g, spent } = setup('graph g { start a budget { tokens: 1000 } node a { kind subgraph graph "mid" next END } }');
    const r = await g.invoke({}, { threadId: "t" }).catch((e: Error) => e);
    // 800 tokens per call: the second would pass 1,000.
    expect(spent.length).toBeLessThanOrEqual(1);
    expect(r instanceof Error ? r.message : JSON.stringify(r)).toMatch(/budget/);
  });
});
