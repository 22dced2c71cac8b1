/**
 * `npm run bench:checkpointer [-- --json]`: what checkpointing costs per superstep.
 * Runs sequential_1000 (1000 no-op nodes in a chain: 1000 supersteps) and fanout_1000
 * (1000 Send packets appending to a list, then one reduce) without a checkpointer, with
 * the in-memory one, and with a SQLite file in each durability mode; prints medians of
 * wall and CPU time (CPU time is steadier on a busy machine), the cost over the
 * unchecked run per superstep (µs), and the ratio. `REPEAT=n` sets the runs per variant.
 *
 * Then the growing run (issue 11 §3): one node looping `STEPS` times (default 10,000),
 * appending one number per superstep to an `append` list, with a SQLite file (`sync`
 * durability): the file's size (database + WAL, bytes), the time of `rag runs show` on
 * the thread (the CLI program in this process, stdout captured: every query and line it
 * makes, without the process start), and the checkpointer's cost per superstep over the
 * same run without a checkpointer. `STEPS=n` changes the length.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileGraph } from "../compiler/index.js";
import { CompiledGraph, MemoryCheckpointer, SqliteCheckpointer, type Checkpointer, type Durability } from "../runtime/index.js";
import { standardRegistry } from "../stdlib/index.js";
import { main as rag } from "../cli/program.js";
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
const cpuWall = async (f: () => Promise<unknown>) => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await f();
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
};
const growPath = join(dir, "grow.db");
const bare = await cpuWall(() => growing.invoke({}, { recursionLimit: STEPS + 10 }));
const growSaver = new SqliteCheckpointer(growPath);
const checked = await cpuWall(() => growing.invoke({}, { checkpointer: growSaver, threadId: "grow", durability: "sync", recursionLimit: STEPS + 10 }));
growSaver.close();
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
  const write = process.stdout.write;
  let lines = 0;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines += String(chunk).split("\n").length - 1;
    return true;
  }) as typeof process.stdout.write;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    const code = await rag(["runs", "show", "grow", "--checkpoints", growPath, ...extra]);
    if (code !== 0) throw new Error(`rag runs show exited ${code}`);
  } finally {
    process.stdout.write = write;
  }
  const c = process.cpuUsage(c0);
  return { ms: performance.now() - t0, cpu: (c.user + c.system) / 1000, lines };
}
await runsShow(); // warm-up (module loading)
const show = await runsShow();
const showJson = await runsShow(["--json"]);
const grow = {
  workload: `growing_${STEPS}`,
  steps: STEPS,
  db_bytes: dbBytes,
  db_mb: round(dbBytes / 1e6),
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

if (json) process.stdout.write(JSON.stringify({ supersteps: rows, growing: grow }, null, 2) + "\n");
else {
  const head = ["workload", "checkpointer", "wall ms", "cpu ms", "supersteps", "cpu overhead µs/step", "wall overhead µs/step", "cpu × unchecked"];
  const body = rows.map((r) => [r.workload, r.checkpointer, r.wall_ms.toFixed(2), r.cpu_ms.toFixed(2), String(r.steps), r.cpu_overhead_us_per_step.toFixed(1), r.wall_overhead_us_per_step.toFixed(1), r.cpu_ratio.toFixed(2)]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  for (const line of [head, ...body]) console.log(line.map((c, i) => c.padEnd(w[i])).join("  "));
  console.log("");
  const gh = ["workload", "db MB (target < 10)", "runs show ms (target < 1000)", "runs show cpu ms", "runs show --json ms", "run ms unchecked", "run ms sqlite sync", "cpu overhead µs/step", "wall overhead µs/step"];
  const gb = [grow.workload, grow.db_mb.toFixed(2), grow.runs_show_ms.toFixed(1), grow.runs_show_cpu_ms.toFixed(1), grow.runs_show_json_ms.toFixed(1), grow.run_ms_unchecked.toFixed(0), grow.run_ms_sqlite_sync.toFixed(0), grow.cpu_overhead_us_per_step.toFixed(1), grow.wall_overhead_us_per_step.toFixed(1)];
  const gw = gh.map((h, i) => Math.max(h.length, gb[i].length));
  for (const line of [gh, gb]) console.log(line.map((c, i) => c.padEnd(gw[i])).join("  "));
  console.log("\n" + JSON.stringify({ supersteps: rows, growing: grow }));
}
