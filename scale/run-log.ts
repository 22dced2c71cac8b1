/**
 * What a queued run leaves in Redis for whoever watches it (issue 13 §2), under the
 * queue URL's key prefix `P`:
 *
 * - `P:run:{runId}:events` — a Redis Stream of the run's events (`runtime.md` §6), one
 *   entry per event (field `e`: the event as JSON), then one entry with field `end` (the
 *   run's final summary). Entry ids are Redis stream ids (`1733443200000-0`): a late
 *   subscriber replays from the start or continues after any id it saw (`XREAD`).
 *   Capped at `MAX_EVENTS_PER_RUN` entries (oldest trimmed).
 * - `P:run:{runId}` — the run's summary (`QueuedRunSummary` as JSON): status, thread,
 *   graph, who runs it.
 * - `P:runs` — a sorted set of run ids by submission time (ms), for listings.
 * - `P:run:{runId}:cancel` — set when a cancellation was asked (to its tag, signed with the
 *   queue secret: `cancel-signature.ts`); a worker that picks the job up later sees it.
 *   `P:cancel` — the pub/sub channel that tells running workers (signed messages too).
 *
 * Ended runs' keys expire after `RUN_TTL_S` (the thread itself lives on in Postgres).
 */
import { Redis } from "ioredis";
import { jsonSizeAtMost, parseUntrustedJson, type RunEvent } from "../runtime/index.js";
import { eventStandIn, MAX_EVENT_BYTES, MAX_EVENT_BYTES_PER_RUN } from "./event-bounds.js";
import { cancelMessage, cancelTag, cancelTagValid } from "./cancel-signature.js";

/** Events kept per run (a stream longer than this is trimmed from the start). */
export const MAX_EVENTS_PER_RUN = 20_000;
/** Runs whose written entry sizes one `RunLog` remembers (to trim their streams by bytes); a branch worker appends to many runs and ends none. */
const MAX_WINDOWS = 1_000;

/** A root run's last event: kept whole (its state is the run's outcome). */
const isRootEnd = (e: RunEvent): boolean => e.depth === 0 && (e.type === "run_completed" || e.type === "run_interrupted" || e.type === "run_failed");

/** How long an ended run's events and summary are kept in Redis, seconds (7 days). */
export const RUN_TTL_S = 7 * 24 * 3600;
/** Longest a blocking stream read waits before looking again, ms. */
const BLOCK_MS = 2_000;

export type QueuedRunStatus = "queued" | "running" | "completed" | "interrupted" | "failed" | "cancelled";

/** A queued run as `P:run:{runId}` records it. `startedAt` is the submission time (ms since the epoch). */
export interface QueuedRunSummary {
  readonly runId: string;
  readonly threadId: string;
  readonly graph: string;
  readonly file: string;
  readonly status: QueuedRunStatus;
  readonly startedAt: number;
  /** Events written so far (the stream's length when it ended). */
  readonly events: number;
  /** The worker running (or that ran) it: `host:pid`. */
  readonly worker?: string;
  /** Error of a failed run (`errorToJson` shape). */
  readonly error?: Record<string, unknown>;
}

/** One stream entry: its Redis id and the event. */
export interface LoggedEvent {
  readonly id: string;
  readonly event: RunEvent;
}

const ENDED = new Set<QueuedRunStatus>(["completed", "interrupted", "failed", "cancelled"]);
export const isEnded = (s: QueuedRunStatus): boolean => ENDED.has(s);

/** Reads and writes the keys above on one Redis connection (blocking reads use a duplicate). */
export class RunLog {
  constructor(
    readonly redis: Redis,
    readonly prefix: string,
  ) {}

  eventsKey = (runId: string) => `${this.prefix}:run:${runId}:events`;
  summaryKey = (runId: string) => `${this.prefix}:run:${runId}`;
  cancelKey = (runId: string) => `${this.prefix}:run:${runId}:cancel`;
  get runsKey() {
    return `${this.prefix}:runs`;
  }
  get cancelChannel() {
    return `${this.prefix}:cancel`;
  }

  /** Records a newly submitted run. */
  async create(s: QueuedRunSummary): Promise<void> {
    await this.redis.multi().set(this.summaryKey(s.runId), JSON.stringify(s)).zadd(this.runsKey, s.startedAt, s.runId).exec();
  }

  /**
   * The run's summary, or undefined when Redis has none (never submitted, or expired) or
   * holds something else there: read back from Redis, it is checked as a stream entry is
   * (`storedObject`; a bare JSON.parse threw out of `rag run --queue` with a stack trace).
   */
  async summary(runId: string): Promise<QueuedRunSummary | undefined> {
    return storedSummary(await this.redis.get(this.summaryKey(runId)));
  }

