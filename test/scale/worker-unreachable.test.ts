/**
 * `rag worker` pointed at a Redis that does not answer (a wrong port, Redis down):
 * ioredis reconnects for ever, so `RunWorker.start` waited for ever and the worker sat
 * silent — no error, no "taking runs" line — and stopping it hung too (BullMQ's
 * QueueEvents close waits on the connection). `start` now gives up after its timeout
 * with `QueueUnavailableError` (code `queue_unavailable`, naming the URL and the
 * connection error; `rag worker` prints it and exits 2), and `close` returns.
 * The worker and the submitter need no service (the port is one nothing listens on);
 * `rag serve` whose port is taken needs Postgres and Redis, in a schema of its own that is
 * dropped after.
 */
import { createServer } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { defineConfig } from "../../index.js";
import { PostgresCheckpointer, QueueRunSubmitter, QueueUnavailableError, RunWorker } from "../../scale/index.js";
import { registryFromConfig } from "../../stdlib/index.js";
import { rag } from "../helpers/cli.js";
import { dropTestSchema, missingServices, PG_URL, REDIS_URL, uniqueName } from "../helpers/services.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const skip = await missingServices(["postgres", "redis"]);
/** The schema `rag serve` creates its tables in (the worker's checkpointer is lazy and creates none). */
const schema = uniqueName("rag_unreachable");
afterAll(async () => {
  if (!skip) await dropTestSchema(schema);
});

/** A loopback port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok) => srv.listen(0, "127.0.0.1", ok));
  const port = (srv.address() as { port: number }).port;
  await new Promise((ok) => srv.close(ok));
  return port;
}

describe("a worker whose Redis does not answer", () => {
  it("start fails with queue_unavailable after its timeout, naming the URL and the cause; close returns", async () => {
    const port = await deadPort();
    // Lazy: nothing here touches Postgres.
    const saver = new PostgresCheckpointer(`${PG_URL}?schema=${schema}`);
    const worker = new RunWorker({ queue: `redis://127.0.0.1:${port}`, checkpointer: saver, registry: registryFromConfig(defineConfig({})) });
    const t0 = Date.now();
    const err = await worker.start(400).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(QueueUnavailableError);
    expect(err).toMatchObject({ code: "queue_unavailable" });
    expect((err as Error).message).toContain(`redis://127.0.0.1:${port}`);
    expect((err as Error).message).toContain("ECONNREFUSED");
    // It gives up (the bug: it waited for ever); the bounds leave a loaded machine room.
    expect(Date.now() - t0).toBeLessThan(8000);
    const t1 = Date.now();
    await worker.close(true);
    expect(Date.now() - t1).toBeLessThan(8000);
    await saver.closeAsync();
  }, 30_000);
});

describe("rag serve --queue whose Redis does not answer", () => {
  it("the submitter's ping fails at once with queue_unavailable naming the URL and the cause; close returns", async () => {
    const port = await deadPort();
    const queue = new QueueRunSubmitter(`redis://127.0.0.1:${port}`, { checkpoints: "postgres://127.0.0.1:1/unused" });
    const t0 = Date.now();
    const err = await queue.ping(30_000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(QueueUnavailableError);
    expect((err as Error).message).toContain(`redis://127.0.0.1:${port}`);
    expect((err as Error).message).toContain("ECONNREFUSED");
    // At once: on the refused connection, well before the ping's own timeout.
    expect(Date.now() - t0).toBeLessThan(15_000);
    const t1 = Date.now();
    await queue.close();
    expect(Date.now() - t1).toBeLessThan(8000);
  }, 60_000);

  it("rag serve says so on one line and exits 2 instead of serving requests that all fail", async () => {
    const port = await deadPort();
    const r = rag(["serve", "--queue", `redis://127.0.0.1:${port}`, "--checkpoints", `${PG_URL}?schema=${schema}`, "--port", "0"], scratchDir("rag-serve-"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: --queue: cannot reach Redis at redis://127\\.0\\.0\\.1:${port}.*ECONNREFUSED.*\\n$`));
    expect(r.stdout).toBe("");
  }, 20_000);

  it.skipIf(skip)("rag serve whose port is taken says so and exits 2, closing its Postgres pool and queue (it hung after the message)", async () => {
    const taken = createServer();
    await new Promise<void>((ok) => taken.listen(0, "127.0.0.1", ok));
    const port = (taken.address() as { port: number }).port;
    try {
      const t0 = Date.now();
      const r = rag(["serve", "--queue", REDIS_URL, "--checkpoints", `${PG_URL}?schema=${schema}`, "--port", String(port)], scratchDir("rag-serve-"));
      expect(r.stderr).toMatch(new RegExp(`^error: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
      expect(r.code).toBe(2);
      expect(Date.now() - t0).toBeLessThan(25_000);
    } finally {
      await new Promise((ok) => taken.close(ok));
    }
  }, 40_000);
});
