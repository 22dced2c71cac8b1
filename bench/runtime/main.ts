/**
 * `npm run bench:runtime [-- --json] [--quick] [--cpu] [--gc] [--only NAME,NAME]`: ragraph and
 * LangGraph.js side by side on the workloads of LangGraph.js's bench suite
 * (`workloads.ts`). Each workload × engine runs in a fresh child process (`child.ts`),
 * so each reports its own peak RSS; times are medians of several samples after warm-up
 * (wall time, or with `--cpu` the process's CPU time, steadier on a busy machine).
 *
 * Prints a table (default) or, with `--json`, a JSON array of
 * `{workload, ragraph_ms, langgraph_ms, ratio, ragraph_rss_mb, langgraph_rss_mb}` (ratio
 * = LangGraph.js time / ragraph time; `null` where a side is pending, with a `note`).
 * Progress goes to stderr. Installs this folder's own dependencies (LangGraph.js) on
 * first use, so the main install stays lean. Exit status 1 when a workload failed.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import type { ChildResult, PairedResult } from "./child.ts";
import { WORKLOADS, type Engine, type Workload } from "./workloads.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = fileURLToPath(new URL("../../", import.meta.url));

export interface Row {
  readonly workload: string;
  readonly ragraph_ms: number | null;
  readonly langgraph_ms: number | null;
  readonly ratio: number | null;
  readonly ragraph_rss_mb: number | null;
  readonly langgraph_rss_mb: number | null;
  readonly note?: string;
}

interface Outcome {
  readonly result?: ChildResult & Partial<PairedResult>;
  readonly error?: string;
}

function ensureInstalled(): void {
  if (existsSync(`${here}node_modules/@langchain/langgraph/package.json`)) return;
  process.stderr.write("bench/runtime: installing LangGraph.js (npm ci, first run only)…\n");
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: here, stdio: ["ignore", process.stderr, process.stderr] });
  if (r.status !== 0) throw new Error("npm ci in bench/runtime failed");
}

/** The version of `pkg` installed in this folder (what the LangGraph.js side actually runs), or "not installed". */
export function installedVersion(pkg: string): string {
  try {
    return String((JSON.parse(readFileSync(`${here}node_modules/${pkg}/package.json`, "utf8")) as { version?: unknown }).version ?? "unknown");
  } catch {
    return "not installed";
  }
}

/** Runs one workload on one engine (or `overhead`: ragraph's paired checkpoint overhead) in a child process. */
export function runChild(engine: Engine | "overhead", w: Workload, flags: readonly string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    const args = ["--expose-gc", "--import", "tsx", `${here}child.ts`, engine, w.name, ...flags];
    const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("close", (code) => {
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code === 0 && line.startsWith("{")) resolve({ result: JSON.parse(line) as ChildResult });
      else resolve({ error: (err.trim().split("\n").find((l) => l.includes("Error")) ?? err.trim().split("\n")[0] ?? `exit ${code}`).slice(0, 300) });
    });
  });
}

const round = (x: number | undefined, digits = 2) => (x === undefined ? null : Number(x.toFixed(digits)));

export function toRow(w: Workload, rg: Outcome | undefined, lg: Outcome | undefined): Row {
  const r = rg?.result;
  const l = lg?.result;
  const notes = [r?.pending && `ragraph pending: ${r.pending}`, l?.pending && w.engines.includes("langgraph") && `LangGraph.js pending: ${l.pending}`, rg?.error && `ragraph failed: ${rg.error}`, lg?.error && `LangGraph.js failed: ${lg.error}`].filter(Boolean);
  const ratio = r?.median_ms && l?.median_ms ? l.median_ms / r.median_ms : undefined;
  return {
    workload: w.name,
    ragraph_ms: round(r?.median_ms, 3),
    langgraph_ms: round(l?.median_ms, 3),
    ratio: round(ratio, 1),
    ragraph_rss_mb: round(r?.peak_rss_mb, 1),
    langgraph_rss_mb: round(l?.peak_rss_mb, 1),
    ...(notes.length ? { note: notes.join("; ") } : {}),
  };
}

/** Workloads whose checkpointed twin's overhead is measured (target ≤ 2×). */
export const OVERHEAD_PAIRS = ["sequential_10", "sequential_1000", "react_agent_100x", "large_state_25x300"] as const;

/**
 * Derived targets: checkpoint overhead, peak RSS ratio, SQLite cost per superstep.
 * `paired` holds the checkpointed ÷ unchecked ratios measured with interleaved samples in
 * one process (`child.ts overhead`); without one, the ratio of the two rows' medians is shown.
 */
