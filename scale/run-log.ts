/**
 * What a queued run leaves in Redis for whoever watches it (issue 13 §2), under the
 * queue URL's key prefix `P`:
 *
 * - `P:run:{runId}:events` — a Redis Stream of the run's events (`runtime.md` §6), one
 *   entry per event (field `e`: the event as JSON, sealed), then one entry with field
 *   `end` (the run's final summary, sealed). Entry ids are Redis stream ids (`1733443200000-0`): a late
 *   subscriber replays from the start or continues after any id it saw (`XREAD`).
 *   Capped at `MAX_EVENTS_PER_RUN` entries (oldest trimmed).
 * - `P:run:{runId}` — the run's summary (`QueuedRunSummary` as JSON, sealed): status, thread,
 *   graph, who runs it.
 * - `P:runs` — a sorted set of run ids by submission time (ms), for listings.
 * - `P:run:{runId}:cancel` — set when a cancellation was asked (to its tag, signed with the
 *   queue secret: `cancel-signature.ts`); a worker that picks the job up later sees it.
 *   `P:cancel` — the pub/sub channel that tells running workers (signed messages too).
 *
 * Ended runs' keys expire after `RUN_TTL_S` (the thread itself lives on in Postgres).
 *
 * **Sealed.** Events carry state values, model replies and tool results; summaries carry
 * errors. Anyone who can read Redis could read them all. So every stream entry and every
 * summary is stored sealed (`sealJson`: AES-256-GCM under the queue key, the one job
 * payloads are sealed with, `job-signature.ts`), bound to its run and its kind (`event`,
 * `end`, `summary`): what Redis holds reveals ids, times and lengths only. An entry that
 * does not open — written by a Redis peer without the key, altered, or copied from another
 * run's stream — is skipped and reported (`RunLogNotice`); it never ends or breaks a
 * read. Entry ids are untouched, so live progress and replay from an id work as before.
 * Cost: one AES-GCM seal per event written, one open per event read (see docs/deploy.md).
 */
import { Redis } from "ioredis";
import { jsonSizeAtMost, parseUntrustedJson, type RunEvent } from "../runtime/index.js";
import { eventStandIn, MAX_EVENT_BYTES, MAX_EVENT_BYTES_PER_RUN } from "./event-bounds.js";
import { cancelMessage, cancelTag, cancelTagValid } from "./cancel-signature.js";
import { openSealed, sealedLength, sealJson, type QueueSecretSource } from "./job-signature.js";

/** Events kept per run (a stream longer than this is trimmed from the start). */
export const MAX_EVENTS_PER_RUN = 20_000;
/** Runs whose written entry sizes one `RunLog` remembers (to trim their streams by bytes); a branch worker appends to many runs and ends none. */
const MAX_WINDOWS = 1_000;

/** The entries one `RunLog` wrote to a run's stream and still keeps: from `head` on, `bytes` their sealed characters together. */
interface Window {
  entries: { id: string; size: number }[];
  head: number;
  bytes: number;
}

/** A root run's last event: kept whole (its state is the run's outcome). */
const isRootEnd = (e: RunEvent): boolean => e.depth === 0 && (e.type === "run_completed" || e.type === "run_interrupted" || e.type === "run_failed");

/** How long an ended run's events and summary are kept in Redis, seconds (7 days). */
export const RUN_TTL_S = 7 * 24 * 3600;
/** Longest a blocking stream read waits before looking again, ms. */
const BLOCK_MS = 2_000;
/** Largest run-log entry read back, in bytes of JSON (an event carries the run's state). */
const MAX_ENTRY_BYTES = 64 * 1024 * 1024;
const MAX_ENTRY_CHARS = sealedLength(MAX_ENTRY_BYTES);

/** A run-log entry that did not open under the queue key (`RunLog`'s `onNotice`): skipped, nothing of it used. */
export interface RunLogNotice {
  /** The Redis key it was read from (with `#<entry id>` for a stream entry). */
  readonly key: string;
  readonly message: string;
}

/** What an entry is sealed for: its kind and its run (an entry copied to another run's keys does not open). */
type EntryKind = "event" | "end" | "summary";
const purpose = (kind: EntryKind, runId: string): string => `run-log-${kind}\0${runId}`;

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

/**
 * Reads and writes the keys above on one Redis connection (blocking reads use a duplicate),
 * sealing what it writes and opening what it reads with the queue key of `secrets`.
 */
export class RunLog {
  /**
   * @param secrets where the queue key comes from (the Postgres store, `PostgresCheckpointer`).
   * @param onNotice told of each entry refused (did not open); default: nothing is told.
   */
  constructor(
    readonly redis: Redis,
    readonly prefix: string,
    private readonly secrets: QueueSecretSource,
    private readonly onNotice?: (notice: RunLogNotice) => void,
  ) {}

  /** Longest one blocking stream read of `read` waits before looking at the summary, ms (`BLOCK_MS`; tests shorten it). */
  blockMs = BLOCK_MS;

