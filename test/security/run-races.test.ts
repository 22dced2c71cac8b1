/**
 * Red-team tests: concurrent requests of a token holder racing the checks `rag serve` makes
 * before a run starts. `POST /api/threads/{id}/resume` checked the thread was not running,
 * then awaited the thread's checkpoint, then started the run: two resumes sent together both
 * passed the check and both ran from the same checkpoint (the approved branch ran twice, the
 * thread's history forked). `POST /api/runs` naming a new `thread` likewise started two runs
 * on one thread. With `rag serve --queue`, N submissions sent together all passed
 * `maxActiveRuns` (a queued run counted only once enqueued). A request now holds its run
 * slot and thread from its first check to the run's start (`RunManager.reserve`).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineConfig } from "../../config.js";
import { registryFromConfig } from "../../repl/standard-registry.js";
import { PostgresCheckpointer, QueueRunSubmitter } from "../../scale/index.js";
import { Project, Workspace } from "../../server/index.js";
import { deleteTestKeys, missingServices, PG_URL, REDIS_URL, uniqueName } from "../helpers/services.js";
import { testStudio, type TestStudio } from "../server/helpers.js";

let s: TestStudio;
beforeAll(async () => {
  s = await testStudio();
});
afterAll(() => s.close());

async function ended(runId: string): Promise<string> {
  const res = await fetch(`${s.server.origin}/api/runs/${runId}/events`, { headers: { authorization: `Bearer ${s.server.token}` } });
  const text = await res.text();
  return /"status":"(\w+)"[^\n]*\n*$/.exec(text.trimEnd())?.[1] ?? text.slice(-200);
}

describe("runs racing on one thread", () => {
  // The handler of each request, entered in the same tick (as two requests whose bodies
  // arrive together are): the race is in the handler, not in HTTP parsing.
  it("two resumes of a paused thread entered together: one runs, the other is 409 thread_busy", async () => {
    const start = await s.api<{ runId: string; threadId: string }>("POST", "/api/runs", { file: "approval.rag" });
    expect(await ended(start.json.runId)).toBe("interrupted");
    const t = start.json.threadId;
    const replies = await Promise.allSettled([0, 1, 2].map(() => s.project.resume(t, { answer: "approve" })));
    const ran = replies.filter((r) => r.status === "fulfilled");
    expect(ran.length).toBe(1);
    for (const r of replies) if (r.status === "rejected") expect([r.reason.status, r.reason.code]).toEqual([409, "thread_busy"]);
    expect(await ended(ran[0].value.runId)).toBe("completed");
    const state = await s.api<{ values: { log: string[] } }>("GET", `/api/threads/${t}/state`);
    expect(state.json.values.log).toEqual(["drafted", "published"]); // published once
  });

  it("two runs started together on one new thread: one runs, the other is 409 thread_busy", async () => {
    const thread = `thread-race-${Date.now()}`;
    const replies = await Promise.allSettled([0, 1, 2].map(() => s.project.startRun({ file: "approval.rag", thread })));
    const ran = replies.filter((r) => r.status === "fulfilled");
    expect(ran.length).toBe(1);
    for (const r of replies) if (r.status === "rejected") expect([r.reason.status, r.reason.code]).toEqual([409, "thread_busy"]);
    expect(await ended(ran[0].value.runId)).toBe("interrupted");
    const state = await s.api<{ values: { log: string[] } }>("GET", `/api/threads/${thread}/state`);
    expect(state.json.values.log).toEqual(["drafted"]); // drafted once
  });
});

describe("a state edit racing a resume", () => {
  it("updateState entered first holds the thread: the resume entered meanwhile is 409 thread_busy", async () => {
    const start = await s.api<{ runId: string; threadId: string }>("POST", "/api/runs", { file: "approval.rag" });
    expect(await ended(start.json.runId)).toBe("interrupted");
    const t = start.json.threadId;
    const [edit, resume] = await Promise.allSettled([s.project.updateState(t, { draft: "edited" }), s.project.resume(t, { answer: "approve" })]);
    expect(edit.status).toBe("fulfilled");
    expect(resume.status).toBe("rejected");
    if (resume.status === "rejected") expect([resume.reason.status, resume.reason.code]).toEqual([409, "thread_busy"]);
  });

  it("a fork into a new id and a run started on that id together: one is refused", async () => {
    const start = await s.api<{ runId: string; threadId: string }>("POST", "/api/runs", { file: "approval.rag" });
    expect(await ended(start.json.runId)).toBe("interrupted");
    const head = (await s.project.state(start.json.threadId)).checkpointId;
    const to = `thread-fork-race-${Date.now()}`;
    const [forked, run] = await Promise.allSettled([s.project.fork(start.json.threadId, head, to), s.project.startRun({ file: "approval.rag", thread: to })]);
    expect(forked.status).toBe("fulfilled");
    expect(run.status).toBe("rejected");
    if (run.status === "rejected") expect([run.reason.status, run.reason.code]).toEqual([409, "thread_busy"]);
  });
});

const skip = await missingServices(["postgres", "redis"]);

describe.skipIf(skip)("rag serve --queue: maxActiveRuns under concurrent submissions", () => {
  it("submissions entered together past the limit are 429 too_many_runs; only the limit is enqueued", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rag-queue-race-"));
    writeFileSync(join(dir, "g.rag"), "graph g {\n  start a\n  state {\n    x: number?\n  }\n  node a {\n    kind set\n    set { x: 1 }\n    next END\n  }\n}\n");
    const prefix = uniqueName("ragrace");
    const saver = new PostgresCheckpointer(`${PG_URL}?schema=${uniqueName("rag_race")}`);
    const queue = new QueueRunSubmitter(`${REDIS_URL}?queue=runs&prefix=${prefix}`, { checkpoints: saver });
    const config = defineConfig({});
    const project = new Project(new Workspace(dir), { path: undefined, config, registry: registryFromConfig(config) }, { approvals: join(dir, ".rag", "approvals.json"), checkpointer: saver, queue, maxActiveRuns: 2 });
    try {
      const replies = await Promise.allSettled(Array.from({ length: 6 }, () => project.startRun({ file: "g.rag", input: {} })));
      for (const r of replies) if (r.status === "rejected" && r.reason.code !== "too_many_runs") throw r.reason;
      expect(replies.filter((r) => r.status === "fulfilled").length).toBe(2);
      for (const r of replies) if (r.status === "rejected") expect([r.reason.status, r.reason.code]).toEqual([429, "too_many_runs"]);
      expect(await queue.queue.getJobCounts("waiting", "active", "delayed", "prioritized")).toMatchObject({ waiting: 2 });
    } finally {
      await queue.close();
      await saver.dropSchema();
      project.close();
      await deleteTestKeys(prefix);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
