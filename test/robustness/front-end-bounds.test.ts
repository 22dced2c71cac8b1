/**
 * Issue 10 §3, front end: bad input is answered with a diagnostic in bounded time and
 * memory — did-you-mean on huge names, unclosed `list<`/`map<` nesting, and
 * `rag check --fix` settling on text whose fix cannot take.
 */
import { describe, expect, it } from "vitest";
import { compile, fixAll } from "../../compiler/index.js";
import { suggestionList } from "../../grammar/index.js";

describe("did-you-mean is bounded", () => {
  it("two 40,000-character names: no suggestion, quickly", () => {
    const a = "a".repeat(40_000);
    const t0 = performance.now();
    expect(suggestionList(a, [a + "b", "b" + a])).toEqual([]);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it("a program naming a 40,000-character unknown start node compiles with a diagnostic", () => {
    const name = "n".repeat(40_000);
    const src = `graph g {\n  start ${name}x\n  node ${name} { next END }\n}\n`;
    const t0 = performance.now();
    const codes = compile(src).diagnostics.map((d) => d.code);
    expect(codes).toContain("E-rag-unknown-start");
    expect(performance.now() - t0).toBeLessThan(5_000);
  });

  it("still suggests close names, and skips candidates whose length is too different", () => {
    expect(suggestionList("reserch", ["research", "researcher_of_things", "x"])).toEqual(["research"]);
    expect(suggestionList("ab", ["abcdefgh"])).toEqual([]);
  });
});

describe("unclosed type arguments count in the nesting limit", () => {
  for (const opener of ["list<", "map<string, "]) {
    it(`${opener} × 100 unclosed: one limit diagnostic`, () => {
      const src = `graph g {\n  state { x: ${opener.repeat(100)} }\n  start a\n  node a { next END }\n}\n`;
      const ds = compile(src).diagnostics;
      expect(ds.map((d) => [d.code, d.message])).toEqual([["E-rag-limit-exceeded", "nesting deeper than 64 levels"]]);
    });
  }

  it("closed type arguments are not nesting that lasts", () => {
    const src = `graph g {\n  state { ${Array.from({ length: 80 }, (_, i) => `x${i}: list<map<string>>`).join("\n  ")} }\n  start a\n  node a { next END }\n}\n`;
    expect(compile(src).diagnostics.filter((d) => d.code === "E-rag-limit-exceeded")).toEqual([]);
  });
});

describe("check --fix settles", () => {
  it("`node a [ next END }`: the fix is not offered into a swallowed body; fixing twice changes nothing", () => {
    const src = "graph g {\n  node a [ next END }\n";
    const once = fixAll(src);
    expect(once.text).toBe("graph g {\n  start a\n  node a [ next END }\n");
    expect(once.applied.map((a) => a.code)).toEqual(["E-rag-missing-start"]);
    const twice = fixAll(once.text);
    expect(twice.text).toBe(once.text);
    expect(twice.applied).toEqual([]);
  });

  it("a well-formed node still gets `next END`", () => {
    expect(fixAll("graph g {\n  start a\n  node a {\n    kind noop\n  }\n}\n").text).toContain("\n    next END\n  }\n");
  });
});
