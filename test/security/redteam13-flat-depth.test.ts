/**
 * Red team round 13: `list.flat(depth)` ignored its depth (one level always), so
 * `flat(Infinity)` quietly returned a half-flattened list. With the depth honoured, a
 * list that shares its parts (40 levels of `[x, x]`: 2^40 leaves in 40 small lists) must
 * stop at the session's operation or memory limit, level by level, and leave the session live.
 */
import { describe, expect, it } from "vitest";
import { codes, harness } from "../repl/helpers.js";

describe("flat(depth) over shared lists is charged level by level", () => {
  it("flat(Infinity) of 2^40 shared leaves stops at the operation limit; the session lives on", async () => {
    const h = harness({ policy: { maxOperations: 200_000, timeoutMs: 5_000 } });
    const r = await h.run("let x = [1]\nfor (let i = 0; i < 40; i++) x = [x, x]\nx.flat(Infinity).length");
    // Whichever of the session's limits a level's charge spends first: never built whole.
    expect(codes(r)).toHaveLength(1);
    expect(["E-ragsh-operation-limit", "E-ragsh-memory-limit"]).toContain(codes(r)[0]);
    expect((await h.run("[[1, [2]], [3]].flat(Infinity)")).value).toEqual([1, 2, 3]);
  });
});
