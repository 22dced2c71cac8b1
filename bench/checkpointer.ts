/**
 * `npm run bench:checkpointer [-- --json]`: what checkpointing costs per superstep.
 * Runs sequential_1000 (1000 no-op nodes in a chain: 1000 supersteps) and fanout_1000
 * (1000 Send packets appending to a list, then one reduce) without a checkpointer, with
 * the in-memory one, and with a SQLite file in each durability mode; prints medians of
 * wall and CPU time (CPU time is steadier on a busy machine), the cost over the
 * unchecked run per superstep (µs), and the ratio. `REPEAT=n` sets the runs per variant.
 *
 * Then the growing run (issue 11 §3): one node looping `STEPS` times (default 10,000),
 * appending one number per superstep to an `append` list. Its thread is written the way
 * `rag run` writes it (the CLI's `execute`: a streamed run, so every task's `__task__`
 * record is saved as a pending write beside its channel writes): the file's size
 * (database + WAL, bytes), its pending-write rows, and the time of `rag runs show` on
 * the thread (the CLI program in this process, stdout captured: every query and line it
 * makes, without the process start; medians of `SHOW_REPEAT` runs, default 3). The
 * checkpointer's cost per superstep is measured on the same graph run with `invoke`
 * (`sync` durability) over the run without a checkpointer. `STEPS=n` changes the
 * length. Last, each target with ok or MISSED:
 * `rag runs show` ≤ 1000 ms, database ≤ 10 MB, SQLite `sync` cost ≤ 50 µs CPU per
 * superstep on sequential_1000 (issue 11 §3).
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileGraph } from "../compiler/index.js";
import { CompiledGraph, MemoryCheckpointer, SqliteCheckpointer, type Checkpointer, type Durability } from "../runtime/index.js";
import { standardRegistry } from "../stdlib/index.js";
import { main as rag } from "../cli/program.js";
import { closeCheckpoints, openCheckpoints } from "../cli/checkpoints.js";
import { execute } from "../cli/execute.js";
import { FANOUT_SOURCE, chainSource } from "./sources.js";

const json = process.argv.includes("--json");
const REPEAT = Number(process.env.REPEAT ?? 7);
const dir = mkdtempSync(join(tmpdir(), "rag-bench-ckpt-"));

function build(src: string): CompiledGraph {
  const registry = standardRegistry();
  const r = compileGraph(src, { registry: registry.view() });
  if (!r.value) throw new Error(r.diagnostics.map((d) => d.message).join("\n"));
  return new CompiledGraph(r.value, { registry });
}

const sequential = build(chainSource(1000));
const fanout = build(FANOUT_SOURCE);
const items = Array.from({ length: 1000 }, (_, i) => i);

interface Variant {
  readonly name: string;
  readonly saver?: () => Checkpointer;
  readonly durability?: Durability;
}
let files = 0;
const variants: Variant[] = [
  { name: "none" },
  { name: "memory", saver: () => new MemoryCheckpointer() },
  ...(["sync", "async", "exit"] as const).map((d) => ({ name: `sqlite ${d}`, durability: d, saver: () => new SqliteCheckpointer(join(dir, `b${++files}.db`)) })),
];

/** Runs every variant in turn, REPEAT times (interleaved, so load on the machine hits all alike); medians of wall and CPU time. */
async function measure(runs: readonly (() => Promise<void>)[]): Promise<{ wall: number; cpu: number }[]> {
  for (let i = 0; i < 3; i++) for (const r of runs) await r(); // warm-up
  const wall: number[][] = runs.map(() => []);
  const cpu: number[][] = runs.map(() => []);
  for (let i = 0; i < REPEAT; i++) {
    for (const [k, r] of runs.entries()) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await r();
      wall[k].push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu[k].push((c.user + c.system) / 1000);
    }
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return runs.map((_, k) => ({ wall: median(wall[k]), cpu: median(cpu[k]) }));
}

