/**
 * Red team 13A: a graph that sends to itself. The depth limit (64) bounds one path, not the
 * tree: `send [g {…} for i in [1, 2]]` in graph `g` grows 2^k runs at depth k, and a
 * branch that fails at the depth limit leaves its siblings running, so `rag run` of this
 * 6-line file held 1 GB for minutes. A run tree now starts at most `maxChildRuns` child
 * runs over its life (default 10,000, a whole fan-out of 10,000 graph sends), charged before each starts (`ChildRunLimitError`).
 */
import { describe, expect, it } from "vitest";
import { ChildRunLimitError, DEFAULT_MAX_CHILD_RUNS } from "../../runtime/index.js";
import { standardRegistry } from "../../stdlib/index.js";
import { runGraph } from "../helpers/run-graph.js";

const selfSend = `graph g {
  start a
  state { x: list<any> append }
  node a { kind set send [g { x: [i] } for i in [1, 2]] join b }
  node b { kind set next END }
}`;

describe("red team 13A: child runs are counted over the run tree", () => {
  it("a graph that sends to itself stops at the tree's bound", async () => {
    expect(DEFAULT_MAX_CHILD_RUNS).toBe(10_000);
    const t0 = Date.now();
    const err = await runGraph(selfSend, {}, { maxChildRuns: 300 }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(String(err)).toMatch(/would start more than 300 child runs in this run tree/);
  }, 60_000);

  it("a fan-out of subgraph calls within the bound runs", async () => {
    const src = `graph g {
  start a
  state { n: list<number> append }
  node a { kind set send [h { v: i } for i in [1, 2, 3, 4, 5]] join b }
  node b { kind set next END }
}
graph h { start c input { v: number } state { v: number } output { v: number } node c { kind set set { v: input.v } next END } }`;
    const r = await runGraph(src, {}, { graph: "g", maxChildRuns: 5 });
    expect(r.status).toBe("completed");
    await expect(runGraph(src, {}, { graph: "g", maxChildRuns: 4 })).rejects.toThrow(ChildRunLimitError);
    // The host's config sets it for every run (`limits: { maxChildRuns }`); a run's own option wins.
    const registry = standardRegistry();
    registry.runLimits = { maxChildRuns: 4 };
    await expect(runGraph(src, {}, { graph: "g", registry })).rejects.toThrow(/more than 4 child runs/);
    expect((await runGraph(src, {}, { graph: "g", registry, maxChildRuns: 5 })).status).toBe("completed");
  });
});
