/**
 * One workload on one engine, in its own process (so peak RSS belongs to that pair):
 * untimed set-up, warm-up samples, then timed samples until both a minimum count and a
 * minimum time are reached (or a cap). Prints one JSON line:
 * `{ median_ms, samples, peak_rss_mb }` or `{ pending }`, or fails with the error.
 *
 * Options: `--quick` (fewer samples), `--cpu` (time = the process's CPU time, user +
 * system, instead of wall time: steadier on a machine shared with other work), `--gc`
 * (collect garbage before every sample, outside the timing; needs `--expose-gc`).
 *
 * Usage: node --import tsx child.ts ENGINE WORKLOAD [--quick] [--cpu] [--gc]
 *        node --import tsx child.ts overhead WORKLOAD [...]   (ragraph: WORKLOAD vs WORKLOAD_checkpoint, interleaved)
 */
import { pathToFileURL } from "node:url";
import { WORKLOADS, type Engine, type Prepared, type Preparation, type Workload } from "./workloads.ts";

export interface ChildResult {
  readonly median_ms?: number;
  readonly samples?: readonly number[];
  /** Peak resident set size of the process over its warm-up and first `minSamples` runs, MB (`process.resourceUsage().maxRSS`). */
  readonly peak_rss_mb?: number;
  readonly pending?: string;
}

export interface SamplingPlan {
  /** Warm-up runs at least, untimed. */
  readonly warmup: number;
  /**
   * Keep warming up until this much time was spent in warm-up runs, ms (at most
   * `MAX_WARMUP_RUNS`): a count alone leaves a 5 ms workload's JIT warm-up inside its
   * timed samples whenever load cuts the sample count, while a 300 ms one absorbs its own.
   */
  readonly warmupMs: number;
  readonly minSamples: number;
  readonly maxSamples: number;
  /** Keep sampling until this much time was spent sampling, ms. */
  readonly minTimeMs: number;
  /** Stop after this much sampling time once `minSamples` are taken, ms. */
  readonly maxTimeMs: number;
}

/** The most warm-up runs `warmupMs` may add. */
export const MAX_WARMUP_RUNS = 200;

