/**
 * Two resumes of one paused thread through `rag serve --queue`, the second sent after the
 * first was enqueued (against real Redis and Postgres). Each server's `thread_busy` check
 * knew only its own runs, so a second replica (or the same one, once the first was
 * enqueued) accepted the second resume; the workers' thread locks ordered the two jobs,
 * and the second then applied its answer to whatever the thread waited on by then: the
 * "reject" meant for the approval landed on the next interrupt (the thread completed with
 * an answer nobody gave it), or failed as a vague `invalid_resume`. A queued resume now
 * carries the checkpoint it was answered against, and the worker refuses it with
 * `stale_resume` once the thread has moved on; a server refuses a resume of a thread whose
 * queued run it submitted has not ended (409 `thread_busy`).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineConfig, tool, z } from "../../index.js";
import { getState, type RunEvent } from "../../runtime/index.js";
import { PostgresCheckpointer, QueueRunSubmitter, RunWorker } from "../../scale/index.js";
import { Project, Workspace } from "../../server/index.js";
import { registryFromConfig } from "../../stdlib/index.js";
import { deleteTestKeys, missingServices, PG_URL, REDIS_URL, uniqueName } from "../helpers/services.js";
import { scratchDir } from "../helpers/scratch-dirs.js";
import { ended } from "../helpers/distributed-pool.js";

const skip = await missingServices(["postgres", "redis"]);
const schema = uniqueName("rag_stale");
const prefix = uniqueName("ragstale");
const queueUrl = `${REDIS_URL}?queue=runs&prefix=${prefix}`;

let published = 0;
const config = defineConfig({
  tools: {
    publish: tool({ description: "publishes; counts calls", schema: z.object({ n: z.number() }), run: async ({ n }) => ++published * n }),
  },
});
const registry = registryFromConfig(config);
const source = `graph pub {
  start approve
  state { decision: any  confirm: any  n: number = 0 }
  node approve { kind interrupt prompt "publish?" writes decision next publish }
  node publish { kind tool tool "publish" input { n: 1 } writes n next confirm }
  node confirm { kind interrupt prompt "confirm?" writes confirm next END }
}
`;

let dir: string;
const savers: PostgresCheckpointer[] = [];
const queues: QueueRunSubmitter[] = [];
const projects: Project[] = [];
let workerSaver: PostgresCheckpointer;
let worker: RunWorker;
let control: QueueRunSubmitter;

/** One `rag serve --queue` replica: its own checkpointer and submitter, shared schema and queue. */
function replica(): Project {
  const saver = new PostgresCheckpointer(`${PG_URL}?schema=${schema}`);
  const queue = new QueueRunSubmitter(queueUrl, { checkpoints: saver });
  savers.push(saver);
  queues.push(queue);
  const p = new Project(new Workspace(dir), { path: undefined, config, registry }, { approvals: join(dir, ".rag", "approvals.json"), checkpointer: saver, queue });
  projects.push(p);
  return p;
}

beforeAll(async () => {
  if (skip) return;
  dir = scratchDir("rag-stale-");
  writeFileSync(join(dir, "pub.rag"), source);
  workerSaver = new PostgresCheckpointer(`${PG_URL}?schema=${schema}`);
  worker = new RunWorker({ queue: queueUrl, checkpointer: workerSaver, registry, busyDelayMs: 50 });
  await worker.start();
  control = new QueueRunSubmitter(queueUrl, { checkpoints: workerSaver });
});

afterAll(async () => {
  if (skip) return;
  await worker.close(true);
  for (const q of [control, ...queues]) await q.close();
  await workerSaver.dropSchema();
  for (const p of projects) p.close();
  await deleteTestKeys(prefix);
});

/** A thread paused at `approve`; the queue is then paused (workers take no job until `control.queue.resume()`). */
async function pausedThread(p: Project): Promise<string> {
  const start = await p.startRun({ file: "pub.rag" });
  expect((await ended(start)).status).toBe("interrupted");
  await control.queue.pause();
  return start.threadId;
}

