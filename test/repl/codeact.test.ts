/**
 * The `repl_agent` node kind (CodeAct, `repl.md` §6) through the real runtime: the
 * examples/codeact.rag run with the scripted provider (propose a graph, read the
 * diagnostic, fix it, compile, register, run, answer), routing, `max_steps`, and the
 * compact results fed back to the model.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileGraph } from "../../compiler/index.js";
import config from "../../examples/rag.config.js";
import { compactResult, extractBlocks, registryFromConfig, Session } from "../../repl/index.js";
import { CompiledGraph, type RunEvent } from "../../runtime/index.js";
import { scripted } from "../../stdlib/index.js";
import { testRegistry } from "./helpers.js";
import { sessionPolicy } from "../../registry/index.js";
import { withRepl } from "../../repl/index.js";
import type { ScriptedProvider } from "../../stdlib/index.js";

async function run(source: string, registry: ReturnType<typeof registryFromConfig>, input: Record<string, unknown>) {
  const r = compileGraph(source, { file: "g.rag", registry: registry.view() });
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const events: RunEvent[] = [];
  for await (const e of new CompiledGraph(r.value!, { registry }).stream(input)) events.push(e);
  return events;
}

const custom = (events: RunEvent[], name: string) => events.filter((e) => e.type === "custom" && e.name === name).map((e) => (e.type === "custom" ? (e.data as Record<string, unknown>) : {}));

describe("repl_agent (CodeAct)", () => {
  it("examples/codeact.rag: define → validate (diagnostic) → fix → compile → register → run → answer", async () => {
    const registry = registryFromConfig(config);
    const source = readFileSync(new URL("../../examples/codeact.rag", import.meta.url), "utf8");
    const events = await run(source, registry, config.defaultInputs!.codeact as Record<string, unknown>);
    const last = events.at(-1)!;
    expect(last.type).toBe("run_completed");
    const answer = last.type === "run_completed" ? (last.state.answer as { summary: string; graph: string }) : undefined;
    expect(answer?.summary).toBe("One line: Summarize: joins run once after every branch of a fan-out ends.");
    expect(answer?.graph).toMatch(/^sha256:/);
    expect(custom(events, "cell_started")).toHaveLength(3);
    expect(custom(events, "graph_blueprint_validated").map((e) => [e.ok, e.errors])).toEqual([[false, 1], [true, 0]]);
    expect(custom(events, "graph_blueprint_registered").map((e) => e.name)).toEqual(["summarize"]);
    // The nested graph run is a child of the node's run, in the same run tree.
    const nested = custom(events, "run_started");
    expect(nested).toHaveLength(1);
    const root = events[0].rootRunId;
    expect(nested[0]).toMatchObject({ graph: "summarize", rootRunId: root, depth: 2 });
    expect(events.find((e) => e.type === "route_selected")).toMatchObject({ label: "final" });
    // The model saw the diagnostic, with its span and did-you-mean, as the next message.
    const provider = registry.models.get("default")!.provider as ScriptedProvider;
    const second = provider.requests.find((r) => r.metadata?.node === "coder" && r.messages.filter((m) => m.role === "assistant").length === 1)!;
    const feedback = second.messages.at(-1)!.content;
    expect(feedback).toContain("error[E-rag-unknown-field]: `writes` target `sumary` is not a state field");
    expect(feedback).toContain("<draft summarize>:9:12");
    expect(feedback).toContain("help: did you mean `summary`?");
    expect(second.messages[0].content).toContain("graph_define({name, source})");
  });

  function agentRegistry(replies: string[]) {
    const r = withRepl(testRegistry());
    r.registerModel("coder_model", { provider: scripted({ rules: replies.map((reply, turn) => ({ when: { turn }, reply })), fallback: "```ragsh\nprint(1)\n```" }), modelId: "m" });
    return r;
  }
  const GRAPH = (routes: string, grants = "") => `graph g { input { task: string } state { out: any } start a node a { kind repl_agent model "coder_model" ${grants} max_steps 3 writes out routes { ${routes} } } }`;

  it("routes by the label a script emits", async () => {
    const registry = agentRegistry(['```ragsh\nemit("route", "needs_review")\nanswer("draft ready")\n```']);
    const events = await run(GRAPH("final -> END needs_review -> END"), registry, { task: "t" });
    expect(events.find((e) => e.type === "route_selected")).toMatchObject({ label: "needs_review" });
    expect(events.at(-1)).toMatchObject({ type: "run_completed", state: { out: "draft ready" } });
  });

  it("a reply without code is the final answer", async () => {
    const events = await run(GRAPH("final -> END"), agentRegistry(["Just the answer."]), { task: "t" });
    expect(events.at(-1)).toMatchObject({ type: "run_completed", state: { out: "Just the answer." } });
  });

  it("max_steps without an answer fails the node, or takes a `max_steps` route", async () => {
    const failed = await run(GRAPH("final -> END"), agentRegistry([]), { task: "t" });
    expect(failed.at(-1)).toMatchObject({ type: "run_failed" });
    expect(JSON.stringify(failed.at(-1))).toContain("did not call answer(…) within 3 steps");
    const routed = await run(GRAPH("final -> END max_steps -> END"), agentRegistry([]), { task: "t" });
    expect(routed.find((e) => e.type === "route_selected")).toMatchObject({ label: "max_steps" });
  });

  it("the session is bound to the node's state and input; capability calls go through the node's harness", async () => {
    const registry = agentRegistry(['```ragsh\nlet r = tool_call({tool: "search", arguments: {query: context.task}})\nanswer([state.out, context.task, r[0].text, run.depth])\n```']);
    const events = await run(GRAPH("final -> END", 'tools ["search"]'), registry, { task: "joins" });
    expect(events.at(-1)).toMatchObject({ type: "run_completed", state: { out: [null, "joins", "note about joins", 1] } });
    expect(events.find((e) => e.type === "tool_completed")).toMatchObject({ node: "a", tool: "search", ok: true });
  });

  it("a script gets only what its node grants: a tool the node does not list is refused and never called", async () => {
    const registry = agentRegistry(['```ragsh\nlet r = tool_call({tool: "search", arguments: {query: context.task}})\nanswer(r)\n```', '```ragsh\nanswer("gave up")\n```']);
    const events = await run(GRAPH("final -> END"), registry, { task: "joins" });
    expect(events.some((e) => e.type === "tool_started" || e.type === "tool_completed")).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: "run_completed", state: { out: "gave up" } });
    const provider = registry.models.get("coder_model")!.provider as ScriptedProvider;
    expect(provider.requests[1].messages.at(-1)!.content).toContain("E-ragsh-capability-denied");
  });

  it("a session nested deeper than the depth policy is refused", async () => {
    const registry = agentRegistry(['```ragsh\nanswer(1)\n```']);
    registry.sessionPolicy = sessionPolicy({ maxDepth: 0 });
    const events = await run(GRAPH("final -> END"), registry, { task: "t" });
    expect(events.at(-1)).toMatchObject({ type: "run_failed" });
    expect(JSON.stringify(events.at(-1))).toContain("E-ragsh-depth-limit");
  });

  it("extracts ragsh blocks and compacts results with spans", async () => {
    expect(extractBlocks("a\n```ragsh\nx = 1\n```\nb\n```js\nno\n```\n```ragsh\ny\n```")).toEqual(["x = 1\n", "y\n"]);
    const s = new Session({ registry: testRegistry() });
    const ok = await s.runCell('print("hi")\n1 + 1');
    const bad = await s.runCell("let y = 1\ny.nope.deeper");
    const text = compactResult([ok, bad]);
    expect(text).toContain("[c1] ok");
    expect(text).toContain("stdout:\nhi");
    expect(text).toContain("value: 2");
    expect(text).toContain("[c2] failed");
    expect(text).toContain("error[E-ragsh-unknown-method]");
    expect(text).toContain("--> <cell 2>:2:3");
  });
});
