/**
 * `npm run bench:cli [-- --json] [--runs N]`: start-up time of the `rag` command (issue 14 §3).
 *
 * Each command runs as a real process (`node bin/rag.js …`, as a user runs it), `--runs`
 * times (default 15), the commands interleaved round-robin so a load spike hits them
 * alike; one untimed run of each first (it also brings dist/bundle/ up to date, bin/dev-build.js).
 * Rows:
 * - `node -e 0`: Node's own start-up, the baseline;
 * - `rag --version`: target ≤ 2 × the baseline;
 * - `rag check examples/X.rag` for each example (its config, examples/rag.config.ts, is
 *   loaded from the transpile cache, cli/config-cache.ts, and the bundle's scripts from V8's
 *   code cache, dist/bundle/loader.js — both in a scratch folder of this run, which the
 *   untimed first run fills; `ragraph/config` through dist/bundle/): target ≤ 300 ms;
 * - `rag check --registry` (a registry snapshot instead of the config, so no tsx at all).
 * Prints a table, or with `--json` a JSON array of `{command, median_ms, min_ms, cpu_ms,
 * ratio_to_node, target}` (times are wall clock, ms; `cpu_ms` the mean CPU time of the
 * process and its threads, user + system, on Linux, else null; `ratio_to_node` = median /
 * baseline median). The minimum and the CPU time are the steadier figures on a busy machine.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const runsArg = args.indexOf("--runs");
const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : 15;
const scratch = mkdtempSync(join(tmpdir(), "rag-bench-cli-"));
const registry = join(scratch, "registry.json");
/** Caches of this run only (the first, untimed run of each command fills them), not the user's. */
const env = { ...process.env, NO_COLOR: "1", RAG_CONFIG_CACHE_DIR: scratch, RAG_CODE_CACHE_DIR: scratch };

interface Case {
  readonly command: string;
  readonly argv: readonly string[];
  readonly target?: (baselineMs: number) => { ms: number; label: string };
}

const rag = (...a: string[]) => ["bin/rag.js", ...a];
const CASES: Case[] = [
  { command: "node -e 0", argv: ["-e", "0"] },
  { command: "rag --version", argv: rag("--version"), target: (b) => ({ ms: 2 * b, label: "≤ 2× node" }) },
  ...["approval", "support_agent", "research_review"].map((x) => ({ command: `rag check examples/${x}.rag`, argv: rag("check", `examples/${x}.rag`), target: () => ({ ms: 300, label: "≤ 300 ms" }) })),
  { command: "rag check --registry (no config)", argv: rag("check", "--registry", registry, "examples/approval.rag"), target: () => ({ ms: 300, label: "≤ 300 ms" }) },
];

/** CPU time of the waited-for children so far, ms (Linux: /proc/self/stat cutime + cstime, 10 ms ticks); undefined elsewhere. */
function childCpuMs(): number | undefined {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").replace(/^.*\) /, "").split(" ");
    return (Number(fields[13]) + Number(fields[14])) * 10; // fields 16 and 17 of proc(5), in USER_HZ = 100
  } catch {
    return undefined;
  }
}

function once(c: Case): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, c.argv, { cwd: root, encoding: "utf8", env });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${c.command} exited with ${r.status}: ${r.stderr.slice(0, 500)}`);
  return ms;
}

try {
  // The registry snapshot of the examples' config, for the no-config row.
  const exp = spawnSync(process.execPath, rag("registry", "export", "--config", "examples/rag.config.ts", "--out", registry), { cwd: root, encoding: "utf8", env });
  if (exp.status !== 0) throw new Error(`rag registry export failed: ${exp.stderr}`);
  for (const c of CASES) once(c);
  const samples = new Map<string, number[]>(CASES.map((c) => [c.command, []]));
  const cpu = new Map<string, number>(CASES.map((c) => [c.command, 0]));
  for (let i = 0; i < runs; i++)
    for (const c of CASES) {
      const c0 = childCpuMs();
      samples.get(c.command)!.push(once(c));
      const c1 = childCpuMs();
      if (c0 !== undefined && c1 !== undefined) cpu.set(c.command, cpu.get(c.command)! + c1 - c0);
    }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const round = (x: number) => Math.round(x * 10) / 10;
  const base = median(samples.get("node -e 0")!);
  const rows = CASES.map((c) => {
    const xs = samples.get(c.command)!;
    const t = c.target?.(base);
    const cpuMs = childCpuMs() === undefined ? null : round(cpu.get(c.command)! / runs);
    return { command: c.command, median_ms: round(median(xs)), min_ms: round(Math.min(...xs)), cpu_ms: cpuMs, ratio_to_node: round(median(xs) / base), target: t ? `${t.label} (${Math.round(t.ms)} ms): ${median(xs) <= t.ms ? "ok" : "MISSED"}` : "" };
  });
  if (args.includes("--json")) process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
  else {
    process.stdout.write(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, load ${loadavg().map((x) => x.toFixed(1)).join(" ")}; ${runs} runs each, wall ms\n`);
    process.stdout.write(`${"command".padEnd(40)}${"median".padStart(9)}${"min".padStart(9)}${"cpu".padStart(9)}${"× node".padStart(9)}  target\n`);
    for (const r of rows) process.stdout.write(`${r.command.padEnd(40)}${String(r.median_ms).padStart(9)}${String(r.min_ms).padStart(9)}${String(r.cpu_ms ?? "").padStart(9)}${String(r.ratio_to_node).padStart(9)}  ${r.target}\n`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
