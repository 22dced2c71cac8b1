/**
 * The worker-pool part of `npm run bench:scale` (issue 13 §4): `runs` runs (bench/scale.ts: `RUNS`, default 200),
 * each a fan-out of 20 tasks with 50 ms of simulated I/O, enqueued at once on a fresh
 * queue and run by each configuration of `rag worker` processes (`--concurrency`, and
 * `--distribute branches` for the distributed rows). Prints throughput (runs/s), p50/p99 run latency (submission to end, ms) and
 * the scaling ratio (throughput on 4 workers ÷ 4 × throughput on 1). Needs Redis and
 * Postgres; own prefix and schema, removed after.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { compileGraph } from "../compiler/index.js";
import { QueueRunSubmitter } from "../scale/index.js";
import { standardRegistry } from "../stdlib/index.js";

export interface QueueBenchRow {
  readonly workers: number;
  /** Branches of each fan-out ran as branch jobs (`distribute: branches`). */
  readonly distribute: boolean;
  readonly runs: number;
  readonly seconds: number;
  readonly runsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const root = new URL("../", import.meta.url).pathname;

/** One configuration of the pool: worker processes, and whether fan-outs are distributed. */
export interface PoolConfig {
  readonly workers: number;
  readonly distribute: boolean;
}

/** Runs the pool benchmark; returns one row per configuration and the 1→4 scaling ratio (without distribution). */
export async function queueBench(pgBase: string, redisBase: string, runs: number, configs: readonly PoolConfig[], concurrency: number): Promise<{ rows: QueueBenchRow[]; scaling: number | undefined; scalingDistributed: number | undefined }> {
  const dir = mkdtempSync(join(tmpdir(), "rag-bench-queue-"));
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  writeFileSync(
    join(dir, "rag.config.ts"),
    `import { defineConfig, tool, z } from ${JSON.stringify(join(root, "index.ts"))};
export default defineConfig({ tools: { io: tool({ description: "50 ms of I/O", schema: z.object({ n: z.number() }), run: async ({ n }) => { await new Promise((ok) => setTimeout(ok, 50)); return n; } }) } });
`,
  );
  const source = `graph fan {
  start split
  input { items: list<number> }
  state { out: list<number> append  total: number = 0 }
  node split { kind set send [w { n: x } for x in input.items -> out] join reduce }
  node w { kind tool tool "io" }
  node reduce { kind set set { total: len(state.out) } next END }
}`;
  // The hash does not depend on the tool's implementation, only its name and shape: compile against a registry with the same tool.
  const { loadConfig } = await import("../cli/files.js");
  const loaded = await loadConfig(join(dir, "rag.config.ts"));
  const bp = compileGraph(source, { file: "fan.rag", registry: loaded.registry.view() }).value!;
  void standardRegistry;
  const items = Array.from({ length: 20 }, (_, i) => i);
  const rows: QueueBenchRow[] = [];
  const tag = `${process.pid}_${Date.now().toString(36)}`;
  const schemas: string[] = [];
  const prefixes: string[] = [];
  for (const { workers: n, distribute } of configs) {
    const schema = `rag_benchq_${tag}_${n}${distribute ? "d" : ""}`;
    const prefix = `ragbq_${tag}_${n}${distribute ? "d" : ""}`;
    schemas.push(schema);
    prefixes.push(prefix);
    const queue = `${redisBase}?queue=bench&prefix=${prefix}`;
    const pgUrl = `${pgBase}?schema=${schema}${process.env.PG_OPTIONS ? `&options=${encodeURIComponent(process.env.PG_OPTIONS)}` : ""}`;
    const workers: ChildProcess[] = [];
    const started: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const w = spawn(process.execPath, [join(root, "bin/rag.js"), "worker", "--queue", queue, "--checkpoints", pgUrl, "--config", "rag.config.ts", "--concurrency", String(concurrency), ...(distribute ? ["--distribute", "branches"] : [])], { cwd: dir, stdio: ["ignore", "pipe", "inherit"] });
      workers.push(w);
      started.push(new Promise((ok) => w.stdout!.on("data", (d: Buffer) => d.toString().includes("taking runs") && ok())));
    }
    await Promise.all(started);
    const submitter = new QueueRunSubmitter(queue, { checkpoints: pgUrl });
    // Warm-up: one run (migrations, compile caches).
    const warm = await submitter.submit({ kind: "run", source, file: "fan.rag", graph: "fan", hash: bp.hash, input: { items }, threadId: `warm-${n}` });
    await submitter.outcome(warm.runId);
    const t0 = performance.now();
    const handles = await Promise.all(Array.from({ length: runs }, (_, i) => submitter.submit({ kind: "run", source, file: "fan.rag", graph: "fan", hash: bp.hash, input: { items }, threadId: `b-${n}-${i}` }).then((h) => ({ h, at: performance.now() }))));
    const latencies = await Promise.all(
      handles.map(async ({ h, at }) => {
        const o = await submitter.outcome(h.runId);
        if (o.status !== "completed") throw new Error(`bench run ${h.runId} ${o.status}`);
        return performance.now() - at;
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    rows.push({ workers: n, distribute, runs, seconds, runsPerSecond: runs / seconds, p50Ms: latencies[Math.floor(runs * 0.5)], p99Ms: latencies[Math.min(runs - 1, Math.floor(runs * 0.99))] });
    await submitter.close();
    for (const w of workers) w.kill("SIGTERM");
    await Promise.all(workers.map((w) => new Promise((ok) => (w.exitCode !== null ? ok(null) : w.once("exit", ok)))));
  }
  const client = new pg.Client({ connectionString: pgBase });
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await client.end();
  const redis = new Redis(redisBase);
  for (const p of prefixes) {
    const keys = await redis.keys(`${p}:*`);
    if (keys.length) await redis.del(...keys);
  }
  redis.disconnect();
  const ratio = (d: boolean) => {
    const one = rows.find((r) => r.workers === 1 && r.distribute === d);
    const four = rows.find((r) => r.workers === 4 && r.distribute === d);
    return one && four ? four.runsPerSecond / (4 * one.runsPerSecond) : undefined;
  };
  return { rows, scaling: ratio(false), scalingDistributed: ratio(true) };
}
