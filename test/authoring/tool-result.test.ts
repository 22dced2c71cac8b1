/**
 * A tool's declared result shape (issue 15 §1): `tool({ …, result: z.… })` is checked on
 * every return (a wrong shape fails the task naming the tool and the field), exported
 * with the registry's signatures and `tool_details`, shown on the card's "what you may
 * use" line, types `result` of a `tool` node for the compiler, and drives `rag simulate`'s
 * stand-in tool, so a graph that iterates a tool's list works in simulate as in a real
 * run. Also: simulate's generated input meets the format of the tool argument or the
 * `attach` it flows to, a value computed from input that misses one is reported as
 * input-dependent (not an error), and the card renders JSON Schema formats as `string(email)`.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compileGraph, registryViewFromSnapshot, signatureSection } from "../../compiler/index.js";
import { exportRegistry, serviceSnapshot, tool, type Registry } from "../../registry/index.js";
import type { SimReport } from "../../simulate/index.js";
import { scripted, standardRegistry } from "../../stdlib/index.js";
import { ragIn } from "../helpers/cli.js";
import { runGraph } from "../helpers/run-graph.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const dir = scratchDir("rag-tool-result-");

function registry(testsReturn: unknown = { passed: true, failures: [] }): Registry {
  const r = standardRegistry();
  r.registerModel("default", { provider: scripted({ rules: [], fallback: "ok" }), modelId: "m", capabilities: { tools: true, structuredOutput: true, vision: true } });
  r.registerTool("run_tests", tool({ description: "Run the tests.", schema: z.object({ patch: z.string() }), readOnly: true, result: z.object({ passed: z.boolean(), failures: z.array(z.string()) }), run: () => testsReturn }));
  r.registerTool("web_search", tool({ description: "Search the web.", schema: z.object({ query: z.string() }), readOnly: true, result: z.array(z.object({ url: z.string().url(), title: z.string() })), run: () => [{ url: "https://a.example/1", title: "A" }] }));
  r.registerTool("untyped", tool({ description: "No result schema.", schema: z.object({ q: z.string() }), run: () => "text" }));
  r.registerTool("send_email", tool({ description: "Send an email.", schema: z.object({ to: z.string().email(), body: z.string() }), run: () => "sent" }));
  return r;
}

const TESTS = (read: string) => `graph fixer {
  input { patch: string }
  state { passed: boolean = false, failures: string[] }
  start test
  node test { kind tool tool "run_tests" input { patch: input.patch } writes { passed: ${read}, failures: result.failures } next END }
}
`;

const errors = (src: string, r: Registry) => compileGraph(src, { registry: r.view() }).diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`);

describe("a tool's result schema at run time", () => {
  it("passes a result of the declared shape", async () => {
    const res = await runGraph(TESTS("result.passed"), { patch: "p" }, { registry: registry() });
    expect(res.state).toMatchObject({ passed: true, failures: [] });
  });

  it("fails the task naming the tool and the field when the tool returns another shape", async () => {
    const run = runGraph(TESTS("result.passed"), { patch: "p" }, { registry: registry({ passed: "yes", failures: [] }) });
    await expect(run).rejects.toThrow(/tool `run_tests` returned a result that does not match its `result` schema: field `passed`: expected boolean, got string "yes"/);
  });
});

describe("a tool's result schema for authoring", () => {
  it("is exported with the signatures and the language service's tool_details", () => {
    const r = registry();
    expect(exportRegistry(r).signatures?.tools?.run_tests?.result).toEqual({
      type: "object",
      properties: { passed: { type: "boolean" }, failures: { type: "array", items: { type: "string" } } },
      required: ["passed", "failures"],
      additionalProperties: false,
    });
    expect(exportRegistry(r).signatures?.tools?.untyped?.result).toBeUndefined();
    expect(serviceSnapshot(r).tool_details?.web_search?.result).toMatchObject({ type: "array" });
  });

  it("is shown after `->` on the card, with string formats named instead of their regex", () => {
    const card = signatureSection(exportRegistry(registry()));
    expect(card).toContain('- tool "run_tests"(patch: string) -> { passed: boolean, failures: string[] } [read-only]. Run the tests.');
    expect(card).toContain('- tool "web_search"(query: string) -> { url: string(uri), title: string }[] [read-only].');
    expect(card).toContain('- tool "send_email"(to: string(email), body: string) [mutating].');
    expect(card).toContain('- tool "untyped"(q: string) [mutating].');
  });

  it("types `result` of a tool node: a misspelt field is caught, from a config or from a snapshot", () => {
    const r = registry();
    expect(errors(TESTS("result.passed"), r)).toEqual([]);
    expect(errors(TESTS("result.pased"), r)).toEqual(["E-rag-unknown-field `result` (the result of tool `run_tests`) has no field `pased`"]);
    const fromSnapshot = compileGraph(TESTS("result.pased"), { registry: registryViewFromSnapshot(JSON.parse(JSON.stringify(exportRegistry(r)))) });
    expect(fromSnapshot.diagnostics.map((d) => d.code)).toContain("E-rag-unknown-field");
    // A tool without a result schema: `result` stays unknown.
    expect(errors('graph g { state { x: any } start t node t { kind tool tool "untyped" input { q: "a" } writes { x: result.whatever } next END } }', r)).toEqual([]);
  });
});

async function simulate(name: string, source: string): Promise<{ code: number | null; report: SimReport }> {
  const snap = join(dir, `${name}.json`);
  writeFileSync(snap, JSON.stringify(exportRegistry(registry())));
  const file = join(dir, `${name}.rag`);
  writeFileSync(file, source);
  const r = await ragIn(["simulate", file, "--registry", snap, "--json"], dir);
  return { code: r.code, report: JSON.parse(r.stdout || "null") as SimReport };
}

describe("rag simulate with declared shapes", () => {
  it("a stand-in tool returns generated data of its result schema, so iterating a tool's list works", async () => {
    const { code, report } = await simulate("research", `graph research {
  input { question: string }
  state { hits: any, titles: string[] append }
  start search
  node search { kind tool tool "web_search" input { query: input.question } writes { hits: result } next collect }
  node collect { kind set set { titles: [h.title for h in state.hits] } next END }
}
`);
    expect(report.errors).toEqual([]);
    expect(code).toBe(0);
  });

  it("compiles against the declared result too: a misspelt field of a tool's result does not simulate", async () => {
    const snap = join(dir, "typo.json");
    writeFileSync(snap, JSON.stringify(exportRegistry(registry())));
    writeFileSync(join(dir, "typo.rag"), TESTS("result.pased"));
    const r = await ragIn(["simulate", join(dir, "typo.rag"), "--registry", snap], dir);
    expect(r.code).toBe(2);
    expect(r.stderr + r.stdout).toContain("has no field `pased`");
  });

  it("generates input that meets the format of the tool argument or attach it flows to", async () => {
    const { code, report } = await simulate("mail", `graph mail {
  input { from: string, photo: string }
  state { d: string }
  start look
  node look { model "default" prompt "Describe" attach { image: input.photo } writes d next reply }
  node reply { kind tool tool "send_email" input { to: input.from, body: state.d } next END }
}
`);
    expect(report.errors).toEqual([]);
    expect(report.paths.map((p) => p.status)).toEqual(["end"]);
    expect(code).toBe(0);
  });

  it("reports a computed value that misses the format as input-dependent, not as an error", async () => {
    const { code, report } = await simulate("computed", `graph computed {
  input { user: string }
  start reply
  node reply { kind tool tool "send_email" input { to: input.user + "@", body: "hi" } next END }
}
`);
    expect(report.errors).toEqual([]);
    expect(report.paths.map((p) => p.status)).toEqual(["input_dependent"]);
    expect(report.paths[0]!.error).toMatch(/arguments for tool `send_email` do not match its schema: field `to`/);
    expect(code).toBe(0);
  });
});
