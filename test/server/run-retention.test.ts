/**
 * A long-lived `rag serve` / `rag studio` keeps a bounded number of ended runs (with
 * their events): the oldest ended ones are forgotten, runs still executing never are,
 * and a forgotten run answers 404 while its thread stays in the checkpoints.
 */
import { describe, expect, it } from "vitest";
import { compileGraph } from "../../compiler/index.js";
import { defineConfig } from "../../config.js";
import { registryFromConfig } from "../../repl/standard-registry.js";
import { CompiledGraph, MemoryCheckpointer } from "../../runtime/index.js";
import { MAX_ENDED_RUNS, RunManager } from "../../server/index.js";

const SOURCE = `graph quick { state { n: number } start a node a { kind set set { n: 1 } next END } }`;

async function ended(runs: RunManager, id: string): Promise<void> {
  const r = runs.get(id);
  // Polled for up to 15 s: a loaded CI machine may take seconds to finish even a one-node run.
  for (const end = Date.now() + 15_000; !r.ended && Date.now() < end; ) await new Promise((ok) => setTimeout(ok, 5));
  expect(r.ended).toBe(true);
}

describe("run retention", () => {
  it("keeps the newest ended runs up to the bound; older ones are forgotten (404), their threads kept", async () => {
    const registry = registryFromConfig(defineConfig({}));
    const bp = compileGraph(SOURCE, { registry: registry.view() }).value!;
    const checkpointer = new MemoryCheckpointer();
    const graph = new CompiledGraph(bp, { registry, checkpointer });
    const runs = new RunManager(undefined, 3);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const rec = runs.launch(graph, "quick.rag", {}, { threadId: `t${i}` });
      ids.push(rec.runId);
      await ended(runs, rec.runId);
    }
    // Each launch makes room first: the 3 newest ended runs are kept.
    for (const id of ids.slice(0, 3)) expect(() => runs.get(id)).toThrow(/no run/);
    for (const id of ids.slice(3)) expect(runs.get(id).status).toBe("completed");
    expect((await runs.list()).map((r) => r.runId).sort()).toEqual(ids.slice(3).sort());
    expect(await checkpointer.getTuple({ threadId: "t0" })).toBeDefined();
    expect(MAX_ENDED_RUNS).toBeGreaterThanOrEqual(100);
  });
});
