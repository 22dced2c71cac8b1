/**
 * A worker that loses its lease while alive (issue 13: fencing). Two real `rag worker`
 * processes (lease 1 s) run a 12-branch `distribute: branches` fan-out; once some branch
 * records are committed one worker is frozen with SIGSTOP for 5 s — far past its lease, so
 * BullMQ's stall check hands its branch jobs (and, for the run's worker, the run job) to the
 * other worker — and then continued with SIGCONT. Nothing died, so no task may run twice:
 * the frozen worker still holds each branch it started (`PostgresCheckpointer.holdBranch`,
 * a session advisory lock, as the thread lock holds the run), so the other worker puts the
 * job back instead of starting a second executor, and once the first one has committed
 * it finds the record instead of running the task again. Without that lock the other worker
 * ran the frozen worker's branches a second time. Reuses bench/scale-crash.ts (`pauseMs`).
 */
import { describe, expect, it } from "vitest";
import { crashTrials } from "../../bench/scale-crash.js";
import { missingServices, PG_URL, REDIS_URL } from "../helpers/services.js";

const skip = await missingServices(["postgres", "redis"]);

describe.skipIf(skip)("distribute: branches with a worker frozen past its lease", () => {
  it("freezing the run's worker, then the other one: completed, same state, every branch ran once", async () => {
    const trials = await crashTrials(PG_URL, REDIS_URL, 2, ["branches"], undefined, { pauseMs: 5000 });
    expect(trials.map((t) => t.killed)).toEqual(["run holder", "other worker"]);
    for (const t of trials) {
      expect(t, JSON.stringify(t)).toMatchObject({ ok: true, committedRerun: 0 });
      // The freeze landed mid fan-out.
      expect(t.committedAtKill).toBeLessThan(12);
    }
  }, 120_000); // ~20 s alone (two 5 s freezes, worker start-up); the time out only catches a hang
});
