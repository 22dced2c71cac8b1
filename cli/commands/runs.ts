/**
 * `rag runs` (time travel from the shell, `runtime.md` §3) over a checkpoint file
 * (`--checkpoints PATH`, default `.rag/checkpoints.db`):
 * - `rag runs` — the threads, most recent first;
 * - `rag runs show THREAD` — its checkpoints: step, source, next tasks, changed channels;
 * - `rag runs state THREAD [CHECKPOINT]` — the state at a checkpoint, as JSON;
 * - `rag runs fork THREAD CHECKPOINT [--thread NEW]` — a new thread from a checkpoint;
 * - `rag runs update THREAD --values JSON [--as-node NODE] [--checkpoint ID]` — `runs-update.ts`.
 * A thread whose run failed shows status `failed` and the error saved with its checkpoint.
 *
 * Child runs (subgraph nodes, graph send targets; `runtime.md` §3 "Subgraph state and
 * time travel by namespace"): `--namespace NS` makes `show`, `state`, `update` read or
 * write a child run instead (its full namespace, `2.0:review`, or a node path, `review`
 * or `outer|inner`); `--subgraphs` on `show` and `state` nests, under each pending task
 * that runs a child graph, the child's snapshot at its latest checkpoint; `fork --namespace`
 * branches the thread itself at a child's checkpoint (`runtime/subgraph-travel.ts`), so
 * `rag resume THREAD` continues the child from there. These load the thread's graph
 * (`thread-graph.ts`).
 */
import { fork, getState, getStateHistory, newId, travelToSubgraph, resolveNamespace, CheckpointError, NamespaceError, type CompiledGraph, type StateSnapshot } from "../../runtime/index.js";
import type { Spend } from "../../registry/index.js";
import { checkThreadId, closeCheckpoints, DEFAULT_CHECKPOINTS, openCheckpoints, resumeCommandLine } from "../checkpoints.js";
import { CliError } from "../errors.js";
import { boundedJson, printableId } from "../../stdlib/printable.js";
import { colorsFor } from "../style.js";
import { checkNamespaceFlag, namespaceCliError, threadBusyCliError, threadGraph, type ThreadGraphOptions } from "./thread-graph.js";

export interface RunsOptions extends ThreadGraphOptions {
  readonly checkpoints?: string;
  readonly json?: boolean;
  readonly thread?: string;
  /** A child run to read instead of the root graph (full namespace or node path). */
  readonly namespace?: string;
  /** Nest the snapshots of pending tasks' child runs (`show`: under the latest checkpoint). */
  readonly subgraphs?: boolean;
  readonly allowBlueprintChange?: boolean;
}

/** Whether the options need the thread's compiled graph (child runs are resolved through it). */
const nested = (opts: RunsOptions) => opts.namespace !== undefined || Boolean(opts.subgraphs);

/** Runs `f`, turning a NamespaceError into a one-line CliError naming the thread and namespace. */
async function inNamespace<T>(threadId: string, ns: string | undefined, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw namespaceCliError(threadId, ns, e);
  }
}

/** ` (namespace NS)` for messages about a child run; empty for the root. */
const inNs = (ns: string | undefined) => (ns ? ` in namespace \`${printableId(ns)}\`` : "");

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
    // A thread a run of another process holds now (its lease): `running`, as the studio shows it.
    const [summaries, held] = await Promise.all([saver.threads(), saver.runningThreads?.()]);
    const threads = summaries.map((t) => (held?.has(t.threadId) ? { ...t, running: true as const } : t));
    if (opts.json) process.stdout.write(JSON.stringify(threads, null, 2) + "\n");
    else if (!threads.length) process.stdout.write(`no runs in ${path}\n`);
    else process.stdout.write(table([["THREAD", "GRAPH", "STATUS", "STEP", "CHECKPOINTS", "UPDATED (local time)"], ...threads.map((t) => [t.threadId, t.graph, ("running" in t ? "running" : t.status) + (t.error ? `: ${errorLine(t.error.error)}` : ""), String(t.step), String(t.checkpoints), time(t.updatedAt)])]));
    return 0;
  });
}

