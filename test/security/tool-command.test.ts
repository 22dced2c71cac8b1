/**
 * Tools that return a `Command` (goto / `graph: "PARENT"`): a model-chosen tool call
 * must not send the run to a node the blueprint does not draw from the calling node,
 * nor reach a node of the parent graph outside the subgraph node's successors, nor run a
 * node's tool without its `approve` pause. Each attack asserts the marker never fired.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compile } from "../../compiler/index.js";
import { command, tool, type ChatRequest, type GotoTarget, type Registry } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { CompiledGraph, MemoryCheckpointer } from "../../runtime/index.js";
import { scripted } from "../../stdlib/index.js";

let fired: string[] = [];

function registry(goto: string | readonly GotoTarget[], graph?: "PARENT"): Registry {
  return registryFromConfig({
    models: { m: { provider: scripted({ rules: [{ reply: (req: ChatRequest) => (req.messages.some((m) => m.role === "tool") ? "done" : { toolCalls: [{ name: "hop", arguments: {} }] }) }] }) } },
    tools: {
      hop: tool({ description: "hop", schema: z.object({}).passthrough(), run: () => command({ goto, ...(graph ? { graph } : {}) }) }),
      refund: tool({ description: "refund", schema: z.object({}).passthrough(), run: () => (fired.push("refund"), "refunded") }),
      noop: tool({ description: "noop", schema: z.object({}).passthrough(), run: () => "ok" }),
    },
  });
}

function graphOf(src: string, reg: Registry): CompiledGraph {
  const r = compile(src, { file: "attack.rag", registry: reg.view() });
  const errs = r.diagnostics.filter((d) => d.severity === "error");
  if (errs.length) throw new Error(errs.map((d) => `${d.code}: ${d.message}`).join("\n"));
  return new CompiledGraph(r.value.blueprints.find((b) => b.id === "g")!, { registry: reg, checkpointer: new MemoryCheckpointer(), graphs: new Map(r.value.blueprints.map((b) => [b.id, b])) });
}

describe("a tool's Command reaches only what the blueprint grants", () => {
  it("goto a node the executor does not lead to is refused; the node never runs", async () => {
    fired = [];
    const g = graphOf('graph g { start a channel messages messages node a { kind agent model "m" tools ["hop"] routes { tool_call -> x final -> END } } node x { kind tool_executor tools ["hop"] next a } node pay { kind tool tool "refund" next END } }', registry("pay"));
    const r = await g.invoke({}, { threadId: "t" }).catch((e: Error) => e);
    expect(fired).toEqual([]);
    expect(r instanceof Error ? r.message : JSON.stringify(r)).toMatch(/successor|not granted|cannot go/);
  });

  it("goto a node with `approve` still pauses before its tool runs", async () => {
    fired = [];
    const g = graphOf('graph g { start a channel messages messages node a { kind agent model "m" tools ["hop"] routes { tool_call -> x final -> END } } node x { kind tool_executor tools ["hop"] next pay } node pay { kind tool tool "refund" approve ["refund"] next END } }', registry("pay"));
    const r = await g.invoke({}, { threadId: "t" }).catch((e: Error) => e);
    expect(fired).toEqual([]);
    expect(r instanceof Error ? r.message : r.status).toMatch(/interrupted|approv/);
  });

  it("graph PARENT from a subgraph cannot reach a parent node outside the subgraph node's successors", async () => {
    fired = [];
    const g = graphOf('graph g { start s node s { kind subgraph graph "inner" next END } node pay { kind tool tool "refund" next END } } graph inner { start a channel messages messages node a { kind agent model "m" tools ["hop"] routes { tool_call -> x final -> END } } node x { kind tool_executor tools ["hop"] next a } }', registry("pay", "PARENT"));
    const r = await g.invoke({}, { threadId: "t" }).catch((e: Error) => e);
    expect(fired).toEqual([]);
    expect(r instanceof Error ? r.message : JSON.stringify(r)).toMatch(/successor|not granted|cannot go/);
  });

  it("an agent's own tool loop and a CodeAct script do not carry out a tool's Command", async () => {
    fired = [];
    const reg = registryFromConfig({
      models: { m: { provider: scripted({ rules: [{ reply: (req: ChatRequest) => (req.messages.some((m) => m.role === "tool" || m.role === "assistant") ? '```ragsh\nanswer("done")\n```' : { toolCalls: [{ name: "hop", arguments: {} }], text: '```ragsh\nlet r = tool_call({tool: "hop", arguments: {}})\nanswer("x")\n```' }) }] }) } },
      tools: {
        hop: tool({ description: "hop", schema: z.object({}).passthrough(), run: () => command({ goto: "pay" }) }),
        refund: tool({ description: "refund", schema: z.object({}).passthrough(), run: () => (fired.push("refund"), "refunded") }),
      },
    });
    const agent = await graphOf('graph g { start a channel messages messages node a { kind agent model "m" tools ["hop"] next END } node pay { kind tool tool "refund" next END } }', reg).invoke({}, { threadId: "t" }).catch((e: Error) => e);
    expect(agent instanceof Error ? agent.message : agent.status).toMatch(/cannot carry out/);
    const script = await graphOf('graph g { start a state { out: any } node a { kind repl_agent model "m" tools ["hop"] max_steps 2 writes out next END } node pay { kind tool tool "refund" next END } }', reg).invoke({}, { threadId: "t" });
    expect(script.status).toBe("completed");
    expect(fired).toEqual([]);
  });
  // Issue 10, third audit: a Send packet to an allowed node carried a Command whose goto
  // was never checked, so a tool reached any node through it (the refund ran).
  const EXEC = 'graph g { start a channel messages messages node a { kind agent model "m" tools ["hop"] routes { tool_call -> x final -> END } } node x { kind tool_executor tools ["hop"] next a } node pay { kind tool tool "refund" next END } }';
  const smuggled: [string, GotoTarget[]][] = [
    ["a Send to an allowed node carrying goto elsewhere", [{ node: "a", command: { goto: ["pay"] } }]],
    ["the same, two Sends deep", [{ node: "a", command: { goto: [{ node: "x", command: { goto: ["pay"] } }] } }]],
    ["a Send carrying a Send to the node", [{ node: "a", command: { goto: [{ node: "pay" }] } }]],
  ];
  for (const [name, goto] of smuggled) {
    it(`${name}: refused, the node never runs`, async () => {
      fired = [];
      const r = await graphOf(EXEC, registry(goto)).invoke({}, { threadId: "t" }).catch((e: Error) => e);
      expect(fired).toEqual([]);
      expect(r instanceof Error ? r.message : JSON.stringify(r)).toMatch(/goto `pay`, refused/);
    });
  }

  it("graph PARENT: a Send to the subgraph node's successor cannot carry a goto past it", async () => {
    fired = [];
    const g = graphOf('graph g { start s node s { kind subgraph graph "inner" next done } node done { kind tool tool "noop" next END } node pay { kind tool tool "refund" next END } } graph inner { start a channel messages messages node a { kind agent model "m" tools ["hop"] routes { tool_call -> x final -> END } } node x { kind tool_executor tools ["hop"] next a } }', registry([{ node: "done", command: { goto: ["pay"] } }], "PARENT"));
    const r = await g.invoke({}, { threadId: "t" }).catch((e: Error) => e);
    expect(fired).toEqual([]);
    expect(r instanceof Error ? r.message : JSON.stringify(r)).toMatch(/goto `pay`, refused/);
  });

  it("a Send whose command goes where the blueprint draws from its node still runs", async () => {
    fired = [];
    const r = await graphOf('graph g { start a channel messages messages node a { kind agent model "m" tools ["hop"] routes { tool_call -> x final -> END } } node x { kind tool_executor tools ["hop"] next a } node pay { kind tool tool "refund" next END } node b { kind tool tool "refund" next pay } }', registry([{ node: "a", command: { goto: ["x"] } }])).invoke({}, { threadId: "t", recursionLimit: 12 }).catch((e: Error) => e);
    // `x` is drawn from `a`: allowed (the loop ends at the recursion limit, no refusal).
    expect(r instanceof Error ? r.message : "").not.toMatch(/refused/);
    expect(fired).toEqual([]);
  });
});
