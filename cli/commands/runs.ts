/**
 * `rag runs` (time travel from the shell, `runtime.md` §3) over a checkpoint file
 * (`--checkpoints PATH`, default `.rag/checkpoints.db`):
 * - `rag runs` — the threads, most recent first;
 * - `rag runs show THREAD` — its checkpoints: step, source, next tasks, changed channels;
 * - `rag runs state THREAD [CHECKPOINT]` — the state at a checkpoint, as JSON;
 * - `rag runs fork THREAD CHECKPOINT [--thread NEW]` — a new thread from a checkpoint.
 */
import { fork, getState, getStateHistory, newId, type StateSnapshot } from "../../runtime/index.js";
import { DEFAULT_CHECKPOINTS, openCheckpoints, closeCheckpoints, resumeCommandLine } from "../checkpoints.js";
import { CliError } from "../errors.js";
import { colorsFor } from "../style.js";

export interface RunsOptions {
  readonly checkpoints?: string;
  readonly json?: boolean;
  readonly thread?: string;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  ").trimEnd()).join("\n") + "\n";
}

const time = (ms: number) => new Date(ms).toISOString().replace("T", " ").slice(0, 19);

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
    else process.stdout.write(table([["THREAD", "GRAPH", "STATUS", "STEP", "CHECKPOINTS", "UPDATED"], ...threads.map((t) => [t.threadId, t.graph, t.status, String(t.step), String(t.checkpoints), time(t.updatedAt)])]));
    return 0;
  });
}

export function showRun(threadId: string, opts: RunsOptions): Promise<number> {
  return withSaver(opts, async (saver, path) => {
    const history = await getStateHistory(saver, threadId);
    if (!history.length) throw new CliError(`no thread ${threadId} in ${path}`);
    if (opts.json) {
      process.stdout.write(JSON.stringify(history.map(({ values: _v, ...h }) => h), null, 2) + "\n");
      return 0;
    }
    const c = colorsFor(process.stdout);
    const latest = history[0];
    process.stdout.write(`${c.bold(`thread ${threadId}`)}  ${latest.graph}  ${latest.status}  ${c.dim(latest.blueprintHash.slice(0, 19) + "…")}\n`);
    const rows = [...history].reverse().map((h) => [
      h.checkpointId,
      String(h.step),
      h.source,
      h.next.map((t) => t.node + (t.branch ? `[${t.branch.fanoutId}·${t.branch.index}]` : "")).join(", ") || "-",
      (h.metadata.changed ?? []).join(", ") || "-",
      h.interrupts.length ? `paused: ${h.interrupts.map((i) => i.id).join(", ")}` : "",
    ]);
    process.stdout.write(table([["CHECKPOINT", "STEP", "SOURCE", "NEXT", "CHANGED", ""], ...rows]));
    if (latest.status !== "completed") process.stdout.write(`\nresume with: ${resumeCommandLine(threadId, latest.interrupts, opts.checkpoints)}\n`);
    return 0;
  });
}

function stateJson(s: StateSnapshot): Record<string, unknown> {
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
  };
}

export function showState(threadId: string, checkpointId: string | undefined, opts: RunsOptions): Promise<number> {
  return withSaver(opts, async (saver, path) => {
    const s = await getState(saver, threadId, checkpointId);
    if (!s) throw new CliError(checkpointId === undefined ? `no thread ${threadId} in ${path}` : `thread ${threadId} has no checkpoint ${checkpointId} (\`rag runs show ${threadId}\` lists them)`);
    process.stdout.write(JSON.stringify(stateJson(s), null, 2) + "\n");
    return 0;
  });
}

export function forkRun(threadId: string, checkpointId: string, opts: RunsOptions): Promise<number> {
  return withSaver(opts, async (saver) => {
    let s: StateSnapshot;
    try {
      s = await fork(saver, threadId, checkpointId, opts.thread ?? newId("thread"));
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    if (opts.json) process.stdout.write(JSON.stringify(stateJson(s), null, 2) + "\n");
    else process.stdout.write(`forked ${threadId} at ${checkpointId} (step ${s.step}) into thread ${s.threadId}\nresume with: ${resumeCommandLine(s.threadId, s.interrupts, opts.checkpoints)}\n`);
    return 0;
  });
}
