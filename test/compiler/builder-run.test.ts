/**
 * A builder graph and the equivalent `.rag` file run the same (`runtime.md`: the runtime
 * "cannot tell which"): same hash, same final state, same events — through an agent ⇄
 * tool loop, a Send fan-out with a comprehension and a join, `when`/`else` routes, static
 * parallel successors and a barrier.
 */
import { describe, expect, it } from "vitest";
import { compileGraph, END, GraphBuilder, t, type Blueprint, type StateOf } from "../../compiler/index.js";
import { tool } from "../../registry/index.js";
import { CompiledGraph, type RunEvent } from "../../runtime/index.js";
import { scripted, standardRegistry } from "../../stdlib/index.js";
import { z } from "zod";

const SOURCE = `graph pipeline {
  start plan
  input { question: string, items: list<string> }
  state {
    messages: messages
    summaries: list<string> append
    count: integer sum = 0
    verdict: string
    done_a: boolean
    done_b: boolean
  }
  node plan { kind agent model "m" tools ["lookup"] routes { tool_call -> tools, final -> fan } }
  node tools { kind tool_executor tools ["lookup"] next plan }
  node fan { kind set send [worker { item: x } for x in input.items] join check }
  node worker { kind model model "m" prompt "Summarize {{ args.item }}" writes summaries set { count: 1 } }
  node check { kind router routes { when state.count >= 3 and len(state.summaries) == state.count -> split  else -> END } }
  node split { kind set next [a, b] }
  node a { kind set set { done_a: true } }
  node b { kind set set { done_b: true } }
  join [a, b] -> final
  node final { kind model model "m" prompt "Verdict on {{ json(state.summaries) }} for {{ input.question }}" writes verdict next END }
}`;

const pipeline = new GraphBuilder("pipeline")
  .input({ question: t.string(), items: t.list(t.string()) })
  .state({
    messages: t.messages(),
    summaries: t.list(t.string()).reducer("append"),
    count: t.integer().reducer("sum").default(0),
    verdict: t.string(),
    done_a: t.boolean(),
    done_b: t.boolean(),
  })
  .node("plan", { kind: "agent", model: "m", tools: ["lookup"] })
  .node("tools", { kind: "tool_executor", tools: ["lookup"] })
  .node("fan", { kind: "set", send: [{ to: "worker", forEach: { variable: "x", in: (x) => x.input("items") }, args: (x) => ({ item: x.v("x") }) }], join: "check" })
  .node("worker", { kind: "model", model: "m", prompt: "Summarize {{ args.item }}", writes: "summaries", set: { count: (x) => x.lit(1) } })
  .node("check", { kind: "router" })
  .node("split", { kind: "set" })
  .node("a", { kind: "set", set: { done_a: "true" } })
  .node("b", { kind: "set", set: { done_b: "true" } })
  .node("final", { kind: "model", model: "m", prompt: "Verdict on {{ json(state.summaries) }} for {{ input.question }}", writes: "verdict" })
  .start("plan")
  .routes("plan", { tool_call: "tools", final: "fan" })
  .next("tools", "plan")
  .when("check", [[(x) => x.state("count").ge(3).and(x.len(x.state("summaries")).eq(x.state("count"))), "split"]], END)
  .next("split", ["a", "b"])
  .join(["a", "b"], "final")
  .next("final", END);

function registry() {
  const r = standardRegistry();
  r.registerModel("m", {
    modelId: "m",
    provider: scripted({
      rules: [
        { when: { node: "plan", lastRole: "user" }, reply: { toolCalls: [{ name: "lookup", arguments: { q: "joins" } }] } },
        { when: { node: "plan", lastRole: "tool" }, reply: "plan ready" },
        { when: { node: "worker" }, reply: (req) => `summary of ${req.messages.at(-1)!.content.replace("Summarize ", "")}` },
        { when: { node: "final" }, reply: (req) => `verdict: ${req.messages.at(-1)!.content.length} chars` },
      ],
    }),
  });
  r.registerTool("lookup", tool({ description: "Look up", schema: z.object({ q: z.string() }), readOnly: true, run: ({ q }) => ({ q, found: true }) }));
  return r;
}

/** Events without what differs between any two runs (ids of the run, times). */
function normalized(events: readonly RunEvent[]): unknown[] {
  return events.map((e) => {
    const { runId: _r, rootRunId: _rr, threadId: _t, timestamp: _ts, ...rest } = e as RunEvent & Record<string, unknown>;
    if ("durationMs" in rest) rest.durationMs = 0;
    return rest;
  });
}

async function run(bp: Blueprint) {
  const graph = new CompiledGraph(bp, { registry: registry() });
  const input = { question: "Do joins run once?", items: ["alpha", "beta", "gamma"] };
  const events: RunEvent[] = [];
  for await (const e of graph.stream(input, { threadId: "t1", runId: "r1" })) events.push(e);
  const result = await graph.invoke(input);
  return { events, state: result.state };
}

describe("a builder graph and its .rag run the same", () => {
  it("has the same hash", () => {
    const r = compileGraph(SOURCE);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(pipeline.build().hash).toBe(r.value!.hash);
  });

  it("gives the same final state and the same events", async () => {
    const fromRag = await run(compileGraph(SOURCE).value!);
    const fromBuilder = await run(pipeline.build());
    expect(fromBuilder.state).toEqual(fromRag.state);
    expect(normalized(fromBuilder.events)).toEqual(normalized(fromRag.events));
    // The run did what the graph says: one tool round trip, three branches, one join, the barrier.
    const state = fromBuilder.state as StateOf<typeof pipeline>;
    expect(state.summaries).toEqual(["summary of alpha", "summary of beta", "summary of gamma"]);
    expect(state.count).toBe(3);
    expect([state.done_a, state.done_b]).toEqual([true, true]);
    expect(state.verdict).toMatch(/^verdict: \d+ chars$/);
    const types = fromBuilder.events.map((e) => e.type);
    expect(types.filter((x) => x === "join_released")).toHaveLength(1);
    expect(types.filter((x) => x === "barrier_released")).toHaveLength(1);
    expect(fromBuilder.events.filter((e) => e.type === "tool_completed")).toHaveLength(1);
  });
});
