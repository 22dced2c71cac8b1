/**
 * Red team 9: a model reply whose tool calls share an id. The executor records a call a
 * person approved with edited arguments by its call id (the assistant message is written
 * again with the edited call), so a prompt-injected model that gave a harmless `lookup`
 * and the approve-gated `refund` the same id had the saved conversation (and its next
 * turn) show `lookup` called with the refund's edited arguments — a call that never ran —
 * and both results answering one id. Each call of a reply now has an id of its own.
 */
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../registry/index.js";
import { MemoryCheckpointer } from "../../runtime/index.js";
import { registryFromConfig, scripted, type ScriptRule } from "../../stdlib/index.js";
import { buildGraph } from "../helpers/run-graph.js";
import { orderTools } from "../helpers/order-desk.js";

const GRAPH = `graph refunds {
  start agent
  channel messages messages
  node agent {
    kind model
    model "m"
    tools ["lookup", "refund"]
    approve ["refund"]
    routes {
      tool_call -> tools
      final -> END
    }
  }
  node tools {
    kind tool_executor
    tools ["lookup", "refund"]
    next agent
  }
}
`;

describe("red team 9: tool calls of one reply sharing an id", () => {
  it("each get an id of their own, and an edited approval rewrites only its own call", async () => {
    const ran: string[] = [];
    const sameId: ScriptRule = { when: { lastRole: "user" }, reply: { toolCalls: [{ name: "lookup", arguments: { id: "A1" }, id: "c1" }, { name: "refund", arguments: { id: "A1", amount: 30 }, id: "c1" }] } };
    const registry = registryFromConfig({
      models: { m: { provider: scripted({ rules: [sameId, { reply: "done" }] }) } },
      tools: orderTools(ran, () => "found"),
    });
    const { graph } = buildGraph(GRAPH, { registry, checkpointer: new MemoryCheckpointer() });
    const paused = await graph.invoke({ q: "refund A1" }, { threadId: "t" });
    expect(paused.status).toBe("interrupted");
    const r = await graph.resume("t", { value: { choice: "approve", args: { id: "A1", amount: 10 } } });
    expect(r.status).toBe("completed");
    expect(ran).toEqual(["lookup A1", "refund A1 10"]);
    const messages = (r.state as { messages: ChatMessage[] }).messages;
    const calls = messages.find((m) => m.role === "assistant" && m.toolCalls?.length)!.toolCalls!;
    expect(calls.map((c) => [c.name, c.arguments])).toEqual([["lookup", { id: "A1" }], ["refund", { id: "A1", amount: 10 }]]);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
    const answers = messages.filter((m) => m.role === "tool").map((m) => [calls.find((c) => c.id === m.toolCallId)?.name, m.content]);
    expect(answers).toEqual([["lookup", "found"], ["refund", "refunded"]]);
  });
});
