/**
 * Model output is untrusted data (docs/security.md): the arguments of the tool calls a
 * model asks for and its structured output come from text a prompt injection controls.
 * Providers parse them with `JSON.parse`, which keeps a `"__proto__"` key as an own
 * property and nests without bound. Before the fix, an own `__proto__` key reached a
 * tool's `z.any()` field (the tool's `Object.assign` then set a prototype), and a value
 * 5,000 levels deep — tool arguments or an `output` — overflowed the stack of the
 * checkpoint write (`CheckpointError: Maximum call stack size exceeded`, which a queue
 * worker retries as a store failure). Now `callModel` copies both as untrusted JSON and
 * refuses them with a `NodeError` naming the reason; the tool never runs.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compile } from "../../compiler/index.js";
import { tool, type ChatRequest } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { CompiledGraph, NodeError, SqliteCheckpointer } from "../../runtime/index.js";
import { scripted } from "../../stdlib/index.js";

const deep = (n: number) => "[".repeat(n) + "]".repeat(n);

/** Runs a one-node graph whose model replies `reply`; returns what the tool saw and how the run ended. */
async function attack(reply: (req: ChatRequest) => unknown, kind: "agent" | "model") {
  const seen: unknown[] = [];
  const reg = registryFromConfig({
    models: { m: { provider: scripted({ rules: [{ reply: reply as never }] }) } },
    tools: {
      t: tool({
        description: "merges options",
        schema: z.object({ o: z.any() }),
        run: (a) => {
          const merged = Object.assign({}, (a as { o: unknown }).o) as { isAdmin?: unknown };
          seen.push(merged.isAdmin ?? "ran");
          return "ok";
        },
      }),
    },
  });
  const src =
    kind === "agent"
      ? 'graph g { start a channel messages messages node a { kind agent model "m" tools ["t"] max_steps 2 } }'
      : 'graph g { state { data: any } start a node a { kind model model "m" prompt "x" output { data: any } writes data next END } }';
  const r = compile(src, { file: "attack.rag", registry: reg.view() });
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const g = new CompiledGraph(r.value.blueprints[0], { registry: reg, checkpointer: new SqliteCheckpointer(":memory:"), graphs: new Map() });
  const end = await g.invoke({}, { threadId: "t" }).then(
    (v) => v as unknown,
    (e: unknown) => e,
  );
  return { seen, end };
}

const toolCall = (args: () => Record<string, unknown>) => (req: ChatRequest) => (req.messages.some((m) => m.role === "tool") ? "done" : { toolCalls: [{ name: "t", arguments: args() }] });

describe("a model's tool-call arguments are untrusted JSON", () => {
  it.each([
    ["an own __proto__ key (as JSON.parse keeps it)", () => JSON.parse('{"o": {"__proto__": {"isAdmin": true}}}') as Record<string, unknown>, /"__proto__" is not allowed/],
    ["a constructor key", () => JSON.parse('{"o": {"constructor": {"prototype": {"isAdmin": true}}}}') as Record<string, unknown>, /"constructor" is not allowed/],
    ["5,000 levels of nesting", () => JSON.parse(`{"o": ${deep(5000)}}`) as Record<string, unknown>, /deeper than 256 levels/],
  ])("%s: the tool never runs and the run says why (not a stack overflow)", async (_name, args, why) => {
    const { seen, end } = await attack(toolCall(args), "agent");
    expect(seen).toEqual([]);
    expect(end).toBeInstanceOf(NodeError);
    expect((end as Error).message).toMatch(/returned tool call `t` with arguments that are refused/);
    expect((end as Error).message).toMatch(why);
    expect((end as Error).message.length).toBeLessThan(400);
  });

  it("ordinary arguments still reach the tool", async () => {
    const { seen, end } = await attack(toolCall(() => ({ o: { a: [1, { b: 2 }] } })), "agent");
    expect(seen).toEqual(["ran"]);
    expect((end as { status: string }).status).toBe("completed");
  });
});

describe("a model's structured output is untrusted JSON", () => {
  it.each([
    ["as text, 5,000 levels deep", () => `{"data": ${deep(5000)}}`, /deeper than 256 levels/],
    ["as the provider's parsed value, 2,000 levels deep", () => ({ json: JSON.parse(`{"data": ${deep(2000)}}`) as unknown }), /deeper than 256 levels/],
    ["as text with a __proto__ key", () => '{"data": {"__proto__": {"isAdmin": true}}}', /"__proto__" is not allowed/],
    ["as the provider's parsed value with a __proto__ key", () => ({ json: JSON.parse('{"data": {"__proto__": {"isAdmin": true}}}') as unknown }), /"__proto__" is not allowed/],
  ])("%s: refused with a validation NodeError, not a CheckpointError", async (_name, reply, why) => {
    const { end } = await attack(reply, "model");
    expect(end).toBeInstanceOf(NodeError);
    expect((end as Error).message).toMatch(/structured output that is refused|JSON that is refused/);
    expect((end as NodeError).errorClass).toBe("validation");
    expect((end as Error).message).toMatch(why);
  });

  it("a well-formed output is still written", async () => {
    const { end } = await attack(() => '{"data": {"a": [1, 2]}}', "model");
    expect((end as { state: { data: unknown } }).state.data).toEqual({ data: { a: [1, 2] } });
  });
});
