/**
 * The worker pool end to end, as real processes on the machine's Redis and Postgres
 * (issue 13 §2–§4): `rag worker`s take runs that `rag run --queue` enqueues and follows;
 * a worker SIGKILLed mid-fan-out loses its lease and another worker finishes the run from
 * the last Postgres checkpoint (no committed task runs again, final state identical); and
 * `rag serve --queue` — two replicas — enqueues through HTTP and streams events from
 * Redis, behind the API token and Host check. Own key prefix and schema, removed after.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { join } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresCheckpointer, RunLog } from "../../scale/index.js";
import { jsonEvents, ragAsync, ragIn, root, scratchProject } from "../helpers/cli.js";
import { missingServices, PG_URL, REDIS_URL, uniqueName, dropTestSchema, deleteTestKeys } from "../helpers/services.js";
import { FAN_AND_ASK } from "./fixtures.js";

const skip = await missingServices(["postgres", "redis"]);
const schema = uniqueName("rag_workers");
const prefix = uniqueName("ragw");
const pgUrl = `${PG_URL}?schema=${schema}`;
const queue = `${REDIS_URL}?queue=runs&prefix=${prefix}`;
const TOKEN = "test-token-0123456789abcdef";

const config = `import { appendFileSync, existsSync } from "node:fs";
import { defineConfig, tool, z } from ${JSON.stringify(join(root, "index.ts"))};
export default defineConfig({
  tools: {
    work: tool({
      description: "slow work with a side effect",
      schema: z.object({ n: z.number() }),
      run: async ({ n }) => {
        // Branches 1 and 2 finish; the others wait for the RELEASE file, which the test
        // writes only after the SIGKILL, so the kill lands mid fan-out however slow the machine.
        if (process.env.RELEASE && n > 2) while (!existsSync(process.env.RELEASE)) await new Promise((ok) => setTimeout(ok, 20));
        await new Promise((ok) => setTimeout(ok, process.env.FAST ? 1 : n * 50));
        if (process.env.EFFECTS) appendFileSync(process.env.EFFECTS, n + "\\n");
        return n * n;
      },
    }),
  },
});
`;
const source = FAN_AND_ASK;

let dir: string;
const children: ReturnType<typeof ragAsync>[] = [];
const spawnWorker = (env: Record<string, string> = {}) => {
  const w = ragAsync(["worker", "--queue", queue, "--checkpoints", pgUrl, "--config", "rag.config.ts", "--concurrency", "2", "--lock-duration", "1000"], dir, env);
  children.push(w);
  return w;
};
const ready = (p: ReturnType<typeof ragAsync>, re: RegExp) => expect.poll(() => re.test(p.stdout()), { timeout: 30_000, interval: 50 }).toBe(true);

beforeAll(() => {
  if (skip) return;
  dir = scratchProject({ "rag.config.ts": config, "g.rag": source });
});

afterAll(async () => {
  if (skip) return;
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
  await dropTestSchema(schema);
  await deleteTestKeys(prefix);
});

const effects = (file: string) => readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map(Number);
const count = (xs: number[], n: number) => xs.filter((x) => x === n).length;

describe.skipIf(skip)("rag worker, rag run --queue, rag serve --queue", () => {
  it("a worker SIGKILLed mid fan-out: another worker finishes the run from the last checkpoint; committed tasks never run again", async () => {
    const EFFECTS = join(dir, "effects.txt");
    const RELEASE = join(dir, "release");
    const a = spawnWorker({ EFFECTS, RELEASE });
    const b = spawnWorker({ EFFECTS, RELEASE });
    await ready(a, /taking runs/);
    await ready(b, /taking runs/);
    const items = [1, 2, 3, 4, 5, 6];
    const run = ragAsync(["run", "g.rag", "--graph", "fan", "--input", JSON.stringify({ items }), "--thread", "crash-q", "--queue", queue, "--checkpoints", pgUrl, "--json"], dir);
    children.push(run);
    // Kill the worker running it once two branches' completions are committed.
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    let saved: string[] = [];
    await expect
      .poll(
        async () => {
          try {
            saved = (await client.query<{ task_id: string }>(`SELECT task_id FROM "${schema}".writes WHERE thread_id = 'crash-q' AND channel = '__task__'`)).rows.map((r) => r.task_id);
          } catch {
            saved = [];
          }
          return saved.length;
        },
        { timeout: 45_000, interval: 20 },
      )
      .toBeGreaterThanOrEqual(2);
    // The run's summary is sealed in Redis: read it as a watcher does, with the store's queue key.
    const redis = new Redis(REDIS_URL);
    const store = new PostgresCheckpointer(pgUrl, { poolSize: 1 });
    const [summary] = await new RunLog(redis, prefix, store).list(1);
    await store.closeAsync();
    redis.disconnect();
    const pid = Number(summary!.worker!.split(":").at(-1));
    const victim = [a, b].find((w) => w.child.pid === pid)!;
    expect(victim).toBeDefined();
    victim.child.kill("SIGKILL");
    await victim.done;
    await client.end();
    const savedItems = saved.map((id) => Number(id.split(".")[1]) + 1);
    expect(savedItems.length).toBeLessThan(items.length);
    writeFileSync(RELEASE, ""); // the surviving worker may now finish branches 3-6

    const done = await run.done;
    expect(done.stderr).toBe("");
    expect(done.code).toBe(0);
    const last = jsonEvents(done.stdout).at(-1)!;
    expect(last).toMatchObject({ type: "run_completed" });
    expect(last.state).toEqual({ squares: items.map((n) => n * n), total: items.reduce((s, n) => s + n * n, 0) });
    const after = effects(EFFECTS);
    for (const n of savedItems) expect(count(after, n)).toBe(1);
    for (const n of items) expect(count(after, n)).toBeGreaterThanOrEqual(1);
  }, 90_000);

  it("rag run --queue pauses at an interrupt; rag resume --queue continues it on a worker", async () => {
    // In-process (the program bin/rag.js runs); the workers are real processes.
    const r = await ragIn(["run", "g.rag", "--graph", "ask", "--thread", "ask-q", "--queue", queue, "--checkpoints", pgUrl], dir);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(`rag resume ask-q --checkpoints '${pgUrl}' --queue '${queue}'`);
    const resumed = await ragIn(["resume", "ask-q", "--resume", '"yes"', "--queue", queue, "--checkpoints", pgUrl, "--json"], dir);
    expect(resumed.code).toBe(0);
    expect(jsonEvents(resumed.stdout).at(-1)).toMatchObject({ type: "run_completed", state: { decision: "yes" } });
  }, 60_000);

  it("rag serve --queue: runs enqueued through HTTP, events streamed from Redis by any replica; token and Host enforced", async () => {
    const s1 = ragAsync(["serve", dir, "--port", "0", "--checkpoints", pgUrl, "--queue", queue, "--config", join(dir, "rag.config.ts")], dir, { RAG_API_TOKEN: TOKEN });
    const s2 = ragAsync(["serve", dir, "--port", "0", "--checkpoints", pgUrl, "--queue", queue, "--config", join(dir, "rag.config.ts")], dir, { RAG_API_TOKEN: TOKEN });
    children.push(s1, s2);
    await ready(s1, /serving .* at http/);
    await ready(s2, /serving .* at http/);
    const origin = (s: typeof s1) => /at (http:\/\/[^/]+)\/api\//.exec(s.stdout())![1];
    const call = async (s: typeof s1, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(origin(s) + path, { method, headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { "content-type": "application/json" } : {}), ...headers }, ...(body ? { body: JSON.stringify(body) } : {}) });
      return { status: res.status, text: await res.text() };
    };
    expect(s1.stdout()).not.toContain(TOKEN);
    expect((await call(s1, "GET", "/api/runs", undefined, { authorization: "Bearer wrong-token-0000000000" })).status).toBe(401);
    const foreignHost = await new Promise<number>((ok, fail) => {
      const u = new URL(origin(s1));
      get({ host: u.hostname, port: u.port, path: "/api/runs", headers: { host: "evil.example", authorization: `Bearer ${TOKEN}` } }, (res) => {
        res.resume();
        ok(res.statusCode ?? 0);
      }).on("error", fail);
    });
    expect(foreignHost).toBe(403);
    expect((await fetch(origin(s1) + "/", { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404); // no page
    const started = await call(s1, "POST", "/api/runs", { file: "g.rag", graph: "fan", input: { items: [1, 2] } });
    expect(started.status).toBe(200);
    const { runId, threadId } = JSON.parse(started.text) as { runId: string; threadId: string };
    // The other replica streams it (SSE), from the start, to the end.
    const sse = await (await fetch(`${origin(s2)}/api/runs/${runId}/events`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    expect(sse).toContain("event: run_completed");
    expect(sse).toMatch(/event: end\ndata: .*"status":"completed"/);
    // Resumable with Last-Event-ID: only later events.
    const tail = await (await fetch(`${origin(s1)}/api/runs/${runId}/events`, { headers: { authorization: `Bearer ${TOKEN}`, "last-event-id": "3" } })).text();
    expect(tail).not.toMatch(/^id: [123]$/m);
    expect(tail).toMatch(/^id: 4$/m);
    expect(JSON.parse((await call(s2, "GET", `/api/runs/${runId}`)).text)).toMatchObject({ status: "completed", threadId });
    expect(JSON.parse((await call(s2, "GET", `/api/threads/${threadId}/state`)).text)).toMatchObject({ values: { total: 5 } });
    s1.child.kill("SIGTERM");
    s2.child.kill("SIGTERM");
    await Promise.all([s1.done, s2.done]);
  }, 90_000);
});
