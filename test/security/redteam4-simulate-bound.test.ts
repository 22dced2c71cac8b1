/**
 * Red team 4: `rag simulate` on a hostile graph. Each path is a fresh run of up to the
 * graph's `recursion_limit` supersteps, and a simulation tries up to 8 × `--max-paths`
 * runs: a seven-line file — two 8-option interrupts before a 10,000-step counter loop —
 * ran 640,000 supersteps (30 s) and, since every run's checkpoints stayed in the
 * simulation's store, held 1.6 GB; `--max-paths 10000` made it 800 million supersteps.
 * Now a simulation runs at most `MAX_SIMULATED_SUPERSTEPS` over all its runs (a run
 * starts only while its recursion limit still fits) and says so, and a finished run's
 * checkpoints are dropped.
 */
import { describe, expect, it } from "vitest";
import { exportRegistry } from "../../registry/index.js";
import { MAX_SIMULATED_SUPERSTEPS, simulate } from "../../simulate/index.js";
import { standardRegistry } from "../../stdlib/index.js";
import { renderSimReport } from "../../cli/simulate-report.js";

const HOSTILE = `graph s2 {
  start q
  defaults { recursion_limit: 1000 }
  state { n: number = 0, d: string }
  node q { kind interrupt prompt "?" options ["a","b","c","d","e","f","g","h"] writes d next q2 }
  node q2 { kind interrupt prompt "?" options ["a","b","c","d","e","f","g","h"] writes d next a }
  node a { kind set set { n: state.n + 1 } routes { when state.n < 990 -> a else -> END } }
}
`;

describe("a simulation's supersteps are bounded over all its runs", () => {
  it("stops starting runs once another could pass the bound, and says why", async () => {
    // (the attack at a tenth of its size: the bound is what is tested, not the machine's speed)
    const r = await simulate(HOSTILE, { snapshot: exportRegistry(standardRegistry()), maxSupersteps: 3_000 });
    const report = r.report!;
    expect(report.superstepsSpent).toBeLessThanOrEqual(3_000);
    expect(report.superstepBound).toBe(3_000);
    expect(report.runs).toBe(3);
    expect(report.truncated).toBe(true);
    expect(renderSimReport(report)).toMatch(/ran 29\d{2} supersteps, and another run could pass its bound of 3000/);
  }, 60_000);

  it("the option cannot raise the bound past MAX_SIMULATED_SUPERSTEPS", async () => {
    const r = await simulate('graph g { start a node a { kind set next END } }', { snapshot: exportRegistry(standardRegistry()), maxSupersteps: 1e12 });
    expect(r.report?.ok).toBe(true);
    expect(MAX_SIMULATED_SUPERSTEPS).toBeLessThanOrEqual(200_000);
  });
});
