/**
 * The built-in functions (`repl.md` §2) through a real registry and the harness: cell
 * results, `calls[]`, events (`repl.md` §4) nested with graph events, the static check
 * of literal capability names, and the graph lifecycle define → validate → compile →
 * register → run under the review policy.
 */
import { describe, expect, it } from "vitest";
import type { AnyEvent, SessionEvent } from "../../repl/index.js";
import type { RunEvent } from "../../runtime/index.js";
import { codes, harness, HELLO_GRAPH, runOnce, testRegistry } from "./helpers.js";
import { installMiddleware } from "../../stdlib/middleware/index.js";
import { resolvePolicy } from "../../registry/index.js";

const sessionEvents = (events: AnyEvent[]) => events.filter((e): e is SessionEvent => "sessionId" in e);
const graphEvents = (events: AnyEvent[]) => events.filter((e): e is RunEvent => !("sessionId" in e));

describe("model_query", () => {
  it("returns the reply text and records the call with usage", async () => {
    const h = harness();
    const r = await h.run('let a = model_query({model: "default", prompt: "hello", system: "be brief"})\na');
    expect(r.value).toBe("echo: hello");
    expect(r.calls).toHaveLength(1);
    expect(r.calls[0]).toMatchObject({ capability: "model_query", target: "default", ok: true, callId: "c1.1" });
    expect(r.calls[0].usage?.inputTokens).toBeGreaterThan(0);
    const types = sessionEvents(h.events).map((e) => e.type);
    expect(types).toEqual(["session_started", "cell_started", "capability_call_started", "model_started", "model_completed", "capability_call_completed", "variable_changed", "cell_completed"]);
    const started = sessionEvents(h.events).find((e) => e.type === "capability_call_started")!;
    expect(started).toMatchObject({ capability: "model_query", cellId: "c1", depth: 0, rootRunId: h.session.id, sessionId: h.session.id });
  });

  it("goes through the registry's middleware chain, with the session as the run (budget per session)", async () => {
    const registry = testRegistry();
    const seen: string[] = [];
    registry.middleware.unshift({ name: "spy", wrap: (next) => async (call) => (seen.push(`${call.context?.run.rootRunId === h.session.id}:${call.context?.node.name}:${call.context?.taskId}`), next(call)) });
    const h = harness({ registry });
    expect((await h.run('model_query({prompt: "hi"})')).ok).toBe(true);
    expect(seen).toEqual(["true:session:c1"]);
    installMiddleware(registry, { budget: { run: { tokens: 40 } } });
    const over = await harness({ registry }).run(`model_query({prompt: "${"word ".repeat(100)}"})`);
    expect(codes(over)).toEqual(["E-ragsh-capability-failed"]);
    expect(over.diagnostics[0].message).toContain("budget exceeded");
  });

  it("the model defaults to `default`; structured output comes back as data", async () => {
    const r = await runOnce('model_query({prompt: "JSON please", output: {type: "object"}})');
    expect(r.value).toEqual({ ok: true, n: 3 });
  });

  it("a failing model call is a diagnostic naming the call; the session continues", async () => {
    const h = harness();
    const r = await h.run('let x = 1\nmodel_query({prompt: "explode"})');
    expect(codes(r)).toEqual(["E-ragsh-capability-failed"]);
    expect(r.diagnostics[0].message).toContain("model exploded");
    expect(r.diagnostics[0].span.start).toMatchObject({ line: 2, column: 1 });
    expect(r.calls[0]).toMatchObject({ ok: false, error: { code: "E-ragsh-capability-failed" } });
    expect((await h.run("x")).value).toBe(1);
  });

  it("bad arguments are diagnostics with the expected shape", async () => {
    const r = await runOnce("model_query(\"just a string\")");
    expect(codes(r)).toEqual(["E-ragsh-invalid-arguments"]);
    expect(r.diagnostics[0].help).toContain("model_query({model:");
    expect(codes(await runOnce("model_query({prompt: 42})"))).toEqual(["E-ragsh-invalid-arguments"]);
  });

  it("model_query_batched keeps input order, bounds concurrency and records per-item failures", async () => {
    const h = harness({ policy: { concurrency: 2 } });
    const r = await h.run('model_query_batched([{prompt: "one"}, {prompt: "explode"}, {prompt: "three"}])');
    expect(r.ok).toBe(true);
    expect(r.value).toEqual(["echo: one", null, "echo: three"]);
    expect(codes(r)).toEqual(["W-ragsh-batch-item-failed"]);
    expect(r.diagnostics[0].message).toContain("item 1");
    expect(r.calls.map((c) => [c.index, c.ok]).sort()).toEqual([[0, true], [1, false], [2, true]]);
  });
});

