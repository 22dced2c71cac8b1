/**
 * The crash proof of issue 13 §4: `npm run bench:scale -- --crash-trials 20` (or
 * `npm run bench:crash -- --trials 20 [--mode branches|runs|subgraph|both|all]`).
 *
 * Two `rag worker` processes share a fresh queue and Postgres schema. Each trial submits
 * a run of a 12-branch fan-out (branches of 90–530 ms of I/O with a side effect logged to
 * a file), waits until some branches' records are committed in Postgres, and SIGKILLs a
 * worker — the one holding the run on even trials, the other one on odd trials (under
 * `distribute: branches` it is running branches) — then starts a replacement, so two
 * workers always run. Every run must complete with the state of an uninterrupted run, and
 * no task whose record was committed before the kill may run again. "Committed" means the
 * branch's record (its `__task__` and `out` writes, saved in one statement) is in Postgres
 * right after the kill (`committedBranches`); its side effect (a line in the file) happens
 * before that save, so a branch killed between the two runs again — at-least-once, counted
 * apart as a re-run uncommitted task, not as a failure. Prints a table (and
 * `--json`): trials, failures, committed tasks at the kill, re-run committed tasks (must
 * be 0), re-run uncommitted tasks (allowed: killed mid-flight) and recovery time.
 * `--pause MS` freezes the worker (SIGSTOP) for MS instead of killing it, then continues it:
 * its leases run out while it is alive, and no task may run twice (`CrashOptions.pauseMs`).
 * Needs Redis and Postgres (`RAG_BENCH_REDIS`, `RAG_BENCH_POSTGRES`); removes its schema
 * and keys after.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { compileGraph } from "../compiler/index.js";
import { CompiledGraph } from "../runtime/index.js";
import { QueueRunSubmitter } from "../scale/index.js";

const root = new URL("../", import.meta.url).pathname;

/** `branches`: a distributed fan-out; `runs`: an in-worker one; `subgraph`: a distributed fan-out inside a child graph. */
export type CrashMode = "branches" | "runs" | "subgraph";

/** The root graph of `subgraph` mode: its subgraph node runs \`fan\`, and it asks for distribution (inherited by \`fan\`). */
const SUBGRAPH_ROOT = `graph outer {
  start inner
  defaults { distribute: branches }
  input { items: list<number> }
  state { total: number = 0 }
  node inner { kind subgraph graph "fan" input { items: input.items } writes { total: result.total } next END }
}
`;
const ITEMS = 12;

export interface CrashTrial {
  readonly trial: number;
  readonly mode: CrashMode;
  readonly killed: "run holder" | "other worker";
  readonly ok: boolean;
  readonly problem?: string;
  /** Tasks whose records were committed when the worker was killed. */
  readonly committedAtKill: number;
  /** Of those, how many ran again (must be 0). */
  readonly committedRerun: number;
  /** Tasks that ran more than once, not committed at the kill (killed mid-flight: allowed). */
  readonly uncommittedRerun: number;
  /** Kill to the run's end, ms. */
  readonly recoveryMs: number;
}

/** A row of the store's `writes` table (one write of a task's committed record). */
export interface WriteRow {
  readonly ns: string;
  readonly checkpoint_id: string;
  readonly task_id: string;
  readonly channel: string;
}

/**
 * The fan-out items whose branch record is committed, from the thread's `__task__` and
 * `out` writes (`rows`). A branch task is one whose record writes `out` (the `split`
 * and `reduce` tasks commit records too, but never write it), and its id ends in `.i`
 * for branch i, which runs `items[i]`. Only a record holding its `__task__` row counts
 * as committed (a record is saved in one statement, so its rows land together).
 *
 * (Earlier the bench took the branches to be the tasks of the step most records shared:
 * with one branch record committed beside the `split` task's `1.0`, the tie picked the
 * `split`'s step and mapped `1.0` to `items[0]` — so branch 0, killed mid-flight and
 * rightly run again, was reported as a committed task that ran again.)
 */
export function committedBranches(rows: readonly WriteRow[], items: readonly number[]): number[] {
  const key = (r: WriteRow) => `${r.ns}\0${r.checkpoint_id}\0${r.task_id}`;
  const done = new Set(rows.filter((r) => r.channel === "__task__").map(key));
  const out = new Set<number>();
  for (const r of rows) {
    if (r.channel !== "out" || !done.has(key(r))) continue;
    const n = items[Number(r.task_id.slice(r.task_id.lastIndexOf(".") + 1))];
    if (n !== undefined) out.add(n);
  }
  return [...out];
}

