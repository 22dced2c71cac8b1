/**
 * `npm run bench [-- --quick] [--only NAME,NAME] [--json]`: every benchmark under `bench/`
 * in one command, one after another (each in its own process, as its own npm script would
 * run it, with `--json`), then one table of the headline figures beside their targets and
 * the whole result as JSON on the last line (`--json`: only the JSON).
 *
 * `--quick` shortens the long ones (fuzz 5,000 inputs, runtime `--quick`, CLI 5 runs,
 * scale 10 runs) for a smoke check; without it each bench runs at its own defaults.
 * Benchmarks needing a service (scale: Postgres and Redis; studio: /usr/bin/chromium)
 * report `failed` with their own message when it is absent; the others still run.
 * Exit status 1 when any benchmark failed.
 */
import { spawnSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const jsonOnly = args.includes("--json");
const onlyArg = args.indexOf("--only");
const only = onlyArg >= 0 ? new Set((args[onlyArg + 1] ?? "").split(",")) : undefined;

/** One headline figure: what, measured value, unit, target (same unit) and whether lower is better. */
interface Figure {
  readonly what: string;
  readonly value: number | null;
  readonly unit: string;
  readonly target?: number;
  readonly higherIsBetter?: boolean;
}

type Json = Record<string, unknown> & unknown[];
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const rowsOf = (j: unknown): Record<string, unknown>[] => (Array.isArray(j) ? (j as Record<string, unknown>[]) : []);

interface Bench {
  readonly name: string;
  readonly script: string;
  readonly args: (quick: boolean) => string[];
  readonly env?: (quick: boolean) => Record<string, string>;
  readonly figures: (j: Json) => Figure[];
}

const BENCHES: readonly Bench[] = [
  {
    name: "compiler",
    script: "bench/compiler/run.ts",
    args: () => [],
    figures: (j) =>
      rowsOf(j)
        .filter((r) => num(r.target_ms) !== null || String(r.workload).startsWith("compile"))
        .map((r) => ({ what: `compile ${String(r.workload)}`, value: num(r.ms), unit: "ms", target: num(r.target_ms) ?? undefined })),
  },
  {
    name: "cli",
    script: "bench/cli.ts",
    args: (q) => (q ? ["--runs", "5"] : []),
    figures: (j) =>
      rowsOf(j).map((r) => {
        const t = /\((\d+) ms\)/.exec(String(r.target ?? ""));
        return { what: String(r.command), value: num(r.median_ms), unit: "ms", target: t ? Number(t[1]) : undefined };
      }),
  },
  {
    name: "runtime",
    script: "bench/runtime/main.ts",
    args: (q) => (q ? ["--quick"] : []),
    figures: (j) => rowsOf(j).map((r) => ({ what: `${String(r.workload)} × LangGraph.js`, value: num(r.ratio), unit: "×", higherIsBetter: true })),
  },
  {
    name: "checkpointer",
    script: "bench/checkpointer.ts",
    args: () => [],
    env: (q): Record<string, string> => (q ? { REPEAT: "3", STEPS: "2000" } : {}),
    figures: (j) => {
      const g = (j as unknown as { growing?: Record<string, unknown> }).growing ?? {};
      const steps = rowsOf((j as unknown as { supersteps?: unknown }).supersteps).filter((r) => String(r.checkpointer).includes("sqlite"));
      return [
        // Issue 11 §3: SQLite `sync` costs at most 0.05 ms of CPU per superstep (judged on sequential_1000).
        ...steps.map((r) => ({ what: `${String(r.workload)} ${String(r.checkpointer)} overhead/step`, value: num(r.cpu_overhead_us_per_step), unit: "µs", ...(r.workload === "sequential_1000" && r.checkpointer === "sqlite sync" ? { target: 50 } : {}) })),
        { what: `${String(g.workload)} database`, value: num(g.db_mb), unit: "MB", target: 10 },
        { what: `${String(g.workload)} rag runs show`, value: num(g.runs_show_ms), unit: "ms", target: 1000 },
      ];
    },
  },
  {
    name: "harness",
    script: "bench/harness.ts",
    args: () => [],
    figures: (j) => Object.entries(((j as unknown as { perCallUs?: Record<string, unknown> }).perCallUs ?? {}) as Record<string, unknown>).map(([k, v]) => ({ what: `model call: ${k}`, value: num(v), unit: "µs" })),
  },
  {
    name: "repl",
    script: "bench/repl.ts",
    args: () => ["--json"],
    figures: (j) => rowsOf(j).map((r) => ({ what: `ragsh ${String(r.workload).split(" (")[0]} time ÷ JS`, value: num(r.ratio), unit: "×" })),
  },
  {
    name: "lsp",
    script: "bench/language-service.ts",
    args: () => [],
    figures: (j) => rowsOf((j as unknown as { rows?: unknown }).rows).map((r) => ({ what: `language service ${String(r.workload)}`, value: num(r.ms), unit: "ms", target: 100 })),
  },
  {
    name: "studio",
    script: "bench/studio.ts",
    args: () => [],
    figures: (j) => {
      const s = j as unknown as { pageReadyMs?: number[]; space?: { diagnostics?: { median?: number } }; digit?: { diagnostics?: { median?: number } } };
      return [
        { what: "studio page ready (warm)", value: num(s.pageReadyMs?.at(-1)), unit: "ms", target: 2000 },
        { what: "studio keystroke → diagnostics (space)", value: num(s.space?.diagnostics?.median), unit: "ms", target: 100 },
        { what: "studio keystroke → diagnostics (digit)", value: num(s.digit?.diagnostics?.median), unit: "ms", target: 100 },
      ];
    },
  },
  {
    name: "scale",
    script: "bench/scale.ts",
    args: () => [],
    env: (q): Record<string, string> => (q ? { RUNS: "10", REPEAT: "2" } : {}),
    figures: (j) => {
      const s = j as unknown as { checkpointer?: unknown; pool?: { scaling?: unknown } | null };
      const figs: Figure[] = rowsOf(s.checkpointer).map((r) => ({ what: `${String(r.backend)} ${String(r.workload)} per superstep`, value: num(r.msPerStep), unit: "ms" }));
      const ratio = num(s.pool?.scaling);
      if (ratio !== null) figs.push({ what: "worker pool scaling 1→4 (× linear)", value: ratio, unit: "×", target: 0.8, higherIsBetter: true });
      return figs;
    },
  },
  {
    name: "fuzz",
    script: "bench/fuzz/run.ts",
    args: (q) => (q ? ["--count", "5000"] : []),
    figures: (j) => {
      const f = j as unknown as { inputs?: number; failures?: number };
      return [{ what: `fuzz failures in ${String(f.inputs ?? "?")} inputs`, value: num(f.failures), unit: "", target: 0 }];
    },
  },
];

/** The last JSON value printed on stdout (pretty-printed or one line). */
function lastJson(stdout: string): unknown {
  const text = stdout.trim();
  try {
    return JSON.parse(text);
  } catch {
    // A table then a JSON line: take the last line that parses, else the last `{`/`[` block.
  }
  const lines = text.split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (!line.startsWith("{") && !line.startsWith("[")) continue;
    try {
      return JSON.parse(lines.slice(i).join("\n"));
    } catch {
      continue;
    }
  }
  return undefined;
}

