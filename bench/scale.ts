/**
 * `npm run bench:scale [-- --json]`: the Postgres checkpointer's cost per superstep
 * beside SQLite's (issue 13 §4). Runs a 200-step chain of no-op nodes and a 20-branch
 * fan-out with sync durability on each backend, `REPEAT` times (default 5), and prints
 * the median wall time per superstep (ms), and for Postgres the statements (round trips)
 * a run sends, counted through the checkpointer's `Client` option. Needs Postgres at `RAG_BENCH_POSTGRES`
 * (default postgres://postgres@127.0.0.1:5432/test); uses a fresh schema, dropped after.
 *
 * Then the worker pool (bench/scale-queue.ts): `RUNS` runs (default 200, as issue 13 asks) of a 20-task
 * fan-out with 50 ms of I/O on 1, 2 and 4 `rag worker` processes (`WORKERS=1,2,4`), each
 * running `WORKER_CONCURRENCY` runs at once (default 1: the process is the unit of scale),
 * then on 1 and 4 processes with `distribute: branches` (`DISTRIBUTED=1,4`; empty skips),
 * with throughput, p50/p99 latency and the 1→4 scaling ratio. Needs Redis at
 * `RAG_BENCH_REDIS` (default redis://127.0.0.1:6379); `SKIP_QUEUE=1` leaves it out.
 * `PG_OPTIONS='-c synchronous_commit=off'` runs the pool with asynchronous commits.
 *
 * `--crash-trials N [--mode branches|runs|both]`: only the crash proof (bench/scale-crash.ts).
 */
import { mkdtempSync } from "node:fs";
import { cpus } from "node:os";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { compileGraph } from "../compiler/index.js";
import { CompiledGraph, SqliteCheckpointer, type Checkpointer } from "../runtime/index.js";
import { PostgresCheckpointer } from "../scale/index.js";
import { standardRegistry } from "../stdlib/index.js";
import { FANOUT_SOURCE, chainSource } from "./sources.js";

