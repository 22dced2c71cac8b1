/**
 * The API's views of a workspace's threads: the list (`GET /api/threads`: each thread
 * with the workspace file and graph it runs, its status, the failure or the questions it
 * stopped on; filtered to one file and graph on request) and a thread's history with the
 * tasks each checkpoint's superstep ran (`GET /api/threads/{id}/history`), from which the
 * page draws the timeline of any thread, not only of a run it follows.
 */
import { realpathSync } from "node:fs";
import { isAbsolute, posix, sep } from "node:path";
import { snapshot, stepTasks, taskFacts, type Checkpointer, type CheckpointTuple, type PendingInterrupt, type StateSnapshot, type StepTask, type TaskError, type TaskFacts, type ThreadStatus, type ThreadSummary } from "../runtime/index.js";
import type { Workspace } from "./workspace.js";

/** One thread as `GET /api/threads` lists it. */
export interface ThreadEntry {
  readonly threadId: string;
  readonly graph: string;
  /**
   * The `.rag` file the thread runs (its checkpoints' `origin`), relative to the workspace
   * when it lies inside it (`rag run` records absolute paths, the studio relative ones);
   * null when the thread does not say (started from code).
   */
  readonly file: string | null;
  readonly status: ThreadStatus;
  readonly step: number;
  /** ms since the Unix epoch. */
  readonly updatedAt: number;
  readonly checkpoints: number;
  readonly latestId: string;
  /** Status `failed`: the failing task and its error. */
  readonly error?: TaskError;
  /** Status `interrupted`: the questions it waits on (their `payload`: prompt, options, …). */
  readonly interrupts?: readonly PendingInterrupt[];
  /**
   * A run holds the thread now (its claim: `Checkpointer.runningThreads`) — one of this
   * server's, or one of another process on the same checkpoint file (`rag run`). Absent
   * otherwise, and when the store cannot tell.
   */
  readonly running?: true;
}

/** Which threads to list: those of `file` and/or of graph `graph` (both: the graph of that file). */
export interface ThreadFilter {
  readonly file?: string;
  readonly graph?: string;
  /** Only this thread. */
  readonly thread?: string;
}

/**
 * A task of a history entry: `stepTasks`'s, plus what its completion record says it took
 * (`durationMs`, and `usage`: its model calls) when the record carries it (runtime/task-usage.ts).
 */
export type HistoryTask = StepTask & TaskFacts;

/** A history entry: the snapshot, and the tasks of the superstep run from it (`stepTasks`). */
export type HistoryEntry = StateSnapshot & { readonly tasks: readonly HistoryTask[] };

/** The threads of `summaries` that pass `filter`, as the API lists them (order kept: most recent first); `held`: the threads a run holds now. */
export function threadEntries(summaries: readonly ThreadSummary[], workspace: Workspace, filter: ThreadFilter = {}, held: ReadonlySet<string> = new Set()): ThreadEntry[] {
  const want = filter.file !== undefined ? normalFile(filter.file) : undefined;
  const out: ThreadEntry[] = [];
  for (const t of summaries) {
    if (filter.graph !== undefined && t.graph !== filter.graph) continue;
    if (filter.thread !== undefined && t.threadId !== filter.thread) continue;
    const file = originFile(t.metadata.origin, workspace);
    if (want !== undefined && file !== want) continue;
    out.push({
      threadId: t.threadId,
      graph: t.graph,
      file,
      status: t.status,
      step: t.step,
      updatedAt: t.updatedAt,
      checkpoints: t.checkpoints,
      latestId: t.latestId,
      ...(t.error ? { error: t.error } : {}),
      ...(t.interrupts ? { interrupts: t.interrupts } : {}),
      ...(held.has(t.threadId) ? { running: true as const } : {}),
    });
  }
  return out;
}

/**
 * Every checkpoint of a thread's namespace `namespace` (default the root), newest first,
 * each with the tasks of the superstep run from it and how they ended.
 */
export async function historyWithTasks(saver: Checkpointer, threadId: string, namespace?: string): Promise<HistoryEntry[]> {
  const tuples = await saver.list(threadId, namespace !== undefined ? { namespace } : {});
  // Object.assign keeps the snapshot's lazy `values` getter (a spread would read every value now).
  return tuples.map((t) => Object.assign(snapshot(t), { tasks: tasksOf(t) }));
}

/** The tasks of the superstep run from `t`, each with the duration and model calls its record kept. */
function tasksOf(t: CheckpointTuple): HistoryTask[] {
  const tasks = stepTasks(t);
  if (!tasks.length) return tasks;
  const facts = taskFacts(t.pendingWrites);
  if (!facts.size) return tasks;
  return tasks.map((task) => {
    const f = facts.get(task.id);
    return f ? { ...task, ...f } : task;
  });
}

/** The workspace-relative path of a recorded origin's file; the recorded text when it lies outside; null when there is none. */
function originFile(origin: unknown, workspace: Workspace): string | null {
  const file = origin !== null && typeof origin === "object" ? (origin as { file?: unknown }).file : undefined;
  if (typeof file !== "string" || !file) return null;
  if (!isAbsolute(file)) return normalFile(file);
  let real = file;
  try {
    real = realpathSync(file);
  } catch {
    // The file is gone: compare the path as recorded.
  }
  return real.startsWith(workspace.root + sep) ? workspace.relative(real) : file;
}

/** `./a//b.rag` → `a/b.rag`: the form the workspace lists paths in. */
function normalFile(file: string): string {
  return posix.normalize(file.split("\\").join("/")).replace(/^\.\//, "");
}
