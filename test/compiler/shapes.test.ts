/**
 * Shapes everywhere (issue 15 §1): `input` maps, send packets and tool-node arguments
 * are checked against the registry's signatures, and `result.x` against what the node
 * returns — with did-you-mean fixes. Without signatures nothing is checked.
 */
import { describe, expect, it } from "vitest";
import { compile, fixAll, registryViewFromSnapshot, type RegistrySnapshot } from "../../compiler/index.js";

const SNAP: RegistrySnapshot = {
  models: ["default"],
  tools: ["search", "refund"],
  agents: ["critic"],
  graphs: ["summarize"],
  routers: ["triage"],
  signatures: {
    tools: {
      search: { description: "Search notes.", args: { type: "object", properties: { query: { type: "string" }, limit: { type: "integer", minimum: 1, maximum: 10 }, mode: { type: "string", enum: ["fast", "deep"] } }, required: ["query"] }, read_only: true, approval: "auto" },
      refund: { args: { type: "object", properties: { order: { type: "string" }, amount: { type: "number" } }, required: ["order", "amount"] }, read_only: false, approval: "ask" },
    },
    agents: { critic: { input: { type: "object", properties: { draft: { type: "string" } }, required: ["draft"] }, output: { type: "object", properties: { ok: { type: "boolean" }, reason: { type: "string" } }, required: ["ok"] }, writes: "verdicts" } },
    graphs: { summarize: { input: { type: "object", properties: { text: { type: "string" } }, required: ["text"], additionalProperties: false }, output: { type: "object", properties: { summary: { type: "string" } }, required: ["summary"], additionalProperties: false } } },
    routers: { triage: { labels: ["bug", "question"] } },
  },
};
const registry = registryViewFromSnapshot(SNAP);
const STATE = "state { hits: any, ok: boolean, verdicts: any append, drafts: list<string>, s: string, text: string, n: number }";
const graph = (nodes: string) => `graph g {\n  start a\n  ${STATE}\n  ${nodes}\n}`;
const errors = (src: string, reg = registry) => compile(src, { registry: reg }).diagnostics.filter((d) => d.severity === "error").map((d) => ({ code: d.code, message: d.message, line: d.span.start.line, column: d.span.start.column, fixes: d.fixes.map((f) => f.replacement) }));

describe("tool node arguments", () => {
  it("an unknown parameter is E-rag-unknown-argument at the key, with a fix to the close name", () => {
    const src = graph('node a { kind tool tool "search" input { qurey: state.s } writes hits next END }');
    expect(errors(src)).toEqual([{ code: "E-rag-unknown-argument", message: "tool `search` has no parameter `qurey`", line: 4, column: 44, fixes: ["query"] }]);
    const fixed = fixAll(src, { registry });
    expect(fixed.text).toContain("input { query: state.s }");
    expect(errors(fixed.text)).toEqual([]);
  });

  it("a required parameter nothing supplies is E-rag-missing-input; with no map at all too", () => {
    expect(errors(graph('node a { kind tool tool "refund" input { order: "o1" } next END }')).map((e) => e.message)).toEqual(["node `a` calls tool `refund` without `amount`: it is required"]);
    expect(errors(graph('node a { kind tool tool "search" next END }')).map((e) => [e.code, e.message])).toEqual([["E-rag-missing-input", "node `a` calls tool `search` without `query`: it is required"]]);
  });

  it("values of the wrong type or outside the enum are E-rag-type-mismatch; literals outside the range E-rag-constraint-violation", () => {
    const e = errors(graph('node a { kind tool tool "search" input { query: state.n, limit: 20, mode: "slow" } next END }'));
    expect(e.map((x) => [x.code, x.message])).toEqual([
      ["E-rag-type-mismatch", "parameter `query` of tool `search` must be a string, not a number"],
      ["E-rag-constraint-violation", "parameter `limit` of tool `search`: 20 is outside integer(1..10)"],
      ["E-rag-type-mismatch", 'parameter `mode` of tool `search` must be one of "fast", "deep"'],
    ]);
    expect(errors(graph('node a { kind tool tool "search" input { query: state.s, limit: 2.5 } next END }')).map((x) => x.message)).toEqual(["parameter `limit` of tool `search`: 2.5 is not an integer"]);
    expect(errors(graph('node a { kind tool tool "search" input { query: state.s, limit: 3, mode: "deep" } next END }'))).toEqual([]);
  });

  it("an enum field none of whose values the parameter's enum allows is E-rag-type-mismatch too (as a write into an enum field is); one that shares a value passes", () => {
    const withEnum = (e: string) => `graph g {\n  start a\n  state { hits: any, m: ${e} }\n  node a { kind tool tool "search" input { query: "q", mode: state.m } writes hits next END }\n}`;
    expect(errors(withEnum('"slow" | "lazy"')).map((x) => x.message)).toEqual(['parameter `mode` of tool `search` must be one of "fast", "deep"']);
    expect(errors(withEnum('"slow" | "deep"'))).toEqual([]);
  });
});

