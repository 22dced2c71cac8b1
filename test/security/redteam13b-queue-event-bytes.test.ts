/**
 * Red team 13b: a queued run's events go to a Redis Stream (`RunLog.append`, written by
 * `rag worker`) that was bounded by a count only (20,000 entries), while the studio
 * server bounds what it keeps in bytes. A loop whose step overwrites a 64 MB field by
 * reference (one operation, within every per-step bound) emits a `state_updated` event
 * of 64 MB per step, and every one of them was written to Redis and kept: memory of the
 * deployment's Redis without bound, from a model-written `.rag`. Now an event over
 * `MAX_EVENT_BYTES` is written as a stand-in (a root run's end excepted: it carries the
 * outcome), and the stream is trimmed to the newest entries within
 * `MAX_EVENT_BYTES_PER_RUN`. Real Redis; its own key prefix, removed after.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import type { RunEvent } from "../../runtime/index.js";
import { MAX_EVENT_BYTES, MAX_EVENT_BYTES_PER_RUN, RunLog } from "../../scale/index.js";
import { missingServices, REDIS_URL } from "../helpers/services.js";

const skip = await missingServices(["redis"]);
const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
const prefix = `rag-test-rt13b-${process.pid}-${Date.now()}`;
const secret = randomBytes(32);
const log = new RunLog(redis, prefix, { queueSecret: async () => secret });

afterAll(async () => {
  if (skip) return redis.disconnect();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

const ids = { runId: "r", rootRunId: "r", threadId: "t", namespace: "g", timestamp: 0 };
const updated = (step: number, value: string): RunEvent => ({ type: "state_updated", channels: ["s"], values: { s: value }, step, depth: 0, ...ids }) as RunEvent;

/** Bytes of the entries the run's stream holds, and how many. */
async function stored(runId: string): Promise<{ bytes: number; entries: [string, string[]][] }> {
  const entries = (await redis.xrange(log.eventsKey(runId), "-", "+")) as [string, string[]][];
  return { bytes: entries.reduce((n, [, f]) => n + f.reduce((m, x) => m + x.length, 0), 0), entries };
}

/** The run's events as a reader sees them (entries are sealed): the run is ended first, so the read returns. */
async function events(runId: string): Promise<Record<string, unknown>[]> {
  await log.finish(runId, { status: "completed" });
  const out: Record<string, unknown>[] = [];
  for await (const { event } of log.read(runId)) out.push(event as unknown as Record<string, unknown>);
  return out;
}

describe.skipIf(skip)("a queued run's event stream is bounded in bytes", () => {
  it("40 events of 2 MB: each past the bound is a stand-in", async () => {
    const big = "x".repeat(2 * 1024 * 1024);
    for (let step = 0; step < 40; step += 10) await log.append("big", Array.from({ length: 10 }, (_, i) => updated(step + i, big)));
    const { bytes, entries } = await stored("big");
    // Before: 40 entries of 2 MB, 84 MB in Redis.
    expect(bytes).toBeLessThan(MAX_EVENT_BYTES_PER_RUN + MAX_EVENT_BYTES);
    expect(entries).toHaveLength(40);
    const last = (await events("big")).at(-1)!;
    expect(last).toMatchObject({ type: "state_updated", step: 39, channels: ["s"] });
    expect(String(last.omitted)).toContain("not kept");
  });

  it("events within the bound one by one: the stream keeps the newest within MAX_EVENT_BYTES_PER_RUN", async () => {
    const value = "y".repeat(900 * 1024);
    for (let step = 0; step < 40; step++) await log.append("window", [updated(step, value)]);
    const { bytes, entries } = await stored("window");
    // Before: all 40 (36 MB).
    expect(bytes).toBeLessThanOrEqual(MAX_EVENT_BYTES_PER_RUN);
    expect(entries.length).toBeGreaterThan(10);
    expect(entries.length).toBeLessThan(40);
    // The newest are the ones kept, whole.
    expect((await events("window")).at(-1)).toMatchObject({ step: 39, values: { s: value } });
  });

  it("a root run's end is kept whole: it carries the outcome `rag run --queue` prints", async () => {
    const state = { s: "z".repeat(2 * 1024 * 1024) };
    await log.append("end", [{ type: "run_completed", state, output: null, steps: 1, durationMs: 1, errors: [], step: 1, depth: 0, ...ids } as RunEvent]);
    expect((await events("end"))[0]).toMatchObject({ type: "run_completed", state });
  });
});
