/**
 * Two `rag` processes on one thread of one SQLite file (`runtime/checkpoint/sqlite-lease.ts`):
 * while `rag run --thread T` runs, `rag resume T` in another process is refused with a
 * one-line ThreadBusy error naming the thread and the process holding it (before, it
 * started from the same checkpoint and spend, and the two runs could together spend the
 * thread's budget twice). Once the holder is killed (SIGKILL: no release), its lease is
 * taken over at once and the resume completes. Thread edits take the same lease: `rag runs
 * update T` and `rag runs fork T …` in another process are refused the same way and write
 * nothing (before, they wrote under the live run).
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SqliteCheckpointer } from "../../runtime/index.js";
import { jsonEvents, rag, ragAsync, readCheckpoints, root, scratchProject } from "../helpers/cli.js";

/** Checkpoints of `thread` in a checkpoints file. */
const countOf = (thread: string) => (ck: SqliteCheckpointer) => (ck.db.prepare("SELECT COUNT(*) AS n FROM checkpoints WHERE thread_id = ?").get(thread) as { n: number }).n;

const config = `import { defineConfig, tool, z } from ${JSON.stringify(join(root, "index.ts"))};
export default defineConfig({
  tools: {
    slow: tool({
      description: "waits (10 minutes, or 1 ms with FAST set)",
      schema: z.object({}),
      run: async () => {
        await new Promise((ok) => setTimeout(ok, process.env.FAST ? 1 : 600_000));
        return "done";
      },
    }),
  },
});
`;
const source = `graph busy {
  start w
  state { out: any }
  node w { kind tool tool "slow" writes out next END }
}
`;

describe("two processes on one thread of a SQLite file", () => {
  it("the second is refused with ThreadBusy naming the thread; after the first is killed, its lease is taken over and the thread resumes", async () => {
    const dir = scratchProject({ "rag.config.ts": config, "busy.rag": source });
    const db = join(dir, ".rag/checkpoints.db");
    const first = ragAsync(["run", "busy.rag", "--thread", "T", "--json"], dir);
    try {
      // Wait until the run has saved its input checkpoint (it then waits in the tool).
      await expect.poll(() => readCheckpoints(db, countOf("T"), 0), { timeout: 45_000, interval: 20 }).toBeGreaterThanOrEqual(1);

      const second = rag(["resume", "T"], dir, { FAST: "1" });
      expect(second.code).toBe(1);
      expect(second.stderr + second.stdout).toMatch(/thread T is busy: process \d+ is running it/);
      expect(second.stderr).toContain("once that run has ended, continue the thread with: rag resume T");
      expect(second.stderr).not.toMatch(/\n\s+at /); // no stack trace
      // The second process wrote nothing: the thread has only the first run's input checkpoint.
      expect(readCheckpoints(db, countOf("T"))).toBe(1);
    } finally {
      first.child.kill("SIGKILL");
    }
    expect((await first.done).signal).toBe("SIGKILL");

    const resumed = rag(["resume", "T", "--json"], dir, { FAST: "1" });
    expect(resumed.code).toBe(0);
    expect(jsonEvents(resumed.stdout).at(-1)?.type).toBe("run_completed");
  }, 120_000);

  it("`rag runs update` and `rag runs fork` of a thread a `rag run` holds are refused with ThreadBusy and write nothing", async () => {
    const dir = scratchProject({ "rag.config.ts": config, "busy.rag": source });
    const db = join(dir, ".rag/checkpoints.db");
    const count = (thread: string) => readCheckpoints(db, countOf(thread));
    const first = ragAsync(["run", "busy.rag", "--thread", "T", "--json"], dir);
    try {
      await expect.poll(() => readCheckpoints(db, countOf("T"), 0), { timeout: 45_000, interval: 20 }).toBeGreaterThanOrEqual(1);
      const id = readCheckpoints(db, (ck) => (ck.db.prepare("SELECT id FROM checkpoints WHERE thread_id = 'T' LIMIT 1").get() as { id: string }).id);
      const update = rag(["runs", "update", "T", "--values", JSON.stringify({ out: "edited" })], dir);
      expect(update.code).toBe(1);
      expect(update.stderr).toMatch(/thread T is busy: process \d+ is running it/);
      expect(update.stderr).not.toMatch(/\n\s+at /);
      const fork = rag(["runs", "fork", "T", id, "--thread", "F"], dir);
      expect(fork.code).toBe(1);
      expect(fork.stderr).toMatch(/thread T is busy: process \d+ is running it/);
      expect(count("T")).toBe(1);
      expect(count("F")).toBe(0);
    } finally {
      first.child.kill("SIGKILL");
    }
    await first.done;
    // The holder is gone: its lease is taken over, and the edit goes through.
    expect(rag(["runs", "update", "T", "--values", JSON.stringify({ out: "edited" })], dir).code).toBe(0);
  }, 120_000);
});
