/**
 * The authoring constructs of issue 15 §2: `approve [..]` (per-tool approval, a gate
 * after authorisation), `budget { … }` on graph and node (enforced before the call),
 * typed `resume { … }` answers, `send [ … ] concurrency N`, and `50k` counts.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compileGraph, formatSource } from "../../compiler/index.js";
import { tool, type ChatMessage } from "../../registry/index.js";
import { InvalidResumeError, MemoryCheckpointer } from "../../runtime/index.js";
import { registryFromConfig, scripted, type ScriptRule } from "../../stdlib/index.js";
import { buildGraph } from "../helpers/run-graph.js";
import { doneWithToolResults, orderTools } from "../helpers/order-desk.js";

const AGENT = `graph refunds {
  start agent
  channel messages messages
  budget { tokens: 50k, usd: 2.00 }
  node agent {
    kind agent
    model "m"
    tools ["lookup", "refund"]
    approve ["refund"]
    budget { tokens: 4k }
    routes {
      tool_call -> tools
      final -> END
    }
  }
  node tools {
    kind tool_executor
    tools ["lookup", "refund"]
    approve ["refund"]
    next agent
  }
}
`;

function setup(rules: ScriptRule[]) {
  const ran: string[] = [];
  const registry = registryFromConfig({
    models: { m: { provider: scripted({ rules }), price: { inputPerMTok: 1, outputPerMTok: 2 } } },
    tools: orderTools(ran, (id) => ({ id, paid: 30 })),
  });
  return { ran, registry };
}
const refundTurn: ScriptRule = { when: { lastRole: "user" }, reply: { toolCalls: [{ name: "lookup", arguments: { id: "A1" }, id: "c1" }, { name: "refund", arguments: { id: "A1", amount: 30 }, id: "c2" }] } };

describe("approve [..]", () => {
  it("pauses before each call of an approve-listed tool with its arguments; edited args run", async () => {
    const { ran, registry } = setup([refundTurn, doneWithToolResults]);
    const { graph, blueprint } = buildGraph(AGENT, { registry, checkpointer: new MemoryCheckpointer() });
    expect(blueprint.nodes.find((n) => n.name === "tools")?.approve).toEqual(["refund"]);
    const paused = await graph.invoke({ q: "refund A1" }, { threadId: "t" });
    expect(paused.status).toBe("interrupted");
    expect(ran).toEqual([]);
    expect(paused.interrupts[0].payload).toMatchObject({ type: "tool_approval", node: "tools", tool: "refund", args: { id: "A1", amount: 30 }, options: ["approve", "deny"], gate: "approve" });
    const r = await graph.resume("t", { value: { choice: "approve", args: { id: "A1", amount: 10 } } });
    expect(r.status).toBe("completed");
    expect(ran).toEqual(["lookup A1", "refund A1 10"]);
  });

  it("edited arguments are what the conversation records: the model's call is replaced (same message and call id) by the call that ran", async () => {
    const { ran, registry } = setup([refundTurn, doneWithToolResults]);
    const { graph } = buildGraph(AGENT, { registry, checkpointer: new MemoryCheckpointer() });
    const paused = await graph.invoke({ q: "refund A1" }, { threadId: "t" });
    const asked = (paused.state as { messages: ChatMessage[] }).messages.find((m) => m.role === "assistant")!;
    const r = await graph.resume("t", { value: { choice: "approve", args: { id: "A1", amount: 10 } } });
    expect(ran).toEqual(["lookup A1", "refund A1 10"]);
    const messages = (r.state as { messages: ChatMessage[] }).messages;
    const calls = messages.filter((m) => m.role === "assistant" && m.toolCalls?.length);
    expect(calls).toHaveLength(1);
    expect(calls[0].id).toBe(asked.id);
    expect(calls[0].toolCalls).toEqual([
      { name: "lookup", arguments: { id: "A1" }, id: "c1" },
      { name: "refund", arguments: { id: "A1", amount: 10 }, id: "c2" },
    ]);
    expect(messages.filter((m) => m.role === "tool").map((m) => [m.toolCallId, m.content])).toEqual([["c1", '{"id":"A1","paid":30}'], ["c2", "refunded"]]);
  });

  it("in an agent's own tool loop too, the next turn and the saved conversation see the call as approved", async () => {
    const seen: unknown[] = [];
    const { ran, registry } = setup([refundTurn, { reply: (req) => (seen.push(req.messages.find((m) => m.role === "assistant")?.toolCalls), "done") }]);
    const loop = AGENT.replace(/routes \{\n      tool_call -> tools\n      final -> END\n    \}/, "next END").replace(/  node tools \{[\s\S]*?\n  \}\n/, "");
    const { graph } = buildGraph(loop, { registry, checkpointer: new MemoryCheckpointer() });
    const paused = await graph.invoke({ q: "refund A1" }, { threadId: "t" });
    const option = (paused.interrupts[0].payload as { options: string[] }).options[0];
    const r = await graph.resume("t", { value: { choice: option, args: { id: "A1", amount: 10 } } });
    expect(r.status).toBe("completed");
    expect(ran).toEqual(["lookup A1", "refund A1 10"]);
    const edited = [{ name: "lookup", arguments: { id: "A1" }, id: "c1" }, { name: "refund", arguments: { id: "A1", amount: 10 }, id: "c2" }];
    expect(seen).toEqual([edited]);
    expect((r.state as { messages: ChatMessage[] }).messages.find((m) => m.role === "assistant")?.toolCalls).toEqual(edited);
  });

  it("an approval whose `args` are not an object is refused before it is saved; the question stays open", async () => {
    const { ran, registry } = setup([refundTurn, doneWithToolResults]);
    const { graph } = buildGraph(AGENT, { registry, checkpointer: new MemoryCheckpointer() });
    await graph.invoke({ q: "refund A1" }, { threadId: "t" });
    await expect(graph.resume("t", { value: { choice: "approve", args: 3 } })).rejects.toThrow(/the approval of tool `refund` \(node `tools`, .*\) gave `args` that are not an object; the question stays open/);
    expect(ran).toEqual([]);
    const r = await graph.resume("t", { value: "approve" });
    expect(r.status).toBe("completed");
    expect(ran).toEqual(["lookup A1", "refund A1 30"]);
  });

  it("deny skips the call; the model is told", async () => {
    const { ran, registry } = setup([refundTurn, doneWithToolResults]);
    const { graph } = buildGraph(AGENT, { registry, checkpointer: new MemoryCheckpointer() });
    await graph.invoke({ q: "x" }, { threadId: "t" });
    const r = await graph.resume("t", { value: "deny" });
    expect(ran).toEqual(["lookup A1"]);
    expect(r.output).toMatch(/refund` was not run: a person declined the call/);
  });

  it("an approve name the node does not call is E-rag-approve-unbound-tool with a fix", () => {
    const r = compileGraph(AGENT.replace('approve ["refund"]\n    budget', 'approve ["refnd"]\n    budget'), {});
    const d = r.diagnostics.find((x) => x.code === "E-rag-approve-unbound-tool");
    expect(d).toMatchObject({ severity: "error", span: { start: { line: 9, column: 14 } } });
    expect(d?.fixes?.[0]?.replacement).toBe('"refund"');
  });

  it("formats canonically and keeps the hash", () => {
    const f = formatSource(AGENT);
    expect(f.value).toBe(AGENT);
    const messy = AGENT.replace('approve ["refund"]\n    budget { tokens: 4k }', 'approve [ "refund" ]   budget{tokens 4k}');
    expect(formatSource(messy).value).toBe(AGENT);
  });
});

describe("budget { … }", () => {
  it("lowers graph budget into defaults.budget and the node's onto the node (50k = 50000)", () => {
    const { blueprint } = buildGraph(AGENT, { registry: setup([]).registry });
    expect(blueprint.defaults.budget).toEqual({ tokens: 50_000, usd: 2 });
    expect(blueprint.nodes.find((n) => n.name === "agent")?.budget).toEqual({ tokens: 4_000 });
  });

  it("refuses a model call that would cross the node's budget, before it is made", async () => {
    let calls = 0;
    const { registry } = setup([{ reply: () => (calls++, "x".repeat(10)) }]);
    const src = AGENT.replace("budget { tokens: 4k }", "budget { tokens: 100 }").replace('model "m"', 'model "m"\n    prompt "{{ input.q }}"');
    const { graph } = buildGraph(src, { registry });
    const err = await graph.invoke({ q: "y".repeat(2_000) }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/budget exceeded: a call of node `agent` \(estimated \d+ tokens, \$[\d.]+\) would bring the budget of node `agent` to \d+ tokens of 100/);
    expect(calls).toBe(0);
  });

  it("bad limits are E-rag-invalid-budget; unknown keys warn", () => {
    const r = compileGraph(AGENT.replace("usd: 2.00", "usd: 0, dollars: 3"), {});
    expect(r.diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining(["E-rag-invalid-budget", "W-rag-unknown-key"]));
  });
});

describe("resume { … }", () => {
  const EDIT = `graph edit {
  start review
  state {
    draft: string
  }
  node review {
    kind interrupt
    prompt "Edit the draft"
    resume {
      text: string
      ok: boolean
    }
    writes { draft: result.text }
    routes {
      when result.ok -> END
      else -> review
    }
  }
}
`;
  it("the typed answer is the node's result, for writes and routes; its schema is in the question", async () => {
    const { graph } = buildGraph(EDIT, { checkpointer: new MemoryCheckpointer() });
    const paused = await graph.invoke({}, { threadId: "t" });
    expect(paused.interrupts[0].payload).toMatchObject({ prompt: "Edit the draft", resume: { type: "object", properties: { text: { type: "string" } } } });
    const again = await graph.resume("t", { value: { text: "v1", ok: false } });
    expect(again.status).toBe("interrupted");
    const r = await graph.resume("t", { value: { text: "v2", ok: true } });
    expect(r.status).toBe("completed");
    expect((r.state as { draft: string }).draft).toBe("v2");
  });

  it("an answer that does not match the type is refused", async () => {
    const { graph } = buildGraph(EDIT, { checkpointer: new MemoryCheckpointer() });
    await graph.invoke({}, { threadId: "t" });
    await expect(graph.resume("t", { value: { text: 3 } })).rejects.toThrow(/does not match its `resume` type/);
  });

  it("a refused answer leaves the question open: nothing is saved, a correct answer then continues", async () => {
    const saver = new MemoryCheckpointer();
    const { graph } = buildGraph(EDIT.replace("ok: boolean", "ok: boolean\n      score: number(0..1)"), { checkpointer: saver });
    await graph.invoke({}, { threadId: "t" });
    const before = (await saver.list("t")).length;
    const err = await graph.resume("t", { value: { text: "v", ok: true, score: 5 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidResumeError);
    expect((err as InvalidResumeError).message).toMatch(/graph `edit`, interrupt node `review`: the answer does not match its `resume` type: field `score`/);
    expect((await saver.list("t")).length).toBe(before);
    expect(await graph.getState("t")).toMatchObject({ status: "interrupted", interrupts: [{ node: "review" }] });
    await expect(graph.resume("t", { value: { text: "v", ok: true, score: 5 }, update: { draft: "edited" } })).rejects.toThrow(InvalidResumeError);
    expect((await saver.list("t")).length).toBe(before);
    const r = await graph.resume("t", { value: { text: "v", ok: true, score: 0.5 } });
    expect(r.status).toBe("completed");
    expect((r.state as { draft: string }).draft).toBe("v");
  });

  it("an answer to a subgraph's typed question is refused at the root too, and the question stays open", async () => {
    const src = `${EDIT}
graph outer {
  start inner
  node inner {
    kind subgraph
    graph "edit"
    next END
  }
}
`;
    const { graph } = buildGraph(src, { checkpointer: new MemoryCheckpointer(), graph: "outer" });
    const paused = await graph.invoke({}, { threadId: "t" });
    expect(paused.status).toBe("interrupted");
    await expect(graph.resume("t", { value: { text: 3, ok: true } })).rejects.toThrow(/interrupt node `review`: the answer does not match its `resume` type: field `text`/);
    const r = await graph.resume("t", { value: { text: "v", ok: true } });
    expect(r.status).toBe("completed");
  });

  it("`result.x` reads are checked against the resume type", () => {
    const r = compileGraph(EDIT.replace("result.text", "result.txt"), {});
    expect(r.diagnostics.some((d) => d.severity === "error" && /txt/.test(d.message))).toBe(true);
  });
});

describe("send [ … ] concurrency N", () => {
  it("runs at most N packets of the send at once", async () => {
    let active = 0;
    let peak = 0;
    const registry = registryFromConfig({
      tools: {
        slow: tool({ description: "Slow.", schema: z.object({ x: z.number() }), readOnly: true, run: async ({ x }) => { active++; peak = Math.max(peak, active); await new Promise((r) => setImmediate(r)); await new Promise((r) => setImmediate(r)); active--; return x; } }),
      },
    });
    const src = `graph g {\n  start a\n  state {\n    out: number[] append\n  }\n  node a {\n    kind set\n    send [w { x: i } for i in [1, 2, 3, 4, 5]] concurrency 2\n    join d\n  }\n  node w {\n    kind tool\n    tool "slow"\n    input { x: args.x }\n    writes { out: result }\n  }\n  node d {\n    kind set\n    next END\n  }\n}\n`;
    expect(formatSource(src).value).toBe(src);
    const { graph, blueprint } = buildGraph(src, { registry });
    expect(blueprint.nodes[0].sends?.[0].concurrency).toBe(2);
    const r = await graph.invoke({});
    expect([...(r.state as { out: number[] }).out].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });

  it("concurrency 0 is E-rag-invalid-value", () => {
    const r = compileGraph(`graph g {\n  start a\n  node a {\n    send [w] concurrency 0\n    join w\n  }\n  node w {\n    next END\n  }\n}\n`, {});
    expect(r.diagnostics.some((d) => d.code === "E-rag-invalid-value" && /concurrency/.test(d.message))).toBe(true);
  });
});