describe("static check of literal capability names", () => {
  it("reports unknown models, tools, agents and graphs before the cell runs, with did-you-mean and a fix", async () => {
    const h = harness();
    const r = await h.run('print("side effect")\nmodel_query({model: "defualt", prompt: "x"})\ntool_call({tool: "serch", arguments: {}})\nagent_query({agent: "reseacher", input: 1})\ngraph_run({graph: "helo"})');
    expect(r.stdout).toBe("");
    expect(codes(r)).toEqual(["E-ragsh-unknown-model", "E-ragsh-unknown-tool", "E-ragsh-unknown-agent", "E-ragsh-unknown-graph"]);
    expect(r.diagnostics.map((d) => d.help)).toEqual(["did you mean `default`?", "did you mean `search`?", "did you mean `researcher`?", "did you mean `hello`?"]);
    expect(r.diagnostics[0].span.start).toMatchObject({ line: 2, column: 21 });
    expect(r.diagnostics[0].fixes[0]).toMatchObject({ replacement: '"default"' });
    expect(sessionEvents(h.events).some((e) => e.type === "capability_call_started")).toBe(false);
  });

  it("checks each item of a batched call", async () => {
    const r = await runOnce('tool_call_batched([{tool: "search", arguments: {query: "a"}}, {tool: "nope", arguments: {}}])');
    expect(codes(r)).toEqual(["E-ragsh-unknown-tool"]);
  });

  it("names computed at run time are checked at the call", async () => {
    const r = await runOnce('let m = "def" + "ualt"\nmodel_query({model: m, prompt: "x"})');
    expect(codes(r)).toEqual(["E-ragsh-unknown-model"]);
    expect(r.diagnostics[0].span.start.line).toBe(2);
  });

  it("unknown functions get did-you-mean among built-ins", async () => {
    const r = await runOnce('model_qurey({prompt: "x"})');
    expect(codes(r)).toEqual(["E-ragsh-unknown-name"]);
    expect(r.diagnostics[0].help).toBe("did you mean `model_query`?");
  });
});

