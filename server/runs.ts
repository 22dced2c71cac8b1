/**
 * Runs started through the API. Each run streams its events (`runtime.md` §6) into a
 * buffer with consecutive ids (1, 2, …), so a client can (re)connect to
 * `GET /api/runs/{id}/events` with `Last-Event-ID: n` and receive every event after
 * `n`, then the live ones (Server-Sent Events). The run goes on whether or not anyone
 * listens; cancelling aborts it (the thread keeps its last checkpoint).
 *
 * With a queue (`rag serve --queue`, issue 13 §3) runs execute on `rag worker`s: the
 * manager enqueues them and *mirrors* each run it is asked about from the run's Redis
 * Stream into a local `RunRecord` (event n of the record is entry n of the stream), so
 * any serve process answers for any run — replicas hold no state of their own beyond
 * this cache.
 */
import { CancelledError, jsonSizeAtMost, newId, type CompiledGraph, type RunEvent, type RunOptions } from "../runtime/index.js";
import type { QueuedRunSummary, QueueRunSubmitter, RunHandle } from "../scale/index.js";
// The module alone (no Redis or Postgres client is loaded for a studio without a queue).
import { eventStandIn as standIn, MAX_EVENT_BYTES, MAX_EVENT_BYTES_PER_RUN } from "../scale/event-bounds.js";
import { ApiError, notFound } from "./errors.js";

/** Events kept per run; older ones are dropped (a client reconnecting past them gets `truncated`). */
export const MAX_EVENTS_PER_RUN = 20_000;

export { MAX_EVENT_BYTES, MAX_EVENT_BYTES_PER_RUN };

/** Event JSON kept by all ended runs together; past it the oldest ended runs are forgotten. */
export const MAX_ENDED_EVENT_BYTES = 256 * 1024 * 1024;

export type RunStatus = "queued" | "running" | "completed" | "interrupted" | "failed" | "cancelled";

/** Mirrored queued runs kept per serve process (the oldest ended ones are dropped first). */
export const MAX_MIRRORS = 1_000;

/**
 * Ended runs of this process kept with their events (`GET /api/runs/{id}`, replays of
 * its event stream); past it the oldest ended run is forgotten (its thread stays in the
 * checkpoints). Runs still executing are always kept. Without the bound a long-lived
 * `rag serve` held every run it ever started, up to 20,000 events each.
 */
export const MAX_ENDED_RUNS = 1_000;

/**
 * Runs one server process may have executing (or, with a queue, submitted and not yet
 * ended) at once (default). Each run holds model calls, tool calls and memory for as long
 * as it goes: without a bound, a client holding the token started them without end.
 * Past it `POST /api/runs` and `POST /api/threads/{id}/resume` answer 429 `too_many_runs`
 * before anything is compiled, enqueued or run.
 */
export const MAX_ACTIVE_RUNS = 32;

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
  /** The worker running a queued run (`host:pid`). */
  readonly worker?: string;
}

type Listener = (id: number, event: RunEvent | undefined) => void;

/** One run: its events so far and who listens. */
export class RunRecord {
  status: RunStatus = "running";
  error: Record<string, unknown> | undefined;
  /** Id of the first event still held (ids start at 1). */
  firstId = 1;
  readonly events: RunEvent[] = [];
  /** JSON size of each held event (parallel to `events`), and their sum. */
  private readonly sizes: number[] = [];
  bytes = 0;
  private readonly listeners = new Set<Listener>();
  readonly controller = new AbortController();
  /** Who runs it: undefined in this process; a worker's `host:pid` for a queued run. */
  worker: string | undefined;

  constructor(
    readonly runId: string,
    readonly threadId: string,
    readonly graph: string,
    readonly file: string,
    readonly startedAt = Date.now(),
  ) {}

  /** Whether the run has ended. */
  get ended(): boolean {
    return this.status !== "running" && this.status !== "queued";
  }

  /** Id of the last event (0 before the first). */
  get lastId(): number {
    return this.firstId + this.events.length - 1;
  }

