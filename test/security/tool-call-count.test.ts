/**
 * Second red-team round (issue 10): model output is untrusted, and the number of tool
 * calls in one reply was not bounded. A reply asking for 10,000 calls of a granted tool
 * ran it 10,000 times — read-only tools all at once (`Promise.all`), each answer a
 * message kept in state. A reply with more than `MAX_TOOL_CALLS_PER_REPLY` calls is now
 * refused whole before any call runs (a retryable `NodeError`: a new sample may ask for
 * fewer), in an agent's loop and through a `tool_executor` alike.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compile } from "../../compiler/index.js";
import { tool, type ChatRequest } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { CompiledGraph, MAX_TOOL_CALLS_PER_REPLY, MemoryCheckpointer, NodeError } from "../../runtime/index.js";
import { scripted } from "../../stdlib/index.js";

let runs = 0;

function graphOf(src: string, calls: number): CompiledGraph {
  const reg = registryFromConfig({
    models: { m: { provider: scripted({ rules: [{ reply: (req: ChatRequest) => (req.messages.some((m) => m.role === "tool") ? "done" : { toolCalls: Array.from({ length: calls }, (_, i) => ({ id: `c${i}`, name: "fetch", arguments: { i } })) }) }] }) } },
    tools: { fetch: tool({ description: "fetch", schema: z.object({ i: z.number() }), readOnly: true, run: () => (runs++, "page") }) },
  });
  const r = compile(src, { file: "attack.rag", registry: reg.view() });
  const errs = r.diagnostics.filter((d) => d.severity === "error");
  if (errs.length) throw new Error(errs.map((d) => `${d.code}: ${d.message}`).join("\n"));
  return new CompiledGraph(r.value.blueprints[0], { registry: reg, checkpointer: new MemoryCheckpointer() });
}

const loop = 'graph g { start a channel messages messages node a { kind agent model "m" tools ["fetch"] retry { max_attempts: 1 } next END } }';
const executor = 'graph g { start a channel messages messages node a { kind agent model "m" tools ["fetch"] retry { max_attempts: 1 } routes { tool_call -> x final -> END } } node x { kind tool_executor tools ["fetch"] next a } }';

describe("one reply runs at most MAX_TOOL_CALLS_PER_REPLY tool calls", () => {
  for (const [name, src] of [["an agent's own loop", loop], ["a tool_executor", executor]] as const) {
    it(`${name}: a reply of 10,000 calls runs none and fails the task (retryable)`, async () => {
      runs = 0;
      const e = await graphOf(src, 10_000).invoke({}, { threadId: "t" }).then(() => new Error("completed"), (x: Error) => x);
      expect(runs).toBe(0);
      expect(e).toBeInstanceOf(NodeError);
      expect((e as NodeError).code).toBe("node");
      expect((e as NodeError).errorClass).toBe("retryable");
      expect(e.message).toContain(`asked for 10000 tool calls in one reply; at most ${MAX_TOOL_CALLS_PER_REPLY} are run`);
    });
  }

  it("a reply of MAX_TOOL_CALLS_PER_REPLY calls runs them all", async () => {
    runs = 0;
    const r = await graphOf(loop, MAX_TOOL_CALLS_PER_REPLY).invoke({}, { threadId: "t" });
    expect(r.status).toBe("completed");
    expect(runs).toBe(MAX_TOOL_CALLS_PER_REPLY);
  });
});
