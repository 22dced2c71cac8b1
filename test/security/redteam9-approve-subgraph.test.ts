/**
 * Red team 9: `approve` on a model node is enforced by the `tool_executor` its `tool_call`
 * route reaches, which found the asking node by the assistant message's `name` among its
 * own graph's nodes. Routed to a subgraph whose executor runs the calls (the conversation
 * handed in as input), the name named no node there — or, in a graph that also had a node
 * of that name, another node — and the gated call ran without asking; `rag check` said ok.
 * The asker's `approve` list now travels with its calls on the assistant message.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { tool } from "../../registry/index.js";
import { MemoryCheckpointer } from "../../runtime/index.js";
import { registryFromConfig, scripted } from "../../stdlib/index.js";
import { buildGraph } from "../helpers/run-graph.js";

const graphs = (childNode: string) => `graph main {
  start agent
  channel messages messages
  node agent {
    kind model
    model "m"
    tools ["refund"]
    approve ["refund"]
    routes {
      tool_call -> run_tools
      final -> END
    }
  }
  node run_tools {
    kind subgraph
    graph "execg"
    input { messages: state.messages }
    next agent
  }
}
graph execg {
  start tools
  channel messages messages
  node tools {
    kind tool_executor
    tools ["refund"]
    next END
  }
${childNode}}
`;

function setup() {
  const ran: string[] = [];
  const registry = registryFromConfig({
    models: { m: { provider: scripted({ rules: [{ when: { lastRole: "user" }, reply: { toolCalls: [{ name: "refund", arguments: { id: "A1", amount: 30 } }] } }, { reply: "done" }] }) } },
    tools: { refund: tool({ description: "Refund an order.", schema: z.object({ id: z.string(), amount: z.number() }), run: ({ id, amount }) => (ran.push(`refund ${id} ${amount}`), "refunded") }) },
  });
  return { ran, registry };
}

describe("red team 9: a model node's approve list, its calls run by a subgraph's executor", () => {
  for (const [what, childNode] of [
    ["no node of the asker's name there", ""],
    ["a node of the asker's name there without approve", `  node agent {\n    kind set\n    set { messages: [] }\n    next END\n  }\n`],
  ] as const) {
    it(`asks before the call runs (${what})`, async () => {
      const { ran, registry } = setup();
      const { graph } = buildGraph(graphs(childNode), { registry, checkpointer: new MemoryCheckpointer() });
      const paused = await graph.invoke({ q: "refund A1" }, { threadId: "t" });
      expect(ran).toEqual([]);
      expect(paused.status).toBe("interrupted");
      expect(paused.interrupts[0].payload).toMatchObject({ type: "tool_approval", tool: "refund", args: { id: "A1", amount: 30 } });
      const r = await graph.resume("t", { value: "approve" });
      expect(r.status).toBe("completed");
      expect(ran).toEqual(["refund A1 30"]);
    });
  }
});