  /** Holds `e` (a stand-in past `MAX_EVENT_BYTES`), dropping the oldest events past `MAX_EVENTS_PER_RUN` or `MAX_EVENT_BYTES_PER_RUN`; tells the listeners. */
  push(e: RunEvent): void {
    let size = jsonSizeAtMost(e, MAX_EVENT_BYTES);
    if (size > MAX_EVENT_BYTES) {
      e = standIn(e, MAX_EVENT_BYTES);
      size = jsonSizeAtMost(e, MAX_EVENT_BYTES);
    }
    this.events.push(e);
    this.sizes.push(size);
    this.bytes += size;
    while (this.events.length > MAX_EVENTS_PER_RUN || (this.bytes > MAX_EVENT_BYTES_PER_RUN && this.events.length > 1)) {
      this.events.shift();
      this.bytes -= this.sizes.shift()!;
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

  /** The event numbered `id`, or undefined when it is not held (dropped from the front, or not yet made). */
  event(id: number): RunEvent | undefined {
    return id >= this.firstId && id <= this.lastId ? this.events[id - this.firstId] : undefined;
  }

  /** Calls `l` for every later event, and with `undefined` at the end. Returns the unsubscribe. */
  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  summary(): RunSummary {
    return { runId: this.runId, threadId: this.threadId, graph: this.graph, file: this.file, status: this.status, startedAt: this.startedAt, events: this.lastId, ...(this.worker ? { worker: this.worker } : {}), ...(this.error ? { error: this.error } : {}) };
  }
}

export class RunManager {
  private readonly runs = new Map<string, RunRecord>();
  private readonly mirrors = new Map<string, RunRecord>();

  /**
   * @param remote the queue runs go to (`rag serve --queue`); without it runs execute in this process.
   * @param maxEnded ended runs kept (default `MAX_ENDED_RUNS`).
   * @param maxActive runs executing (or submitted to the queue and not ended) at once (default `MAX_ACTIVE_RUNS`).
   * @throws RangeError when `maxActive` is not a positive integer.
   */
  constructor(
    readonly remote?: QueueRunSubmitter,
    private readonly maxEnded = MAX_ENDED_RUNS,
    readonly maxActive = MAX_ACTIVE_RUNS,
  ) {
    if (!(Number.isSafeInteger(maxActive) && maxActive > 0)) throw new RangeError(`RunManager: \`maxActive\` must be a positive integer, not ${String(maxActive)}`);
  }

  /** Runs of this process not yet ended: executing here, or submitted to the queue from here. */
  get active(): number {
    let n = 0;
    for (const r of this.runs.values()) if (!r.ended) n++;
    for (const r of this.mirrors.values()) if (!r.ended && this.submittedHere.has(r.runId)) n++;
    return n + this.slots;
  }

  /** Threads a request holds (`reserve`): a run it is preparing, or a state edit. */
  private readonly reserved = new Set<string>();
  /** Run slots held by requests preparing a run (`reserve` with `slot`). */
  private slots = 0;

  /**
   * Holds thread `threadId` (and, with `slot`, a run slot) for a request that awaits (reads
   * the thread, compiles, enqueues) before it calls `launch` or `submitted`, or before it
   * writes the thread (a state edit, a branch): concurrent requests see them taken at
   * once, so they cannot all pass the checks while the first is still awaiting (two
   * resumes of one paused thread both ran from its checkpoint; N queued submissions all
   * passed `maxActive`). Call the returned release (idempotent) just before
   * `launch`/`submitted`, in the same tick, and in a `finally`.
   *
   * @throws ApiError 409 `thread_busy` when a run of this process executes on the thread or
   *   another request holds it; 429 `too_many_runs` as `admit` (with `slot`).
   */
  reserve(threadId: string, slot = true): () => void {
    this.notBusy(threadId);
    if (slot) this.admit();
    this.reserved.add(threadId);
    if (slot) this.slots++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.reserved.delete(threadId);
      if (slot) this.slots--;
    };
  }

  /**
   * Refuses a thread a run of this process executes on (or submitted to the queue and not
   * yet ended), or a request holds (`reserve`).
   *
   * @throws ApiError 409 `thread_busy`.
   */
  notBusy(threadId: string): void {
    const r = this.activeOn(threadId) ?? this.queuedOn(threadId);
    if (r) throw new ApiError("thread_busy", `thread ${threadId} is running (run ${r.runId}); wait for it to end or cancel it first`, 409);
    if (this.reserved.has(threadId)) throw new ApiError("thread_busy", `thread ${threadId} is being started or resumed by another request; wait for that run to end first`, 409);
  }

  /**
   * A run this process submitted to the queue on `threadId` that has not ended (queued or
   * running on a worker). Another process's submissions are not known here: the workers
   * refuse a resume answered against a checkpoint the thread has moved on from
   * (`stale_resume`).
   */
  private queuedOn(threadId: string): RunRecord | undefined {
    for (const r of this.mirrors.values()) if (r.threadId === threadId && !r.ended && this.submittedHere.has(r.runId)) return r;
    return undefined;
  }

  /** Queued runs this process submitted (they count against `maxActive` until they end). */
  private readonly submittedHere = new Set<string>();

  /**
   * Refuses a new run when `maxActive` runs are already going; called before the run is
   * compiled, enqueued or started (the limit is charged before the work).
   *
   * @throws ApiError 429 `too_many_runs`.
   */
  admit(): void {
    const n = this.active;
    if (n >= this.maxActive) throw new ApiError("too_many_runs", `${n} runs are going (at most ${this.maxActive} at once); wait for one to end or cancel one first`, 429);
  }

  /** The run of this process still executing on `threadId`, if any (queued runs are ordered by the workers' thread locks). */
  activeOn(threadId: string): RunRecord | undefined {
    for (const r of this.runs.values()) if (r.threadId === threadId && !r.ended) return r;
    return undefined;
  }

  /**
   * Starts streaming `graph` in the background (input null: resume `options.threadId`)
   * and returns its record at once. `release` (the checkpointer's) is called with the
   * thread when the run has ended, before its record says so.
   */
  launch(graph: CompiledGraph, file: string, input: Record<string, unknown> | null, options: RunOptions & { threadId: string }, release?: (threadId: string) => Promise<void>): RunRecord {
    // Checked here, with no await before the record is added: two runs never execute one thread.
    this.notBusy(options.threadId);
    this.admit();
    const rec = new RunRecord(newId("run"), options.threadId, graph.blueprint.id, file);
    this.forgetEnded(this.maxEnded - 1);
    this.runs.set(rec.runId, rec);
    void (async () => {
      let last: RunEvent | undefined;
      try {
        for await (const e of graph.stream(input, { ...options, runId: rec.runId, signal: rec.controller.signal })) {
          rec.push(e);
          if (e.depth === 0) last = e;
        }
      } catch (e) {
        await release?.(rec.threadId).catch(() => undefined);
        rec.end("failed", { code: "internal", message: (e as Error).message });
        return;
      }
      // before the run is seen to end: a client resuming the thread through another
      // process must not find it still locked by this one
      await release?.(rec.threadId).catch(() => undefined);
      if (last?.type === "run_completed") rec.end("completed");
      else if (last?.type === "run_interrupted") rec.end("interrupted");
      else if (last?.type === "run_failed") rec.end(last.error.code === "cancelled" ? "cancelled" : "failed", last.error);
      else rec.end("failed", { code: "internal", message: "the run ended without a result" });
      this.forgetEnded(this.maxEnded);
    })();
    return rec;
  }

  /**
   * Drops the oldest ended runs until at most `keep` ended runs remain and they hold at
   * most `MAX_ENDED_EVENT_BYTES` of events (insertion order is start order).
   */
  private forgetEnded(keep: number): void {
    let ended = 0;
    let bytes = 0;
    for (const r of this.runs.values()) if (r.ended) (ended++, (bytes += r.bytes));
    for (const [id, r] of this.runs) {
      if (ended <= keep && bytes <= MAX_ENDED_EVENT_BYTES) return;
      if (!r.ended) continue;
      this.runs.delete(id);
      ended--;
      bytes -= r.bytes;
    }
  }

  /** A run just enqueued on the remote queue, mirrored from its stream. */
  submitted(handle: RunHandle, graph: string, file: string): RunRecord {
    this.submittedHere.add(handle.runId);
    return this.mirror({ runId: handle.runId, threadId: handle.threadId, graph, file, status: "queued", startedAt: Date.now(), events: 0 });
  }

  /** Follows a queued run's stream into a local record (once per process). */
  private mirror(s: QueuedRunSummary): RunRecord {
    const have = this.mirrors.get(s.runId);
    if (have) return have;
    const remote = this.remote!;
    const rec = new RunRecord(s.runId, s.threadId, s.graph, s.file, s.startedAt);
    rec.status = s.status === "queued" ? "queued" : "running";
    rec.worker = s.worker;
    if (this.mirrors.size >= MAX_MIRRORS) {
      const old = [...this.mirrors.values()].find((r) => r.ended);
      if (old) {
        this.mirrors.delete(old.runId);
        this.submittedHere.delete(old.runId);
      }
    }
    this.mirrors.set(s.runId, rec);
    void (async () => {
      let end: QueuedRunSummary | undefined;
      try {
        const it = remote.log.read(s.runId);
        for (;;) {
          const r = await it.next();
          if (r.done) {
            end = r.value;
            break;
          }
          if (rec.status === "queued") rec.status = "running";
          rec.push(r.value.event);
        }
      } catch (e) {
        this.mirrors.delete(s.runId);
        rec.end("failed", { code: "queue_unavailable", message: `lost the run's event stream: ${(e as Error).message}` });
        return;
      }
      rec.worker = end?.worker ?? rec.worker;
      const status = end?.status;
      rec.end(status && status !== "queued" && status !== "running" ? status : "failed", end?.error ?? (end ? undefined : { code: "expired", message: `run ${s.runId} is no longer in the queue's store` }));
    })();
    return rec;
  }

  /** @throws ApiError not_found */
  get(runId: string): RunRecord {
    const r = this.runs.get(runId) ?? this.mirrors.get(runId);
    if (!r) throw notFound(`no run ${runId} (runs are kept while the studio runs; threads are kept in the checkpoint file)`);
    return r;
  }

  /** A run of this process, or (with a queue) any queued run, mirrored. @throws ApiError not_found */
  async find(runId: string): Promise<RunRecord> {
    const r = this.runs.get(runId) ?? this.mirrors.get(runId);
    if (r) return r;
    const s = this.remote ? await this.remote.summary(runId) : undefined;
    if (!s) throw notFound(this.remote ? `no run ${runId} in the queue (ended runs expire after 7 days; threads stay in the checkpoints)` : `no run ${runId} (runs are kept while the studio runs; threads are kept in the checkpoint file)`);
    return this.mirror(s);
  }

  /** Runs newest first: this process's, or (with a queue) the queue's newest 100. */
  async list(): Promise<RunSummary[]> {
    if (!this.remote) return [...this.runs.values()].map((r) => r.summary()).reverse();
    return (await this.remote.list(100)).map((s) => ({ runId: s.runId, threadId: s.threadId, graph: s.graph, file: s.file, status: s.status, startedAt: s.startedAt, events: s.events, ...(s.worker ? { worker: s.worker } : {}), ...(s.error ? { error: s.error } : {}) }));
  }

  /** Cancels a running run (on whichever worker runs it); true when it was running. */
  async cancel(runId: string): Promise<boolean> {
    const r = await this.find(runId);
    if (r.ended) return false;
    if (this.mirrors.has(runId)) await this.remote!.cancel(runId);
    else r.controller.abort(new CancelledError("cancelled from the studio", { graph: r.graph }));
    return true;
  }

  /** Aborts every run of this process (server shutdown); queued runs go on on their workers. */
  cancelAll(): void {
    for (const r of this.runs.values()) if (r.status === "running") r.controller.abort(new CancelledError("the studio stopped", { graph: r.graph }));
  }
}
