/**
 * The examples run end to end with examples/rag.config.ts (scripted provider), and the
 * seed's `research_review` graph, verbatim, runs too and compiles to the same blueprint as
 * the example (which is that text, canonically formatted).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileGraph, formatSource } from "../compiler/index.js";
import config from "../examples/rag.config.js";
import type { ChatMessage } from "../registry/index.js";
import { CompiledGraph, type RunEvent } from "../runtime/index.js";
import { registryFromConfig } from "../stdlib/index.js";
import { itShared, readShared } from "./helpers/shared.js";

async function runExample(name: string, input?: Record<string, unknown>, source?: string) {
  const registry = registryFromConfig(config);
  const file = `examples/${name}.rag`;
  const r = compileGraph(source ?? readFileSync(new URL(`../${file}`, import.meta.url), "utf8"), { file, registry: registry.view() });
  expect(r.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
  const graph = new CompiledGraph(r.value!, { registry });
  const events: RunEvent[] = [];
  for await (const e of graph.stream(input ?? { ...config.defaultInputs?.[name] })) events.push(e);
  const last = events.at(-1)!;
  if (last.type !== "run_completed") throw new Error(`run failed: ${JSON.stringify(last)}`);
  return { events, state: last.state, output: last.output };
}

/** The seed's `graph research_review { … }` text, verbatim: from its first line to the brace that closes it. */
function seedGraph(): string {
  const seed = readShared("seeds/002_ac8b3ed4b4b790c0.txt");
  const start = seed.indexOf("graph research_review {");
  expect(start).toBeGreaterThanOrEqual(0);
  let depth = 0;
  for (let i = start; i < seed.length; i++) {
    if (seed[i] === "{") depth++;
    else if (seed[i] === "}" && --depth === 0) return seed.slice(start, i + 1) + "\n";
  }
  throw new Error("the seed's graph is not closed");
}

describe("examples", () => {
  itShared("the seed's graph, verbatim, compiles to the example's blueprint and runs", async () => {
    const seed = seedGraph();
    const example = readFileSync(new URL("../examples/research_review.rag", import.meta.url), "utf8");
    expect(example).toBe(formatSource(seed).value); // the example is the seed's graph, canonically formatted
    const registry = registryFromConfig(config).view();
    const hash = (src: string) => compileGraph(src, { file: "research_review.rag", registry }).value!.hash;
    expect(hash(seed)).toBe(hash(example));
    const fromSeed = await runExample("research_review", undefined, seed);
    const fromExample = await runExample("research_review");
    expect(fromSeed.state).toEqual(fromExample.state);
    expect(fromSeed.output).toMatch(/^Review: 1 finding and 1 critique considered/);
  });

  it("research_review: tool call, fan-out of 2, join once, merged messages", async () => {
    const { events, state, output } = await runExample("research_review");
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === "send_dispatched")).toHaveLength(1);
    expect(types.filter((t) => t === "join_released")).toHaveLength(1);
    const reviewRuns = events.filter((e) => e.type === "task_started" && e.node === "review");
    expect(reviewRuns).toHaveLength(1);
    const send = events.find((e) => e.type === "send_dispatched");
    expect(send?.type === "send_dispatched" && send.targets.map((t) => t.node)).toEqual(["research_agent", "verifier_agent"]);
    const tools = events.filter((e) => e.type === "tool_completed");
    expect(tools.map((e) => e.type === "tool_completed" && [e.node, e.tool, e.ok])).toEqual([["supervisor", "search", true]]);
    expect(state.findings).toHaveLength(1);
    expect(state.critiques).toHaveLength(1);
    const messages = state.messages as ChatMessage[];
    expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
    expect(messages.map((m) => `${m.role}:${m.name ?? ""}`)).toEqual([
      "user:",
      "assistant:supervisor",
      "tool:search",
      "assistant:supervisor",
      "assistant:research_agent",
      "assistant:verifier_agent",
      "assistant:final_reviewer",
    ]);
    expect(output).toMatch(/^Review: 1 finding and 1 critique considered/);
    expect(messages.at(-1)?.content).toBe(output);
  });

  it("research_review is deterministic across runs", async () => {
    const a = await runExample("research_review");
    const b = await runExample("research_review");
    expect(b.state).toEqual(a.state);
  });

  it("support_agent: agent ⇄ tool_executor loop through routes", async () => {
    const { events, state, output } = await runExample("support_agent");
    const routes = events.filter((e) => e.type === "route_selected").map((e) => e.type === "route_selected" && e.label);
    expect(routes).toEqual(["tool_call", "final"]);
    expect((state.messages as ChatMessage[]).map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant"]);
    expect(output).toContain("enterprise plan");
  });

  it("map_reduce: one worker per item, reduce runs once after all", async () => {
    const { events, state } = await runExample("map_reduce", { items: ["a", "b", "c", "d"] });
    expect(events.filter((e) => e.type === "task_started" && e.node === "worker")).toHaveLength(4);
    expect(events.filter((e) => e.type === "task_started" && e.node === "reduce")).toHaveLength(1);
    expect(state.summaries).toEqual(["summary of a", "summary of b", "summary of c", "summary of d"]);
    expect(state.combined).toBe("Combined 4 summaries.");
  });
});
