/**
 * The enumeration of choice trails (simulate/choices.ts): every combination of choices
 * is run exactly once, shallow alternatives first; a question asked again gets the same
 * answer; a site past its free turns repeats its previous answer.
 */
import { describe, expect, it } from "vitest";
import { branchPrefixes, ChoiceTrail } from "../../simulate/choices.js";

/** Runs `program` over every trail, breadth first; returns the answers of each run. */
function explore(program: (t: ChoiceTrail) => string): string[] {
  const out: string[] = [];
  const queue: number[][] = [[]];
  while (queue.length) {
    const prefix = queue.shift()!;
    const t = new ChoiceTrail(prefix, 2, 0);
    out.push(program(t));
    queue.push(...branchPrefixes(t.branchable, prefix.length));
  }
  return out;
}

describe("choice trails", () => {
  it("enumerate every combination once, the first choice's alternatives first", () => {
    const runs = explore((t) => {
      const a = ["x", "y"][t.choose("a", "a", "model", ["x", "y"])];
      // The second question depends on the first answer (a different tree per branch).
      const b = a === "x" ? ["1", "2", "3"][t.choose("b", "b", "model", ["1", "2", "3"])] : "-";
      return a + b;
    });
    expect(runs).toEqual(["x1", "y-", "x2", "x3"]);
  });

  it("answer a question asked again the same, and repeat a site's last answer past its free turns", () => {
    const t = new ChoiceTrail([1, 0], 2, 0);
    expect(t.choose("s", "k1", "model", ["a", "b"])).toBe(1);
    expect(t.choose("s", "k1", "model", ["a", "b"])).toBe(1);
    expect(t.choose("s", "k2", "model", ["a", "b"])).toBe(0);
    expect(t.choose("s", "k3", "model", ["a", "b"])).toBe(0);
    expect(t.records.map((r) => [r.label, r.forced])).toEqual([["b", false], ["a", false], ["a", true]]);
    expect(t.branchable).toEqual([{ index: 1, of: 2 }, { index: 0, of: 2 }]);
  });
});
