/**
 * Red team 12A: two files, one blueprint hash, through number literals. Canonical JSON
 * writes a number that is not finite as `null` (as JSON.stringify does), and the lexer
 * read `1e999` as Infinity: `x: any = 1e999`, `x: any = -1e999` and `x: any = null`
 * hashed the same, yet `when state.x > 5` routed them three ways (b, END, an expression
 * error). An approved file could so be edited to take another route, or write another
 * prompt (`{{ 1e999 }}` is "Infinity", `{{ null }}` "null"), without a new review. A
 * number literal (or a duration, or a `50k` count) past the largest double is now
 * `E-rag-limit-exceeded`.
 */
import { describe, expect, it } from "vitest";
import { compileGraph } from "../../compiler/index.js";

const routed = (v: string) => `graph g {
  start a
  state { x: any = ${v}  r: string = "" }
  node a { kind set set { r: "a" } routes { when state.x > 5 -> b  else -> END } }
  node b { kind set set { r: "b" } next END }
}`;

const codes = (src: string) => compileGraph(src, {}).diagnostics.filter((d) => d.severity === "error").map((d) => d.code);

describe("red team 12A: number literals past the largest double", () => {
  it.each([
    ["a state default", routed("1e999")],
    ["a negated state default", routed("-1e999")],
    ["an expression", `graph g { start a state { n: number = 1 } node a { kind set routes { when state.n < 1e999 -> END else -> END } } }`],
    ["a template", `graph g { start a node a { prompt "limit {{ 1e999 }}" next END } }`],
    ["a count suffix", `graph g { start a state { n: number = 1e306k } node a { kind set next END } }`],
    ["a duration", `graph g { start a node a { kind set timeout ${"9".repeat(400)}h next END } }`],
  ])("in %s is refused (it would hash as null)", (_what, src) => {
    expect(codes(src)).toContain("E-rag-limit-exceeded");
  });

  it("the largest finite literals still compile, each with a hash of its own", () => {
    const a = compileGraph(routed("1e308"), {});
    const b = compileGraph(routed("null"), {});
    expect(a.value && b.value).toBeTruthy();
    expect(a.value!.hash).not.toBe(b.value!.hash);
  });
});
