/**
 * A `tool_executor` refusing a call its asker's model was not offered (`vouched` in
 * stdlib/kinds/tool-executor.ts) answers it as every other refusal of a tool does — the
 * shared `unavailable` of the conversation module — so the one authorisation check
 * reports it on the run's stream (`capability_denied`) when the executor may not use the
 * tool either. The path is reached when the model node's own answer to that call is gone
 * from the conversation (here `updateState` turned it into a user message): it used to
 * hand-build "tool X is not available", and the refusal went unreported.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { tool, type ChatMessage } from "../../registry/index.js";
import { MemoryCheckpointer, type RunEvent } from "../../runtime/index.js";
import { registryFromConfig, scripted } from "../../stdlib/index.js";
import { buildGraph } from "../helpers/run-graph.js";

const GRAPH = `graph g {
  start b
  state { messages: messages }
  interrupt before [x]
  node b { kind model model "m" tools ["search"] routes { tool_call -> x  final -> END } }
  node x { kind tool_executor tools ["search"] next b }
}`;

describe("tool_executor: a call of a tool its asker's model was not offered", () => {
  it("is refused through the one authorisation check, which reports capability_denied", async () => {
    const ran: string[] = [];
    const provider = scripted({ rules: [{ when: { turn: 0 }, reply: { toolCalls: [{ id: "c1", name: "refund", arguments: { amount: 1000000 } }, { id: "c2", name: "search", arguments: { q: "orders" } }] } }, { reply: "done" }] });
    const registry = registryFromConfig({
      models: { m: { provider } },
      tools: {
        search: tool({ description: "Search.", schema: z.object({ q: z.string() }), readOnly: true, run: ({ q }) => (ran.push(`search ${q}`), "found") }),
        refund: tool({ description: "Refund.", schema: z.object({ amount: z.number() }), run: ({ amount }) => (ran.push(`refund ${amount}`), "refunded") }),
      },
    });
    const { graph } = buildGraph(GRAPH, { registry, checkpointer: new MemoryCheckpointer() });
    const paused = await graph.invoke({ messages: [{ role: "user", content: "hi" }] }, { threadId: "t" });
    expect(paused.status).toBe("interrupted");
    // The model node answered `refund` itself; that answer is rewritten away, so the call is pending for `x`.
    const answer = (paused.state.messages as ChatMessage[]).find((m) => m.role === "tool" && m.toolCallId === "c1")!;
    await graph.updateState("t", { messages: [{ id: answer.id, role: "user", content: "(removed)" }] });
    const events: RunEvent[] = [];
    const r = await graph.resume("t", {}, { onEvent: (e) => events.push(e) });
    expect(r.status).toBe("completed");
    expect(ran).toEqual(["search orders"]);
    expect(events.filter((e) => e.type === "capability_denied").map((e) => (e.type === "capability_denied" ? [e.capability, e.name, e.caller] : []))).toEqual([["tools", "refund", "tool_executor"]]);
    const answers = (r.state.messages as ChatMessage[]).filter((m) => m.role === "tool" && m.toolCallId === "c1").map((m) => m.content);
    expect(answers).toEqual([expect.stringMatching(/^Error: tool `refund` is not available to node `x`/)]);
  });
});