export const FULL: SamplingPlan = { warmup: 5, warmupMs: 500, minSamples: 7, maxSamples: 500, minTimeMs: 1_500, maxTimeMs: 20_000 };
export const QUICK: SamplingPlan = { warmup: 1, warmupMs: 100, minSamples: 3, maxSamples: 15, minTimeMs: 200, maxTimeMs: 4_000 };

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** How a sample is timed. */
export interface Timing {
  /** CPU time of the process (user + system, all threads) instead of wall time. */
  readonly cpu?: boolean;
  /** Collect garbage before each sample (when the process runs with `--expose-gc`). */
  readonly gc?: boolean;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * One timed sample of a prepared workload: set-up untimed, the run timed (wall or CPU
 * time, per `timing`), the result verified untimed. Returns the time, ms.
 */
function sampler(timing: Timing): (p: Prepared) => Promise<number> {
  const gc = timing.gc ? ((globalThis as { gc?: () => void }).gc ?? (() => {})) : () => {};
  const clock = timing.cpu ? cpuMs : () => performance.now();
  return async (p) => {
    const run = await p.sample();
    gc();
    const t0 = clock();
    const result = await run();
    const ms = clock() - t0;
    await p.verify(result);
    return ms;
  };
}

/** Warm-up runs of `one` (returning its time, ms): `plan.warmup` at least, then until `plan.warmupMs` were spent (at most MAX_WARMUP_RUNS). */
async function warmUp(plan: SamplingPlan, one: () => Promise<number>): Promise<void> {
  let spent = 0;
  for (let i = 0; i < MAX_WARMUP_RUNS && (i < plan.warmup || spent < plan.warmupMs); i++) spent += await one();
}

/** Runs the sampling loop over a prepared workload. */
export async function measure(p: Preparation, plan: SamplingPlan, timing: Timing = {}): Promise<ChildResult> {
  if ("pending" in p) return { pending: p.pending };
  const sample = sampler(timing);
  const one = () => sample(p);
  await warmUp(plan, one);
  const samples: number[] = [];
  let spent = 0;
  let peakKb = 0;
  while (samples.length < plan.maxSamples && (samples.length < plan.minSamples || spent < plan.minTimeMs) && !(samples.length >= plan.minSamples && spent >= plan.maxTimeMs)) {
    const ms = await one();
    samples.push(ms);
    spent += ms;
    // Peak RSS after the same number of timed runs for every engine (warm-up + minSamples): a
    // fast engine takes many more samples, and a heap grown by hundreds of runs would
    // not compare like with like.
    if (samples.length === plan.minSamples) peakKb = process.resourceUsage().maxRSS;
  }
  return { median_ms: median(samples), samples, peak_rss_mb: peakKb / 1024 };
}

/** What a paired measurement reports: medians of interleaved samples of two variants of one workload. */
export interface PairedResult {
  readonly base_ms: number;
  readonly variant_ms: number;
  /** `variant_ms / base_ms`. */
  readonly ratio: number;
  /** Pairs of samples taken. */
  readonly pairs: number;
}

/**
 * Samples two preparations in alternating blocks (A×5, B×5, A×5, …) in one process after
 * warming up both, and compares their medians. A ratio of two workloads measured in
 * separate processes minutes apart moves with the machine's load; interleaved blocks
 * see the same load, so this is how the checkpointed ÷ unchecked overhead is measured.
 * Blocks, not single alternation: a sample pays for collecting its predecessor's
 * garbage, and alternating A, B, A, B would make each variant pay for the other's (a
 * checkpointed sample drops a thread of checkpoints); within a block each pays for its
 * own kind, as in a run of one variant, and a block's first sample (which paid for the
 * other variant's garbage) is one outlier among several that the median tolerates.
 * Samples come in whole blocks, so `pairs` may exceed `plan.maxSamples` by up to 4.
 */
export async function measurePaired(a: Preparation, b: Preparation, plan: SamplingPlan, timing: Timing = {}): Promise<PairedResult | { pending: string }> {
  if ("pending" in a) return { pending: a.pending };
  if ("pending" in b) return { pending: b.pending };
  const one = sampler(timing);
  await warmUp(plan, async () => (await one(a)) + (await one(b)));
  const as: number[] = [];
  const bs: number[] = [];
  let spent = 0;
  const block = Math.max(1, Math.min(5, plan.minSamples));
  while (as.length < plan.maxSamples && (as.length < plan.minSamples || spent < 2 * plan.minTimeMs) && !(as.length >= plan.minSamples && spent >= plan.maxTimeMs)) {
    for (let i = 0; i < block; i++) {
      const x = await one(a);
      as.push(x), (spent += x);
    }
    for (let i = 0; i < block; i++) {
      const y = await one(b);
      bs.push(y), (spent += y);
    }
  }
  const base = median(as);
  const variant = median(bs);
  return { base_ms: base, variant_ms: variant, ratio: variant / base, pairs: as.length };
}

async function main(): Promise<void> {
  const [engine, name, ...flags] = process.argv.slice(2) as [Engine | "overhead", string, ...string[]];
  const plan = flags.includes("--quick") ? QUICK : FULL;
  const timing = { cpu: flags.includes("--cpu"), gc: flags.includes("--gc") };
  if (engine === "overhead") {
    // ragraph: NAME unchecked against NAME_checkpoint, interleaved.
    const base = WORKLOADS.find((x) => x.name === name);
    const variant = WORKLOADS.find((x) => x.name === `${name}_checkpoint`);
    if (!base || !variant) throw new Error(`usage: child.ts overhead WORKLOAD (a workload with a _checkpoint twin; got ${name})`);
    const impl = (await import("./ragraph.ts")) as { prepare(w: Workload): Promise<Preparation> };
    const result = await measurePaired(await impl.prepare(base), await impl.prepare(variant), plan, timing);
    process.stdout.write(JSON.stringify(result) + "\n");
    return;
  }
  const w = WORKLOADS.find((x) => x.name === name);
  if (!w || (engine !== "ragraph" && engine !== "langgraph")) throw new Error(`usage: child.ts ragraph|langgraph WORKLOAD (got ${engine} ${name})`);
  // A computed specifier: the main type check must not reach LangGraph.js, which only this folder installs.
  const impl = (await import(engine === "ragraph" ? "./ragraph.ts" : "./langgraph.ts")) as { prepare(w: Workload): Promise<Preparation> };
  const result = await measure(await impl.prepare(w), plan, timing);
  process.stdout.write(JSON.stringify(result) + "\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
