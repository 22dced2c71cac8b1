/**
 * Red team 13A: native work in `.rag` expressions that the operation budget did not see.
 * - The truth of a record (`if`, `not`, `and`, `or`, `count`/`any`/`all`) lists its keys:
 *   `[1 for x in state.xs if state.big]` listed a 150,000-key record once per item for one
 *   operation (2,000 items: 415 s). The listing is now charged a key an operation.
 * - `needle in xs` and `contains(xs, needle)` wrote the needle's canonical JSON again for
 *   every item that is a list or record: a 1 MB needle over 2,000 empty lists took 33 s.
 *   The needle is written once now.
 * - `join(xs, sep)` charged the items, not the separator it writes between them: 3,000
 *   items and a 40 MB separator cost ~3,000 operations and asked V8 for a 120 GB string.
 */
import { describe, expect, it } from "vitest";
import { runGraph } from "../helpers/run-graph.js";

const graph = (expr: string) => `graph g {
  start a
  state { big: any  xs: any  s: any  out: any }
  node a { kind set set { out: ${expr} } next END }
}`;

describe("red team 13A: expression work charged before it is done", () => {
  const big: Record<string, number> = {};
  for (let i = 0; i < 40_000; i++) big[`k${i}`] = i;
  const xs = Array.from({ length: 400 }, () => []);

  for (const expr of ["[1 for x in state.xs if state.big]", "[not state.big for x in state.xs]", "[state.big and true for x in state.xs]"]) {
    it(`the truth of a large record is charged: ${expr}`, async () => {
      const t0 = Date.now();
      await expect(runGraph(graph(expr), { big, xs })).rejects.toThrow(/operation budget/);
      expect(Date.now() - t0).toBeLessThan(8_000);
    }, 20_000);
  }

  for (const expr of ["[state.s] in state.xs", "contains(state.xs, [state.s])"]) {
    it(`a list search writes its needle once: ${expr}`, async () => {
      const t0 = Date.now();
      const r = await runGraph(graph(expr), { xs, s: "x".repeat(2 << 20) });
      expect(r.state.out).toBe(false);
      expect(Date.now() - t0).toBeLessThan(8_000);
    }, 20_000);
  }

  it("list search still finds equal lists and records, and primitives by value", async () => {
    const r = await runGraph(graph("[[1, {a: 2}] in state.xs, contains(state.xs, {b: 1}), 3 in state.xs, null in state.xs, \"3\" in state.xs]"), { xs: [[1, { a: 2 }], { b: 1 }, 3, null] });
    expect(r.state.out).toEqual([true, true, true, true, false]);
  });

  it("join charges the separator it writes between the items", async () => {
    const sep = "y".repeat(1 << 20);
    const many = Array.from({ length: 3_000 }, () => "a");
    await expect(runGraph(graph("len(join(state.xs, state.s))"), { xs: many, s: sep })).rejects.toThrow(/operation budget \(`join` of 3000 items with a separator of 1048576 characters\)/);
    const r = await runGraph(graph("join(state.xs, state.s)"), { xs: ["a", "b", "c"], s: ", " });
    expect(r.state.out).toBe("a, b, c");
  });
});
