/**
 * `npm run bench:fuzz -- [--count N] [--seed S] [--workers W] [--timeout-ms T] [--max-mb M] [--front-end-only] [--json]`:
 * feeds N mutated `.rag` sources (default 100,000; mutate.ts) to the front end and the
 * CLI's paths (render, JSON, --fix settling, fmt, graph export, `--input` JSON, printed
 * ids: cli-paths.ts) on W worker threads (default: the CPU count) and checks every
 * property of check.ts. Ceilings per input: a worker that makes no progress on one input
 * for T ms (default 10,000) is a hang; a worker whose heap passes M MiB (default 1,024)
 * is out of memory. Either way it is stopped, the input recorded, and a new worker
 * continues after it. Failing inputs are
 * written to `.fuzz-failures/` for reproduction (`mutant(corpus, seed, index)` rebuilds
 * any input). Prints a table, or with `--json` a JSON object; exit 1 on any failure.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { seedCorpus } from "./corpus.js";
import { mutant } from "./mutate.js";
import { PROBLEM_KINDS, type Problem } from "./problem.js";

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const count = arg("count", 100_000);
const seed = arg("seed", Date.now() % 1_000_000);
const workers = Math.max(1, arg("workers", availableParallelism()));
const timeoutMs = arg("timeout-ms", 10_000);
const maxMb = arg("max-mb", 1024);
const cli = !process.argv.includes("--front-end-only");
const json = process.argv.includes("--json");

interface Failure { index: number; kind: Problem["kind"] | "hang" | "oom"; detail: string; file?: string }
const failures: Failure[] = [];
const times: number[] = [];
let chars = 0;
const corpus = seedCorpus();
const t0 = performance.now();

function save(f: Failure): void {
  mkdirSync(".fuzz-failures", { recursive: true });
  const file = `.fuzz-failures/seed${seed}-${f.index}-${f.kind}.rag`;
  writeFileSync(file, mutant(corpus, seed, f.index).source);
  f.file = file;
  failures.push(f);
}

/** Runs inputs [from, to) on one worker, replacing it after a hang. */
function lane(from: number, to: number): Promise<void> {
  return new Promise((resolve) => {
    let current = from;
    const w = new Worker(new URL("./worker-boot.mjs", import.meta.url), { workerData: { seed, from, to, cli }, resourceLimits: { maxOldGenerationSizeMb: maxMb } });
    let started = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        save({ index: current, kind: "hang", detail: `no result after ${timeoutMs} ms` });
        void w.terminate();
        lane(current + 1, to).then(resolve);
      }, timeoutMs);
    };
    w.on("message", (m: { type: string; index: number; ms: number; chars: number; problem?: Problem }) => {
      if (m.type === "start") {
        started = true;
        current = m.index;
        arm();
      } else if (m.type === "done") {
        times.push(m.ms);
        chars += m.chars;
        if (m.problem) save({ index: m.index, kind: m.problem.kind, detail: m.problem.detail.slice(0, 2000) });
      } else if (m.type === "end") {
        clearTimeout(timer);
        void w.terminate();
        resolve();
      }
    });
    w.on("error", (e) => {
      clearTimeout(timer);
      if (!started) {
        process.stderr.write(`fuzz worker failed to start: ${e.message}\n`);
        process.exit(2);
      }
      const oom = (e as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY";
      save({ index: current, kind: oom ? "oom" : "throw", detail: oom ? `heap passed ${maxMb} MiB` : `worker crashed: ${e.message}` });
      lane(current + 1, to).then(resolve);
    });
  });
}

const per = Math.ceil(count / workers);
await Promise.all(Array.from({ length: workers }, (_, i) => lane(i * per, Math.min(count, (i + 1) * per))).filter(Boolean));
const wall = performance.now() - t0;
times.sort((a, b) => a - b);
const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0;
const result = {
  seed,
  inputs: times.length + failures.filter((f) => f.kind === "hang").length,
  failures: failures.length,
  paths: cli ? "front end + CLI" : "front end",
  byKind: Object.fromEntries([...PROBLEM_KINDS, "hang", "oom"].map((k) => [k, failures.filter((f) => f.kind === k).length])),
  inputs_per_s: Math.round((times.length / wall) * 1000),
  mean_chars: Math.round(chars / Math.max(1, times.length)),
  p50_ms: +q(0.5).toFixed(2),
  p99_ms: +q(0.99).toFixed(2),
  max_ms: +(times[times.length - 1] ?? 0).toFixed(1),
  wall_s: +(wall / 1000).toFixed(1),
  workers,
  failed: failures.slice(0, 20),
};
if (json) process.stdout.write(JSON.stringify(result, null, 2) + "\n");
else {
  const rows: [string, string | number][] = [["seed", seed], ["paths", result.paths], ["inputs", result.inputs], ["failures", result.failures], ...Object.entries(result.byKind).map(([k, v]) => [`  ${k}`, v] as [string, number]), ["inputs/s", result.inputs_per_s], ["mean size (chars)", result.mean_chars], ["p50 ms/input", result.p50_ms], ["p99 ms/input", result.p99_ms], ["max ms/input", result.max_ms], ["wall s", result.wall_s], ["workers", workers]];
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(20)} ${v}\n`);
  for (const f of failures.slice(0, 20)) process.stdout.write(`FAIL ${f.kind} #${f.index} ${f.file}: ${f.detail.split("\n")[0]}\n`);
}
process.exitCode = failures.length ? 1 : 0;