describe("agent_query, tool_call, graph_run", () => {
  it("agent_query runs a registered agent loop (as a child run of the session)", async () => {
    const h = harness();
    const r = await h.run('agent_query({agent: "researcher", input: "joins"})');
    expect(r.value).toBe("researched: joins");
    const runs = graphEvents(h.events);
    expect(runs.find((e) => e.type === "run_started")).toMatchObject({ rootRunId: h.session.id, parentRunId: h.session.id, depth: 1 });
    expect(runs.some((e) => e.type === "model_completed" && e.agent === "researcher")).toBe(true);
  });

  it("agent_query_batched keeps order", async () => {
    const r = await runOnce('agent_query_batched([{agent: "researcher", input: "a"}, {agent: "researcher", input: "b"}])');
    expect(r.value).toEqual(["researched: a", "researched: b"]);
  });

  it("tool_call validates arguments with the tool's zod schema", async () => {
    expect((await runOnce('tool_call({tool: "search", arguments: {query: "joins"}})')).value).toEqual([{ id: 1, text: "note about joins" }]);
    const bad = await runOnce('tool_call({tool: "search", arguments: {query: 1}})');
    expect(codes(bad)).toEqual(["E-ragsh-invalid-arguments"]);
    expect(bad.diagnostics[0].message).toContain("at .query");
    expect(codes(await runOnce('tool_call({tool: "denied", arguments: {}})'))).toEqual(["E-ragsh-capability-failed"]);
  });

  it("tool_call_batched keeps order", async () => {
    const r = await runOnce('tool_call_batched([{tool: "search", arguments: {query: "a"}}, {tool: "search", arguments: {query: "b"}}]).map(r => r[0].text)');
    expect(r.value).toEqual(["note about a", "note about b"]);
  });

  it("graph_run runs a registered graph as a child run; its events nest under the session", async () => {
    const h = harness();
    const r = await h.run('let out = graph_run({graph: "hello", input: {name: "ada"}, thread: "t-1"})\n[out.output, out.state.greeting, out.thread, out.history.length]');
    expect(r.value).toEqual([null, "hello ada", "t-1", 1]);
    const run = graphEvents(h.events);
    expect(run.map((e) => e.type)).toContain("run_completed");
    for (const e of run) expect(e).toMatchObject({ rootRunId: h.session.id, parentRunId: h.session.id, depth: 1, threadId: "t-1" });
    const order = h.events.map((e) => e.type);
    expect(order.indexOf("capability_call_started")).toBeLessThan(order.indexOf("run_started"));
    expect(order.indexOf("run_completed")).toBeLessThan(order.indexOf("capability_call_completed"));
  });

  it("graph_run_batched keeps order; a failing run is a per-item failure", async () => {
    const r = await runOnce('graph_run_batched([{graph: "hello", input: {name: "a"}}, {graph: "hello", input: {wrong: 1}}, {graph: "hello", input: {name: "c"}}]).map(x => x?.state.greeting)');
    expect(r.value).toEqual(["hello a", undefined, "hello c"]);
    expect(codes(r)).toEqual(["W-ragsh-batch-item-failed"]);
  });

  it("a graph that pauses for a person returns `interrupted`; only the host resumes it", async () => {
    const approval = 'graph approval { start review state { decision: any } node review { kind interrupt prompt "Publish?" options ["approve", "reject"] writes decision routes { approve -> END reject -> END } } }';
    const h = harness();
    const r = await h.run(`graph_register({graph: graph_compile(graph_define({name: "approval", source: ${JSON.stringify(approval)}}))})\nlet out = graph_run({graph: "approval", input: {}, thread: "t-9"})\n[out.status, out.interrupts[0].node, out.interrupts[0].payload.options]`);
    expect(r.diagnostics).toEqual([]);
    expect(r.value).toEqual(["interrupted", "review", ["approve", "reject"]]);
    expect(graphEvents(h.events).some((e) => e.type === "run_interrupted")).toBe(true);
    expect(h.session.reservedNames().some((n) => /resume/.test(n))).toBe(false);
    const resumed = await h.session.resumeThread("t-9", { value: "approve" });
    expect(resumed).toMatchObject({ status: "completed", state: { decision: "approve" } });
    const hist = await h.run('graph_history({thread: "t-9"}).map(c => [c.step, c.status])');
    expect((hist.value as unknown[]).length).toBeGreaterThanOrEqual(2);
    expect(codes(await h.run('graph_history(42)'))).toEqual(["E-ragsh-invalid-arguments"]);
    await expect(h.session.resumeThread("nope", {})).rejects.toThrow("has no checkpoint");
    await h.run('graph_run({graph: "approval", input: {}, thread: "t-10"})');
    await expect(h.session.resumeThread("t-10", {})).rejects.toThrow("waits for an answer to `repl/1.0#0` (review)");
  });

  it("graph runs nest only up to the depth policy", async () => {
    const r = await runOnce('graph_run({graph: "hello", input: {name: "a"}})', { policy: { maxDepth: 0 } });
    expect(codes(r)).toEqual(["E-ragsh-depth-limit"]);
  });
});

