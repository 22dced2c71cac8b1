/**
 * Crash safety (`runtime.md` §1 step 4, §3): a `rag run` on the SQLite checkpointer is
 * killed with SIGKILL in the middle of a fan-out; `rag resume` completes it. The final
 * state equals an uninterrupted run's, and no task whose writes were saved before the
 * kill runs again (each branch's tool appends to a side-effect file).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileGraph } from "../../compiler/index.js";
import type { RagConfig } from "../../registry/index.js";
import { CompiledGraph } from "../../runtime/index.js";
import { registryFromConfig } from "../../stdlib/index.js";
import { jsonEvents, ragAsync, ragIn, readCheckpoints, root, scratchProject } from "../helpers/cli.js";

const N = 6;
const config = `import { appendFileSync } from "node:fs";
import { defineConfig, tool, z } from ${JSON.stringify(join(root, "index.ts"))};
export default defineConfig({
  tools: {
    work: tool({
      description: "slow work with a side effect",
      schema: z.object({ n: z.number() }),
      run: async ({ n }) => {
        // Killed run: branches 1 and 2 finish; the others end only with the process (the
        // 10-minute timer just keeps them pending), so the kill lands mid fan-out however
        // slow the machine is. The resume (FAST) finishes every branch at once.
        await new Promise((ok) => setTimeout(ok, process.env.FAST ? 1 : n <= 2 ? n * 50 : 600_000));
        appendFileSync(process.env.EFFECTS, n + "\\n");
        return n * n;
      },
    }),
  },
});
`;
const source = `graph crash {
  start split
  input { items: list<number> }
  state {
    squares: list<number> append
    total: number = 0
  }
  node split { kind set send [w { n: x } for x in input.items -> squares] join sum }
  node w { kind tool tool "work" }
  node sum { kind set set { total: sum(state.squares) } next END }
}
`;

const effects = (file: string) => readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map(Number);
const count = (xs: number[], n: number) => xs.filter((x) => x === n).length;

describe("crash safety", () => {
  it("SIGKILL mid fan-out, then `rag resume`: the final state equals an uninterrupted run's; saved tasks never run again", async () => {
    const dir = scratchProject({ "rag.config.ts": config, "crash.rag": source });
    const items = Array.from({ length: N }, (_, i) => i + 1);
    const env = { EFFECTS: join(dir, "effects.txt") };
    const db = join(dir, ".rag/checkpoints.db");

    const run = ragAsync(["run", "crash.rag", "--input", JSON.stringify({ items }), "--thread", "crash-1", "--json"], dir, env);
    // Kill once the two finishing branches' completions are saved, while the rest still run;
    // the bound only covers a slow start (transpiling, loading the config) under load.
    let saved: string[] = [];
    await expect
      .poll(
        () => {
          // Completions saved against the latest checkpoint (with an event listener under
          // sync durability, earlier steps' tasks have records against older checkpoints too);
          // none while the file is not created yet.
          saved = readCheckpoints(db, (ck) => (ck.db.prepare("SELECT task_id FROM writes WHERE thread_id = 'crash-1' AND channel = '__task__' AND checkpoint_id = (SELECT id FROM checkpoints WHERE thread_id = 'crash-1' AND ns = '' ORDER BY seq DESC LIMIT 1)").all() as { task_id: string }[]).map((r) => r.task_id), [] as string[]);
          return saved.length;
        },
        { timeout: 45_000, interval: 15 },
      )
      .toBeGreaterThanOrEqual(2);
    run.child.kill("SIGKILL");
    const killed = await run.done;
    expect(killed.signal).toBe("SIGKILL");
    expect(jsonEvents(killed.stdout).some((e) => e.type === "run_completed")).toBe(false);
    // The branch tasks are 2.0 … 2.5 (task i is item i + 1); exactly the two finished ones were saved.
    const savedItems = saved.map((id) => Number(id.split(".")[1]) + 1).sort();
    expect(savedItems).toEqual([1, 2]);
    const before = effects(env.EFFECTS);

    // The killed run is a real process; the resume runs in-process (the same program).
    const resumed = await ragIn(["resume", "crash-1", "--json"], dir, { ...env, FAST: "1" });
    expect(resumed.code).toBe(0);
    const events = jsonEvents(resumed.stdout);
    const done = events.at(-1)!;
    expect(done.type).toBe("run_completed");
    expect(events.filter((e) => e.type === "task_completed" && e.restored).map((e) => e.taskId).sort()).toEqual([...saved].sort());

    // No task whose writes were saved ran again; every other branch ran (again, if it had started).
    const after = effects(env.EFFECTS);
    for (const n of savedItems) expect(count(after, n)).toBe(1);
    for (const n of items) expect(count(after, n)).toBeGreaterThanOrEqual(1);
    expect(after.slice(0, before.length)).toEqual(before);

    // The same graph and config, uninterrupted, in this process.
    const mod = (await import(join(dir, "rag.config.ts"))) as { default: RagConfig };
    const registry = registryFromConfig(mod.default);
    const bp = compileGraph(source, { registry: registry.view() }).value!;
    Object.assign(process.env, { EFFECTS: join(dir, "baseline.txt"), FAST: "1" });
    const baseline = await new CompiledGraph(bp, { registry }).invoke({ items }).finally(() => {
      delete process.env.EFFECTS;
      delete process.env.FAST;
    });
    expect(done.state).toEqual(baseline.state);
    expect(done.state).toEqual({ squares: items.map((n) => n * n), total: items.reduce((a, n) => a + n * n, 0) });
  }, 120_000);
});
