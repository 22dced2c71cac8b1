/**
 * Ranges and patterns in types (issue 15 §2, `language.md` §4.1): `number(0..1)`,
 * `integer(1..10)`, `string(/^[A-Z]{3}$/)`. Checked statically for literal writes and at
 * run time on every write — `set` and `writes`, reducers' results, model outputs, run
 * inputs and resume answers — with errors naming graph, node and field. Patterns run on
 * a linear-time matcher, so no pattern can backtrack catastrophically.
 */
import { describe, expect, it } from "vitest";
import { compileGraph, compilePattern, formatSource, MAX_PATTERN_INPUT, PatternError } from "../../compiler/index.js";
import { MemoryCheckpointer } from "../../runtime/index.js";
import { registryFromConfig, scripted } from "../../stdlib/index.js";
import { buildGraph, runGraph } from "../helpers/run-graph.js";

const SRC = `graph g {
  start a
  input { code: string(/^[A-Z]{3}$/), score: number(0..1) }
  state {
    code: string(/^[A-Z]{3}$/)
    score: number(0..1)
    n: integer(0..3) sum = 0
    scores: number(-1..1)[] append
    big: number(10..)
  }
  node a {
    kind set
    set { n: 2, scores: -0.5, big: state.score * 100 }
    next b
  }
  node b {
    kind set
    set { n: 1 }
    next END
  }
}
`;
const diags = (src: string) => compileGraph(src, {}).diagnostics.map((d) => `${d.code} ${d.span.start.line}:${d.span.start.column}`);

describe("type constraints: syntax and compiler", () => {
  it("parse, format to themselves and lower to the IR", () => {
    const r = compileGraph(SRC, {});
    expect(r.diagnostics).toEqual([]);
    expect(formatSource(SRC).value).toBe(SRC);
    const types = Object.fromEntries(r.value!.state.map((f) => [f.name, f.type]));
    expect(types).toMatchObject({ code: { type: "string", pattern: "^[A-Z]{3}$" }, score: { type: "number", min: 0, max: 1 }, n: { type: "integer", min: 0, max: 3 }, scores: { type: "list", items: { type: "number", min: -1, max: 1 } }, big: { type: "number", min: 10 } });
    expect(types.big).not.toHaveProperty("max");
  });

  it("reports misplaced or empty constraints and unsafe or malformed patterns where they are", () => {
    expect(diags(SRC.replace("score: number(0..1)\n", "score: number(1..0)\n"))).toEqual(["E-rag-invalid-type-constraint 6:18"]);
    const swap = compileGraph(SRC.replace("score: number(0..1)\n", "score: number(1..0)\n"), {}).diagnostics[0];
    expect(swap.fixes?.[0]?.replacement).toBe("(0..1)");
    expect(diags(SRC.replace("big: number(10..)", "big: boolean(10..)"))).toContain("E-rag-invalid-type-constraint 9:17");
    expect(diags(SRC.replace("big: number(10..)", "big: string(1..5)"))).toContain("E-rag-invalid-type-constraint 9:16");
    expect(diags(SRC.replace("n: integer(0..3)", "n: integer(0..2.5)"))).toEqual(["E-rag-invalid-type-constraint 7:15"]);
    // The span points at the offending character inside the pattern.
    expect(diags(SRC.replace("code: string(/^[A-Z]{3}$/)\n    score", "code: string(/^(a)\\1$/)\n    score"))).toEqual(["E-rag-invalid-pattern 5:23"]);
    expect(diags(SRC.replace("code: string(/^[A-Z]{3}$/)\n    score", "code: string(/(?=a)/)\n    score"))).toEqual(["E-rag-invalid-pattern 5:19"]);
  });

  it("checks literal writes and defaults statically", () => {
    expect(diags(SRC.replace("set { n: 2, scores: -0.5,", 'set { n: 5, scores: [0.5, -2], code: "abc",'))).toEqual([
      "E-rag-constraint-violation 13:14",
      "E-rag-constraint-violation 13:31",
      "E-rag-constraint-violation 13:42",
    ]);
    expect(diags(SRC.replace("n: integer(0..3) sum = 0", "n: integer(0..3) sum = 7"))).toEqual(["E-rag-constraint-violation 7:28"]);
    const d = compileGraph(SRC.replace("set { n: 2,", "set { n: 5,"), {}).diagnostics[0];
    expect(d.message).toBe("graph `g`, node `a`: field `n`: 5 is outside integer(0..3)");
  });
});

