/**
 * Bounds on the run events a process keeps or writes for watchers, shared by the
 * studio server's in-memory records (`server/runs.ts`) and the queue's Redis streams
 * (`run-log.ts`): one event past `MAX_EVENT_BYTES` of JSON is kept as a stand-in (its
 * type and ids, `omitted`), and a run's events together are kept within
 * `MAX_EVENT_BYTES_PER_RUN` (the oldest go first). The server counts event JSON; the
 * queue counts the sealed entries Redis holds (base64 text, a third larger than the JSON),
 * per writing process (`RunLog.append`).
 */
import type { RunEvent } from "../runtime/index.js";

/**
 * Event bytes kept per run; past it the oldest events are dropped. The studio server
 * counts event JSON; a queue writer counts the sealed entries it keeps in Redis (characters). A count alone
 * did not bound memory: a loop appending to a list emits the whole list in every
 * `state_updated` event.
 */
export const MAX_EVENT_BYTES_PER_RUN = 16 * 1024 * 1024;

/** One event larger than this (JSON bytes) is kept as a stand-in: its type and ids, without its data. */
export const MAX_EVENT_BYTES = 1024 * 1024;

/** Fields of an event kept in its stand-in (`MAX_EVENT_BYTES`). */
const STAND_IN_FIELDS = ["type", "runId", "rootRunId", "parentRunId", "threadId", "graph", "namespace", "depth", "step", "ts", "seq", "node", "taskId", "channels"] as const;

/** An event too large to keep (`size`: at least this many bytes of JSON), as its type and ids plus `omitted` saying why. */
export function eventStandIn(e: RunEvent, size: number): RunEvent {
  const out: Record<string, unknown> = { omitted: `the event's data (over ${size} bytes of JSON, at most ${MAX_EVENT_BYTES}) is not kept; read the thread's state instead` };
  for (const k of STAND_IN_FIELDS) {
    const v = (e as unknown as Record<string, unknown>)[k];
    if (v !== undefined && (typeof v !== "object" || (Array.isArray(v) && v.length <= 1000 && v.every((x) => typeof x === "string")))) out[k] = v;
  }
  return out as unknown as RunEvent;
}
