/**
 * Red team 12b: operators that did native work over a long string uncharged. `k in xs`
 * tests a list index by a regular expression and converts the key; `k - 0`, `k < 1`,
 * `1 == k`, `k % 2` convert a string beside a number with a pass over every character.
 * Each was one operation whatever the string's length, and the interpreter reads the
 * clock only every 1,024 operations: a cell chaining eight `k in xs` on a 16,000,000-
 * character key held the event loop ~18 s against a 300 ms `timeoutMs`. They are now
 * charged the characters they scan before the operator runs, as an index key is
 * (`indexKey`). Counted in operations, not milliseconds.
 */
import { describe, expect, it } from "vitest";
import { codes, harness } from "../repl/helpers.js";

const SETUP = 'let k = "1".repeat(4000000)\nlet xs = [1]';

describe("operators on a long string are charged the characters they scan", () => {
  const cells: [string, unknown][] = [
    ["k in xs", false],
    ["k in {a: 1}", false],
    ["k - 0", Infinity],
    ["k * 1", Infinity],
    ["k % 2", NaN],
    ["k < 1", false],
    ["1 == k", false],
    ["k == true", false],
    ["[k] < 1", false],
  ];
  for (const [cell, value] of cells) {
    it(`\`${cell}\` on a 4,000,000-character string stops at a 10,000-operation limit`, async () => {
      const h = harness({ policy: { maxOperations: 10_000 } });
      expect(codes(await h.run(SETUP))).toEqual([]);
      // Uncharged: a handful of operations (the attack repeated it between clock reads).
      expect(codes(await h.run(cell))).toEqual(["E-ragsh-operation-limit"]);
      // Under the default budget it runs, with JavaScript's result.
      const d = harness();
      await d.run(SETUP);
      const r = await d.run(cell);
      expect(codes(r)).toEqual([]);
      expect(r.value).toEqual(value);
    });
  }

  it("short operands are not charged more: a loop of 1,000 comparisons and `in` tests runs under 20,000 operations", async () => {
    const h = harness({ policy: { maxOperations: 20_000 } });
    const r = await h.run('let n = 0\nfor (const i of range(1000)) { if ("12" < 13 && !("5" in [1]) && "7" == 7) n++ }\nn');
    expect(codes(r)).toEqual([]);
    expect(r.value).toBe(1000);
  });
});