const round = (x: number) => Math.round(x * 100) / 100;
const rows: { workload: string; checkpointer: string; wall_ms: number; cpu_ms: number; steps: number; cpu_overhead_us_per_step: number; wall_overhead_us_per_step: number; cpu_ratio: number }[] = [];
for (const [workload, graph, input, steps] of [
  ["sequential_1000", sequential, {}, 1000],
  ["fanout_1000", fanout, { items }, 3],
] as const) {
  const savers = variants.map((v) => v.saver?.());
  let t = 0;
  const results = await measure(
    variants.map((v, k) => async () => {
      const saver = savers[k];
      await graph.invoke(input, { ...(saver ? { checkpointer: saver, threadId: `t${t++}` } : {}), ...(v.durability ? { durability: v.durability } : {}), recursionLimit: 2000 });
    }),
  );
  for (const s of savers) s?.close?.();
  const base = results[0];
  variants.forEach((v, k) => {
    const r = results[k];
    rows.push({
      workload,
      checkpointer: v.name,
      wall_ms: round(r.wall),
      cpu_ms: round(r.cpu),
      steps,
      cpu_overhead_us_per_step: round(((r.cpu - base.cpu) * 1000) / steps),
      wall_overhead_us_per_step: round(((r.wall - base.wall) * 1000) / steps),
      cpu_ratio: round(r.cpu / base.cpu),
    });
  });
}

// The growing run: STEPS supersteps, each appending one number.
const STEPS = Number(process.env.STEPS ?? 10_000);
const growing = build(`graph grow {
  start a
  state { n: number = 0  out: list<number> append }
  node a { kind set set { n: state.n + 1, out: state.n } routes { when state.n < ${STEPS} -> a else -> END } }
}`);
/** Runs `f` with stdout captured (each chunk handed to `seen`, else dropped). */
async function quiet<T>(f: () => Promise<T>, seen?: (chunk: string) => void): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    seen?.(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    return await f();
  } finally {
    process.stdout.write = write;
  }
}
const cpuWall = async (f: () => Promise<unknown>) => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await f();
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
};
const bare = await cpuWall(() => growing.invoke({}, { recursionLimit: STEPS + 10 }));
const invokePath = join(dir, "grow-invoke.db");
const invokeSaver = new SqliteCheckpointer(invokePath);
const checked = await cpuWall(() => growing.invoke({}, { checkpointer: invokeSaver, threadId: "grow", durability: "sync", recursionLimit: STEPS + 10 }));
invokeSaver.close();
// The thread `rag runs show` reads is written as `rag run` writes it: `execute` (the CLI's
// run path: `graph.stream` with every event shown, here as JSON lines, stdout captured)
// with the run's `origin` metadata, the CLI's default durability, and the SQLite file
// opened as the CLI opens it. Streaming events makes every task's record (`__task__`)
// a pending write — 3 rows per superstep — which `invoke` does not save.
const growPath = join(dir, "grow.db");
const growSaver = openCheckpoints(growPath);
const growCli = new CompiledGraph(growing.blueprint, { registry: growing.registry, checkpointer: growSaver });
const cliRun = await cpuWall(() =>
  quiet(async () => {
    const code = await execute(growCli, {}, { threadId: "grow", recursionLimit: STEPS + 10, metadata: { origin: { file: join(dir, "grow.rag"), graph: "grow", config: null } } }, { json: true, printer: undefined, checkpoints: growPath });
    if (code !== 0) throw new Error(`the run exited ${code}`);
  }),
);
await closeCheckpoints(growSaver);
const writeRows = (() => {
  const db = new SqliteCheckpointer(growPath, { readonly: true });
  try {
    return (db.db.prepare("SELECT COUNT(*) AS n FROM writes WHERE thread_id = 'grow'").get() as { n: number }).n;
  } finally {
    db.close();
  }
})();
const fileSize = (p: string) => {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
};
const dbBytes = fileSize(growPath) + fileSize(`${growPath}-wal`);
/** `rag runs show grow --checkpoints FILE`, stdout captured; returns ms and the lines printed. */
async function runsShow(extra: readonly string[] = []): Promise<{ ms: number; cpu: number; lines: number }> {
  let lines = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await quiet(
    async () => {
      const code = await rag(["runs", "show", "grow", "--checkpoints", growPath, ...extra]);
      if (code !== 0) throw new Error(`rag runs show exited ${code}`);
    },
    (chunk) => (lines += chunk.split("\n").length - 1),
  );
  const c = process.cpuUsage(c0);
  return { ms: performance.now() - t0, cpu: (c.user + c.system) / 1000, lines };
}
/** Medians of wall and CPU time over `SHOW_REPEAT` runs (default 3). */
async function medianShow(extra: readonly string[] = []): Promise<{ ms: number; cpu: number; lines: number }> {
  const runs: { ms: number; cpu: number; lines: number }[] = [];
  for (let i = 0; i < Number(process.env.SHOW_REPEAT ?? 3); i++) runs.push(await runsShow(extra));
  const mid = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { ms: mid(runs.map((r) => r.ms)), cpu: mid(runs.map((r) => r.cpu)), lines: runs[0].lines };
}
await runsShow(); // warm-up (module loading)
const show = await medianShow();
const showJson = await medianShow(["--json"]);
const grow = {
  workload: `growing_${STEPS}`,
  steps: STEPS,
  db_bytes: dbBytes,
  db_mb: round(dbBytes / 1e6),
  write_rows: writeRows,
  run_ms_cli: round(cliRun.wall),
  runs_show_ms: round(show.ms),
  runs_show_cpu_ms: round(show.cpu),
  runs_show_lines: show.lines,
  runs_show_json_ms: round(showJson.ms),
  run_ms_unchecked: round(bare.wall),
  run_ms_sqlite_sync: round(checked.wall),
  cpu_overhead_us_per_step: round(((checked.cpu - bare.cpu) * 1000) / STEPS),
  wall_overhead_us_per_step: round(((checked.wall - bare.wall) * 1000) / STEPS),
  targets: { db_mb: 10, runs_show_ms: 1000 },
};
rmSync(dir, { recursive: true, force: true });

