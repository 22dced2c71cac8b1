/**
 * `rag studio --checkpoints postgres://…` (issue 13 §1: accepted wherever a checkpoint
 * path is): a real `rag studio` process whose runs, threads, time travel, updateState and
 * interrupt answers all live in the machine's Postgres — nothing in the workspace's
 * `.rag/checkpoints.db` — and, with `--queue redis://…`, whose runs go to a `rag worker`
 * as `rag serve --queue` sends them. Own schema and key prefix, removed after.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PostgresCheckpointer } from "../../scale/index.js";
import { ragAsync, ragIn, root, scratchProject } from "../helpers/cli.js";
import { deleteTestKeys, dropTestSchema, missingServices, PG_URL, REDIS_URL, uniqueName } from "../helpers/services.js";
import { FAN_AND_ASK } from "./fixtures.js";

const skipPg = await missingServices(["postgres"]);
const skipQueue = skipPg ?? (await missingServices(["redis"]));
const schema = uniqueName("rag_studio");
const prefix = uniqueName("rags");
const pgUrl = `${PG_URL}?schema=${schema}`;
const queue = `${REDIS_URL}?queue=runs&prefix=${prefix}`;

const config = `import { defineConfig, tool, z } from ${JSON.stringify(join(root, "index.ts"))};
export default defineConfig({ tools: { work: tool({ description: "square", schema: z.object({ n: z.number() }), run: async ({ n }) => n * n }) } });
`;
const source = FAN_AND_ASK;

const children: ReturnType<typeof ragAsync>[] = [];
afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
  if (!skipPg) await dropTestSchema(schema);
  if (!skipQueue) await deleteTestKeys(prefix);
});

/** Starts `rag studio DIR --no-open --port 0 …flags` and resolves to a client of its API once it prints its URL. */
async function studio(dir: string, flags: string[]) {
  const p = ragAsync(["studio", dir, "--no-open", "--port", "0", "--config", join(dir, "rag.config.ts"), ...flags], dir);
  children.push(p);
  await expect.poll(() => /http:\/\/\S+\?token=\S+/.test(p.stdout()) || p.child.exitCode !== null, { timeout: 60_000, interval: 50 }).toBe(true);
  const m = /http:\/\/\S+\?token=\S+/.exec(p.stdout());
  if (!m) throw new Error(`rag studio exited: ${(await p.done).stderr}`);
  const url = new URL(m[0]);
  const headers = { authorization: `Bearer ${url.searchParams.get("token")}` };
  const api = async <T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> => {
    const res = await fetch(url.origin + path, { method, headers: { ...headers, ...(body !== undefined ? { "content-type": "application/json" } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
  };
  /** The run's final status, from its event stream (which ends with the run). */
  const ended = async (runId: string): Promise<string> => {
    const text = await (await fetch(`${url.origin}/api/runs/${runId}/events`, { headers })).text();
    const last = text.split("\n\n").filter((x) => x.includes("event: end")).at(-1)!;
    return (JSON.parse(/^data: (.*)$/m.exec(last)![1]) as { status: string }).status;
  };
  return { process: p, api, ended };
}

describe.skipIf(skipPg)("rag studio --checkpoints postgres://", () => {
  it("runs, threads, time travel, updateState and interrupt answers live in Postgres", async () => {
    const dir = scratchProject({ "rag.config.ts": config, "g.rag": source });
    const s = await studio(dir, ["--checkpoints", pgUrl]);
    const run = await s.api<{ runId: string; threadId: string }>("POST", "/api/runs", { file: "g.rag", graph: "fan", input: { items: [1, 2, 3] } });
    expect(run.status).toBe(200);
    expect(await s.ended(run.json.runId)).toBe("completed");
    const { threadId } = run.json;
    const threads = await s.api<{ threadId: string; status: string; graph: string }[]>("GET", "/api/threads");
    expect(threads.json).toEqual([expect.objectContaining({ threadId, status: "completed", graph: "fan" })]);
    const history = await s.api<{ checkpointId: string }[]>("GET", `/api/threads/${threadId}/history`);
    expect(history.json.length).toBe(4);
    // Time travel: the state at the first checkpoint, then an edit of the latest.
    expect((await s.api("GET", `/api/threads/${threadId}/state?checkpoint=${history.json.at(-1)!.checkpointId}`)).json).toMatchObject({ values: { total: 0 } });
    expect((await s.api("POST", `/api/threads/${threadId}/state`, { values: { total: 100 } })).status).toBe(200);
    expect((await s.api("GET", `/api/threads/${threadId}/state`)).json).toMatchObject({ values: { total: 100, squares: [1, 4, 9] } });
    // A pause answered from the studio.
    const ask = await s.api<{ runId: string; threadId: string }>("POST", "/api/runs", { file: "g.rag", graph: "ask" });
    expect(await s.ended(ask.json.runId)).toBe("interrupted");
    const resumed = await s.api<{ runId: string }>("POST", `/api/threads/${ask.json.threadId}/resume`, { answer: "yes" });
    expect(resumed.status).toBe(200);
    expect(await s.ended(resumed.json.runId)).toBe("completed");

    // All of it in Postgres, as another process sees it; nothing in the workspace's SQLite file.
    s.process.child.kill("SIGTERM");
    expect((await s.process.done).code).toBe(0);
    expect(existsSync(join(dir, ".rag", "checkpoints.db"))).toBe(false);
    const store = new PostgresCheckpointer(pgUrl);
    try {
      expect((await store.getTuple({ threadId }))?.checkpoint.values).toMatchObject({ total: 100 });
      expect((await store.getTuple({ threadId: ask.json.threadId }))?.checkpoint.values).toMatchObject({ decision: "yes" });
    } finally {
      await store.closeAsync();
    }
    // `rag runs` on the same URL lists the studio's threads.
    const list = await ragIn(["runs", "--checkpoints", pgUrl, "--json"], dir);
    expect(JSON.parse(list.stdout).map((t: { threadId: string }) => t.threadId).sort()).toEqual([threadId, ask.json.threadId].sort());
  }, 120_000);
});

describe.skipIf(skipQueue)("rag studio --queue redis://", () => {
  it("enqueues the page's runs for a worker and streams their events from Redis", async () => {
    const dir = scratchProject({ "rag.config.ts": config, "g.rag": source });
    const worker = ragAsync(["worker", "--queue", queue, "--checkpoints", pgUrl, "--config", "rag.config.ts"], dir);
    children.push(worker);
    const s = await studio(dir, ["--checkpoints", pgUrl, "--queue", queue]);
    expect(s.process.stdout()).toContain(`runs queued on`);
    const run = await s.api<{ runId: string; threadId: string }>("POST", "/api/runs", { file: "g.rag", graph: "fan", input: { items: [2, 3] } });
    expect(run.status).toBe(200);
    expect(await s.ended(run.json.runId)).toBe("completed");
    expect((await s.api("GET", `/api/threads/${run.json.threadId}/state`)).json).toMatchObject({ values: { total: 13 } });
    s.process.child.kill("SIGTERM");
    worker.child.kill("SIGTERM");
    expect((await s.process.done).code).toBe(0);
  }, 120_000);
});

describe("rag studio --queue without Postgres checkpoints", () => {
  it("is a usage error (exit 2) naming the flag it needs", async () => {
    const dir = scratchProject({ "rag.config.ts": config, "g.rag": source });
    const r = await ragIn(["studio", dir, "--no-open", "--port", "0", "--queue", "redis://127.0.0.1:6379"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--checkpoints postgres:\/\//);
  });
});