describe("subagent and subgraph input, and `result`", () => {
  it("checks a registered agent's input and types `result` by its output schema", () => {
    const e = errors(graph('node a { kind subagent agent "critic" input { drft: state.s } writes { ok: result.okk } next END }'));
    expect(e.map((x) => [x.code, x.message, x.fixes])).toEqual([
      ["E-rag-unknown-argument", "agent `critic` has no parameter `drft`", ["draft"]],
      ["E-rag-unknown-field", "`result` (the output of agent `critic`) has no field `okk`", ["ok"]],
    ]);
  });

  it("without a map, a subgraph gets the state: same-named fields supply the input", () => {
    expect(errors(graph('node a { kind subgraph graph "summarize" writes { s: result.summary } next END }'))).toEqual([]);
    const noText = `graph g { start a state { s: string } node a { kind subgraph graph "summarize" next END } }`;
    expect(errors(noText).map((x) => x.code)).toEqual(["E-rag-missing-input"]);
  });

  it("a model node's result is its `output` record, else its reply text", () => {
    expect(errors(graph('node a { model "default" output { answer: string } writes { s: result.answr } next END }'))[0]).toMatchObject({ code: "E-rag-unknown-field", fixes: ["answer"] });
    expect(errors(graph('node a { model "default" writes { s: result.answer } next END }'))[0]).toMatchObject({ code: "E-rag-type-mismatch", message: "a string has no field `answer`" });
    expect(errors(graph('node a { model "default" writes { s: result } next END }'))).toEqual([]);
  });

  it("a route function's result is one of its declared labels", () => {
    expect(errors(graph('node a { kind router route "triage" set { s: result } routes { when result == "bgu" -> END else -> END } }'))[0]).toMatchObject({ code: "E-rag-type-mismatch", fixes: ['"bug"'] });
  });
});

describe("send packets", () => {
  it("to a registered agent or graph, with the comprehension variable typed", () => {
    const e = errors(graph('node a { kind set send [critic { draft: d } for d in state.drafts, summarize { txt: "x" }, critic { draft: state.n }] join b } node b { next END }'));
    expect(e.map((x) => [x.code, x.message])).toEqual([
      ["E-rag-unknown-argument", "graph `summarize` has no parameter `txt`"],
      ["E-rag-type-mismatch", "parameter `draft` of agent `critic` must be a string, not a number"],
    ]);
  });

  it("to a tool node without its own input: the packet is the tool's arguments", () => {
    const src = graph('node a { kind set send [t { qery: x } for x in state.drafts] join b } node t { kind tool tool "search" writes hits } node b { next END }');
    expect(errors(src).map((x) => [x.code, x.fixes])).toEqual([["E-rag-unknown-argument", ["query"]]]);
  });

  it("a target named like a prototype property (`constructor`) is no registered agent or graph: E-rag-unknown-send-target", () => {
    expect(errors(graph('node a { kind set send [constructor { draft: "x" }, toString] join b } node b { next END }')).map((x) => x.code)).toEqual(["E-rag-unknown-send-target", "E-rag-unknown-send-target"]);
  });
});

describe("without signatures", () => {
  it("names-only snapshots and unknown callees check nothing", () => {
    const names = registryViewFromSnapshot({ ...SNAP, signatures: undefined });
    expect(errors(graph('node a { kind tool tool "search" input { qurey: 1 } next END }'), names)).toEqual([]);
    expect(errors(graph('node a { kind subagent agent "critic" input { anything: 1 } writes { ok: result.whatever } next END }'), names)).toEqual([]);
  });
});
