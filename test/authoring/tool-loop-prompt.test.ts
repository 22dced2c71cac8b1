/**
 * An `agent` (or `model`) node with a `prompt` in a tool loop (`routes { tool_call -> t }`,
 * `t` routing back) adds its prompt once, at the start of its turn: coming back from its
 * own tool calls it continues the conversation. Before the fix it re-added the prompt
 * every turn, so a model that answers a question with a tool call looped to the
 * recursion limit. And a tool loop the graph cannot carry (no `messages` channel) is a
 * compile error.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compileGraph } from "../../compiler/index.js";
import { tool, type ChatMessage } from "../../registry/index.js";
import { registryFromConfig, scripted } from "../../stdlib/index.js";
import { runGraph } from "../helpers/run-graph.js";

const LOOP = `graph g {
  start agent
  channel messages messages
  node agent {
    kind agent
    model "m"
    prompt "What is the weather in {{ input.city }}?"
    tools ["weather"]
    routes {
      tool_call -> tools
      final -> END
    }
  }
  node tools {
    kind tool_executor
    tools ["weather"]
    next agent
  }
}
`;

function registry() {
  // A model that answers a user question with a tool call and a tool result with text —
  // the ordinary behaviour that looped when the prompt came back after every result.
  const provider = scripted({
    rules: [
      { when: { lastRole: "user" }, reply: { toolCalls: [{ name: "weather", arguments: { city: "Oslo" } }] } },
      { when: { lastRole: "tool" }, reply: (req) => `It is ${req.messages.at(-1)?.content}.` },
    ],
  });
  return registryFromConfig({
    models: { m: { provider } },
    tools: { weather: tool({ description: "Weather of a city.", schema: z.object({ city: z.string() }), readOnly: true, run: () => "sunny" }) },
  });
}

describe("prompt in a tool loop", () => {
  it("is added once; the loop ends at the model's answer", async () => {
    const r = await runGraph(LOOP, { city: "Oslo" }, { registry: registry(), recursionLimit: 10 });
    expect(r.status).toBe("completed");
    const messages = (r.state as { messages: ChatMessage[] }).messages;
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant"]);
    expect(messages.filter((m) => m.content === "What is the weather in Oslo?")).toHaveLength(1);
    expect(messages.at(-1)?.content).toBe("It is sunny.");
  });

  it("is added again when the node is entered anew (not returning from its own tool calls)", async () => {
    const twice = LOOP.replace("final -> END", "final -> again").replace("node tools {", `node again {\n    kind set\n    set { n: 1 }\n    routes {\n      when state.n >= 2 -> END\n      else -> agent\n    }\n  }\n  node tools {`).replace("channel messages messages", "channel messages messages\n  state { n: integer sum }");
    const r = await runGraph(twice, { city: "Oslo" }, { registry: registry(), recursionLimit: 20 });
    const messages = (r.state as { messages: ChatMessage[] }).messages;
    expect(messages.filter((m) => m.role === "user")).toHaveLength(2);
  });

  it("a tool loop without a messages channel is W-rag-tool-loop-without-messages, with a fix", () => {
    const src = LOOP.replace("  channel messages messages\n", "");
    const r = compileGraph(src, {});
    const d = r.diagnostics.find((x) => x.code === "W-rag-tool-loop-without-messages");
    expect(d).toMatchObject({ severity: "warning", span: { start: { line: 9, column: 7 } } });
    expect(d?.fixes?.[0]?.replacement).toBe("  channel messages messages\n");
  });
});
