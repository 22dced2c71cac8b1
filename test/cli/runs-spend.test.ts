/**
 * What a thread spent under budgets, shown where its state is read: `getState` /
 * `getStateHistory` (`StateSnapshot.spend`: the spend the thread's line had when it left
 * the checkpoint — a resume starts from it), `rag runs show` (a line, and `spend` in
 * `--json`), `rag runs state`, and the HTTP API's `GET /api/threads/{id}/state`.
 * A paused thread that made one call of 300 tokens (10 in, 290 out) in node `a`.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import type { ModelProvider } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { CompiledGraph, getStateHistory, MemoryCheckpointer, SqliteCheckpointer, type Checkpointer } from "../../runtime/index.js";
import { ragIn as rag, scratchProject } from "../helpers/cli.js";
import { testStudio } from "../server/helpers.js";
import { PAUSING_BUDGET_LOOP } from "../helpers/budget-source.js";

const provider: ModelProvider = { name: "fake", chat: async () => ({ message: { content: "ok" }, usage: { inputTokens: 10, outputTokens: 290 }, finishReason: "stop" }) };

const SRC = PAUSING_BUDGET_LOOP;

async function pausedThread(saver: Checkpointer, threadId = "t"): Promise<CompiledGraph> {
  const reg = registryFromConfig({ models: { m: { provider } } });
  const r = compile(SRC, { file: "g.rag", registry: reg.view() });
  const g = new CompiledGraph(r.value.blueprints[0], { registry: reg, checkpointer: saver });
  await g.invoke({}, { threadId });
  return g;
}

describe("a thread's budget spend in its state", () => {
  it("getState carries `spend` (total and per node); the history shows it per checkpoint; a thread that spent nothing has none", async () => {
    const saver = new MemoryCheckpointer();
    const g = await pausedThread(saver);
    const s = (await g.getState("t"))!;
    expect(s.spend).toEqual({ tokens: 300, usd: 0, nodes: { a: { tokens: 300, usd: 0 } } });
    const history = await getStateHistory(saver, "t");
    expect(history[0].spend?.tokens).toBe(300);
    // The input checkpoint records no spend of its own, but the step run from it made the call (its `__spend__` record).
    expect(history.at(-1)!.spend?.tokens).toBe(300);
    await g.invoke(null, { threadId: "t", resume: {} });
    expect((await g.getState("t"))!.spend?.tokens).toBe(600);
    const reg = registryFromConfig({ models: { m: { provider } } });
    const free = new CompiledGraph(compile(`graph f { start a state { n: number = 0 } node a { kind set set { n: 1 } next END } }`, { file: "f.rag", registry: reg.view() }).value.blueprints[0], { registry: reg, checkpointer: saver });
    await free.invoke({}, { threadId: "free" });
    expect((await free.getState("free"))!).not.toHaveProperty("spend");
  });

  it("rag runs show prints the spend and puts it in --json; rag runs state has it", async () => {
    const dir = scratchProject({});
    mkdirSync(join(dir, ".rag"));
    const saver = new SqliteCheckpointer(join(dir, ".rag", "checkpoints.db"));
    await pausedThread(saver);
    saver.close?.();
    const show = await rag(["runs", "show", "t"], dir);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain("spent under budgets: 300 tokens (a: 300 tokens)");
    const json = JSON.parse((await rag(["runs", "show", "t", "--json"], dir)).stdout) as { spend?: unknown }[];
    expect(json[0].spend).toEqual({ tokens: 300, usd: 0, nodes: { a: { tokens: 300, usd: 0 } } });
    const state = JSON.parse((await rag(["runs", "state", "t"], dir)).stdout) as { spend?: unknown };
    expect(state.spend).toEqual({ tokens: 300, usd: 0, nodes: { a: { tokens: 300, usd: 0 } } });
  });

  it("GET /api/threads/{id}/state carries `spend`", async () => {
    const s = await testStudio();
    try {
      await pausedThread(s.project.checkpointer, "spent");
      const r = await s.api<{ spend?: unknown }>("GET", "/api/threads/spent/state");
      expect(r.status).toBe(200);
      expect(r.json.spend).toEqual({ tokens: 300, usd: 0, nodes: { a: { tokens: 300, usd: 0 } } });
    } finally {
      await s.close();
    }
  });
});