export function showRun(threadId: string, opts: RunsOptions): Promise<number> {
  return withSaver(opts, async (saver, path) => {
    const ns = checkNamespaceFlag(opts.namespace);
    let history: StateSnapshot[];
    let graph: CompiledGraph | undefined;
    if (nested(opts)) {
      graph = (await threadGraph(saver, threadId, path, opts)).graph;
      // Listed without the graph, as plain `show` lists (no values are loaded); the graph only resolves the namespace.
      const at = ns ? (await inNamespace(threadId, ns, () => resolveNamespace(graph!, saver, threadId, ns))).namespace : "";
      history = await getStateHistory(saver, threadId, { namespace: at });
      if (!history.length) throw new CliError(`thread ${threadId} has no checkpoints${inNs(ns)} (\`rag runs show ${threadId} --subgraphs\` shows its child runs)`);
    } else {
      history = await getStateHistory(saver, threadId);
      if (!history.length) throw new CliError(`no thread ${threadId} in ${path} (\`rag runs\` lists the threads there)`);
    }
    const latest = opts.subgraphs ? ((await inNamespace(threadId, ns, () => graph!.getState(threadId, history[0].checkpointId, { subgraphs: true, ...(ns ? { namespace: ns } : {}) }))) ?? history[0]) : history[0];
    if (opts.json) {
      process.stdout.write(JSON.stringify([latest, ...history.slice(1)].map(withoutValues), null, 2) + "\n");
      return 0;
    }
    const c = colorsFor(process.stdout);
    const where = latest.namespace ? `  ${c.dim("namespace")} ${printableId(latest.namespace)}` : "";
    process.stdout.write(`${c.bold(`thread ${printableId(threadId)}`)}${where}  ${printableId(latest.graph)}  ${printableId(latest.status)}  ${c.dim(latest.blueprintHash.slice(0, 19) + "…")}\n`);
    const rows = [...history].reverse().map((h) => [
      h.checkpointId,
      String(h.step),
      h.source,
      h.next.map((t) => t.node + (t.branch ? `[${t.branch.fanoutId}·${t.branch.index}]` : "")).join(", ") || "-",
      (h.metadata.changed ?? []).join(", ") || "-",
      h.interrupts.length ? `paused: ${h.interrupts.map((i) => i.id).join(", ")}` : "",
    ]);
    process.stdout.write(table([["CHECKPOINT", "STEP", "SOURCE", "NEXT", "CHANGED", ""], ...rows]));
    if (latest.spend) process.stdout.write(`\nspent under budgets: ${spendLine(latest.spend)}\n`);
    if (opts.subgraphs) {
      const lines = subgraphLines(latest, "  ");
      process.stdout.write(`\nsubgraphs at ${printableId(latest.checkpointId)}:\n${lines.length ? lines.join("\n") : "  (no pending task runs a child graph that has checkpointed)"}\n`);
    }
    if (latest.error) process.stdout.write(`\n${c.red("failed")}: task ${latest.error.taskId}: ${errorLine(latest.error.error)}\n`);
    if (!ns && (await saver.runningThreads?.([threadId]))?.has(threadId)) process.stdout.write(`\n${c.yellow("running")}: a run holds this thread now (its lease or lock); what it does next shows here as it checkpoints\n`);
    else if (latest.status !== "completed") process.stdout.write(`\nresume with: ${resumeCommandLine(threadId, latest.interrupts, opts.checkpoints)}\n`);
    return 0;
  });
}

/**
 * The child runs of `s` (`StateSnapshot.subgraphs`), each under the pending task that
 * runs it and indented one level per nesting: the task, the child's graph and namespace,
 * then its checkpoint, step, status, next tasks and pending interrupts.
 */
export function subgraphLines(s: StateSnapshot, indent: string): string[] {
  const out: string[] = [];
  for (const task of s.next) {
    const child = s.subgraphs?.[task.id];
    if (!child) continue;
    out.push(`${indent}${printableId(task.node)} [${printableId(task.id)}] → ${printableId(child.graph)}  namespace ${printableId(child.namespace)}`);
    const next = child.next.map((t) => printableId(t.node)).join(", ") || "-";
    const paused = child.interrupts.length ? `  paused: ${child.interrupts.map((i) => printableId(i.id)).join(", ")}` : "";
    out.push(`${indent}  checkpoint ${printableId(child.checkpointId)}  step ${child.step}  ${child.status}  next: ${next}${paused}`);
    out.push(...subgraphLines(child, `${indent}    `));
  }
  return out;
}

/**
 * What a thread spent under budgets (`StateSnapshot.spend`), on one line: `900 tokens,
 * $0.0090 (a: 600 tokens, b: 300 tokens)`; the USD part only when some was counted,
 * `unreadable (counted as unlimited)` for a corrupted stored figure. Node names are
 * printed through `printableId` (they come from the stored record).
 */
export function spendLine(spend: Spend): string {
  const one = (t: number, u: number) => (Number.isFinite(t) && Number.isFinite(u) ? `${t} tokens${u ? `, $${u.toFixed(4)}` : ""}` : "unreadable (counted as unlimited)");
  const nodes = Object.entries(spend.nodes ?? {});
  return `${one(spend.tokens, spend.usd)}${nodes.length ? ` (${nodes.map(([n, v]) => `${printableId(n)}: ${one(v.tokens, v.usd)}`).join(", ")})` : ""}`;
}

/** A snapshot without its values, which are never read (a history lists no values; reading them would load every checkpoint's). */
function withoutValues(s: StateSnapshot): Omit<StateSnapshot, "values"> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(s) as (keyof StateSnapshot)[]) if (k !== "values") out[k] = s[k];
  if (s.subgraphs) out.subgraphs = Object.fromEntries(Object.entries(s.subgraphs).map(([id, c]) => [id, withoutValues(c)]));
  return out as Omit<StateSnapshot, "values">;
}

