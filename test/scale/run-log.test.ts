/**
 * `RunLog` against the real Redis (its own key prefix, removed after):
 *
 * - `read` waited on the stream, and when the wait ended with nothing it looked at the
 *   summary: a summary that said the run ended ended the read. A worker that appended the
 *   run's last events and `finish`ed between the two was never read: `rag run --queue`
 *   (`QueueRunSubmitter.outcome`) missed the root `run_completed` and reported the run
 *   failed. The read now drains the stream (without blocking) before it returns.
 * - `append` trimmed a run's stream to the count of entries the writer kept
 *   (`XTRIM MAXLEN`), but branch workers write to the root run's stream too: one writer's
 *   trim deleted the others' newest entries. It now trims below the oldest entry the
 *   writer keeps (`XTRIM MINID`).
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import type { RunEvent } from "../../runtime/index.js";
import { RunLog } from "../../scale/index.js";
import { missingServices, REDIS_URL, uniqueName } from "../helpers/services.js";

const skip = await missingServices(["redis"]);
const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
const prefix = uniqueName("rag-test-runlog");
const secrets = { queueSecret: async () => secret };
const secret = new Uint8Array(randomBytes(32));

afterAll(async () => {
  if (skip) return redis.disconnect();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

const ids = (runId: string) => ({ runId, rootRunId: runId, threadId: "t", namespace: "g", timestamp: 0 });
const summary = (runId: string) => ({ runId, threadId: "t", graph: "g", file: "g.rag", status: "running" as const, startedAt: Date.now(), events: 0 });

describe.skipIf(skip)("RunLog", () => {
  it("a run that ends between the reader's wait and its look at the summary: its last events are still read", async () => {
    const log = new RunLog(redis, prefix, secrets);
    log.blockMs = 20;
    await log.create(summary("race"));
    // The worker appends the run's last events and finishes right after the reader's wait gave up.
    const look = log.summary.bind(log);
    let raced = false;
    log.summary = async (runId: string) => {
      if (!raced) {
        raced = true;
        await log.append(runId, [
          { type: "run_started", step: 0, depth: 0, ...ids(runId) } as unknown as RunEvent,
          { type: "run_completed", state: { answer: 42 }, output: null, steps: 1, durationMs: 1, errors: [], step: 1, depth: 0, ...ids(runId) } as unknown as RunEvent,
        ]);
        await log.finish(runId, { status: "completed" });
      }
      return look(runId);
    };
    const seen: string[] = [];
    const it = log.read("race");
    let r = await it.next();
    while (!r.done) {
      seen.push(r.value.event.type);
      r = await it.next();
    }
    expect(raced).toBe(true);
    // Before: [] — the read returned the ended summary without the run's events.
    expect(seen).toEqual(["run_started", "run_completed"]);
    expect(r.value).toMatchObject({ runId: "race", status: "completed" });
  });

  it("two writers on one stream: one's trim keeps the other's newer entries", async () => {
    // A branch worker (`b`) writes large events, the root's worker (`a`) small ones, in turns.
    const a = new RunLog(redis, prefix, secrets);
    const b = new RunLog(redis, prefix, secrets);
    const big = "x".repeat(900 * 1024);
    const event = (ns: string, step: number, value: string) => ({ type: "state_updated", channels: ["s"], values: { s: value }, step, depth: 0, ...ids("shared"), namespace: ns }) as unknown as RunEvent;
    for (let step = 0; step < 24; step++) {
      await b.append("shared", [event("b", step, big)]);
      await a.append("shared", [event("a", step, "small")]);
    }
    await a.finish("shared", { status: "completed" });
    const kept: Record<string, number[]> = { a: [], b: [] };
    for await (const { event } of a.read("shared")) kept[event.namespace]!.push(event.step);
    // `b` keeps its newest within MAX_EVENT_BYTES_PER_RUN (16 MiB: over 10 of its 1.2 MB entries), each whole.
    expect(kept.b!.length).toBeGreaterThan(10);
    expect(kept.b!.at(-1)).toBe(23);
    // Every entry of `a` newer than `b`'s oldest kept is still there. Before: `b` trimmed the
    // stream to its own count, so about half of `b`'s and half of `a`'s went.
    expect(kept.a).toEqual(Array.from({ length: 24 - kept.b![0]! }, (_, i) => kept.b![0]! + i));
  });
});
