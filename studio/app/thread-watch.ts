/**
 * Following a thread that a run the page did not start is executing — a `rag run` in a
 * terminal on the same checkpoint file, a run of code — whose events never reach the
 * studio: its list entry (`GET /api/threads?graph=G&thread=T`, read alone; `running`
 * while a run holds the thread, `latestId` its newest checkpoint) is polled, and the thread is redrawn from its
 * history each time a checkpoint is added, until no run holds it any more.
 */
import { api } from "./api.js";
import type { ThreadEntry } from "./thread-list.js";

/** What watching a thread asks of the panel. */
export interface WatchHost {
  /** A run holds the thread (first seen), or added a checkpoint since: redraw it. */
  changed(): Promise<void>;
  /** No run holds the thread any more (or it is gone): redraw it one last time. */
  ended(): Promise<void>;
}

/** How often the thread's entry is read while a run holds it, ms. */
export const WATCH_MS = 500;

/**
 * Watches thread `threadId` of graph `graph`, last drawn at checkpoint `latestId`; the
 * first check is made at once (a thread no run holds is left alone after it). Returns a
 * function that stops watching; a check in flight then calls nothing.
 */
export function watchThread(threadId: string, graph: string, latestId: string, host: WatchHost, everyMs = WATCH_MS): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let seen = latestId;
  let followed = false;
  const check = async (): Promise<void> => {
    let entry: ThreadEntry | undefined;
    try {
      entry = (await api<ThreadEntry[]>("GET", `/api/threads?${new URLSearchParams({ graph, thread: threadId }).toString()}`)).find((t) => t.threadId === threadId);
    } catch {
      // the server is restarting, say: try again at the next tick
      if (!stopped) timer = setTimeout(() => void check(), everyMs);
      return;
    }
    if (stopped) return;
    if (!entry?.running) {
      // Drawn once more if a run held it since the page drew it (its last checkpoints).
      if (followed || (entry && entry.latestId !== seen)) await host.ended();
      return;
    }
    if (!followed || entry.latestId !== seen) {
      // (drawn again when first seen running too: the page drew it as a thread at rest)
      followed = true;
      seen = entry.latestId;
      await host.changed();
    }
    if (!stopped) timer = setTimeout(() => void check(), everyMs);
  };
  void check();
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
  };
}
