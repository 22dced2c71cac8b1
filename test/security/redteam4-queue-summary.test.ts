/**
 * Red team 4: a queued run's summary is read back from Redis too (`RunLog.summary`,
 * `list`, `finish`; `read` asks for it while the stream is idle). It was parsed with a
 * bare JSON.parse: a summary key holding anything but JSON ended `rag run --queue` with
 * "internal error: SyntaxError" and a stack trace (exit 70), failed `GET /api/runs` of
 * `rag serve --queue` for every run, and threw out of a worker finishing the run. Now it
 * is read as the stream's entries are (untrusted JSON, an object with a string `runId`);
 * anything else reads as no summary. Real Redis.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { RunLog } from "../../scale/index.js";
import { missingServices, REDIS_URL } from "../helpers/services.js";

const skip = await missingServices(["redis"]);
const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
const prefix = `rag-test-summary-${process.pid}-${Date.now()}`;
const secret = new Uint8Array(randomBytes(32));
const log = new RunLog(redis, prefix, { queueSecret: async () => secret });
const BAD = ["garbage{", "null", "42", "[1]", '{"status":"completed"}', '{"runId":"x","__proto__":{"polluted":true}}', "[".repeat(5000) + "]".repeat(5000)];

afterAll(async () => {
  if (skip) return redis.disconnect();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe.skipIf(skip)("run summaries read back from Redis are untrusted", () => {
  it("summary() of a key holding anything but a summary object is undefined, not a SyntaxError", async () => {
    for (const [i, bad] of BAD.entries()) {
      await redis.set(log.summaryKey(`s${i}`), bad);
      await expect(log.summary(`s${i}`)).resolves.toBeUndefined();
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("list() skips unreadable summaries and keeps the good ones", async () => {
    for (const [i, bad] of BAD.entries()) {
      await redis.set(log.summaryKey(`l${i}`), bad);
      await redis.zadd(log.runsKey, i + 1, `l${i}`);
    }
    await log.create({ runId: "good", threadId: "t", graph: "g", file: "f", status: "queued", startedAt: 1000, events: 0 });
    const runs = await log.list();
    expect(runs.map((r) => r.runId)).toEqual(["good"]);
  });

  it("read() of an idle stream whose summary is garbage ends as an unknown run (what `rag run --queue` follows)", async () => {
    await redis.set(log.summaryKey("idle"), "garbage{");
    const it = log.read("idle");
    await expect(it.next()).resolves.toEqual({ done: true, value: undefined });
  }, 15_000);

  it("finish() over a garbage summary writes a fresh one", async () => {
    await redis.set(log.summaryKey("fin"), "garbage{");
    const done = await log.finish("fin", { status: "failed" });
    expect(done).toMatchObject({ runId: "fin", status: "failed" });
    expect(await log.summary("fin")).toMatchObject({ runId: "fin", status: "failed" });
  });
});
