/**
 * `string(/re/)` types on hostile patterns and inputs: nested counted repetitions are
 * refused before they are expanded, classic catastrophic-backtracking patterns match in
 * linear time, and a run input checked against such a type answers quickly (audit: holds).
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { compilePattern, MAX_PATTERN_INPUT, PatternError } from "../../compiler/pattern.js";
import { registryFromConfig } from "../../repl/index.js";
import { CompiledGraph } from "../../runtime/index.js";

const quick = (f: () => unknown) => {
  const t = Date.now();
  f();
  return Date.now() - t;
};

describe("string(/re/) patterns run in bounded time", () => {
  it("nested counted repetitions are refused before expansion", () => {
    for (const p of ["((((a{1000}){1000}){1000}){1000})", "(a{0,1000}){0,1000}", "(((.{100}){100}){100})"]) {
      expect(quick(() => expect(() => compilePattern(p)).toThrow(PatternError))).toBeLessThan(3000); // expanded, it would never end
    }
  });

  it("catastrophic-backtracking shapes match in linear time", () => {
    const hostile = "a".repeat(MAX_PATTERN_INPUT - 1) + "!";
    for (const p of ["(a+)+$", "(a|a)*b", "(a|aa)*c", "^(\\w+\\s?)*$", "(.*a){12}x"]) {
      const re = compilePattern(p);
      expect(quick(() => re.test(hostile))).toBeLessThan(5000); // backtracking, 2^n steps: it would never end
    }
  });

  it("a run input checked against a hostile pattern is refused quickly, not hung", async () => {
    const reg = registryFromConfig({});
    const r = compile('graph g { start a input { code: string(/^(a+)+$/) } node a { kind set next END } }', { file: "a.rag", registry: reg.view() });
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const g = new CompiledGraph(r.value.blueprints[0], { registry: reg });
    const t = Date.now();
    await expect(g.invoke({ code: "a".repeat(5000) + "!" })).rejects.toThrow();
    // Backtracking on 5,000 characters would take longer than the universe has; the run
    // (~240 ms under load, most of it not the match) gets a bound a loaded CI machine keeps.
    expect(Date.now() - t).toBeLessThan(10_000);
  });
});
