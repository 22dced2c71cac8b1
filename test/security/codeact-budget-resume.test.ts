/**
 * A CodeAct script's graph run on a thread T, inside a node of a thread P that pauses and
 * is resumed in another process in between. `docs/security.md` listed this as a false
 * refusal (T's first run counted twice: in P's recorded spend and in T's). It does not
 * happen: a CodeAct session checkpoints its graph runs to a store of its own, in memory
 * (`repl/codeact.ts` gives its `Session` no checkpointer), so the resumed P's script
 * starts T afresh — T's earlier spend is counted once, in P's. This test guards that: the
 * second run is charged once and fits the budget (a double count of T's 3,000 would not).
 *
 * Unit: each call of `m` reports 3,000 tokens; the coder's calls are charged their floor.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import type { ChatRequest } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { spentAt } from "../../runtime/checkpoint/types.js";
import { CompiledGraph, MemoryCheckpointer } from "../../runtime/index.js";
import { scripted } from "../../stdlib/index.js";

const SPEND = 'graph spend { start a state { out: any } node a { model "m" prompt "p" writes out next END } }';
const SCRIPT = `let c = graph_compile(graph_define({name: "spend", source: ${JSON.stringify(SPEND)}}))\ngraph_register({graph: c})\nlet out = graph_run({graph: "spend", input: {}, thread: "T"})\nanswer(out.output == null ? "none" : "ran")`;

/** P: a CodeAct node runs the script (one call on T), pauses, then a second CodeAct node runs it again. */
const P = (budget: number) => `graph p {
  start c1
  budget { tokens: ${budget} }
  state { out: any }
  interrupt after [c1]
  node c1 { kind repl_agent model "coder" models ["m"] max_steps 2 writes out next c2 }
  node c2 { kind repl_agent model "coder" models ["m"] max_steps 2 writes out next END }
}`;

/** A fresh registry and graph (a new process) over `saver`; `spent` lists the calls of `m`. */
function processOn(saver: MemoryCheckpointer, budget: number) {
  const spent: string[] = [];
  const script = "```ragsh\n" + SCRIPT + "\n```";
  const reg = registryFromConfig({
    repl: { reviewGeneratedGraphs: false, threadAccess: "all" },
    models: {
      coder: { provider: scripted({ rules: [{ reply: (req: ChatRequest) => ({ text: req.messages.some((m) => m.role === "assistant") ? '```ragsh\nanswer("gave up")\n```' : script, usage: { inputTokens: 1, outputTokens: 1 } }) }] }) },
      m: { provider: scripted({ rules: [{ reply: () => (spent.push("m"), { text: "x", usage: { inputTokens: 1_000, outputTokens: 2_000 } }) }] }) },
    },
  });
  const r = compile(P(budget), { file: "p.rag", registry: reg.view() });
  const errs = r.diagnostics.filter((d) => d.severity === "error");
  if (errs.length) throw new Error(errs.map((d) => `${d.code}: ${d.message}`).join("\n"));
  return { g: new CompiledGraph(r.value.blueprints[0], { registry: reg, checkpointer: saver }), spent };
}

describe("a CodeAct script's graph run on a thread, in a node of a paused and resumed thread", () => {
  it("is charged once: the second run fits the budget that holds room for it", async () => {
    const saver = new MemoryCheckpointer();
    const first = processOn(saver, 7_000);
    const paused = await first.g.invoke({}, { threadId: "P" });
    expect(paused.status).toBe("interrupted");
    expect(first.spent).toEqual(["m"]);
    const p = spentAt((await saver.getTuple({ threadId: "P" }))!).tokens;
    // P holds T's 3,000 and the coder's calls; T its own 3,000.
    expect(p).toBeGreaterThan(3_000);
    // Counted once, P's spend and the second run's 3,000 fit the 7,000; counted twice (T's
    // 3,000 again), they would not — so the completed resume below shows it was counted once.
    expect(p + 3_000).toBeLessThanOrEqual(7_000);
    expect(p + 3_000 + 3_000).toBeGreaterThan(7_000);
    const second = processOn(saver, 7_000);
    const done = await second.g.invoke(null, { threadId: "P", resume: {} });
    expect(second.spent).toEqual(["m"]);
    expect(done.status).toBe("completed");
    expect(spentAt((await saver.getTuple({ threadId: "P" }))!).tokens).toBeGreaterThan(p + 3_000);
  });
});