/** SQLite `sync` cost per superstep target (issue 11 §3: ≤ 0.05 ms), judged on sequential_1000's CPU time over the unchecked run. */
const SYNC_TARGET_US = 50;
const syncRow = rows.find((r) => r.workload === "sequential_1000" && r.checkpointer === "sqlite sync")!;
const verdict = (value: number, target: number) => (value <= target ? "ok" : "MISSED");
const targets = [
  { what: `rag runs show (${grow.workload}, thread written as \`rag run\` writes it)`, value: grow.runs_show_ms, unit: "ms", target: 1000 },
  { what: `database + WAL (${grow.workload})`, value: grow.db_mb, unit: "MB", target: 10 },
  { what: "SQLite sync cost per superstep (sequential_1000, CPU)", value: syncRow.cpu_overhead_us_per_step, unit: "µs", target: SYNC_TARGET_US },
].map((t) => ({ ...t, verdict: verdict(t.value, t.target) }));
const out = { supersteps: rows, growing: grow, targets };

if (json) process.stdout.write(JSON.stringify(out, null, 2) + "\n");
else {
  const head = ["workload", "checkpointer", "wall ms", "cpu ms", "supersteps", "cpu overhead µs/step", "wall overhead µs/step", "cpu × unchecked"];
  const body = rows.map((r) => [r.workload, r.checkpointer, r.wall_ms.toFixed(2), r.cpu_ms.toFixed(2), String(r.steps), r.cpu_overhead_us_per_step.toFixed(1), r.wall_overhead_us_per_step.toFixed(1), r.cpu_ratio.toFixed(2)]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  for (const line of [head, ...body]) console.log(line.map((c, i) => c.padEnd(w[i])).join("  "));
  console.log("");
  const gh = ["workload", "db MB (target < 10)", "write rows", "runs show ms (target < 1000)", "runs show cpu ms", "runs show --json ms", "run ms (rag run path)", "run ms unchecked", "run ms sqlite sync (invoke)", "cpu overhead µs/step", "wall overhead µs/step"];
  const gb = [grow.workload, grow.db_mb.toFixed(2), String(grow.write_rows), grow.runs_show_ms.toFixed(1), grow.runs_show_cpu_ms.toFixed(1), grow.runs_show_json_ms.toFixed(1), grow.run_ms_cli.toFixed(0), grow.run_ms_unchecked.toFixed(0), grow.run_ms_sqlite_sync.toFixed(0), grow.cpu_overhead_us_per_step.toFixed(1), grow.wall_overhead_us_per_step.toFixed(1)];
  const gw = gh.map((h, i) => Math.max(h.length, gb[i].length));
  for (const line of [gh, gb]) console.log(line.map((c, i) => c.padEnd(gw[i])).join("  "));
  console.log("");
  const tw = Math.max(...targets.map((t) => t.what.length));
  for (const t of targets) console.log(`${t.what.padEnd(tw)}  ${`${t.value} ${t.unit}`.padStart(11)}  target ≤ ${t.target} ${t.unit}: ${t.verdict}`);
  console.log("\n" + JSON.stringify(out));
}