/** How the victim is stopped: `pauseMs` freezes it (SIGSTOP) that long, then lets it go on (SIGCONT), instead of SIGKILL. */
export interface CrashOptions {
  /**
   * Freeze the worker instead of killing it: its leases run out while it is alive, another
   * worker is handed its jobs, and then it goes on. Nothing dies, so no task may run twice
   * (a stalled run holds its thread's lock, a stalled branch its branch lock): any task that
   * ran more than once is reported as a committed re-run. No replacement worker is started.
   */
  readonly pauseMs?: number;
}

export async function crashTrials(pgBase: string, redisBase: string, trials: number, modes: readonly CrashMode[], log: (line: string) => void = () => undefined, options: CrashOptions = {}): Promise<CrashTrial[]> {
  const dir = mkdtempSync(join(tmpdir(), "rag-bench-crash-"));
  const effects = join(dir, "effects.txt");
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  writeFileSync(
    join(dir, "rag.config.ts"),
    `import { appendFileSync } from "node:fs";
import { defineConfig, tool, z } from ${JSON.stringify(join(root, "index.ts"))};
export default defineConfig({ tools: { io: tool({ description: "I/O with a side effect", schema: z.object({ n: z.number() }), run: async ({ n }) => { await new Promise((ok) => setTimeout(ok, 90 + ((n * 7) % 12) * 40)); appendFileSync(${JSON.stringify(effects)}, n + "\\n"); return n * 2; } }) } });
`,
  );
  // `subgraph`: the fan-out is a child graph's, run by the root's subgraph node (the root asks for distribution).
  const sourceOf = (mode: CrashMode) => `${mode === "subgraph" ? SUBGRAPH_ROOT : ""}graph fan {
  start split
  ${mode === "branches" ? "defaults { distribute: branches }" : ""}
  input { items: list<number> }
  state { out: list<number> append  total: number = 0 }
  node split { kind set send [w { n: x } for x in input.items -> out] join reduce }
  node w { kind tool tool "io" }
  node reduce { kind set set { total: sum(state.out) } next END }
}`;
  const { loadConfig } = await import("../cli/files.js");
  const loaded = await loadConfig(join(dir, "rag.config.ts"));
  const tag = `${process.pid}_${Date.now().toString(36)}`;
  const schema = `rag_crash_${tag}`;
  const prefix = `ragcrash_${tag}`;
  const queue = `${redisBase}?queue=crash&prefix=${prefix}`;
  const pgUrl = `${pgBase}?schema=${schema}`;
  const workers = new Set<ChildProcess>();
  const spawnWorker = async (): Promise<ChildProcess> => {
    const w = spawn(process.execPath, [join(root, "bin/rag.js"), "worker", "--queue", queue, "--checkpoints", pgUrl, "--config", "rag.config.ts", "--concurrency", "2", "--lock-duration", "1000"], { cwd: dir, stdio: ["ignore", "pipe", "inherit"] });
    workers.add(w);
    w.once("exit", () => workers.delete(w));
    await new Promise<void>((ok, fail) => {
      w.stdout!.on("data", (d: Buffer) => d.toString().includes("taking runs") && ok());
      w.once("exit", (code) => fail(new Error(`worker exited (${code}) before taking runs`)));
    });
    return w;
  };
  const client = new pg.Client({ connectionString: pgBase });
  await client.connect();
  const redis = new Redis(redisBase);
  const submitter = new QueueRunSubmitter(queue, { checkpoints: pgUrl });
  const out: CrashTrial[] = [];
  try {
    await spawnWorker();
    await spawnWorker();
    for (let trial = 0; trial < trials; trial++) {
      const mode = modes[trial % modes.length];
      const killHolder = Math.floor(trial / modes.length) % 2 === 0;
      const source = sourceOf(mode);
      const compiled = compileGraph(source, { file: "fan.rag", registry: loaded.registry.view() });
      const bp = compiled.value!;
      const graphs = new Map(compiled.compilation.blueprints.map((b) => [b.id, b]));
      // Items unique to the trial, so the effects file tells trials apart.
      const items = Array.from({ length: ITEMS }, (_, i) => (trial + 1) * 100 + i + 1);
      const expected = (await new CompiledGraph(bp, { registry: loaded.registry, graphs }).invoke({ items })).state;
      if (existsSync(effects)) rmSync(effects);
      const threadId = `crash-${trial}`;
      const h = await submitter.submit({ kind: "run", source, file: "fan.rag", graph: bp.id, hash: bp.hash, input: { items }, threadId });
      const outcome = submitter.outcome(h.runId);
      // The thread's committed task records, and which of them are the fan-out's branches (`committedBranches`).
      const records = () => client.query<WriteRow>(`SELECT ns, checkpoint_id, task_id, channel FROM "${schema}".writes WHERE thread_id = $1 AND channel IN ('__task__', 'out')`, [threadId]).then((r) => r.rows);
      // Wait until 2–8 branch records are committed, then kill.
      const target = 2 + (trial % 7);
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const rows = await records().catch(() => []);
        if (committedBranches(rows, items).length >= target) break;
        await new Promise((ok) => setTimeout(ok, 10));
      }
      // The summary is sealed in Redis: read through the submitter (it holds the queue key).
      const summary = await submitter.summary(h.runId);
      const holderPid = Number(summary?.worker?.split(":").at(-1));
      const victim = [...workers].find((w) => (w.pid === holderPid) === killHolder) ?? [...workers][0];
      // Committed at the kill: read again right after the signal (a commit racing the kill counts only if it landed).
      victim.kill(options.pauseMs !== undefined ? "SIGSTOP" : "SIGKILL");
      const killedAt = performance.now();
      const committedItems = committedBranches(await records(), items);
      if (options.pauseMs !== undefined) {
        await new Promise((ok) => setTimeout(ok, options.pauseMs));
        victim.kill("SIGCONT");
      } else await spawnWorker();
      const o = await outcome;
      const recoveryMs = performance.now() - killedAt;
      const ran = readFileSync(effects, "utf8").trim().split("\n").filter(Boolean).map(Number);
      const times = (n: number) => ran.filter((x) => x === n).length;
      // Paused, not killed: every task that ran twice counts (no executor died mid-flight).
      const committedRerun = options.pauseMs !== undefined ? items.filter((n) => times(n) > 1).length : committedItems.filter((n) => times(n) > 1).length;
      const uncommittedRerun = options.pauseMs !== undefined ? 0 : items.filter((n) => !committedItems.includes(n) && times(n) > 1).length;
      let problem: string | undefined;
      if (o.status !== "completed") problem = `run ${o.status}`;
      else if (JSON.stringify(o.state) !== JSON.stringify(expected)) problem = "final state differs from an uninterrupted run";
      else if (committedRerun) problem = `${committedRerun} committed task(s) ran again`;
      else if (items.some((n) => times(n) < 1)) problem = "a branch never ran";
      const row: CrashTrial = { trial: trial + 1, mode, killed: killHolder ? "run holder" : "other worker", ok: !problem, ...(problem ? { problem } : {}), committedAtKill: committedItems.length, committedRerun, uncommittedRerun, recoveryMs };
      out.push(row);
      log(`trial ${String(row.trial).padStart(2)}  ${mode.padEnd(8)}  killed ${row.killed.padEnd(12)}  committed at kill ${String(row.committedAtKill).padStart(2)}  re-run committed ${row.committedRerun}  re-run uncommitted ${row.uncommittedRerun}  recovery ${row.recoveryMs.toFixed(0).padStart(5)} ms  ${row.ok ? "ok" : `FAILED: ${row.problem}`}`);
    }
  } finally {
    await submitter.close();
    for (const w of workers) w.kill("SIGKILL");
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await client.end();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/** Prints the summary of `crashTrials`; returns false when a trial failed. */
export function printCrashSummary(rows: readonly CrashTrial[], print: (line: string) => void): boolean {
  const failed = rows.filter((r) => !r.ok);
  const rec = rows.map((r) => r.recoveryMs).sort((a, b) => a - b);
  print(`\ncrash trials: ${rows.length}, completed with the uninterrupted state: ${rows.length - failed.length}, failed: ${failed.length}`);
  print(`committed tasks at the kills: ${rows.reduce((s, r) => s + r.committedAtKill, 0)}, of which ran again: ${rows.reduce((s, r) => s + r.committedRerun, 0)} (must be 0); uncommitted tasks re-run (killed mid-flight): ${rows.reduce((s, r) => s + r.uncommittedRerun, 0)}`);
  if (rec.length) print(`recovery (kill → run end): p50 ${rec[Math.floor(rec.length / 2)].toFixed(0)} ms, max ${rec.at(-1)!.toFixed(0)} ms (lease 1000 ms)`);
  return failed.length === 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const trials = Number(arg("--trials") ?? arg("--crash-trials") ?? 20);
  const mode = arg("--mode") ?? "both";
  const modes: readonly CrashMode[] = mode === "both" ? ["branches", "runs"] : mode === "all" ? ["branches", "runs", "subgraph"] : [mode as CrashMode];
  const json = process.argv.includes("--json");
  const pause = arg("--pause");
  const rows = await crashTrials(process.env.RAG_BENCH_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test", process.env.RAG_BENCH_REDIS ?? "redis://127.0.0.1:6379", trials, modes, json ? undefined : console.log, pause !== undefined ? { pauseMs: Number(pause) } : {});
  const ok = json ? (console.log(JSON.stringify(rows, null, 2)), rows.every((r) => r.ok)) : printCrashSummary(rows, console.log);
  process.exit(ok ? 0 : 1);
}
