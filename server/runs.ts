/**
 * Runs started through the API. Each run streams its events (`runtime.md` §6) into a
 * buffer with consecutive ids (1, 2, …), so a client can (re)connect to
 * `GET /api/runs/{id}/events` with `Last-Event-ID: n` and receive every event after
 * `n`, then the live ones (Server-Sent Events). The run goes on whether or not anyone
 * listens; cancelling aborts it (the thread keeps its last checkpoint).
 *
 * Runs do not depend on the page: a queue (BullMQ workers, another issue) can replace
 * `RunManager.launch` later; the handlers only see `RunRecord`s.
 */
import { CancelledError, newId, type CompiledGraph, type RunEvent, type RunOptions } from "../runtime/index.js";
import { notFound } from "./errors.js";

/** Events kept per run; older ones are dropped (a client reconnecting past them gets `truncated`). */
export const MAX_EVENTS_PER_RUN = 20_000;

export type RunStatus = "running" | "completed" | "interrupted" | "failed" | "cancelled";

export interface RunSummary {
  readonly runId: string;
  readonly threadId: string;
  readonly graph: string;
  readonly file: string;
  readonly status: RunStatus;
  readonly startedAt: number;
  readonly events: number;
  /** Error of a failed run (`errorToJson` shape). */
  readonly error?: Record<string, unknown>;
}

type Listener = (id: number, event: RunEvent | undefined) => void;

/** One run: its events so far and who listens. */
export class RunRecord {
  status: RunStatus = "running";
  error: Record<string, unknown> | undefined;
  /** Id of the first event still held (ids start at 1). */
  firstId = 1;
  readonly events: RunEvent[] = [];
  readonly startedAt = Date.now();
  private readonly listeners = new Set<Listener>();
  readonly controller = new AbortController();

  constructor(
    readonly runId: string,
    readonly threadId: string,
    readonly graph: string,
    readonly file: string,
  ) {}

  /** Id of the last event (0 before the first). */
  get lastId(): number {
    return this.firstId + this.events.length - 1;
  }

  push(e: RunEvent): void {
    this.events.push(e);
    if (this.events.length > MAX_EVENTS_PER_RUN) {
      this.events.shift();
      this.firstId++;
    }
    const id = this.lastId;
    for (const l of this.listeners) l(id, e);
  }

  end(status: RunStatus, error?: Record<string, unknown>): void {
    this.status = status;
    this.error = error;
    for (const l of this.listeners) l(this.lastId, undefined);
    this.listeners.clear();
  }

  /** Events with id > `after`, as [id, event] pairs. */
  since(after: number): [number, RunEvent][] {
    const from = Math.max(after + 1, this.firstId);
    return this.events.slice(from - this.firstId).map((e, i) => [from + i, e]);
  }

  /** Calls `l` for every later event, and with `undefined` at the end. Returns the unsubscribe. */
  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  summary(): RunSummary {
    return { runId: this.runId, threadId: this.threadId, graph: this.graph, file: this.file, status: this.status, startedAt: this.startedAt, events: this.lastId, ...(this.error ? { error: this.error } : {}) };
  }
}

export class RunManager {
  private readonly runs = new Map<string, RunRecord>();

  /**
   * Starts streaming `graph` in the background (input null: resume `options.threadId`)
   * and returns its record at once.
   */
  launch(graph: CompiledGraph, file: string, input: Record<string, unknown> | null, options: RunOptions & { threadId: string }): RunRecord {
    const rec = new RunRecord(newId("run"), options.threadId, graph.blueprint.id, file);
    this.runs.set(rec.runId, rec);
    void (async () => {
      let last: RunEvent | undefined;
      try {
        for await (const e of graph.stream(input, { ...options, runId: rec.runId, signal: rec.controller.signal })) {
          rec.push(e);
          if (e.depth === 0) last = e;
        }
      } catch (e) {
        rec.end("failed", { code: "internal", message: (e as Error).message });
        return;
      }
      if (last?.type === "run_completed") rec.end("completed");
      else if (last?.type === "run_interrupted") rec.end("interrupted");
      else if (last?.type === "run_failed") rec.end(last.error.code === "cancelled" ? "cancelled" : "failed", last.error);
      else rec.end("failed", { code: "internal", message: "the run ended without a result" });
    })();
    return rec;
  }

  /** @throws ApiError not_found */
  get(runId: string): RunRecord {
    const r = this.runs.get(runId);
    if (!r) throw notFound(`no run ${runId} (runs are kept while the studio runs; threads are kept in the checkpoint file)`);
    return r;
  }

  list(): RunSummary[] {
    return [...this.runs.values()].map((r) => r.summary()).reverse();
  }

  /** Cancels a running run; true when it was running. */
  cancel(runId: string): boolean {
    const r = this.get(runId);
    if (r.status !== "running") return false;
    r.controller.abort(new CancelledError("cancelled from the studio", { graph: r.graph }));
    return true;
  }

  /** Aborts every running run (server shutdown). */
  cancelAll(): void {
    for (const r of this.runs.values()) if (r.status === "running") r.controller.abort(new CancelledError("the studio stopped", { graph: r.graph }));
  }
}