  private seal(secret: Uint8Array, kind: EntryKind, runId: string, value: unknown): string {
    return sealJson(secret, purpose(kind, runId), JSON.stringify(value));
  }

  /** The object sealed in `text` for `kind` of `runId`, or undefined (reported, unless there was nothing: `text` null). */
  private open(secret: Uint8Array, kind: EntryKind, runId: string, text: string | null | undefined, key: string): Record<string, unknown> | undefined {
    if (text === null || text === undefined) return undefined;
    const opened = openSealed(secret, purpose(kind, runId), text, MAX_ENTRY_CHARS);
    const value = opened === undefined ? undefined : storedObject(opened);
    if (value === undefined) {
      const what = `the ${kind === "event" ? "event entry" : kind === "end" ? "end entry" : "summary"} at ${key} of run ${runId}`;
      // Too large to read is not tampering: a run's end event carries its final state whole.
      const message =
        text.length > MAX_ENTRY_CHARS
          ? `skipped ${what}: ${text.length} characters sealed, past the ${MAX_ENTRY_CHARS} a reader opens (${MAX_ENTRY_BYTES} bytes of JSON); read the run's final state from its thread's checkpoints (\`rag runs show\`)`
          : `refused ${what}: it does not open under this deployment's queue key (written by a Redis peer without the key, altered, or copied from another run); skipped, nothing of it used`;
      try {
        this.onNotice?.({ key, message });
      } catch {
        // a reporter that throws does not stop the read
      }
    }
    return value;
  }

