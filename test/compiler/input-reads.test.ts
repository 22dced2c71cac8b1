/**
 * `inputReads`: every `input.<key>` a graph's own nodes and edges read, in expressions
 * and templates, with the reading node and the span; not those of its subgraphs.
 */
import { describe, expect, it } from "vitest";
import { compile, inputReads } from "../../compiler/index.js";

function blueprint(source: string, graph: string) {
  const r = compile(source);
  const bp = r.value?.blueprints.find((b) => b.id === graph);
  if (!bp) throw new Error(`no blueprint ${graph}: ${r.diagnostics.map((d) => d.message).join("; ")}`);
  return bp;
}

describe("inputReads", () => {
  it("finds reads in send arguments, templates, set values and edge conditions, with node and span", () => {
    const src = [
      "graph g {",
      "  start a",
      "  state { n: number, topic: string }",
      '  node a { kind model model "m" prompt "About {{ input.topic }}" next b }',
      "  node b { kind set set { n: input.count } next c }",
      "  node c {",
      "    kind set",
      "    routes {",
      "      when input.flag -> e",
      "      else -> END",
      "    }",
      "  }",
      "  node e { kind set send [w { v: input.item }] join END }",
      "  node w { kind set set { n: 1 } }",
      "}",
    ].join("\n");
    const reads = inputReads(blueprint(src, "g"));
    expect(reads.map((r) => [r.key, r.node])).toEqual([
      ["topic", "a"],
      ["count", "b"],
      ["item", "e"],
      ["flag", "c"],
    ]);
    const count = reads.find((r) => r.key === "count")!;
    expect(count.span.start).toMatchObject({ line: 5, column: 30 });
    expect(src.slice(count.span.start.offset, count.span.end.offset)).toBe("input.count");
  });

  it("ignores state reads, other roots and the subgraph's own input reads", () => {
    const src = [
      "graph outer {",
      "  start s",
      "  state { x: string }",
      "  node s { kind subgraph graph \"inner\" next END }",
      "}",
      "graph inner {",
      "  start t",
      "  state { y: string }",
      "  node t { kind set set { y: input.deep } next END }",
      "}",
    ].join("\n");
    expect(inputReads(blueprint(src, "outer"))).toEqual([]);
    expect(inputReads(blueprint(src, "inner")).map((r) => r.key)).toEqual(["deep"]);
  });
});
