/**
 * `tools` and `approve` on a `model` node (issue 15 audit): the model is offered the
 * tools, the `tool_executor` its `tool_call` route reaches runs them (LangGraph's ReAct
 * pattern: a model with bound tools and a ToolNode), and `approve` on the model node gates
 * those calls. `rag check` warned `W-rag-item-unused` for both, and following the warning
 * removed a safety gate. What the node offers is listed among the graph's capabilities
 * (what `rag approve` shows), and the executor still runs only the tools it binds.
 */
import { describe, expect, it } from "vitest";
import { compileGraph } from "../../compiler/index.js";
import { MemoryCheckpointer } from "../../runtime/index.js";
import { registryFromConfig, scripted, type ScriptRule } from "../../stdlib/index.js";
import { buildGraph } from "../helpers/run-graph.js";
import { doneWithToolResults, orderTools } from "../helpers/order-desk.js";

const src = (executorTools: string) => `graph refunds {
  start ask
  channel messages messages
  node ask {
    model "m"
    prompt "{{ input.q }}"
    tools ["lookup", "refund"]
    approve ["refund"]
    routes {
      tool_call -> tools
      final -> END
    }
  }
  node tools {
    kind tool_executor
    tools ${executorTools}
    next ask
  }
}
`;

function setup() {
  const ran: string[] = [];
  const offered: string[][] = [];
  const rules: ScriptRule[] = [
    { when: { lastRole: "user" }, reply: (req) => (offered.push((req.tools ?? []).map((t) => t.name)), { toolCalls: [{ name: "refund", arguments: { id: "A1", amount: 30 }, id: "c1" }] }) },
    doneWithToolResults,
  ];
  const registry = registryFromConfig({
    models: { m: { provider: scripted({ rules }) } },
    tools: orderTools(ran),
  });
  return { ran, offered, registry };
}

describe("tools and approve on a model node", () => {
  it("are not W-rag-item-unused, and the tools offered are listed as capabilities", () => {
    const r = compileGraph(src('["lookup", "refund"]'), { registry: setup().registry.view() });
    expect(r.diagnostics.map((d) => d.code)).toEqual([]);
    expect(r.value?.nodes.find((n) => n.name === "ask")?.kind).toBe("model");
    expect(r.value?.capabilities.tools).toEqual(["lookup", "refund"]);
  });

  it("the model is offered the tools; the model node's approve gates the executor's call, edited args run", async () => {
    const { ran, offered, registry } = setup();
    const { graph } = buildGraph(src('["lookup", "refund"]'), { registry, checkpointer: new MemoryCheckpointer() });
    const paused = await graph.invoke({ q: "refund A1" }, { threadId: "t" });
    expect(offered).toEqual([["lookup", "refund"]]);
    expect(paused.status).toBe("interrupted");
    expect(paused.interrupts[0].payload).toMatchObject({ type: "tool_approval", tool: "refund", args: { id: "A1", amount: 30 } });
    expect(ran).toEqual([]);
    const r = await graph.resume("t", { value: { choice: "approve", args: { id: "A1", amount: 5 } } });
    expect(r.status).toBe("completed");
    expect(ran).toEqual(["refund A1 5"]);
  });

  it("the executor refuses a tool the model was offered but the executor does not bind", async () => {
    const { ran, registry } = setup();
    const { graph } = buildGraph(src('["lookup"]'), { registry, checkpointer: new MemoryCheckpointer() });
    const r = await graph.invoke({ q: "refund A1" }, { threadId: "t" });
    expect(r.status).toBe("completed");
    expect(ran).toEqual([]);
    expect(r.output).toBe("done: Error: tool `refund` is not available to node `tools` of graph `refunds` (tools it binds: `lookup`)");
  });
});
