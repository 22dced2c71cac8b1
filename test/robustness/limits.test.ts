/**
 * The front-end limits of `language.md` §1 (source size 1 MiB, nesting depth 64, string
 * length 256 KiB, 10,000 nodes per graph) and the expression-length limit fail closed:
 * one `E-rag-limit-exceeded` diagnostic, never a crash or a hang — including shapes that
 * recurse without brackets (`not not …`, `a.b.c…`, `list<list<…>>`, `{{ ((…)) }}`).
 * Each limit is configurable per call.
 */
import { describe, expect, it } from "vitest";
import { compile, type CompileOptions } from "../../compiler/index.js";

function limitCodes(src: string, options: CompileOptions = {}) {
  const t0 = performance.now();
  const r = compile(src, options);
  const ms = performance.now() - t0;
  for (const d of r.diagnostics) expect(d.span.end.offset).toBeLessThanOrEqual(src.length);
  return { codes: [...new Set(r.diagnostics.filter((d) => d.severity === "error").map((d) => d.code))], ms, r };
}
const wrap = (node: string) => `graph g { start a node a { ${node} } }`;

describe("front-end limits", () => {
  it("source size: 1 MiB by default, configurable", () => {
    const big = `graph g { start a node a { next END } }\n// ${"x".repeat(1024 * 1024)}`;
    expect(limitCodes(big).codes).toEqual(["E-rag-limit-exceeded"]);
    expect(limitCodes(big, { limits: { sourceSize: 2 * 1024 * 1024 } }).codes).toEqual([]);
    expect(limitCodes(wrap("next END"), { limits: { sourceSize: 10 } }).codes).toEqual(["E-rag-limit-exceeded"]);
  });

  it("nesting depth: 64 brackets by default, in the file and inside `{{ }}`", () => {
    const nested = (n: number) => wrap(`routes { when ${"(".repeat(n)}1${")".repeat(n)} -> END }`);
    expect(limitCodes(nested(60)).codes).toEqual([]);
    expect(limitCodes(nested(70)).codes).toEqual(["E-rag-limit-exceeded"]);
    expect(limitCodes(nested(70), { limits: { nestingDepth: 100 } }).codes).toEqual([]);
    expect(limitCodes(wrap(`prompt "{{ ${"[".repeat(5000)}1${"]".repeat(5000)} }}" next END`)).codes).toEqual(["E-rag-limit-exceeded"]);
    expect(limitCodes("{".repeat(100_000)).codes).toContain("E-rag-limit-exceeded");
  });

  it("string length: 256 KiB by default", () => {
    expect(limitCodes(wrap(`prompt "${"x".repeat(256 * 1024 + 10)}" next END`)).codes).toEqual(["E-rag-limit-exceeded"]);
    expect(limitCodes(wrap(`prompt "${"x".repeat(1000)}" next END`), { limits: { stringLength: 100 } }).codes).toEqual(["E-rag-limit-exceeded"]);
  });

  it("nodes per graph: 10,000 by default", () => {
    const graph = (n: number) => `graph g { start n0 ${Array.from({ length: n }, (_, i) => `node n${i} { next ${i + 1 < n ? `n${i + 1}` : "END"} }`).join(" ")} }`;
    expect(limitCodes(graph(10)).codes).toEqual([]);
    const over = limitCodes(graph(12), { limits: { nodesPerGraph: 10 } });
    expect(over.codes).toEqual(["E-rag-limit-exceeded"]);
    expect(over.r.diagnostics.find((d) => d.code === "E-rag-limit-exceeded")!.message).toBe("graph `g` has 12 nodes; the limit is 10");
  });

  it("expressions: operator chains and suffix chains longer than 512", () => {
    for (const expr of [`${"1 + ".repeat(600)}1`, `${"not ".repeat(100_000)}true`, `${"- ".repeat(100_000)}1`, `state${".a".repeat(50_000)}`, `len${"(1)".repeat(20_000)}`]) {
      const { codes, ms } = limitCodes(wrap(`routes { when ${expr} -> END }`));
      expect(codes, expr.slice(0, 20)).toEqual(["E-rag-limit-exceeded"]);
      expect(ms).toBeLessThan(10_000);
    }
  });

  it("types: thousands of `list<…>` levels or `[]` suffixes", () => {
    expect(limitCodes(`graph g { start a state { x: ${"list<".repeat(5000)}string${">".repeat(5000)} } node a { next END } }`).codes).toEqual(["E-rag-limit-exceeded"]);
    expect(limitCodes(`graph g { start a state { x: string${"[]".repeat(20_000)} } node a { next END } }`).codes).toEqual(["E-rag-limit-exceeded"]);
  });
});
