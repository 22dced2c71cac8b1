/**
 * A queued run's events are read back from its Redis Stream (`RunLog.read`: `rag run
 * --queue`, `rag serve --queue`); the stream is data another process wrote. An entry that
 * was not JSON made the read throw a SyntaxError (`rag run --queue` ended with "internal
 * error" and a stack trace, exit 70), and a `null` event reached the progress printer.
 * Now entries are parsed as untrusted JSON; anything but an event object is skipped, and
 * an unreadable end entry ends the read as an unknown run does. Real Redis.
 */
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { RunLog } from "../../scale/index.js";
import { missingServices, REDIS_URL } from "../helpers/services.js";

const skip = await missingServices(["redis"]);
const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
const prefix = `rag-test-events-${process.pid}-${Date.now()}`;
const log = new RunLog(redis, prefix);

afterAll(async () => {
  if (skip) return redis.disconnect();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe.skipIf(skip)("events read back from Redis are untrusted", () => {
  it("entries that are not event objects are skipped; the read ends at the end entry", async () => {
    const key = log.eventsKey("r1");
    for (const bad of ["{not json", "null", "42", '"text"', "[1,2]", '{"no":"type"}', '{"type":"x","__proto__":{"polluted":true}}', "[".repeat(5000) + "]".repeat(5000)]) await redis.xadd(key, "*", "e", bad);
    await redis.xadd(key, "*", "e", JSON.stringify({ type: "run_started", depth: 0 }));
    await redis.xadd(key, "*", "end", JSON.stringify({ runId: "r1", status: "completed" }));
    const seen: string[] = [];
    const it = log.read("r1");
    let r = await it.next();
    while (!r.done) {
      seen.push(r.value.event.type);
      r = await it.next();
    }
    expect(seen).toEqual(["run_started"]);
    expect(r.value).toMatchObject({ runId: "r1", status: "completed" });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("an end entry that is not JSON ends the read without a summary, not with a SyntaxError", async () => {
    await redis.xadd(log.eventsKey("r2"), "*", "end", "{broken");
    const it = log.read("r2");
    const r = await it.next();
    expect(r).toEqual({ done: true, value: undefined });
  });
});
