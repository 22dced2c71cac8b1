/**
 * The runtime benchmark's harness (`npm run bench:runtime`, bench/runtime): every
 * ragraph workload runs and passes its own verification on small sizes, the
 * verifications reject wrong results, and the report has the promised JSON shape. The
 * LangGraph.js side runs too when bench/runtime's own dependencies are installed.
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { measure, measurePaired, median, type SamplingPlan } from "../../bench/runtime/child.ts";
import { summary, table, toRow } from "../../bench/runtime/main.ts";
import { prepare } from "../../bench/runtime/ragraph.ts";
import { WORKLOADS, type Prepared, type Preparation, type Workload } from "../../bench/runtime/workloads.ts";

const TINY: SamplingPlan = { warmup: 0, warmupMs: 0, minSamples: 1, maxSamples: 1, minTimeMs: 0, maxTimeMs: 0 };
const small = (w: Workload): Workload => ({ ...w, size: w.family === "large_state" ? 2 : w.family === "react_agent" ? 3 : w.size > 30 ? 30 : w.size });
const langgraphInstalled = existsSync(new URL("../../bench/runtime/node_modules/@langchain/langgraph/package.json", import.meta.url));

describe("bench:runtime harness", () => {
  for (const w of WORKLOADS) {
    it(`ragraph runs and verifies ${w.name}`, async () => {
      const p = await prepare(small(w));
      expect("pending" in p).toBe(false);
      const r = await measure(p, TINY);
      expect(r.samples).toHaveLength(1);
      expect(r.median_ms).toBeGreaterThan(0);
      expect(r.peak_rss_mb).toBeGreaterThan(10);
    });
  }

  it("verifications reject a run that did not do the work", async () => {
    const byName = (n: string) => WORKLOADS.find((w) => w.name === n)!;
    const fan = (await prepare(small(byName("fanout_1000")))) as Prepared;
    const run = await fan.sample();
    const good = (await run()) as { state: Record<string, unknown> };
    expect(() => fan.verify(good)).not.toThrow();
    expect(() => fan.verify({ state: { ...good.state, reduce_runs: 2 } })).toThrow(/reduce ran once/);
    const seq = (await prepare(small(byName("sequential_1000")))) as Prepared;
    expect(() => seq.verify({ steps: 30, updates: 29 })).toThrow(/supersteps/);
    expect(() => seq.verify({ steps: 29, updates: 29 })).toThrow(/supersteps/);
    const react = (await prepare(small(byName("react_agent_100x")))) as Prepared;
    expect(() => react.verify({ state: { messages: [] } })).toThrow(/messages/);
    // A checkpointed run must have saved a checkpoint per superstep.
    const ckpt = (await prepare(small(byName("sequential_1000_checkpoint")))) as Prepared;
    const result = (await (await ckpt.sample())()) as { threadId: string; steps: number };
    await expect(ckpt.verify(result)).resolves.toBeUndefined();
    await expect(ckpt.verify({ ...result, threadId: "never-ran" })).rejects.toThrow(/a checkpoint per superstep/);
  });

  it("reports rows in the promised JSON shape, with ratios, targets and pending rows", () => {
    const w = WORKLOADS.find((x) => x.name === "sequential_1000")!;
    const row = toRow(w, { result: { median_ms: 20, samples: [20], peak_rss_mb: 100 } }, { result: { median_ms: 900, samples: [900], peak_rss_mb: 150 } });
    expect(row).toEqual({ workload: "sequential_1000", ragraph_ms: 20, langgraph_ms: 900, ratio: 45, ragraph_rss_mb: 100, langgraph_rss_mb: 150 });
    const pending = toRow(WORKLOADS.find((x) => x.name === "sequential_1000_checkpoint")!, { result: { pending: "later" } }, { result: { median_ms: 4000, samples: [4000], peak_rss_mb: 300 } });
    expect(pending).toMatchObject({ ragraph_ms: null, ratio: null, langgraph_ms: 4000, note: "ragraph pending: later" });
    const text = table([row, pending]);
    expect(text).toMatch(/sequential_1000\s+20\.00\s+900\s+45×\s+≥20× ✓/);
    expect(text).toMatch(/sequential_1000_checkpoint\s+pending\s+4000/);
    expect(summary([row, pending])[0]).toContain("sequential_1000 pending");
    expect(summary([row])[0]).toContain("sequential_1000 not run");
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("warms up by time as well as by count, so a fast workload's JIT warm-up stays out of its timed samples", async () => {
    let runs = 0;
    const slow: Prepared = { sample: async () => async () => { runs++; await new Promise((r) => setTimeout(r, 5)); }, verify: () => {} };
    const r = await measure(slow, { warmup: 1, warmupMs: 60, minSamples: 1, maxSamples: 1, minTimeMs: 0, maxTimeMs: 0 });
    expect(r.samples).toHaveLength(1);
    // 60 ms of 5 ms warm-up runs: about a dozen, where the count alone asked for one.
    expect(runs).toBeGreaterThanOrEqual(6);
  });

  it("measures checkpoint overhead with interleaved samples and reports it against the 2× target", async () => {
    const byName = (n: string) => small(WORKLOADS.find((w) => w.name === n)!);
    const plan: SamplingPlan = { warmup: 1, warmupMs: 0, minSamples: 3, maxSamples: 3, minTimeMs: 0, maxTimeMs: 0 };
    const r = await measurePaired(await prepare(byName("sequential_1000")), await prepare(byName("sequential_1000_checkpoint")), plan);
    expect("pending" in r).toBe(false);
    const p = r as { base_ms: number; variant_ms: number; ratio: number; pairs: number };
    expect(p.pairs).toBe(3);
    expect(p.ratio).toBeCloseTo(p.variant_ms / p.base_ms, 10);
    const w = WORKLOADS.find((x) => x.name === "sequential_1000")!;
    const row = toRow(w, { result: { median_ms: 10, samples: [10], peak_rss_mb: 100 } }, undefined);
    const ck = toRow(WORKLOADS.find((x) => x.name === "sequential_1000_checkpoint")!, { result: { median_ms: 25, samples: [25], peak_rss_mb: 100 } }, undefined);
    expect(summary([row, ck], new Map([["sequential_1000", 1.5]]))[0]).toContain("sequential_1000 1.50× ✓");
    expect(summary([row, ck], new Map([["sequential_1000", 2.5]]))[0]).toContain("sequential_1000 2.50× ✗");
    expect(summary([row, ck])[0]).toContain("sequential_1000 2.50× (row medians)");
  });

  it.skipIf(!langgraphInstalled)("LangGraph.js runs and verifies the same workloads", async () => {
    const lg = (await import(["../../bench/runtime", "langgraph.ts"].join("/"))) as { prepare(w: Workload): Promise<Preparation> };
    for (const name of ["sequential_10", "fanout_1000", "react_agent_100x", "sequential_1000_first_event", "large_state_25x300"]) {
      const r = await measure(await lg.prepare(small(WORKLOADS.find((w) => w.name === name)!)), TINY);
      expect(r.median_ms, name).toBeGreaterThan(0);
    }
  });
});