  /** Merges `patch` into the summary (the last writer wins: one worker runs a job at a time). */
  async update(runId: string, patch: Partial<QueuedRunSummary>): Promise<void> {
    const s = await this.summary(runId);
    if (!s) return;
    await this.redis.set(this.summaryKey(runId), JSON.stringify({ ...s, ...patch }));
  }

  /** The newest `limit` runs, newest first. */
  async list(limit = 100): Promise<QueuedRunSummary[]> {
    const ids = await this.redis.zrevrange(this.runsKey, 0, limit - 1);
    if (!ids.length) return [];
    const texts = await this.redis.mget(ids.map((id) => this.summaryKey(id)));
    return texts.map(storedSummary).filter((t): t is QueuedRunSummary => t !== undefined);
  }

  /** What this log wrote to each run's stream lately: entry sizes, oldest first from `head` (`append` trims by them). */
  private readonly written = new Map<string, { sizes: number[]; head: number; bytes: number }>();

  /**
   * Appends events, in order, in one round trip. Bounded as the studio server's records
   * are (`event-bounds.ts`): an event over `MAX_EVENT_BYTES` of JSON is written as a
   * stand-in — but a root run's end (`run_completed`, `run_interrupted`, `run_failed`),
   * which `rag run --queue` reads the state from — and once the entries this log wrote
   * for the run pass `MAX_EVENT_BYTES_PER_RUN` the stream is trimmed to the newest ones
   * within it (a late reader is told `truncated`). Only a count bounded the stream: a loop
   * writing a 64 MB field each step put 64 MB into Redis per step, every one kept, up to
   * 20,000 of them (`redteam13b-queue-event-bytes.test.ts`).
   */
  async append(runId: string, events: readonly RunEvent[]): Promise<void> {
    if (!events.length) return;
    const key = this.eventsKey(runId);
    const w = this.window(runId);
    const p = this.redis.pipeline();
    for (const e of events) {
      const size = jsonSizeAtMost(e, MAX_EVENT_BYTES);
      const text = JSON.stringify(size > MAX_EVENT_BYTES && !isRootEnd(e) ? eventStandIn(e, size) : e);
      p.xadd(key, "MAXLEN", "~", MAX_EVENTS_PER_RUN, "*", "e", text);
      w.sizes.push(text.length);
      w.bytes += text.length;
    }
    let trimmed = false;
    while (w.sizes.length - w.head > 1 && (w.bytes > MAX_EVENT_BYTES_PER_RUN || w.sizes.length - w.head > MAX_EVENTS_PER_RUN)) {
      w.bytes -= w.sizes[w.head++]!;
      trimmed = true;
    }
    if (w.head > 4096) {
      w.sizes = w.sizes.slice(w.head);
      w.head = 0;
    }
    if (trimmed) p.xtrim(key, "MAXLEN", w.sizes.length - w.head);
    const out = await p.exec();
    const failed = out?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  /** This log's record of what it wrote to `runId`'s stream (at most `MAX_WINDOWS` runs: the oldest is forgotten). */
  private window(runId: string): { sizes: number[]; head: number; bytes: number } {
    let w = this.written.get(runId);
    if (!w) {
      if (this.written.size >= MAX_WINDOWS) this.written.delete(this.written.keys().next().value!);
      w = { sizes: [], head: 0, bytes: 0 };
      this.written.set(runId, w);
    }
    return w;
  }

  /** Writes the final summary and the stream's end entry; the run's keys then expire after `RUN_TTL_S`. */
  async finish(runId: string, patch: Pick<QueuedRunSummary, "status"> & Partial<QueuedRunSummary>): Promise<QueuedRunSummary> {
    this.written.delete(runId);
    // Summary and stream length in one round trip.
    const [[, text], [, length]] = ((await this.redis.pipeline().get(this.summaryKey(runId)).xlen(this.eventsKey(runId)).exec()) ?? [[null, null], [null, 0]]) as [[unknown, string | null], [unknown, number]];
    const s = storedSummary(text);
    const events = Number(length ?? 0);
    const done = { ...(s ?? { runId, threadId: "", graph: "", file: "", startedAt: Date.now() }), ...patch, events } as QueuedRunSummary;
    await this.redis
      .multi()
      .set(this.summaryKey(runId), JSON.stringify(done), "EX", RUN_TTL_S)
      .xadd(this.eventsKey(runId), "*", "end", JSON.stringify(done))
      .expire(this.eventsKey(runId), RUN_TTL_S)
      .expire(this.cancelKey(runId), RUN_TTL_S)
      .exec();
    return done;
  }

  /**
   * Ends a run that did not end with a root event of its own — refused before it started
   * (`stale_resume`, an unknown blueprint, cancelled while queued) or whose job failed for
   * good — the way a failed run ends: a root `run_failed` event carrying `error` (so every
   * watcher — the SSE clients of `rag serve`, `rag run|resume --queue` — reports it like
   * any failure), then the end entry (`finish`). `status`: `cancelled` for a cancellation.
   * `graph` (the root namespace of the event) defaults to the run's summary's.
   */
  async fail(runId: string, patch: { status: "failed" | "cancelled"; error: Record<string, unknown>; worker?: string; graph?: string }): Promise<QueuedRunSummary> {
    const s = await this.summary(runId);
    const event = { type: "run_failed", error: patch.error, steps: 0, durationMs: 0, runId, rootRunId: runId, threadId: s?.threadId ?? "", step: 0, namespace: patch.graph ?? s?.graph ?? "", depth: 0, timestamp: Date.now() } satisfies RunEvent;
    await this.append(runId, [event]);
    return this.finish(runId, { status: patch.status, error: patch.error, ...(patch.worker !== undefined ? { worker: patch.worker } : {}) });
  }

  /**
   * Asks for the run's cancellation wherever it runs (or when it starts), signed
   * (`cancel-signature.ts`): the key holds the tag of `run:<runId>`, the message the target
   * and its tag. Workers ignore a cancellation whose tag does not check out.
   *
   * @param secret the deployment's queue secret (`PostgresCheckpointer.queueSecret`).
   */
  async cancel(runId: string, secret: Uint8Array): Promise<void> {
    const target = { run: runId };
    await this.redis.multi().set(this.cancelKey(runId), cancelTag(secret, target), "EX", RUN_TTL_S).publish(this.cancelChannel, cancelMessage(secret, target)).exec();
  }

  /**
   * Whether the run's cancellation was asked: `cancelled` when its key holds the tag of
   * `run:<runId>` under `secret`, `forged` when it holds anything else (a Redis writer set
   * it: the run is not cancelled), `none` when there is no key.
   */
  async cancellation(runId: string, secret: Uint8Array): Promise<"none" | "cancelled" | "forged"> {
    const tag = await this.redis.get(this.cancelKey(runId));
    if (tag === null) return "none";
    return cancelTagValid(secret, { run: runId }, tag) ? "cancelled" : "forged";
  }

  /**
   * The run's events after stream id `from` (default: from the start), then live ones
   * as workers append them, until the end entry; returns the final summary. Blocks on a
   * connection of its own (closed when the iteration stops). `signal` stops waiting.
   */
  async *read(runId: string, from = "0-0", signal?: AbortSignal): AsyncGenerator<LoggedEvent, QueuedRunSummary | undefined> {
    const reader = this.redis.duplicate();
    let last = /^\d+-\d+$/.test(from) ? from : "0-0";
    try {
      while (!signal?.aborted) {
        const res = (await reader.xread("COUNT", 500, "BLOCK", BLOCK_MS, "STREAMS", this.eventsKey(runId), last)) as [string, [string, string[]][]][] | null;
        if (!res) {
          // Nothing new: a run whose summary says it ended but whose stream expired ends here too.
          const s = await this.summary(runId);
          if (!s) return undefined;
          continue;
        }
        for (const [id, fields] of res[0][1]) {
          last = id;
          // Entries are read back from Redis, so checked: JSON (null-prototype, bounded nesting)
          // holding an object with a string `type`; another entry is skipped, an unreadable end
          // ends the read as an unknown run does (a bare JSON.parse threw out of `rag run --queue`).
          const value = storedObject(fields[1]);
          if (fields[0] === "end") return value as QueuedRunSummary | undefined;
          if (fields[0] === "e" && typeof value?.type === "string") yield { id, event: value as unknown as RunEvent };
        }
      }
      return undefined;
    } finally {
      reader.disconnect();
    }
  }
}

/** A run summary stored as JSON text, or undefined when the key holds anything else (see `storedObject`; a summary needs a string `runId`). */
function storedSummary(text: string | null | undefined): QueuedRunSummary | undefined {
  const v = storedObject(text ?? undefined);
  return v && typeof v.runId === "string" ? (v as unknown as QueuedRunSummary) : undefined;
}

/** An object stored as JSON text in a stream entry, or undefined when the entry holds anything else (not JSON, not an object, unsafe keys, nested past 256). */
function storedObject(text: string | undefined): Record<string, unknown> | undefined {
  if (typeof text !== "string") return undefined;
  try {
    const v = parseUntrustedJson(text);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
