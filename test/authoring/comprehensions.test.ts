/**
 * List comprehensions with a filter and `count` / `any` / `all` (issue 15 §2,
 * `language.md` §3.2): parsed, formatted back, type-checked from the list's declared
 * element type, lowered to the IR and evaluated with a per-element budget.
 */
import { describe, expect, it } from "vitest";
import { compileGraph, formatSource, type ExprSpec } from "../../compiler/index.js";
import { evaluate } from "../../runtime/index.js";
import { runGraph } from "../helpers/run-graph.js";

const SRC = `graph g {
  start a
  state {
    items: { label: string, ok: boolean, score: number }[]
    labels: string[]
    n: number
    some: boolean
    every: boolean
  }
  node a {
    kind set
    set {
      labels: [x.label for x in state.items if x.ok]
      n: count(x.score > 0.5 for x in state.items)
      some: any([x.ok for x in state.items])
      every: all(x.ok for x in state.items)
    }
    next END
  }
}
`;
const ITEMS = [
  { label: "a", ok: true, score: 0.9 },
  { label: "b", ok: false, score: 0.7 },
  { label: "c", ok: true, score: 0.1 },
];
const codes = (src: string) => compileGraph(src, {}).diagnostics.map((d) => `${d.code} ${d.span.start.line}:${d.span.start.column}`);

describe("list comprehensions", () => {
  it("compile clean, format to themselves, and compute filter, count, any and all", async () => {
    expect(codes(SRC)).toEqual([]);
    expect(formatSource(SRC).value).toBe(SRC);
    const r = await runGraph(SRC, { items: ITEMS });
    expect(r.state).toMatchObject({ labels: ["a", "c"], n: 2, some: true, every: false });
    const empty = await runGraph(SRC, { items: [] });
    expect(empty.state).toMatchObject({ labels: [], n: 0, some: false, every: true });
  });

  it("types the variable from the list's declared element type", () => {
    expect(codes(SRC.replace("x.label for", "x.lable for"))).toEqual(["E-rag-unknown-field 13:18"]);
    const d = compileGraph(SRC.replace("x.label for", "x.lable for"), {}).diagnostics[0];
    expect(d.fixes?.[0]?.replacement).toBe("label");
    expect(codes(SRC.replace("if x.ok]", "if x.score > \"high\"]"))).toEqual(["E-rag-type-mismatch 13:48"]);
    expect(codes(SRC.replace("n: count(x.score > 0.5 for x in state.items)", "n: count(x for x in state.n)"))).toContain("E-rag-type-mismatch 14:27");
  });

  it("a variable that hides a root, or two elements before `for`, is E-rag-invalid-comprehension", () => {
    expect(codes(SRC.replace("[x.label for x in state.items if x.ok]", "[state for state in state.items]"))).toEqual(["E-rag-invalid-comprehension 13:26"]);
    expect(codes(SRC.replace("[x.label for x in state.items if x.ok]", "[x.label, x.ok for x in state.items]"))).toContain("E-rag-invalid-comprehension 13:16");
  });

  it("a comprehension over something that is not a list fails the task with a clear error", async () => {
    const src = SRC.replace("items: { label: string, ok: boolean, score: number }[]", "items: any");
    await expect(runGraph(src, { items: "abc" })).rejects.toThrow(/comprehension iterates over a list, got string/);
    const r = await runGraph(src, {});
    expect(r.state).toMatchObject({ labels: [], n: 0 });
  });
});

describe("bounded evaluation", () => {
  const span = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
  const v = (name: string): ExprSpec => ({ op: "var", name, span });
  it("each element is charged before its work: a long list stops at the limit", () => {
    let touched = 0;
    const items = new Proxy(Array.from({ length: 1_000_000 }, (_, i) => i), {
      get(t, k, r) {
        if (typeof k === "string" && /^\d+$/.test(k)) touched++;
        return Reflect.get(t, k, r);
      },
    });
    const comp: ExprSpec = { op: "comp", variable: "x", iterable: v("xs"), element: { op: "bin", operator: "*", left: v("x"), right: v("x"), span }, span };
    expect(() => evaluate(comp, { xs: items }, { left: 1_000 })).toThrow(/operation budget/);
    expect(touched).toBeLessThan(1_000);
    expect(() => evaluate({ op: "call", fn: "count", args: [v("xs")], span }, { xs: items }, { left: 1_000 })).toThrow(/operation budget/);
  });

  it("json, join, contains, keys and values charge the size of what they walk before the work", () => {
    // 20,000 references to one 1,000-item list: JSON.stringify would write 20 million numbers.
    // The work done before the refusal is counted in list items read (a time bound is
    // flaky on a loaded machine): a walk charged as it goes stops after about the budget.
    let read = 0;
    const counted = <T>(items: T[]): T[] =>
      new Proxy(items, {
        get(t, k, r) {
          if (typeof k === "string" && /^\d+$/.test(k)) read++;
          return Reflect.get(t, k, r);
        },
      });
    const inner = counted(Array.from({ length: 1_000 }, (_, i) => i));
    const shared = counted(Array.from({ length: 20_000 }, () => inner));
    const record = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i]));
    const call = (fn: string, ...args: ExprSpec[]): ExprSpec => ({ op: "call", fn, args, span });
    const lit = (value: unknown): ExprSpec => ({ op: "lit", value, span }) as ExprSpec;
    for (const [e, scope] of [
      [call("json", v("xs")), { xs: shared }],
      [call("join", v("xs"), lit(",")), { xs: counted(Array.from({ length: 20_000 }, () => "x".repeat(10_000))) }],
      [call("contains", v("xs"), lit(-1)), { xs: shared }],
      [call("keys", v("r")), { r: record }],
      [call("values", v("r")), { r: record }],
    ] as const) {
      read = 0;
      expect(() => evaluate(e, scope, { left: 1_000 })).toThrow(/operation budget/);
      expect(read, e.op === "call" ? e.fn : "").toBeLessThan(10_000);
    }
    // Within the budget they still work.
    expect(evaluate(call("json", v("xs")), { xs: [1, [2]] }, { left: 1_000 })).toBe("[1,[2]]");
    expect(evaluate(call("join", v("xs"), lit("-")), { xs: ["a", "b"] }, { left: 1_000 })).toBe("a-b");
    expect(evaluate(call("contains", v("xs"), lit(2)), { xs: [1, 2] }, { left: 1_000 })).toBe(true);
  });

  it("a variable named __proto__ is a plain name", () => {
    const comp: ExprSpec = { op: "comp", variable: "__proto__", iterable: v("xs"), element: v("__proto__"), span };
    expect(evaluate(comp, { xs: [1, { polluted: true }] })).toEqual([1, { polluted: true }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
