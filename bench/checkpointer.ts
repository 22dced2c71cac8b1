/**
 * `npm run bench:checkpointer [-- --json]`: what checkpointing costs per superstep.
 * Runs sequential_1000 (1000 no-op nodes in a chain: 1000 supersteps) and fanout_1000
 * (1000 Send packets appending to a list, then one reduce) without a checkpointer, with
 * the in-memory one, and with a SQLite file in each durability mode; prints the median
 * of several runs, the cost over the unchecked run per superstep (µs), and the ratio.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileGraph } from "../compiler/index.js";
import { CompiledGraph, MemoryCheckpointer, SqliteCheckpointer, type Checkpointer, type Durability } from "../runtime/index.js";
import { standardRegistry } from "../stdlib/index.js";

const json = process.argv.includes("--json");
const REPEAT = Number(process.env.REPEAT ?? 7);
const dir = mkdtempSync(join(tmpdir(), "rag-bench-ckpt-"));

function build(src: string): CompiledGraph {
  const registry = standardRegistry();
  const r = compileGraph(src, { registry: registry.view() });
  if (!r.value) throw new Error(r.diagnostics.map((d) => d.message).join("\n"));
  return new CompiledGraph(r.value, { registry });
}

const sequential = build(`graph seq { start n0 ${Array.from({ length: 1000 }, (_, i) => `node n${i} { kind set ${i < 999 ? `next n${i + 1}` : "next END"} }`).join("\n")} }`);
const fanout = build(`graph fan {
  start split
  input { items: list<number> }
  state { out: list<number> append  total: number = 0 }
  node split { kind set send [w { n: x } for x in input.items] join reduce }
  node w { kind set set { out: args.n } }
  node reduce { kind set set { total: len(state.out) } next END }
}`);
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

async function median(run: () => Promise<void>): Promise<number> {
  await run(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const round = (x: number) => Math.round(x * 100) / 100;
const rows: { workload: string; checkpointer: string; ms: number; steps: number; overhead_us_per_step: number; ratio: number }[] = [];
for (const [workload, graph, input, steps] of [
  ["sequential_1000", sequential, {}, 1000],
  ["fanout_1000", fanout, { items }, 3],
] as const) {
  let base = 0;
  for (const v of variants) {
    const saver = v.saver?.();
    let t = 0;
    const ms = await median(async () => {
      await graph.invoke(input, { ...(saver ? { checkpointer: saver, threadId: `t${t++}` } : {}), ...(v.durability ? { durability: v.durability } : {}), recursionLimit: 2000 });
    });
    saver?.close?.();
    if (v.name === "none") base = ms;
    rows.push({ workload, checkpointer: v.name, ms: round(ms), steps, overhead_us_per_step: round(((ms - base) * 1000) / steps), ratio: round(ms / base) });
  }
}
rmSync(dir, { recursive: true, force: true });

if (json) process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
else {
  const head = ["workload", "checkpointer", "median ms", "supersteps", "overhead µs/step", "× unchecked"];
  const body = rows.map((r) => [r.workload, r.checkpointer, r.ms.toFixed(2), String(r.steps), r.overhead_us_per_step.toFixed(1), r.ratio.toFixed(2)]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  for (const line of [head, ...body]) console.log(line.map((c, i) => c.padEnd(w[i])).join("  "));
}
