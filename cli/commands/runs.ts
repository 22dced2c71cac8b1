/**
 * `rag runs` (time travel from the shell, `runtime.md` §3) over a checkpoint file
 * (`--checkpoints PATH`, default `.rag/checkpoints.db`):
 * - `rag runs` — the threads, most recent first;
 * - `rag runs show THREAD` — its checkpoints: step, source, next tasks, changed channels;
 * - `rag runs state THREAD [CHECKPOINT]` — the state at a checkpoint, as JSON;
 * - `rag runs fork THREAD CHECKPOINT [--thread NEW]` — a new thread from a checkpoint;
 * - `rag runs update THREAD --values JSON [--as-node NODE] [--checkpoint ID]` — `runs-update.ts`.
 * A thread whose run failed shows status `failed` and the error saved with its checkpoint.
 */
import { fork, getState, getStateHistory, newId, type StateSnapshot } from "../../runtime/index.js";
import { checkThreadId, closeCheckpoints, DEFAULT_CHECKPOINTS, openCheckpoints, resumeCommandLine } from "../checkpoints.js";
import { CliError } from "../errors.js";
import { boundedJson, printableId } from "../../stdlib/printable.js";
import { colorsFor } from "../style.js";

export interface RunsOptions {
  readonly checkpoints?: string;
  readonly json?: boolean;
  readonly thread?: string;
}

/** Columns padded to their widest cell; cells (ids and names from the checkpoint file) with control characters escaped. */
function table(raw: string[][]): string {
  const rows = raw.map((r) => r.map(printableId));
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  ").trimEnd()).join("\n") + "\n";
}

/** Local time with its UTC offset, e.g. `2026-12-06 01:41:12 +01:00` (the offset says which clock; `+00:00` is UTC). */
export function localTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? "-" : "+";
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${sign}${p(Math.floor(Math.abs(off) / 60))}:${p(Math.abs(off) % 60)}`;
}
const time = localTime;

function withSaver<T>(opts: RunsOptions, f: (s: ReturnType<typeof openCheckpoints>, path: string) => Promise<T>): Promise<T> {
  const path = opts.checkpoints ?? DEFAULT_CHECKPOINTS;
  const saver = openCheckpoints(path, true);
  return f(saver, path).finally(() => closeCheckpoints(saver));
}

export function listRuns(opts: RunsOptions): Promise<number> {
  return withSaver(opts, async (saver, path) => {
    const threads = await saver.threads();
    if (opts.json) process.stdout.write(JSON.stringify(threads, null, 2) + "\n");
    else if (!threads.length) process.stdout.write(`no runs in ${path}\n`);
    else process.stdout.write(table([["THREAD", "GRAPH", "STATUS", "STEP", "CHECKPOINTS", "UPDATED (local time)"], ...threads.map((t) => [t.threadId, t.graph, t.status + (t.error ? `: ${errorLine(t.error.error)}` : ""), String(t.step), String(t.checkpoints), time(t.updatedAt)])]));
    return 0;
  });
}

export function showRun(threadId: string, opts: RunsOptions): Promise<number> {
  return withSaver(opts, async (saver, path) => {
    const history = await getStateHistory(saver, threadId);
    if (!history.length) throw new CliError(`no thread ${threadId} in ${path}`);
    if (opts.json) {
      process.stdout.write(JSON.stringify(history.map(withoutValues), null, 2) + "\n");
      return 0;
    }
    const c = colorsFor(process.stdout);
    const latest = history[0];
    process.stdout.write(`${c.bold(`thread ${printableId(threadId)}`)}  ${printableId(latest.graph)}  ${printableId(latest.status)}  ${c.dim(latest.blueprintHash.slice(0, 19) + "…")}\n`);
    const rows = [...history].reverse().map((h) => [
      h.checkpointId,
      String(h.step),
      h.source,
      h.next.map((t) => t.node + (t.branch ? `[${t.branch.fanoutId}·${t.branch.index}]` : "")).join(", ") || "-",
      (h.metadata.changed ?? []).join(", ") || "-",
      h.interrupts.length ? `paused: ${h.interrupts.map((i) => i.id).join(", ")}` : "",
    ]);
    process.stdout.write(table([["CHECKPOINT", "STEP", "SOURCE", "NEXT", "CHANGED", ""], ...rows]));
    if (latest.error) process.stdout.write(`\n${c.red("failed")}: task ${latest.error.taskId}: ${errorLine(latest.error.error)}\n`);
    if (latest.status !== "completed") process.stdout.write(`\nresume with: ${resumeCommandLine(threadId, latest.interrupts, opts.checkpoints)}\n`);
    return 0;
  });
}

/** A snapshot without its values, which are never read (a history lists no values; reading them would load every checkpoint's). */
function withoutValues(s: StateSnapshot): Omit<StateSnapshot, "values"> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(s) as (keyof StateSnapshot)[]) if (k !== "values") out[k] = s[k];
  return out as Omit<StateSnapshot, "values">;
}

export function stateJson(s: StateSnapshot): Record<string, unknown> {
  return {
    threadId: s.threadId,
    checkpointId: s.checkpointId,
    step: s.step,
    source: s.source,
    status: s.status,
    graph: s.graph,
    blueprintHash: s.blueprintHash,
    createdAt: new Date(s.createdAt).toISOString(),
    values: s.values,
    next: s.next.map((t) => ({ taskId: t.id, node: t.node, ...(t.args !== undefined ? { args: t.args } : {}) })),
    interrupts: s.interrupts,
    errors: s.errors,
    ...(s.error ? { error: s.error } : {}),
  };
}

/** One line for a saved error: `node \`x\` failed: …` with its code. */
export function errorLine(e: Readonly<Record<string, unknown>>): string {
  const msg = String(e.message ?? "failed").split("\n")[0];
  return e.code !== undefined && e.code !== "error" ? `${msg} [${String(e.code)}]` : msg;
}

export function showState(threadId: string, checkpointId: string | undefined, opts: RunsOptions): Promise<number> {
  return withSaver(opts, async (saver, path) => {
    const s = await getState(saver, threadId, checkpointId);
    if (!s) throw new CliError(checkpointId === undefined ? `no thread ${threadId} in ${path}` : `thread ${threadId} has no checkpoint ${checkpointId} (\`rag runs show ${threadId}\` lists them)`);
    process.stdout.write(boundedJson(stateJson(s), 2) + "\n");
    return 0;
  });
}

export function forkRun(threadId: string, checkpointId: string, opts: RunsOptions): Promise<number> {
  return withSaver(opts, async (saver) => {
    let s: StateSnapshot;
    try {
      s = await fork(saver, threadId, checkpointId, opts.thread !== undefined ? checkThreadId("--thread", opts.thread) : newId("thread"));
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    if (opts.json) process.stdout.write(boundedJson(stateJson(s), 2) + "\n");
    else process.stdout.write(`forked ${printableId(threadId)} at ${printableId(checkpointId)} (step ${s.step}) into thread ${printableId(s.threadId)}\nresume with: ${resumeCommandLine(s.threadId, s.interrupts, opts.checkpoints)}\n`);
    return 0;
  });
}