describe.skipIf(skip)("a second queued resume of one paused thread", () => {
  it("sent to another replica before the first runs: it fails stale_resume; the approval runs once and the next interrupt keeps waiting", async () => {
    const [p1, p2] = [replica(), replica()];
    const t = await pausedThread(p1);
    published = 0;
    // Both accepted while no worker runs: each replica knows only its own runs.
    const a = await p1.resume(t, { answer: "approve" });
    const b = await p2.resume(t, { answer: "reject" });
    await control.queue.resume();
    expect((await ended(a)).status).toBe("interrupted"); // now waiting at `confirm`
    const sb = await ended(b);
    expect(sb).toMatchObject({ status: "failed", error: { code: "stale_resume" } });
    expect(String(sb.error!.message)).toMatch(/already answered/);
    // Every watcher sees it fail like any failed run: a root `run_failed` event with the error
    // (the SSE stream of `rag serve` mirrors `b`'s events; `rag resume --queue` reads the same stream).
    const failed = (events: readonly RunEvent[]) => events.filter((e) => e.type === "run_failed" && e.depth === 0);
    expect(failed(b.events)).toEqual([expect.objectContaining({ runId: b.runId, rootRunId: b.runId, threadId: t, error: expect.objectContaining({ code: "stale_resume" }) })]);
    const streamed: RunEvent[] = [];
    for await (const { event } of control.events(b.runId)) streamed.push(event);
    expect(failed(streamed)).toHaveLength(1);
    expect(await control.outcome(b.runId)).toMatchObject({ status: "failed", error: { code: "stale_resume" } });
    // The queue's record (what GET /api/runs/{id} shows on any replica) says so too.
    expect(await control.summary(b.runId)).toMatchObject({ status: "failed", error: { code: "stale_resume" } });
    expect(published).toBe(1);
    const state = (await getState(workerSaver, t))!;
    expect(state.values).toMatchObject({ decision: "approve", n: 1 });
    expect(state.values.confirm ?? null).toBeNull(); // "reject" was not applied to `confirm`
    expect(state.next.map((x) => x.node)).toEqual(["confirm"]);
    // History did not fork: every checkpoint's parent is the one before it.
    const history = await p1.history(t);
    for (let i = 0; i + 1 < history.length; i++) expect(history[i].parentId).toBe(history[i + 1].checkpointId);
    // The thread still takes the answer it waits for.
    const c = await p2.resume(t, { answer: "yes" });
    expect((await ended(c)).status).toBe("completed");
    expect((await getState(workerSaver, t))!.values).toMatchObject({ decision: "approve", confirm: "yes", n: 1 });
    expect(published).toBe(1);
  }, 30_000);

  it("sent to the same replica while the first is queued: 409 thread_busy, nothing enqueued", async () => {
    const p = replica();
    const t = await pausedThread(p);
    const a = await p.resume(t, { answer: "approve" });
    await expect(p.resume(t, { answer: "reject" })).rejects.toMatchObject({ status: 409, code: "thread_busy" });
    const counts = await control.queue.getJobCounts("wait", "delayed", "prioritized", "active");
    expect(Object.values(counts).reduce((x, y) => x + y, 0)).toBe(1); // only `a`
    await control.queue.resume();
    expect((await ended(a)).status).toBe("interrupted");
  }, 30_000);

  it("a queued resume cancelled before any worker takes it ends at once as cancelled, with its run_failed event; the thread keeps waiting", async () => {
    const p = replica();
    const t = await pausedThread(p);
    published = 0;
    const a = await p.resume(t, { answer: "approve" });
    expect(a.status).toBe("queued");
    const asked = Date.now();
    expect(await p.runs.cancel(a.runId)).toBe(true);
    // No worker took it (the queue is paused), yet the run ended: watchers are not left waiting.
    const s = await ended(a);
    expect(Date.now() - asked).toBeLessThan(3000);
    expect(s).toMatchObject({ status: "cancelled", error: { code: "cancelled" } });
    expect(a.events.filter((e) => e.type === "run_failed" && e.depth === 0)).toEqual([expect.objectContaining({ error: expect.objectContaining({ code: "cancelled" }) })]);
    expect(await control.summary(a.runId)).toMatchObject({ status: "cancelled" });
    expect(await control.queue.getJob(a.runId)).toBeUndefined();
    await control.queue.resume();
    await new Promise((ok) => setTimeout(ok, 200));
    expect(published).toBe(0);
    // The thread still waits at `approve` and takes an answer.
    expect((await getState(workerSaver, t))!.next.map((x) => x.node)).toEqual(["approve"]);
    const c = await p.resume(t, { answer: "approve" });
    expect((await ended(c)).status).toBe("interrupted");
    expect(published).toBe(1);
  }, 30_000);
});
