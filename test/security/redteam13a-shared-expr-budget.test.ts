/**
 * Red team 13A: one expression's operation budget (100,000) held per expression, so work
 * grew with the number of expressions a file writes. A 900 kB file of 20,000 `set` entries,
 * each spending its budget (`len(split(state.s, ""))` of 45,000 characters), held one step
 * 40 s; a `send` of 10,000 packets whose arguments each spent theirs held the planner (the
 * event loop) as long. The expressions of one task's writes, and the arguments of one
 * node's packets, a task's own (`input {…}` fields, `attach`) and a node's `when` routes now share
 * `SHARED_EXPR_BUDGET` (ten expressions' worth).
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { ExpressionError } from "../../runtime/errors.js";
import { conditionShared, SHARED_EXPR_BUDGET, sharedBudget } from "../../runtime/expr.js";
import { runGraph } from "../helpers/run-graph.js";

const costly = 'len(split(state.s, ""))'; // ~60,000 operations over 30,000 characters
const s = "a".repeat(30_000);

describe("red team 13A: a task's expressions share one budget", () => {
  it("is ten expressions' worth", () => {
    expect(SHARED_EXPR_BUDGET).toBe(1_000_000);
  });

  it("30 costly `set` entries in one node are refused, naming the node", async () => {
    const fields = Array.from({ length: 30 }, (_, i) => `f${i}: any`).join(" ");
    const entries = Array.from({ length: 30 }, (_, i) => `f${i}: ${costly}`).join(" ");
    const src = `graph g { start a state { s: string ${fields} } node a { kind set set { ${entries} } next END } }`;
    await expect(runGraph(src, { s })).rejects.toThrow(/the expressions of the writes of node `a` together exceeded their operation budget \(1,000,000\)/);
  });

  it("30 packets with costly arguments are refused before they run", async () => {
    const src = `graph g {
  start a
  state { s: string  n: list<number> append }
  node a { kind set send [w { k: ${costly} } for x in [${Array.from({ length: 30 }, (_, i) => i).join(", ")}]] }
  node w { kind set set { n: args.k } }
}`;
    await expect(runGraph(src, { s })).rejects.toThrow(/the expressions of the `send` arguments of node `a` together exceeded/);
  });

  it("30 costly `input {…}` fields of a node are refused", async () => {
    const fields = Array.from({ length: 30 }, (_, i) => `f${i}: ${costly}`).join(" ");
    const src = `graph g {
  start a
  state { s: string  out: any }
  node a { kind subgraph graph "h" input { ${fields} } writes out next END }
}
graph h { start b state { f0: any } node b { kind set set { f0: 1 } next END } }`;
    await expect(runGraph(src, { s }, { graph: "g" })).rejects.toThrow(/the expressions of node `a`'s task together exceeded/);
  });

  it("30 costly `when` routes of one node are refused", async () => {
    const routes = Array.from({ length: 30 }, () => `when ${costly} < 0 -> END`).join(" ");
    const src = `graph g {
  start a
  state { s: string  out: any }
  node a { kind router routes { ${routes} else -> b } }
  node b { kind set set { out: 1 } next END }
}`;
    await expect(runGraph(src, { s })).rejects.toThrow(/the expressions of the `when` routes of node `a` together exceeded/);
  });

  it("the truth of a condition's record value is charged to the routes' budget (review of 13A)", () => {
    // `when state.big -> X` listed the record's keys (its truth) outside every budget: 2 operations.
    const r = compile("graph g { start a state { big: any } node a { kind router routes { when state.big -> END else -> END } } }");
    const route = r.value.blueprints[0]!.edges.find((e) => e.kind === "when") as unknown as { when: Parameters<typeof conditionShared>[0] };
    const scope = (big: unknown) => ({ state: { big }, input: {}, args: null, run: {} });
    const big = Object.fromEntries(Array.from({ length: 150_000 }, (_, i) => [`k${i}`, i]));
    expect(() => conditionShared(route.when, scope(big), { left: 1_000, what: "the `when` routes of node `a`" })).toThrow(ExpressionError);
    expect(conditionShared(route.when, scope({ k: 1 }), sharedBudget("t"))).toBe(true);
    expect(conditionShared(route.when, scope({}), sharedBudget("t"))).toBe(false);
  });

  it("a type error in a group with little budget left stays a type error", () => {
    const r = compile('graph g { start a state { s: any } node a { kind router routes { when state.s - 1 > 0 -> END else -> END } } }');
    const route = r.value.blueprints[0]!.edges.find((e) => e.kind === "when") as unknown as { when: Parameters<typeof conditionShared>[0] };
    const err = (() => {
      try {
        conditionShared(route.when, { state: { s: "x" }, input: {}, args: null, run: {} }, { left: 5_000, what: "the `when` routes of node `a`" });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(ExpressionError);
    expect(err!.message).not.toMatch(/exceeded their operation budget/);
  });

  it("ordinary work fits: 5,000 packets of small arguments, 9 costly entries", async () => {
    const src = `graph g {
  start a
  state { s: string  n: list<number> append  f: list<number> append }
  node a { kind set send [w { k: x, d: x * 2 } for x in [${Array.from({ length: 5_000 }, (_, i) => i).join(",")}]] }
  node w { kind set set { n: args.d } }
}`;
    const r = await runGraph(src, { s });
    expect((r.state.n as number[]).length).toBe(5_000);
    const entries = Array.from({ length: 9 }, () => `f: ${costly}`).join(" ");
    const r2 = await runGraph(`graph g { start a state { s: string f: list<number> append } node a { kind set set { ${entries} } next END } }`, { s });
    expect(r2.state.f).toEqual(Array(9).fill(30_000));
  });
});