describe("type constraints: every write is checked at run time", () => {
  it("a valid run completes", async () => {
    const r = await runGraph(SRC, { code: "ABC", score: 0.5 });
    expect(r.state).toMatchObject({ code: "ABC", score: 0.5, n: 3, scores: [-0.5], big: 50 });
  });

  it("run inputs", async () => {
    await expect(runGraph(SRC, { code: "AB", score: 0.5 })).rejects.toThrow("the input of graph `g` does not match its `input` block: field `code`: expected a string matching /^[A-Z]{3}$/");
    await expect(runGraph(SRC, { code: "ABC", score: 1.5 })).rejects.toThrow(/field `score`: expected number\(0\.\.1\)/);
  });

  it("computed writes and reducers' results name graph, node and field", async () => {
    await expect(runGraph(SRC, { code: "ABC", score: 0.05 })).rejects.toThrow(/graph `g`, node `a`, field `big`: expected number\(10\.\.\)/);
    await expect(runGraph(SRC.replace("set { n: 1 }", "set { n: 2 }"), { code: "ABC", score: 0.5 })).rejects.toThrow("graph `g`, node `b`, field `n`: the sum reducer's result number 4 is not integer(0..3)");
  });

  const MODEL = `graph grade {
  start judge
  state { score: number(0..1), code: string(/^[A-Z]{3}$/) }
  node judge {
    model "m"
    prompt "Grade it"
    output { score: number(0..1), code: string(/^[A-Z]{3}$/) }
    writes { score: result.score, code: result.code }
    next END
  }
}
`;
  it("model outputs: the schema sent carries the bounds and pattern, and a reply outside them fails", async () => {
    const ok = scripted({ rules: [{ reply: { json: { score: 0.4, code: "XYZ" } } }] });
    const r = await buildGraph(MODEL, { registry: registryFromConfig({ models: { m: { provider: ok } } }) }).graph.invoke({});
    expect(r.state).toMatchObject({ score: 0.4, code: "XYZ" });
    expect(ok.requests[0].output?.schema).toMatchObject({ properties: { score: { type: "number", minimum: 0, maximum: 1 }, code: { type: "string", pattern: "^[A-Z]{3}$" } } });
    const bad = scripted({ rules: [{ reply: { json: { score: 4, code: "xyz" } } }] });
    const err = await buildGraph(MODEL, { registry: registryFromConfig({ models: { m: { provider: bad } } }) }).graph.invoke({}).catch((e: unknown) => e as Error);
    expect(err).toMatchObject({ errorClass: "validation", node: "judge" });
    expect((err as Error).message).toMatch(/graph `grade`, node `judge`: .*field `score`: .*number\(0\.\.1\).*field `code`: expected a string matching/);
  });

  it("resume answers", async () => {
    const src = `graph g {
  start ask
  checkpoint sync
  state { code: string }
  node ask {
    kind interrupt
    prompt "Code?"
    resume { code: string(/^[A-Z]{3}$/) }
    writes { code: result.code }
    next END
  }
}
`;
    const { graph } = buildGraph(src, { checkpointer: new MemoryCheckpointer() });
    const paused = await graph.invoke({}, { threadId: "t" });
    expect(paused.interrupts[0].payload).toMatchObject({ resume: { properties: { code: { pattern: "^[A-Z]{3}$" } } } });
    await expect(graph.resume("t", { value: { code: "abcd" } })).rejects.toThrow(/graph `g`, interrupt node `ask`: .*field `code`: expected a string matching/);
    await graph.invoke({}, { threadId: "t2" });
    const r = await graph.resume("t2", { value: { code: "ABC" } });
    expect(r.state).toMatchObject({ code: "ABC" });
  });
});

describe("patterns run in linear time", () => {
  it("agree with RegExp on the supported syntax", () => {
    const cases: [string, string[]][] = [
      ["^[A-Z]{3}$", ["ABC", "AB", "ABCD", "abc"]],
      ["^\\d{4}-\\d{2}-\\d{2}$", ["2024-01-31", "2024-1-31"]],
      ["^(a|b)+c?$", ["abab", "ababc", "abcc", ""]],
      ["^[^@\\s]+@[a-z.]+\\.[a-z]{2,}$", ["a@b.co", "a b@c.de", "x@y.z"]],
      ["a{2,3}", ["a", "aa", "baab"]],
      ["x{", ["ax{", "ax"]],
      ["[\\d-]+$", ["12-3", "ab"]],
      ["^.*$", ["one line", "two\nlines"]],
    ];
    for (const [p, inputs] of cases) for (const s of inputs) expect(compilePattern(p).test(s), `${p} on ${JSON.stringify(s)}`).toBe(new RegExp(p).test(s));
  });

  it("patterns that backtrack catastrophically in RegExp return at once", () => {
    const input = "a".repeat(MAX_PATTERN_INPUT);
    expect(compilePattern("(a+)+b").test(input)).toBe(false);
    expect(compilePattern("^(\\w*\\w*\\w*\\w*)+b$").test(input)).toBe(false);
    expect(compilePattern("^a+$").test(input + "a")).toBe(false); // over the input bound: no match
  });

  it("rejects what needs backtracking or is too large, with the offset", () => {
    for (const [p, msg] of [["(a)\\1", /backreferences/], ["(?<=a)b", /lookaround/], ["\\bx", /word boundaries/], ["(a{1000}){1000}", /too large/], ["a**", /cannot follow/], ["[z-a]", /out of order/]] as const) {
      expect(() => compilePattern(p), p).toThrow(msg);
    }
    const e = (() => { try { compilePattern("ab(?=c)"); } catch (x) { return x; } })();
    expect(e).toBeInstanceOf(PatternError);
    expect((e as PatternError).offset).toBe(2);
  });
});