const json = process.argv.includes("--json");
// `--crash-trials N`: only the crash proof (bench/scale-crash.ts).
const crashAt = process.argv.indexOf("--crash-trials");
if (crashAt >= 0) {
  const { crashTrials, printCrashSummary } = await import("./scale-crash.js");
  const mode = process.argv.includes("--mode") ? process.argv[process.argv.indexOf("--mode") + 1] : "both";
  const rows = await crashTrials(process.env.RAG_BENCH_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test", process.env.RAG_BENCH_REDIS ?? "redis://127.0.0.1:6379", Number(process.argv[crashAt + 1] ?? 20), mode === "both" ? ["branches", "runs"] : mode === "all" ? ["branches", "runs", "subgraph"] : [mode as "branches" | "runs" | "subgraph"], json ? undefined : console.log);
  if (json) console.log(JSON.stringify(rows, null, 2));
  process.exit((json ? rows.every((r) => r.ok) : printCrashSummary(rows, console.log)) ? 0 : 1);
}
const REPEAT = Number(process.env.REPEAT ?? 5);
const PG = process.env.RAG_BENCH_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";
const schema = `rag_bench_${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), "rag-bench-scale-"));
const STEPS = 200;

function build(src: string): CompiledGraph {
  const registry = standardRegistry();
  const r = compileGraph(src, { registry: registry.view() });
  if (!r.value) throw new Error(r.diagnostics.map((d) => d.message).join("\n"));
  return new CompiledGraph(r.value, { registry });
}
const chain = build(chainSource(STEPS));
const fanout = build(FANOUT_SOURCE);
const items = Array.from({ length: 20 }, (_, i) => i);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
let thread = 0;

/** Statements sent to Postgres so far (every connection of the benchmark's checkpointer). */
let statements = 0;
class CountingClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    (this as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      statements++;
      return query(...args);
    };
  }
}

async function time(saver: Checkpointer, g: CompiledGraph, input: Record<string, unknown>): Promise<{ ms: number; steps: number; statements: number }> {
  const s0 = statements;
  const t0 = performance.now();
  const r = await g.invoke(input, { checkpointer: saver, durability: "sync", threadId: `b${++thread}`, recursionLimit: STEPS + 10 });
  return { ms: performance.now() - t0, steps: r.steps, statements: statements - s0 };
}

const backends: { name: string; make: () => Checkpointer; close: (c: Checkpointer) => Promise<void> }[] = [
  { name: "sqlite", make: () => new SqliteCheckpointer(join(dir, "b.db")), close: async (c) => c.close?.() },
  { name: "postgres", make: () => new PostgresCheckpointer(PG, { schema, Client: CountingClient }), close: (c) => (c as PostgresCheckpointer).closeAsync() },
];

const rows: { backend: string; workload: string; msPerStep: number; msPerRun: number; steps: number; statementsPerRun: number | null }[] = [];
for (const b of backends) {
  const saver = b.make();
  for (const [workload, g, input] of [["chain 200", chain, {}], ["fan-out 20", fanout, { items }]] as const) {
    await time(saver, g, input); // warm-up (and migration)
    const runs: { ms: number; steps: number; statements: number }[] = [];
    for (let i = 0; i < REPEAT; i++) runs.push(await time(saver, g, input));
    const ms = median(runs.map((r) => r.ms));
    rows.push({ backend: b.name, workload, msPerRun: ms, msPerStep: ms / runs[0].steps, steps: runs[0].steps, statementsPerRun: b.name === "postgres" ? median(runs.map((r) => r.statements)) : null });
  }
  await b.close(saver);
}
const client = new pg.Client({ connectionString: PG });
await client.connect();
await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
await client.end();

// Pool configurations: `WORKERS` (default 1,2,4) without distribution, and `DISTRIBUTED` (default 1,4) with `distribute: branches`.
const WORKER_CONCURRENCY = Number(process.env.WORKER_CONCURRENCY ?? 1);
const configs = [
  ...(process.env.WORKERS ?? "1,2,4").split(",").filter(Boolean).map((w) => ({ workers: Number(w), distribute: false })),
  ...(process.env.DISTRIBUTED ?? "1,4").split(",").filter(Boolean).map((w) => ({ workers: Number(w), distribute: true })),
];
const pool = process.env.SKIP_QUEUE ? undefined : await (await import("./scale-queue.js")).queueBench(PG, process.env.RAG_BENCH_REDIS ?? "redis://127.0.0.1:6379", Number(process.env.RUNS ?? 200), configs, WORKER_CONCURRENCY);

if (json) console.log(JSON.stringify({ checkpointer: rows, pool: pool ?? null }, null, 2));
else {
  console.log(`checkpointer cost, sync durability, median of ${REPEAT} runs`);
  console.log("backend   workload     ms/run    ms/superstep   supersteps   statements/run");
  for (const r of rows) console.log(`${r.backend.padEnd(9)} ${r.workload.padEnd(12)} ${r.msPerRun.toFixed(1).padStart(7)}   ${r.msPerStep.toFixed(3).padStart(8)}       ${String(r.steps).padStart(6)}   ${r.statementsPerRun === null ? "           -" : String(r.statementsPerRun).padStart(12)}`);
}
if (pool && !json) {
  console.log(`\nworker pool: ${pool.rows[0]?.runs} runs × fan-out 20 × 50 ms I/O, worker concurrency ${WORKER_CONCURRENCY} (${cpus().length} cores)`);
  console.log("workers   distribute   seconds   runs/s   p50 ms   p99 ms");
  for (const r of pool.rows) console.log(`${String(r.workers).padStart(7)}   ${(r.distribute ? "branches" : "-").padEnd(10)}   ${r.seconds.toFixed(2).padStart(7)}   ${r.runsPerSecond.toFixed(1).padStart(6)}   ${r.p50Ms.toFixed(0).padStart(6)}   ${r.p99Ms.toFixed(0).padStart(6)}`);
  if (pool.scaling !== undefined) console.log(`scaling 1→4 workers: ${pool.scaling.toFixed(2)} × linear (target ≥ 0.8)`);
  if (pool.scalingDistributed !== undefined) console.log(`scaling 1→4 workers, distribute: branches: ${pool.scalingDistributed.toFixed(2)} × linear`);
}