describe("graph_define → graph_validate → graph_compile → graph_register → graph_run", () => {
  const BROKEN = 'graph pipeline { start first node first { kind set set { x: 1 } next secnd } node second { kind set next END } state { x: number } }';
  const FIXED = BROKEN.replace("secnd", "second");

  it("validates with structured diagnostics, compiles, registers (human author) and runs", async () => {
    const h = harness();
    const r = await h.run(`let d = graph_define({name: "pipeline", source: ${JSON.stringify(BROKEN)}})\nlet v = graph_validate(d)\n[d.kind, d.provenance.generatedBy, v.ok, v.diagnostics[0].code, v.diagnostics[0].line, v.diagnostics[0].column, v.rendered.includes("did you mean")]`);
    expect(r.value).toEqual(["draft", "repl", false, "E-rag-unknown-node", 1, 70, true]);
    expect(codes(await h.run("graph_compile(d)"))).toEqual(["E-ragsh-graph-invalid"]);
    const ok = await h.run(`let d2 = graph_define({name: "pipeline", source: ${JSON.stringify(FIXED)}})\nlet c = graph_compile(d2)\nlet reg = graph_register({graph: c})\nlet out = graph_run({graph: "pipeline", input: {}})\n[graph_validate(d2).ok, c.needs_review, reg.reviewed, out.state.x, c.hash.startsWith("sha256:")]`);
    expect(ok.diagnostics).toEqual([]);
    expect(ok.value).toEqual([true, false, false, 1, true]);
    const types = sessionEvents(h.events).map((e) => e.type);
    for (const t of ["graph_blueprint_defined", "graph_blueprint_validated", "graph_blueprint_compiled", "graph_blueprint_registered"]) expect(types).toContain(t);
    expect(h.session.graphs.get("pipeline")?.provenance).toMatchObject({ generatedBy: "repl" });
  });

  it("a model's graph needs a review token for its hash; a token for another hash does not do", async () => {
    const h = harness({ author: "model" });
    const r1 = await h.run(`let c = graph_compile(graph_define({name: "pipeline", source: ${JSON.stringify(FIXED)}}))\ngraph_register({graph: c})`);
    expect(codes(r1)).toEqual(["E-ragsh-review-required"]);
    const hash = String((await h.run("c.hash")).value);
    expect(r1.diagnostics[0].help).toContain(hash);
    const wrong = h.session.approvals.approve("sha256:other", "ada");
    expect(codes(await h.run(`graph_register({graph: c, review: "${wrong}"})`))).toEqual(["E-ragsh-review-required"]);
    const token = h.session.approvals.approve(hash, "ada");
    const ok = await h.run(`graph_register({graph: c, review: "${token}"}).reviewed`);
    expect(ok.value).toBe(true);
    expect(h.session.graphs.get("pipeline")?.provenance).toMatchObject({ generatedBy: "model" });
  });

  it("the registry's policy gates session graphs: review required, approval by a person, the runtime's gate, allowlists", async () => {
    const registry = testRegistry();
    registry.policy = resolvePolicy({ name: "team", requireReview: "untrusted", untrustedAllow: { models: [] } });
    const h = harness({ registry });
    const src = FIXED;
    const r1 = await h.run(`let d = graph_define({name: "pipeline", source: ${JSON.stringify(src)}})\nlet v = graph_validate(d)\nlet c = graph_compile(d)\n[v.ok, v.diagnostics.map(x => x.code), c.needs_review]`);
    expect(r1.value).toEqual([true, ["W-rag-review-required"], true]);
    expect(codes(await h.run("graph_register({graph: c})"))).toEqual(["E-ragsh-review-required"]);
    const hash = String((await h.run("c.hash")).value);
    const token = h.session.approve(hash, "ada");
    expect(registry.approvals.isApproved(hash)).toBe(true);
    const ok = await h.run(`graph_register({graph: c, review: "${token}"})\ngraph_run({graph: "pipeline", input: {}}).state.x`);
    expect(ok.diagnostics).toEqual([]);
    expect(ok.value).toBe(1);
    // A hash approved in the registry's store (rag approve) needs no token.
    const h2 = harness({ registry });
    const hash2 = String((await h2.run(`let c2 = graph_compile(graph_define({name: "p2", source: ${JSON.stringify(src.replace("pipeline", "p2"))}}))\nc2.hash`)).value);
    expect(codes(await h2.run("graph_register({graph: c2})"))).toEqual(["E-ragsh-review-required"]);
    registry.approvals.approve({ id: "p2", hash: hash2 }, { approvedBy: "ada" });
    expect((await h2.run("graph_register({graph: c2}).reviewed")).value).toBe(true);
    // Untrusted blueprints may bind no model under this policy.
    const v = await h.run('graph_validate(graph_define({name: "m", source: "graph m { start a node a { kind model model \\"default\\" prompt \\"x\\" next END } }"})).diagnostics.map(d => d.code)');
    expect(v.value).toContain("E-rag-disallowed-capability");
  });

  it("handles cannot be forged: a hand-made compiled record is refused", async () => {
    const r = await runOnce('graph_register({graph: {kind: "compiled", id: "graph-1", hash: "sha256:x"}})');
    expect(codes(r)).toEqual(["E-ragsh-invalid-arguments"]);
  });

  it("graph_run refuses a compiled but unregistered graph, and registry graphs cannot be replaced", async () => {
    const h = harness();
    await h.run(`let c = graph_compile(graph_define({name: "pipeline", source: ${JSON.stringify(FIXED)}}))`);
    expect(codes(await h.run("graph_run({graph: c})"))).toEqual(["E-ragsh-invalid-arguments"]);
    expect(codes(await h.run('graph_register({name: "hello", graph: c})'))).toEqual(["E-ragsh-invalid-arguments"]);
  });

  it("graph_diff compares a draft with a registered graph (the compiler's semantic diff)", async () => {
    const changed = HELLO_GRAPH.replace('"hello " + input.name', '"hi " + input.name');
    const r = await runOnce(`let d = graph_diff(graph_define({name: "hello", source: ${JSON.stringify(changed)}}), "hello")\n[d.identical, d.changes.map(c => [c.op, c.area, c.subject]), d.text.startsWith("diff hello")]`);
    expect(r.diagnostics).toEqual([]);
    expect(r.value).toEqual([false, [["changed", "node", "greet"]], true]);
    expect((await runOnce(`graph_diff(graph_define({name: "hello", source: ${JSON.stringify(HELLO_GRAPH)}}), "hello").identical`)).value).toBe(true);
  });

  it("validation sees the session's registry: unknown models are reported with did-you-mean", async () => {
    const r = await runOnce('graph_validate(graph_define({name: "g", source: "graph g { start a node a { kind model model \\"defualt\\" next END } }"})).diagnostics.map(d => [d.code, d.help])');
    expect(r.value).toEqual([["E-rag-unknown-model", "did you mean `default`?"]]);
  });
});

