/**
 * A queued run's events are read back from its Redis Stream (`RunLog.read`: `rag run
 * --queue`, `rag serve --queue`); the stream is data another process wrote. An entry that
 * was not JSON made the read throw a SyntaxError (`rag run --queue` ended with "internal
 * error" and a stack trace, exit 70), and a `null` event reached the progress printer.
 * Now entries are parsed as untrusted JSON; anything but an event object is skipped, and
 * an unreadable end entry ends the read as an unknown run does. Entries are sealed with the
 * queue key too (`run-log.ts`): one that does not open is skipped and reported. Real Redis.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { RunLog } from "../../scale/index.js";
import { missingServices, REDIS_URL } from "../helpers/services.js";

const skip = await missingServices(["redis"]);
const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
const prefix = `rag-test-events-${process.pid}-${Date.now()}`;
const secret = new Uint8Array(randomBytes(32));
const notices: string[] = [];
const log = new RunLog(redis, prefix, { queueSecret: async () => secret }, (n) => notices.push(n.message));

afterAll(async () => {
  if (skip) return redis.disconnect();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe.skipIf(skip)("events read back from Redis are untrusted", () => {
  it("entries that are not event objects are skipped; the read ends at the end entry", async () => {
    const key = log.eventsKey("r1");
    const bad = ["{not json", "null", "42", '"text"', "[1,2]", '{"no":"type"}', '{"type":"x","__proto__":{"polluted":true}}', "[".repeat(5000) + "]".repeat(5000)];
    // Unsealed (a Redis peer's), and sealed with the key (a buggy writer's): both skipped.
    for (const b of bad) await redis.xadd(key, "*", "e", b);
    for (const b of bad.slice(1, -1)) await log.append("r1", [JSON.parse(b)]);
    await log.append("r1", [{ type: "run_started", depth: 0 } as never]);
    await redis.xadd(key, "*", "end", JSON.stringify({ runId: "r1", status: "completed" }));
    await log.finish("r1", { status: "completed" });
    const seen: string[] = [];
    const it = log.read("r1");
    let r = await it.next();
    while (!r.done) {
      seen.push(r.value.event.type);
      r = await it.next();
    }
    expect(seen).toEqual(["run_started"]);
    expect(notices.filter((m) => m.includes("run r1")).length).toBeGreaterThanOrEqual(bad.length + 1);
    expect(r.value).toMatchObject({ runId: "r1", status: "completed" });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("an end entry that is not JSON ends the read without a summary, not with a SyntaxError", async () => {
    await redis.xadd(log.eventsKey("r2"), "*", "end", "{broken");
    const it = log.read("r2");
    const r = await it.next();
    expect(r).toEqual({ done: true, value: undefined });
  }, 15_000);
});