  /** The run's summary from its stored text (`open`), checked: a string `runId` that is the run's. */
  private openSummary(secret: Uint8Array, runId: string, text: string | null | undefined): QueuedRunSummary | undefined {
    const v = this.open(secret, "summary", runId, text, this.summaryKey(runId));
    return v && v.runId === runId ? (v as unknown as QueuedRunSummary) : undefined;
  }

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
    const secret = await this.secrets.queueSecret();
    await this.redis.multi().set(this.summaryKey(s.runId), this.seal(secret, "summary", s.runId, s)).zadd(this.runsKey, s.startedAt, s.runId).exec();
  }

  /**
   * The run's summary, or undefined when Redis has none (never submitted, or expired) or
   * holds something else there (it does not open: reported): read back from Redis, it is
   * checked as a stream entry is (`storedObject`; a bare JSON.parse threw out of `rag run
   * --queue` with a stack trace).
   */
  async summary(runId: string): Promise<QueuedRunSummary | undefined> {
    const text = await this.redis.get(this.summaryKey(runId));
    return this.openSummary(await this.secrets.queueSecret(), runId, text);
  }

  /** Merges `patch` into the summary (the last writer wins: one worker runs a job at a time). */
  async update(runId: string, patch: Partial<QueuedRunSummary>): Promise<void> {
    const s = await this.summary(runId);
    if (!s) return;
    await this.redis.set(this.summaryKey(runId), this.seal(await this.secrets.queueSecret(), "summary", runId, { ...s, ...patch }));
  }

  /** The newest `limit` runs, newest first. */
  async list(limit = 100): Promise<QueuedRunSummary[]> {
    const ids = await this.redis.zrevrange(this.runsKey, 0, limit - 1);
    if (!ids.length) return [];
    const texts = await this.redis.mget(ids.map((id) => this.summaryKey(id)));
    const secret = await this.secrets.queueSecret();
    return texts.map((t, i) => this.openSummary(secret, ids[i]!, t)).filter((t): t is QueuedRunSummary => t !== undefined);
  }

  /** What this log wrote to each run's stream lately: entry ids and sealed sizes (characters), oldest first from `head` (`append` trims by them). */
  private readonly written = new Map<string, Window>();

  /**
   * Appends events, in order, in one round trip (two when it trims). Bounded as the studio server's records
   * are (`event-bounds.ts`): an event over `MAX_EVENT_BYTES` of JSON is written as a
   * stand-in — but a root run's end (`run_completed`, `run_interrupted`, `run_failed`),
   * which `rag run --queue` reads the state from — and once the entries this log wrote
   * for the run pass `MAX_EVENT_BYTES_PER_RUN` (counted in sealed characters: what Redis
   * holds) the stream is trimmed below the oldest entry this log keeps (`XTRIM MINID`, by
   * the ids `XADD` returned: other writers' newer entries stay — branch workers append to
   * the root run's stream too; trimming to this log's count deleted theirs). A late reader
   * starts at the oldest entry left. Only a count bounded the stream: a loop
   * writing a 64 MB field each step put 64 MB into Redis per step, every one kept, up to
   * 20,000 of them (`redteam13b-queue-event-bytes.test.ts`).
   */
  async append(runId: string, events: readonly RunEvent[]): Promise<void> {
    if (!events.length) return;
    const secret = await this.secrets.queueSecret();
    const key = this.eventsKey(runId);
    const w = this.window(runId);
    const p = this.redis.pipeline();
    const sizes: number[] = [];
    for (const e of events) {
      const size = jsonSizeAtMost(e, MAX_EVENT_BYTES);
      const text = this.seal(secret, "event", runId, size > MAX_EVENT_BYTES && !isRootEnd(e) ? eventStandIn(e, size) : e);
      p.xadd(key, "MAXLEN", "~", MAX_EVENTS_PER_RUN, "*", "e", text);
      sizes.push(text.length);
    }
    const out = await p.exec();
    const failed = out?.find(([err]) => err);
    if (failed) throw failed[0];
    sizes.forEach((size, i) => {
      w.entries.push({ id: String(out![i]![1]), size });
      w.bytes += size;
    });
    let trimmed = false;
    while (w.entries.length - w.head > 1 && (w.bytes > MAX_EVENT_BYTES_PER_RUN || w.entries.length - w.head > MAX_EVENTS_PER_RUN)) {
      w.bytes -= w.entries[w.head++]!.size;
      trimmed = true;
    }
    if (w.head > 4096) {
      w.entries = w.entries.slice(w.head);
      w.head = 0;
    }
    // Entries older than the oldest this log keeps go (ids grow with time): the newer ones other writers added stay.
    if (trimmed) await this.redis.xtrim(key, "MINID", w.entries[w.head]!.id);
  }

  /** This log's record of what it wrote to `runId`'s stream (at most `MAX_WINDOWS` runs: the oldest is forgotten). */
  private window(runId: string): Window {
    let w = this.written.get(runId);
    if (!w) {
      if (this.written.size >= MAX_WINDOWS) this.written.delete(this.written.keys().next().value!);
      w = { entries: [], head: 0, bytes: 0 };
      this.written.set(runId, w);
    }
    return w;
  }

  /** Writes the final summary and the stream's end entry; the run's keys then expire after `RUN_TTL_S`. */
  async finish(runId: string, patch: Pick<QueuedRunSummary, "status"> & Partial<QueuedRunSummary>): Promise<QueuedRunSummary> {
    this.written.delete(runId);
    // Summary and stream length in one round trip.
    const [[, text], [, length]] = ((await this.redis.pipeline().get(this.summaryKey(runId)).xlen(this.eventsKey(runId)).exec()) ?? [[null, null], [null, 0]]) as [[unknown, string | null], [unknown, number]];
    const secret = await this.secrets.queueSecret();
    const s = this.openSummary(secret, runId, text);
    const events = Number(length ?? 0);
    const done = { ...(s ?? { runId, threadId: "", graph: "", file: "", startedAt: Date.now() }), ...patch, events } as QueuedRunSummary;
    await this.redis
      .multi()
      .set(this.summaryKey(runId), this.seal(secret, "summary", runId, done), "EX", RUN_TTL_S)
      .xadd(this.eventsKey(runId), "*", "end", this.seal(secret, "end", runId, done))
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
   * When the summary says the run ended (its end entry refused or trimmed), what the
   * stream holds past the last id read is read first: a worker may append the last events
   * and finish between a wait that found nothing and the look at the summary.
   */
  async *read(runId: string, from = "0-0", signal?: AbortSignal): AsyncGenerator<LoggedEvent, QueuedRunSummary | undefined> {
    const secret = await this.secrets.queueSecret();
    const reader = this.redis.duplicate();
    let last = /^\d+-\d+$/.test(from) ? from : "0-0";
    const key = this.eventsKey(runId);
    try {
      // Set once the summary says the run ended: the stream is then drained without blocking.
      let ended: QueuedRunSummary | undefined;
      while (!signal?.aborted) {
        const res = (
          ended ? await reader.xread("COUNT", 500, "STREAMS", key, last) : await reader.xread("COUNT", 500, "BLOCK", this.blockMs, "STREAMS", key, last)
        ) as [string, [string, string[]][]][] | null;
        if (!res) {
          if (ended) return ended;
          // Nothing new: a run with no summary (expired, unknown) ends here; so does one whose
          // summary says it ended (its end entry was refused, or trimmed: it was written with the
          // summary) — but only after reading what was appended since the blocking read gave up:
          // a worker may have written the run's last events and `finish`ed in between.
          const s = await this.summary(runId);
          if (!s) return undefined;
          if (isEnded(s.status)) ended = s;
          continue;
        }
        for (const [id, fields] of res[0][1]) {
          last = id;
          // Entries are read back from Redis, so opened (sealed for this run and kind) and
          // checked: JSON (null-prototype, bounded nesting) holding an object with a string
          // `type`; another entry is skipped and reported, never ending the read.
          if (fields[0] === "end") {
            const end = this.open(secret, "end", runId, fields[1], `${key}#${id}`);
            if (end && end.runId === runId) return end as unknown as QueuedRunSummary;
          } else if (fields[0] === "e") {
            const value = this.open(secret, "event", runId, fields[1], `${key}#${id}`);
            if (typeof value?.type === "string") yield { id, event: value as unknown as RunEvent };
          }
        }
      }
      return undefined;
    } finally {
      reader.disconnect();
    }
  }
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
