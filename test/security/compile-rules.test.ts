/**
 * The compiler's half of "Grants that hold": a node is never bound by its name, names
 * and keys that reach the prototype are refused, the graphs a graph runs stay inside its
 * `allow` lists, and lowering keeps every key as data covered by the hash.
 */
import { describe, expect, it } from "vitest";
import { compile, fixAll } from "../../compiler/index.js";
import { registryViewFromSnapshot } from "../../compiler/registry-view.js";
import { parseRag } from "../../grammar/index.js";
import { blockToJson } from "../../compiler/lower/values.js";
import { evaluate } from "../../runtime/expr.js";

const REG = registryViewFromSnapshot({ models: ["default"], tools: ["search", "open"], agents: ["researcher"], graphs: [], scripts: [], routers: [], reducers: ["append", "messages", "overwrite"], node_kinds: null, validators: [] });
const codes = (src: string) => compile(src, { file: "t.rag", registry: REG }).diagnostics.filter((d) => d.severity === "error").map((d) => d.code);

describe("E-rag-missing-binding", () => {
  it("a subagent node named after a registered agent binds nothing by its name; the fix makes the binding explicit", () => {
    const src = "graph g {\n  start researcher\n  node researcher {\n    kind subagent\n    next END\n  }\n}\n";
    expect(codes(src)).toEqual(["E-rag-missing-binding"]);
    const fixed = fixAll(src, { file: "t.rag", registry: REG });
    expect(fixed.text).toContain('agent "researcher"');
    expect(fixed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });
  it("subgraph and tool nodes need their item too (no fix when the name is nothing known)", () => {
    expect(codes("graph g { start x node x { kind subgraph next END } }")).toEqual(["E-rag-missing-binding"]);
    expect(codes("graph g { start search node search { kind tool next END } }")).toEqual(["E-rag-missing-binding"]);
    expect(codes('graph g { start x node x { kind tool tool "search" next END } }')).toEqual([]);
  });
});

describe("E-rag-reserved-name", () => {
  for (const [what, src] of [
    ["a defaults key", "graph g { start a defaults { budget: { __proto__: { tokens: 10 } } } node a { kind set next END } }"],
    ["a metadata key", "graph g { start a metadata { constructor: 1 } node a { kind set next END } }"],
    ["a node name", "graph g { start prototype node prototype { kind set next END } }"],
    ["a state field", "graph g { start a state { __proto__: string } node a { kind set next END } }"],
    ["a set key", "graph g { start a state { x: any } node a { kind set set { x: { __proto__: 1 } } next END } }"],
  ] as const) {
    it(`refuses ${what}`, () => expect(codes(src)).toContain("E-rag-reserved-name"));
  }
  it("lowering keeps such a key as own data (it cannot set a prototype)", () => {
    const p = parseRag("graph g { start a defaults { budget: { __proto__: { tokens: 10 } } } node a {} }");
    const graph = p.value.items.find((i) => i.kind === "GraphDecl") as unknown as { items: { kind: string; value?: { kind: string } }[] };
    const block = graph.items.find((i) => i.kind === "ConfigItem")!.value as Parameters<typeof blockToJson>[0];
    const json = blockToJson(block) as { budget: Record<string, unknown> };
    expect(Object.getPrototypeOf(json.budget)).toBe(Object.prototype);
    expect(Object.keys(json.budget)).toEqual(["__proto__"]);
    expect((json.budget as { tokens?: number }).tokens).toBeUndefined();
  });
  it("expressions cannot reach prototype members or Object functions", () => {
    expect(codes('graph g { start a state { x: any } node a { kind set set { x: constructor(1) } next END } }')).toContain("E-rag-unknown-function");
    expect(() => evaluate({ op: "var", name: "constructor" } as never, { state: {} })).toThrow(/not defined/);
    expect(evaluate({ op: "get", object: { op: "var", name: "state" }, key: "constructor" } as never, { state: {} })).toBeNull();
  });
});

describe("allow lists bound the graphs a graph runs", () => {
  it("a same-file subgraph using a tool outside the caller's allow list is an error at the use", () => {
    const src = 'graph g { start a allow tools ["open"] node a { kind subgraph graph "inner" next END } }\ngraph inner { start b channel messages messages node b { kind agent model "default" tools ["search"] next END } }';
    const d = compile(src, { file: "t.rag", registry: REG }).diagnostics.filter((x) => x.code === "E-rag-disallowed-capability");
    expect(d).toHaveLength(1);
    expect(d[0].message).toMatch(/tool `search` \(used by node `b` of graph `inner`, which graph `g` runs\)/);
  });
});
