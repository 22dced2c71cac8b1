/**
 * List searches of a `.ragsh` cell (`includes`, `contains`, `indexOf`, `lastIndexOf`) and
 * the default `sort` compare strings natively: two long strings of the same length that
 * share a prefix are read character by character. They were charged one operation per
 * 256 items whatever the strings' length, so a loop of searches over a list of long
 * equal-prefix strings ran until the deadline under a small `maxOperations`. Now each
 * comparison of a long string is charged by its length before it runs (`repl/search.ts`):
 * the first search or two exceed the budget.
 */
import { describe, expect, it } from "vitest";
import { codes, harness } from "../repl/helpers.js";

/** 20 strings of 100,001 characters equal to each other, and a needle that differs only in its last character. */
const SETUP = 'let base = "a".repeat(100000)\nlet xs = []\nfor (let i = 0; i < 20; i++) xs.push(base + "b")\nlet needle = base + "c"\nlet searches = 0\n';

const POLICY = { maxOperations: 20_000, timeoutMs: 5_000 };

describe("list searches are charged for the characters they compare", () => {
  const searches: [string, string][] = [
    ["includes", "xs.includes(needle)"],
    ["contains", "xs.contains(needle)"],
    ["indexOf", "xs.indexOf(needle)"],
    ["lastIndexOf", "xs.lastIndexOf(needle)"],
  ];
  for (const [name, call] of searches) {
    it(`${name}: a loop of searches over long equal-prefix strings stops at the operation limit within a few searches`, async () => {
      const h = harness({ policy: POLICY });
      expect((await h.run(SETUP)).ok).toBe(true);
      const r = await h.run(`while (searches < 2000) { ${call}; searches += 1 }`);
      expect(r.ok).toBe(false);
      // The operation limit, not the 5 s deadline (E-ragsh-timeout) an uncharged loop runs into.
      expect(codes(r)).toEqual(["E-ragsh-operation-limit"]);
      // 20 × 100,001 characters ≈ 7,800 operations per search: the third cannot start.
      // (Counted in searches, not milliseconds: a time bound is flaky on a loaded machine.)
      expect((await h.run("searches")).value).toBeLessThanOrEqual(2);
    });
  }

  it("the results are unchanged: strict equality, SameValueZero for includes, from the end for lastIndexOf", async () => {
    const h = harness();
    const r = await h.run('let l = [1, "1", NaN, 0, 1]\n[l.indexOf(1), l.lastIndexOf(1), l.indexOf("1"), l.includes(NaN), l.indexOf(NaN), l.includes(-0), l.indexOf(2), [].includes(undefined)]');
    expect(r.value).toEqual([0, 4, 1, true, -1, true, -1, false]);
    const long = await h.run('let s = "x".repeat(300)\nlet m = ["y".repeat(300), s + "", "z"]\n[m.indexOf(s), m.includes("x".repeat(300)), m.lastIndexOf("q".repeat(300))]');
    expect(long.value).toEqual([1, true, -1]);
  });

  it("the default sort charges comparisons of long keys: many long equal-prefix strings stop at the operation limit", async () => {
    const h = harness({ policy: POLICY });
    const r = await h.run('let base = "a".repeat(100000)\nlet xs = []\nfor (let i = 0; i < 64; i++) xs.push(base + String(i % 7))\nxs.sort()\nxs.length');
    expect(r.ok).toBe(false);
    expect(codes(r)).toEqual(["E-ragsh-operation-limit"]);
  });
});
