/**
 * `approve [..]` on a `repl_agent` node: the compiler used to call it "no effect" while
 * the runtime refused every call of the tool from the script. The diagnostic now says
 * what happens (`W-rag-approve-refuses-script`), and the behaviour it describes holds:
 * the tool never runs from the script, even when the script claims an approval.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compile } from "../../compiler/index.js";
import { tool, type ChatRequest } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { CompiledGraph, MemoryCheckpointer } from "../../runtime/index.js";
import { scripted } from "../../stdlib/index.js";

const src = 'graph g { start c state { out: any } node c { kind repl_agent model "m" tools ["refund", "lookup"] approve ["refund"] max_steps 2 writes out next END } }';

function setup(script: string) {
  const fired: string[] = [];
  const seen: string[] = [];
  const reg = registryFromConfig({
    models: { m: { provider: scripted({ rules: [{ reply: (req: ChatRequest) => (seen.push(String(req.messages.at(-1)?.content)), req.messages.some((m) => m.role === "assistant") ? '```ragsh\nanswer("gave up")\n```' : "```ragsh\n" + script + "\n```") }] }) } },
    tools: {
      refund: tool({ description: "refund", schema: z.object({}).passthrough(), run: () => (fired.push("refund"), "refunded") }),
      lookup: tool({ description: "lookup", schema: z.object({}).passthrough(), run: () => (fired.push("lookup"), "order 1") }),
    },
  });
  return { reg, fired, seen };
}

describe("approve [..] on a repl_agent node", () => {
  it("the compiler says the script's calls are refused, not that the item has no effect", () => {
    const { reg } = setup("");
    const codes = compile(src, { file: "a.rag", registry: reg.view() }).diagnostics.map((d) => d.code);
    expect(codes).toContain("W-rag-approve-refuses-script");
    expect(codes).not.toContain("W-rag-item-unused");
    const d = compile(src, { file: "a.rag", registry: reg.view() }).diagnostics.find((x) => x.code === "W-rag-approve-refuses-script")!;
    expect(d.message).toMatch(/calls of `refund` are refused/);
  });

  for (const call of ['tool_call({tool: "refund", arguments: {}})', 'tool_call({tool: "refund", arguments: {}, approved: true})']) {
    it(`the script's ${call} is refused and the tool never runs; an unlisted tool still runs`, async () => {
      const { reg, fired, seen } = setup(`tool_call({tool: "lookup", arguments: {}})\n${call}\nanswer("x")`);
      const r = compile(src, { file: "a.rag", registry: reg.view() });
      const g = new CompiledGraph(r.value.blueprints[0], { registry: reg, checkpointer: new MemoryCheckpointer() });
      await g.invoke({}, { threadId: "t" }).catch(() => undefined);
      expect(fired).toEqual(["lookup"]);
      expect(seen.join("\n")).toMatch(/approv/);
    });
  }
});