/** A snapshot as `rag runs state` prints it; a child run's carries its `namespace`, nested child runs are under `subgraphs` (by task id). */
export function stateJson(s: StateSnapshot): Record<string, unknown> {
  return {
    threadId: s.threadId,
    ...(s.namespace ? { namespace: s.namespace } : {}),
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
    ...(s.spend ? { spend: s.spend } : {}),
    ...(s.subgraphs ? { subgraphs: Object.fromEntries(Object.entries(s.subgraphs).map(([id, c]) => [id, stateJson(c)])) } : {}),
  };
}

/** One line for a saved error: `node \`x\` failed: …` with its code. */
export function errorLine(e: Readonly<Record<string, unknown>>): string {
  const msg = String(e.message ?? "failed").split("\n")[0];
  return e.code !== undefined && e.code !== "error" ? `${msg} [${String(e.code)}]` : msg;
}

export function showState(threadId: string, checkpointId: string | undefined, opts: RunsOptions): Promise<number> {
  return withSaver(opts, async (saver, path) => {
    const ns = checkNamespaceFlag(opts.namespace);
    let s: StateSnapshot | undefined;
    if (nested(opts)) {
      const { graph } = await threadGraph(saver, threadId, path, opts);
      s = await inNamespace(threadId, ns, () => graph.getState(threadId, checkpointId, { ...(opts.subgraphs ? { subgraphs: true } : {}), ...(ns ? { namespace: ns } : {}) }));
      if (!s) throw new CliError(checkpointId === undefined ? `thread ${threadId} has no checkpoint${inNs(ns)}` : `thread ${threadId} has no checkpoint ${checkpointId}${inNs(ns)} (\`rag runs show ${threadId}${ns ? " --namespace NS" : ""}\` lists them)`);
    } else {
      s = await getState(saver, threadId, checkpointId);
      if (!s) throw new CliError(checkpointId === undefined ? `no thread ${threadId} in ${path} (\`rag runs\` lists the threads there)` : `thread ${threadId} has no checkpoint ${checkpointId} (\`rag runs show ${threadId}\` lists them)`);
    }
    process.stdout.write(boundedJson(stateJson(s), 2) + "\n");
    return 0;
  });
}

export function forkRun(threadId: string, checkpointId: string, opts: RunsOptions): Promise<number> {
  if (opts.namespace !== undefined) return branchAtChild(threadId, checkpointId, opts);
  return withSaver(opts, async (saver) => {
    let s: StateSnapshot;
    try {
      s = await fork(saver, threadId, checkpointId, opts.thread !== undefined ? checkThreadId("--thread", opts.thread) : newId("thread"));
    } catch (e) {
      throw threadBusyCliError(e) ?? new CliError((e as Error).message);
    }
    if (opts.json) process.stdout.write(boundedJson(stateJson(s), 2) + "\n");
    else process.stdout.write(`forked ${printableId(threadId)} at ${printableId(checkpointId)} (step ${s.step}) into thread ${printableId(s.threadId)}\nresume with: ${resumeCommandLine(s.threadId, s.interrupts, opts.checkpoints)}\n`);
    return 0;
  });
}

/**
 * `rag runs fork THREAD CHECKPOINT --namespace NS`: a new branch of the thread itself at
 * checkpoint CHECKPOINT of child run NS (`travelToSubgraph`; the same preparation as
 * `graph.invoke(null, { threadId, checkpointId, checkpointNs })`). The thread's new head
 * re-runs the parent's task, whose child run continues from a copy of that checkpoint;
 * its questions are pending again. A child run cannot move to another thread, so
 * `--thread` is refused.
 */
function branchAtChild(threadId: string, checkpointId: string, opts: RunsOptions): Promise<number> {
  return withSaver(opts, async (saver, path) => {
    if (opts.thread !== undefined) throw new CliError("--thread and --namespace: a child run's checkpoint is branched inside its own thread (its enclosing runs are there); leave out --thread, or fork a root checkpoint into a new thread without --namespace");
    const ns = checkNamespaceFlag(opts.namespace)!;
    const { graph } = await threadGraph(saver, threadId, path, opts);
    const travel = await inNamespace(threadId, ns, async () => {
      try {
        return await travelToSubgraph(graph, saver, threadId, ns, checkpointId, opts.allowBlueprintChange ? { allowBlueprintChange: true } : {});
      } catch (e) {
        const busy = threadBusyCliError(e);
        if (busy) throw busy;
        // A missing checkpoint, a changed blueprint: one line each (a NamespaceError is `inNamespace`'s).
        if (e instanceof CheckpointError && !(e instanceof NamespaceError)) throw new CliError(e.message, 2, { code: e.code, tagged: true });
        throw e;
      }
    });
    const s = (await graph.getState(threadId, undefined, { subgraphs: true }))!;
    if (opts.json) process.stdout.write(boundedJson({ ...stateJson(s), travel }, 2) + "\n");
    else {
      process.stdout.write(`branched ${printableId(threadId)} at checkpoint ${printableId(checkpointId)} of ${printableId(ns)}: new head ${printableId(travel.checkpointId)} (step ${s.step}); the child run continues from ${printableId(travel.seededId)} in namespace ${printableId(travel.namespace)}\n`);
      process.stdout.write(`resume with: ${resumeCommandLine(threadId, s.interrupts, opts.checkpoints)}\n`);
    }
    return 0;
  });
}
