/**
 * A process killed during a budgeted model call (SIGKILL: no settle, no release): the
 * call's reservation was saved before the call was made, so `rag resume` counts it as
 * spent and is refused at the budget; the killed process's lease on the thread is taken
 * over at once (its pid is gone). Real processes on one SQLite file (this replaces an
 * in-process "crash" — a call left hanging — which a second run of the same thread in the
 * same process can no longer join: ThreadBusy).
 *
 * The model reports 300 tokens per call; a call is estimated at ~260; `budget { tokens:
 * 1000 }`: after two calls (600) and a third in flight (+~260 reserved), a fourth does not fit.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SqliteCheckpointer } from "../../runtime/index.js";
import { PAUSING_BUDGET_LOOP } from "../helpers/budget-source.js";
import { rag, ragAsync, root, scratchProject } from "../helpers/cli.js";

const config = `import { appendFileSync } from "node:fs";
import { defineConfig } from ${JSON.stringify(join(root, "index.ts"))};
export default defineConfig({
  models: {
    m: {
      provider: {
        name: "counting",
        async chat() {
          appendFileSync(process.env.CALLS, "call\\n");
          // HANG: the call never answers (the test kills the process during it); the timer
          // keeps the process alive, as a real call's socket does (without it Node ends the
          // process: test/cli/stalled-run.test.ts).
          if (process.env.HANG) await new Promise(() => setInterval(() => {}, 1000));
          return { message: { content: "ok" }, usage: { inputTokens: 10, outputTokens: 290 }, finishReason: "stop" };
        },
      },
    },
  },
});
`;

describe("a crash during a budgeted call", () => {
  it("SIGKILL mid-call: `rag resume` counts the call's reservation and is refused before any call", async () => {
    const dir = scratchProject({ "rag.config.ts": config, "g.rag": PAUSING_BUDGET_LOOP });
    const calls = join(dir, "calls.txt");
    appendFileSync(calls, "");
    const count = () => readFileSync(calls, "utf8").split("\n").filter(Boolean).length;
    const env = { CALLS: calls };
    expect(rag(["run", "g.rag", "--thread", "t"], dir, env).code).toBe(3);
    expect(rag(["resume", "t"], dir, env).code).toBe(3);
    expect(count()).toBe(2);

    const hung = ragAsync(["resume", "t"], dir, { ...env, HANG: "1" });
    const db = join(dir, ".rag/checkpoints.db");
    // Killed once the call was made (its reservation is saved before the call, under sync durability).
    try {
      await expect.poll(() => count(), { timeout: 45_000, interval: 20 }).toBe(3);
    } finally {
      hung.child.kill("SIGKILL");
    }
    expect((await hung.done).signal).toBe("SIGKILL");
    expect(existsSync(db)).toBe(true);

    const resumed = rag(["resume", "t", "--json"], dir, env);
    expect(resumed.code).toBe(1);
    expect(resumed.stdout).toContain("budget_exceeded");
    expect(count()).toBe(3);
    // What the thread recorded: 600 settled plus the killed call's reservation.
    const ck = new SqliteCheckpointer(db, { readonly: true });
    try {
      const spent = (await ck.getTuple({ threadId: "t" }))!;
      const { spentAt } = await import("../../runtime/checkpoint/types.js");
      expect(spentAt(spent).tokens).toBeGreaterThan(850);
    } finally {
      ck.close();
    }
  }, 120_000);
});
