/**
 * Ranges and patterns of a callee's input (issue 15 §1–§2, `language.md` §4.1): literal
 * values in `send` packets and `input { … }` maps are checked at compile time against the
 * declared field constraints of what they run — a graph of this file (its `input { … }`
 * fields), or a registered tool, agent or graph (`minimum`/`maximum`/`pattern` in its
 * signature) — as E-rag-constraint-violation naming the parameter; a value whose type is
 * known and wrong is E-rag-type-mismatch. The runtime would otherwise fail the callee.
 */
import { describe, expect, it } from "vitest";
import { compile, registryViewFromSnapshot } from "../../compiler/index.js";

const SUB = `
graph sub {
  start s
  input { score: number(0..1), code: string(/^[A-Z]{3}$/), tags: string(/^[A-Z]+$/)[]?, meta: { level: integer(1..3) }? }
  state { score: number, code: string }
  node s { kind set set { score: 1 } next END }
}
`;
const main = (body: string) => `graph main {
  start a
  state { note: string, n: number, items: string[] }
  ${body}
}
${SUB}`;
const errors = (src: string, opts: Parameters<typeof compile>[1] = {}) =>
  compile(src, opts).diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.span.start.line}:${d.span.start.column} ${d.message}`);

describe("constraints of a graph of this file", () => {
  it("checks literal values of send packets, list items too", () => {
    expect(errors(main('node a { kind set set { n: 1 } send [sub { score: 2, code: "abc", tags: ["AB", "x"] }] next END }'))).toEqual([
      "E-rag-constraint-violation 4:53 parameter `score` of graph `sub`: 2 is outside number(0..1)",
      'E-rag-constraint-violation 4:62 parameter `code` of graph `sub`: "abc" does not match string(/^[A-Z]{3}$/)',
      'E-rag-constraint-violation 4:82 parameter `tags` of graph `sub`: "x" does not match string(/^[A-Z]+$/)',
    ]);
    expect(errors(main('node a { kind set set { n: 1 } send [sub { score: 0.5, code: "ABC", tags: ["AB"] }] next END }'))).toEqual([]);
    // Fields of an object literal are checked too, named by their path.
    expect(errors(main('node a { kind set set { n: 1 } send [sub { score: 0, code: "ABC", meta: { level: 4 } }] next END }'))).toEqual([
      "E-rag-constraint-violation 4:84 parameter `meta.level` of graph `sub`: 4 is outside integer(1..3)",
    ]);
    expect(errors(main('node a { kind set set { n: 1 } send [sub { score: 0, code: "ABC", meta: { level: 2 } }] next END }'))).toEqual([]);
  });

  it("checks a subgraph node's input map, and a send to that node without its own map", () => {
    expect(errors(main('node a { kind subgraph graph "sub" input { score: -1, code: state.note } next END }'))).toEqual([
      "E-rag-constraint-violation 4:53 parameter `score` of graph `sub`: -1 is outside number(0..1)",
    ]);
    const viaNode = main('node a { kind set set { n: 1 } send [b { score: 1.5, code: "ABC" }] next END }\n  node b { kind subgraph graph "sub" next END }');
    expect(errors(viaNode)).toEqual(["E-rag-constraint-violation 4:51 parameter `score` of graph `sub`: 1.5 is outside number(0..1)"]);
  });

  it("a non-literal of a known wrong type is a type mismatch; non-literals of the right type are left to the runtime", () => {
    expect(errors(main('node a { kind set set { n: 1 } send [sub { score: state.note, code: "ABC" } for x in state.items] next END }'))).toEqual([
      "E-rag-type-mismatch 4:53 parameter `score` of graph `sub` must be a number, not a string",
    ]);
    expect(errors(main('node a { kind set set { n: 1 } send [sub { score: state.n, code: x } for x in state.items] next END }'))).toEqual([]);
  });
});

describe("constraints of a registered callee", () => {
  const registry = registryViewFromSnapshot({
    models: ["default"],
    tools: ["lookup"],
    agents: ["grader"],
    graphs: [],
    routers: [],
    signatures: {
      tools: { lookup: { args: { type: "object", properties: { sku: { type: "string", pattern: "^SKU-\\d+$" } }, required: ["sku"] }, read_only: true, approval: "auto" } },
      agents: { grader: { input: { type: "object", properties: { weight: { anyOf: [{ type: "number", minimum: 0, maximum: 1 }, { type: "null" }] } } } } },
    },
  });
  it("checks patterns and ranges (also of optional parameters) in input maps and send packets", () => {
    const src = `graph g {
  start a
  state { s: string }
  node a { kind tool tool "lookup" input { sku: "SKU-x" } send [grader { weight: 3 }] next END }
}`;
    expect(errors(src, { registry })).toEqual([
      'E-rag-constraint-violation 4:49 parameter `sku` of tool `lookup`: "SKU-x" does not match string(/^SKU-\\d+$/)',
      "E-rag-constraint-violation 4:82 parameter `weight` of agent `grader`: 3 is outside number(0..1)",
    ]);
    expect(errors(src.replace('"SKU-x"', '"SKU-12"').replace("weight: 3", "weight: 1"), { registry })).toEqual([]);
  });
});
