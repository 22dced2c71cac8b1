/**
 * Red team 9: a model reply whose tool calls share an id. The executor records a call a
 * person approved with edited arguments by its call id (the assistant message is written
 * again with the edited call), so a prompt-injected model that gave a harmless `lookup`
 * and the approve-gated `refund` the same id had the saved conversation (and its next
 * turn) show `lookup` called with the refund's edited arguments: a record of a call that
 * never ran. Duplicate ids are refused with the reply, before any call is authorised,
 * asked for or run (providers require them unique too).
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { tool } from "../../registry/index.js";
import { MemoryCheckpointer } from "../../runtime/index.js";
import { registryFromConfig, scripted, type ScriptRule } from "../../stdlib/index.js";
import { buildGraph } from "../helpers/run-graph.js";

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
  it("are refused before any of them is asked for or run", async () => {
    const ran: string[] = [];
    const sameId: ScriptRule = { when: { lastRole: "user" }, reply: { toolCalls: [{ name: "lookup", arguments: { id: "A1" }, id: "c1" }, { name: "refund", arguments: { id: "A1", amount: 30 }, id: "c1" }] } };
    const registry = registryFromConfig({
      models: { m: { provider: scripted({ rules: [sameId, { reply: "done" }] }) } },
      tools: {
        lookup: tool({ description: "Find an order.", schema: z.object({ id: z.string() }), readOnly: true, run: ({ id }) => (ran.push(`lookup ${id}`), { id }) }),
        refund: tool({ description: "Refund an order.", schema: z.object({ id: z.string(), amount: z.number() }), run: ({ id, amount }) => (ran.push(`refund ${id} ${amount}`), "refunded") }),
      },
    });
    const { graph } = buildGraph(GRAPH, { registry, checkpointer: new MemoryCheckpointer() });
    await expect(graph.invoke({ q: "refund A1" }, { threadId: "t" })).rejects.toThrow(/same id/);
    expect((await graph.getState("t"))?.interrupts ?? []).toEqual([]);
    expect(ran).toEqual([]);
  });
});
