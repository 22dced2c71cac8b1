/**
 * Comprehensions (`[e for x in xs if c]`), `count/any/all` and operators cannot build or
 * compare values past the expression budget: the operation count alone let
 * `[state.big for x in state.xs]` repeat a large state value in every item (3,000 × 1 MiB
 * — the checkpoint that serialises it runs the process out of memory), and `==` / `in`
 * / `+` do work proportional to their operands' size. Every case must stop with an
 * ExpressionError quickly; ordinary comprehensions still work.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { evaluate, ExpressionError } from "../../runtime/index.js";

function expr(text: string): Parameters<typeof evaluate>[0] {
  const r = compile(`graph g { start a state { xs: list<number>  s: string  big: any  o: any } node a { kind set set { o: ${text} } next END } }`, { file: "a.rag" });
  const errs = r.diagnostics.filter((d) => d.severity === "error");
  if (errs.length) throw new Error(errs.map((d) => `${d.code}: ${d.message}`).join("\n"));
  const node = r.value.blueprints[0].nodes.find((n) => n.name === "a") as unknown as { set: { value: Parameters<typeof evaluate>[0] }[] };
  return node.set[0].value;
}

/** Reads of list items, by list: how much of `xs` a comprehension went through, how much of `big` was compared or measured. */
const reads = { xs: 0, big: 0 };
function counted<T>(name: keyof typeof reads, items: T[]): T[] {
  return new Proxy(items, {
    get(t, k, r) {
      if (typeof k === "string" && /^\d+$/.test(k)) reads[name]++;
      return Reflect.get(t, k, r);
    },
  });
}

const xs = counted("xs", Array.from({ length: 3000 }, (_, i) => i));
const big = counted("big", Array.from({ length: 5000 }, (_, i) => ({ id: i, name: `item ${i}` })));
const state = { xs, s: "x".repeat(1 << 20), big };
const scope = { state, input: {}, args: null, run: {} };

describe("expressions are bounded by size, not only by operation count", () => {
  const attacks = [
    "[state.s for x in state.xs]",
    "[state.big for x in state.xs]",
    "[state.s + state.s for x in state.xs]",
    "count(state.big == state.big for x in state.xs)",
    "any(state.big[0] in state.big and false for x in state.xs)",
    "all(state.s + \"y\" != state.s for x in state.xs)",
  ];
  for (const a of attacks) {
    it(`${a} stops with an ExpressionError`, () => {
      const e = expr(a);
      reads.xs = reads.big = 0;
      expect(() => evaluate(e, scope)).toThrow(ExpressionError);
      // Stopped early, counted in list reads rather than milliseconds (a loaded machine
      // makes any time bound flaky): a few of the 3,000 items (each one's work is charged
      // before it is done), and `big` walked a few times to measure it, never compared
      // or copied once per item (3,000 × 5,000 reads).
      expect(reads.xs).toBeLessThan(xs.length / 10);
      expect(reads.big).toBeLessThan(20 * big.length);
    });
  }

  it("ordinary comprehensions and counts still work", () => {
    expect(evaluate(expr("count(x > 1500 for x in state.xs)"), scope)).toBe(1499);
    expect((evaluate(expr("[b.name for b in state.big if b.id < 3]"), scope) as unknown[]).length).toBe(3);
    expect(evaluate(expr("any(b.id == 4999 for b in state.big)"), scope)).toBe(true);
  });

  it("`+` of two lists is charged before the joined list is built", () => {
    // Measuring both operands costs 6,000 operations; joining them costs 6,000 more. With
    // 6,010 to spend the join must be refused, not built and noticed one operation later.
    const join = expr("state.xs + state.xs");
    expect(() => evaluate(join, scope, { left: 6_010 })).toThrow(/`\+` of lists of 3000 and 3000 items/);
    expect((evaluate(join, scope, { left: 20_000 }) as unknown[]).length).toBe(6000);
  });
});
