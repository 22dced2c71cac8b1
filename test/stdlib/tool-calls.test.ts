/**
 * Tool calls of one model turn (`language.md` §2.4, `runtime.md` §7): read-only tools
 * run in parallel, mutating ones one at a time in call order, results come back in call
 * order; tool errors, schema mismatches and denied tools become tool messages the model
 * can recover from; arguments are offered as the zod schema's JSON Schema; a registered
 * agent's zod `output` is sent as JSON Schema and validated on return.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { tool, type ChatMessage } from "../../registry/index.js";
import { registryFromConfig, scripted } from "../../stdlib/index.js";
import { buildGraph } from "../helpers/run-graph.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const AGENT = `graph g {\n  start agent\n  state {\n    messages: messages\n  }\n  node agent {\n    kind agent\n    model "m"\n    tools ["read_a", "read_b", "write_x", "read_c", "write_y", "denied", "strict"]\n    max_steps 3\n  }\n}\n`;

describe("a turn's tool calls", () => {
  it("read-only calls overlap, mutating ones run alone in order, and results keep call order", async () => {
    const log: string[] = [];
    const active = new Set<string>();
    let maxReadOverlap = 0;
    const make = (name: string, readOnly: boolean, ms: number) =>
      tool({
        description: name,
        schema: z.object({ n: z.number() }),
        readOnly,
        run: async ({ n }) => {
          if (!readOnly && active.size) throw new Error(`${name} started while ${[...active].join(",")} ran`);
          active.add(name);
          if (readOnly) maxReadOverlap = Math.max(maxReadOverlap, active.size);
          log.push(`start ${name}`);
          await sleep(ms);
          log.push(`end ${name}`);
          active.delete(name);
          return `${name}:${n}`;
        },
      });
    const provider = scripted({
      rules: [
        {
          when: { turn: 0 },
          reply: {
            toolCalls: [
              { name: "read_a", arguments: { n: 1 } },
              { name: "read_b", arguments: { n: 2 } },
              { name: "write_x", arguments: { n: 3 } },
              { name: "read_c", arguments: { n: 4 } },
              { name: "write_y", arguments: { n: 5 } },
            ],
          },
        },
        { reply: "done" },
      ],
    });
    const registry = registryFromConfig({
      models: { m: { provider } },
      tools: { read_a: make("read_a", true, 30), read_b: make("read_b", true, 10), write_x: make("write_x", false, 5), read_c: make("read_c", true, 5), write_y: make("write_y", false, 5), denied: { ...make("denied", true, 1), approval: "deny" }, strict: make("strict", true, 1) },
    });
    const r = await buildGraph(AGENT, { registry }).graph.invoke({ q: "go" });
    expect(r.output).toBe("done");
    // read_a and read_b overlap; write_x waits for both; read_c after write_x; write_y last.
    expect(maxReadOverlap).toBe(2);
    expect(log).toEqual(["start read_a", "start read_b", "end read_b", "end read_a", "start write_x", "end write_x", "start read_c", "end read_c", "start write_y", "end write_y"]);
    const tools = (r.state.messages as ChatMessage[]).filter((m) => m.role === "tool");
    expect(tools.map((m) => m.content)).toEqual(['read_a:1', 'read_b:2', 'write_x:3', 'read_c:4', 'write_y:5']);
    expect(tools.map((m) => m.toolCallId)).toEqual(["call_agent_0_0", "call_agent_0_1", "call_agent_0_2", "call_agent_0_3", "call_agent_0_4"]);
  });

  it("a failing tool, bad arguments and a denied tool become error messages for the model; the loop goes on", async () => {
    const provider = scripted({
      rules: [
        { when: { turn: 0 }, reply: { toolCalls: [{ name: "strict", arguments: { n: "three" } }, { name: "denied", arguments: { n: 1 } }, { name: "read_a", arguments: { n: 1 } }] } },
        { reply: (req) => `saw: ${req.messages.filter((m) => m.role === "tool").map((m) => m.content).join(" | ")}` },
      ],
    });
    const ok = tool({ description: "ok", schema: z.object({ n: z.number() }), readOnly: true, run: () => { throw new Error("disk on fire"); } });
    const registry = registryFromConfig({
      models: { m: { provider } },
      tools: {
        read_a: ok,
        read_b: ok,
        write_x: ok,
        read_c: ok,
        write_y: ok,
        strict: tool({ description: "needs a number", schema: z.object({ n: z.number() }), readOnly: true, run: ({ n }) => n }),
        denied: tool({ description: "never", schema: z.object({ n: z.number() }), approval: "deny", run: () => "ran!" }),
      },
    });
    const r = await buildGraph(AGENT, { registry }).graph.invoke({ q: "go" });
    expect(r.output).toMatch(/^saw: Error: arguments for tool `strict` do not match its schema: .*n.* \| Error: tool `denied` is denied by its approval policy \| Error: disk on fire$/);
  });

  it("offers each tool's zod schema as JSON Schema", async () => {
    const provider = scripted({ rules: [{ reply: "ok" }] });
    const registry = registryFromConfig({
      models: { m: { provider } },
      tools: { lookup: tool({ description: "Find a user.", schema: z.object({ email: z.email().describe("their email"), limit: z.number().int().min(1).default(5) }), readOnly: true, run: () => [] }) },
    });
    await buildGraph(`graph g {\n  start a\n  node a {\n    kind agent\n    model "m"\n    tools ["lookup"]\n  }\n}\n`, { registry }).graph.invoke({ q: "x" });
    expect(provider.requests[0].tools).toEqual([
      {
        name: "lookup",
        description: "Find a user.",
        parameters: { type: "object", properties: { email: { type: "string", format: "email", pattern: expect.any(String), description: "their email" }, limit: { type: "integer", minimum: 1, maximum: expect.any(Number), default: 5 } }, required: ["email"] },
      },
    ]);
  });
});

describe("structured output from a zod schema", () => {
  const Verdict = z.object({ verdict: z.enum(["ok", "bad"]), score: z.number().min(0).max(1) });
  const source = `graph g {\n  start judge\n  state {\n    verdict: any\n  }\n  node judge {\n    kind subagent\n    agent "grader"\n    writes verdict\n  }\n}\n`;

  it("a registered agent's zod output goes to the provider as JSON Schema and the reply is validated", async () => {
    const provider = scripted({ rules: [{ reply: { json: { verdict: "ok", score: 0.5 } } }] });
    const registry = registryFromConfig({ models: { m: { provider } }, agents: { grader: { model: "m", system: "Grade it.", output: Verdict } } });
    const r = await buildGraph(source, { registry }).graph.invoke({ q: "x" });
    expect(r.state.verdict).toEqual({ verdict: "ok", score: 0.5 });
    expect(provider.requests[0].output).toEqual({
      name: "grader_output",
      schema: { type: "object", properties: { verdict: { type: "string", enum: ["ok", "bad"] }, score: { type: "number", minimum: 0, maximum: 1 } }, required: ["verdict", "score"], additionalProperties: false },
    });
  });

  it("a reply outside the schema fails the task with a validation error", async () => {
    const provider = scripted({ rules: [{ reply: { json: { verdict: "meh", score: 2 } } }] });
    const registry = registryFromConfig({ models: { m: { provider } }, agents: { grader: { model: "m", output: Verdict } } });
    const err = await buildGraph(source, { registry }).graph.invoke({ q: "x" }).catch((e: unknown) => e);
    expect(err).toMatchObject({ errorClass: "validation", node: "judge" });
    expect((err as Error).message).toMatch(/graph `[a-z_]+`, node `judge`: the model.s output does not match the `output` schema.*field `verdict`.*field `score`/);
  });
});