export function summary(rows: readonly Row[], paired: ReadonlyMap<string, number> = new Map()): string[] {
  const get = (n: string) => rows.find((r) => r.workload === n);
  const out: string[] = [];
  /** "pending" for a row whose side is not available yet, "not run" for a row left out (`--only`). */
  const missing = (...names: string[]) => (names.every((n) => get(n)) ? "pending" : "not run");
  const overhead = OVERHEAD_PAIRS.map((n) => {
    const p = paired.get(n);
    if (p !== undefined) return `${n} ${p.toFixed(2)}× ${p <= 2 ? "✓" : "✗"}`;
    const a = get(n)?.ragraph_ms;
    const b = get(`${n}_checkpoint`)?.ragraph_ms;
    return `${n} ${a && b ? `${(b / a).toFixed(2)}× (row medians)` : missing(n, `${n}_checkpoint`)}`;
  });
  out.push(`checkpointed ÷ unchecked run, ragraph, interleaved samples (target ≤ 2×): ${overhead.join(", ")}`);
  const react = get("react_agent_100x_checkpoint");
  out.push(`peak RSS react_agent_100x_checkpoint, ragraph ÷ LangGraph.js (target ≤ 0.5): ${react?.ragraph_rss_mb && react.langgraph_rss_mb ? (react.ragraph_rss_mb / react.langgraph_rss_mb).toFixed(2) : missing("react_agent_100x_checkpoint")}`);
  const sqlite = get("sequential_1000_sqlite")?.ragraph_ms;
  const plain = get("sequential_1000")?.ragraph_ms;
  out.push(`SQLite checkpointer, cost per superstep: ${sqlite && plain ? `${((sqlite - plain) / 1000).toFixed(3)} ms (sequential_1000: ${sqlite} ms vs ${plain} ms unchecked)` : missing("sequential_1000_sqlite", "sequential_1000")}`);
  return out;
}

const fmt = (x: number | null, digits = 2) => (x === null ? "—" : x >= 100 ? x.toFixed(0) : x.toFixed(digits));

export function table(rows: readonly Row[]): string {
  const header = ["workload", "ragraph ms", "LangGraph ms", "ratio", "target", "ragraph RSS MB", "LangGraph RSS MB"];
  const body = rows.map((r) => {
    const w = WORKLOADS.find((x) => x.name === r.workload);
    const target = w?.targetRatio ? `≥${w.targetRatio}× ${r.ratio === null ? "·" : r.ratio >= w.targetRatio ? "✓" : "✗"}` : "";
    return [r.workload, r.ragraph_ms === null ? (r.note?.includes("ragraph pending") ? "pending" : "—") : fmt(r.ragraph_ms), r.langgraph_ms === null ? (w?.engines.includes("langgraph") ? "pending" : "—") : fmt(r.langgraph_ms), r.ratio === null ? "—" : `${r.ratio}×`, target, fmt(r.ragraph_rss_mb, 0), fmt(r.langgraph_rss_mb, 0)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(header), line(widths.map((n) => "-".repeat(n))), ...body.map(line)].join("\n");
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes("--json");
  const quick = args.includes("--quick");
  const cpu = args.includes("--cpu");
  const childFlags = args.filter((a) => a === "--quick" || a === "--cpu" || a === "--gc");
  const onlyAt = args.indexOf("--only");
  const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? "").split(",").filter(Boolean) : [];
  const selected = WORKLOADS.filter((w) => !only.length || only.some((o) => w.name === o));
  ensureInstalled();
  const rows: Row[] = [];
  let failed = false;
  for (const w of selected) {
    const outcomes: Partial<Record<Engine, Outcome>> = {};
    for (const engine of w.engines) {
      process.stderr.write(`${w.name} · ${engine} … `);
      const o = await runChild(engine, w, childFlags);
      outcomes[engine] = o;
      failed ||= Boolean(o.error);
      process.stderr.write(`${o.error ? `FAILED: ${o.error}` : o.result?.pending ? "pending" : `${o.result!.median_ms!.toFixed(2)} ms, ${o.result!.peak_rss_mb!.toFixed(0)} MB`}\n`);
    }
    rows.push(toRow(w, outcomes.ragraph, outcomes.langgraph));
  }
  // Checkpoint overhead, where both twins were selected: unchecked and checkpointed samples interleaved in one process.
  const paired = new Map<string, number>();
  for (const n of OVERHEAD_PAIRS) {
    const w = selected.find((x) => x.name === n);
    if (!w || !selected.some((x) => x.name === `${n}_checkpoint`)) continue;
    process.stderr.write(`${n} vs ${n}_checkpoint · ragraph, interleaved … `);
    const o = await runChild("overhead", w, childFlags);
    failed ||= Boolean(o.error);
    if (o.result?.ratio !== undefined) paired.set(n, o.result.ratio);
    process.stderr.write(`${o.error ? `FAILED: ${o.error}` : o.result?.ratio !== undefined ? `${o.result.base_ms!.toFixed(2)} ms vs ${o.result.variant_ms!.toFixed(2)} ms, ${o.result.ratio.toFixed(2)}×` : "pending"}\n`);
  }
  if (json) process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
  else {
    const machine = `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, load ${loadavg().map((x) => x.toFixed(1)).join(" ")}`;
    const versions = `LangGraph.js ${installedVersion("@langchain/langgraph")} (@langchain/core ${installedVersion("@langchain/core")})`;
    process.stdout.write(`ragraph vs ${versions} — medians of ${cpu ? "CPU" : "wall"} time${quick ? " (quick)" : ""}; ratio = LangGraph.js ÷ ragraph; ${machine}\n\n${table(rows)}\n\n${summary(rows, paired).join("\n")}\n`);
    for (const r of rows) if (r.note && !r.note.includes("pending")) process.stdout.write(`${r.workload}: ${r.note}\n`);
  }
  process.exit(failed ? 1 : 0);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
