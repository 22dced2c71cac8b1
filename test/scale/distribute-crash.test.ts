/**
 * The distributed crash path in one trial (issue 13 §4; `npm run bench:crash` runs 20):
 * two real `rag worker` processes, a 12-branch fan-out with `distribute: branches`, the
 * run's own worker SIGKILLed once some branch records are committed. Another worker takes
 * the run over after the 1 s lease: the run completes with the state of an uninterrupted
 * run and no committed branch runs again. Reuses bench/scale-crash.ts (own schema and key
 * prefix, removed after). The same for a fan-out inside a child graph (the root's subgraph
 * node runs it; its branch jobs name the root blueprint and the child's hash).
 */
import { describe, expect, it } from "vitest";
import { crashTrials } from "../../bench/scale-crash.js";
import { missingServices, PG_URL, REDIS_URL } from "../helpers/services.js";

const skip = await missingServices(["postgres", "redis"]);

describe.skipIf(skip)("distribute: branches survives a SIGKILLed worker", () => {
  it("killing the run's worker mid fan-out: completed, same state, no committed branch re-run", async () => {
    const [trial] = await crashTrials(PG_URL, REDIS_URL, 1, ["branches"]);
    expect(trial).toMatchObject({ mode: "branches", killed: "run holder", ok: true, committedRerun: 0 });
    // The kill landed mid fan-out: some branches had committed, not all.
    expect(trial.committedAtKill).toBeGreaterThanOrEqual(1);
    expect(trial.committedAtKill).toBeLessThan(12);
  }, 60_000); // a few seconds alone (worker start-up, the 1 s lease); the time out only catches a hang

  it("killing the run's worker mid fan-out INSIDE A SUBGRAPH: completed, same state, no committed branch re-run", async () => {
    const [trial] = await crashTrials(PG_URL, REDIS_URL, 1, ["subgraph"]);
    expect(trial).toMatchObject({ mode: "subgraph", killed: "run holder", ok: true, committedRerun: 0 });
    expect(trial.committedAtKill).toBeGreaterThanOrEqual(1);
    expect(trial.committedAtKill).toBeLessThan(12);
  }, 60_000); // ~12 s alone; a loaded 2-core machine (the whole suite at once) doubles it
});