const results: Record<string, { ok: boolean; seconds: number; error?: string; figures: Figure[]; json?: unknown }> = Object.create(null);
for (const b of BENCHES) {
  if (only && !only.has(b.name)) continue;
  if (!jsonOnly) process.stderr.write(`bench ${b.name}…\n`);
  const t0 = performance.now();
  const p = spawnSync(process.execPath, ["--import", "tsx", b.script, "--json", ...b.args(quick)], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ...(b.env?.(quick) ?? {}) },
    maxBuffer: 256 * 1024 * 1024,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const seconds = Math.round((performance.now() - t0) / 100) / 10;
  const json = lastJson(p.stdout ?? "");
  let figures: Figure[] = [];
  try {
    figures = json === undefined ? [] : b.figures(json as Json);
  } catch {
    figures = [];
  }
  const ok = p.status === 0 && json !== undefined;
  const error = ok ? undefined : (p.stderr || p.stdout || String(p.error ?? "")).trim().split("\n").slice(-3).join(" ").slice(0, 300);
  results[b.name] = { ok, seconds, ...(error ? { error } : {}), figures, json };
}

const verdict = (f: Figure): string => {
  if (f.value === null || f.target === undefined) return "";
  return (f.higherIsBetter ? f.value >= f.target : f.value <= f.target) ? "ok" : "MISSED";
};
if (jsonOnly) process.stdout.write(JSON.stringify(results) + "\n");
else {
  process.stdout.write(`\nnode ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, load ${loadavg().map((x) => x.toFixed(1)).join(" ")}${quick ? ", --quick" : ""}\n`);
  process.stdout.write(`${"bench".padEnd(14)}${"status".padEnd(8)}${"s".padStart(7)}  note\n`);
  for (const [name, r] of Object.entries(results)) process.stdout.write(`${name.padEnd(14)}${(r.ok ? "ok" : "failed").padEnd(8)}${String(r.seconds).padStart(7)}  ${r.error ?? ""}\n`);
  process.stdout.write(`\n${"figure".padEnd(58)}${"value".padStart(12)}${"target".padStart(12)}  verdict\n`);
  for (const r of Object.values(results))
    for (const f of r.figures) {
      const v = f.value === null ? "—" : `${Math.round(f.value * 100) / 100}${f.unit === "×" ? "×" : f.unit ? " " + f.unit : ""}`;
      const t = f.target === undefined ? "" : `${f.higherIsBetter ? "≥ " : "≤ "}${f.target}${f.unit === "×" ? "×" : f.unit ? " " + f.unit : ""}`;
      process.stdout.write(`${f.what.slice(0, 57).padEnd(58)}${v.padStart(12)}${t.padStart(12)}  ${verdict(f)}\n`);
    }
  process.stdout.write("\n" + JSON.stringify(Object.fromEntries(Object.entries(results).map(([k, r]) => [k, { ok: r.ok, seconds: r.seconds, error: r.error, figures: r.figures }]))) + "\n");
}
process.exitCode = Object.values(results).every((r) => r.ok) ? 0 : 1;