describe("emit, print, show_vars, answer, session inputs", () => {
  it("emit sends a custom event; show_vars lists the namespace; answer sets the final answer", async () => {
    const h = harness();
    const r = await h.run('let xs = [1, 2]\nemit("progress", {done: 1})\nlet v = show_vars()\nanswer({result: xs.length})\nv');
    expect(r.value).toEqual({ xs: "[1, 2]" });
    expect(r.finalAnswer).toEqual({ result: 2 });
    const evs = sessionEvents(h.events);
    expect(evs.find((e) => e.type === "custom")).toMatchObject({ name: "progress", data: { done: 1 } });
    expect(evs.find((e) => e.type === "final_answer")).toMatchObject({ value: { result: 2 } });
    h.session.end();
    expect(sessionEvents(h.events).at(-1)).toMatchObject({ type: "session_completed", cells: 1, finalAnswer: { result: 2 } });
  });

  it("context, state, messages, history and run are bound", async () => {
    const h = harness({ context: "the long document", state: { n: 1 }, messages: [{ id: "m1", role: "user", content: "hi" }] });
    await h.run("1 + 1");
    const r = await h.run("[context, state.n, messages[0].content, history[0].value, history[0].source, run.cell, run.depth]");
    expect(r.value).toEqual(["the long document", 1, "hi", 2, "1 + 1", "c2", 0]);
  });

  it("cell results carry stdout, value, variablesChanged, calls and elapsedMs", async () => {
    const r = await runOnce('let a = 1\nprint("hi")\na + 1');
    expect(r).toMatchObject({ ok: true, stdout: "hi\n", value: 2, variablesChanged: ["a"], calls: [] });
    expect(r.elapsedMs).toBeGreaterThanOrEqual(0);
    expect(r.finalAnswer).toBeUndefined();
  });

  it("every session event carries the ids of repl.md §4", async () => {
    const h = harness();
    await h.run('tool_call({tool: "search", arguments: {query: "q"}})');
    for (const e of sessionEvents(h.events)) {
      expect(e.sessionId).toBe(h.session.id);
      expect(e.rootRunId).toBe(h.session.id);
      expect(e.depth).toBe(0);
      expect(typeof e.timestamp).toBe("number");
      if (e.type !== "session_started") expect(e.cellId).toBe("c1");
    }
  });

  it("a registry without a `default` model needs `model`", async () => {
    const registry = testRegistry();
    registry.models.set("other", registry.models.get("default")!);
    registry.models.delete("default");
    expect((await runOnce('model_query({prompt: "x"})', { registry })).value).toBe("echo: x");
    registry.models.set("third", registry.models.get("other")!);
    expect(codes(await runOnce('model_query({prompt: "x"})', { registry }))).toEqual(["E-ragsh-invalid-arguments"]);
  });
});
