/**
 * The API's thread views over a real server on loopback: the thread list filtered to the
 * file and graph the page has open (with the file each thread runs, the questions a
 * paused one waits on, the error of a failed one), and a thread's history carrying the
 * tasks of each superstep — what the studio draws an old thread's timeline from.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testStudio, type TestStudio } from "./helpers.js";
import { SqliteCheckpointer } from "../../runtime/index.js";
import { standardRegistry } from "../../stdlib/index.js";
import { fakeModel } from "../helpers/fake-model.js";
import { buildGraph } from "../helpers/run-graph.js";
import { FAILING, TYPED } from "../studio/fixtures.js";

let s: TestStudio;
beforeAll(async () => {
  s = await testStudio();
  writeFileSync(join(s.dir, "typed.rag"), TYPED);
  writeFileSync(join(s.dir, "failing.rag"), FAILING);
  // The same graph name in another file: listed with that file, not with approval.rag's.
  writeFileSync(join(s.dir, "approval-copy.rag"), s.project.workspace.read("approval.rag"));
});
afterAll(() => s.close());

/** Reads a run's SSE stream to its end; returns the run summary's status. */
async function finish(runId: string): Promise<string> {
  const res = await fetch(`${s.server.origin}/api/runs/${runId}/events`, { headers: { authorization: `Bearer ${s.server.token}` } });
  const end = /event: end\ndata: (.*)\n/.exec(await res.text());
  return (JSON.parse(end![1]) as { status: string }).status;
}

async function run(file: string, input?: Record<string, unknown>): Promise<{ threadId: string; status: string }> {
  const r = await s.api<{ runId: string; threadId: string }>("POST", "/api/runs", { file, ...(input ? { input } : {}) });
  expect(r.status).toBe(200);
  return { threadId: r.json.threadId, status: await finish(r.json.runId) };
}

interface Entry {
  threadId: string;
  graph: string;
  file: string | null;
  status: string;
  error?: { taskId: string; error: { message: string } };
  interrupts?: { id: string; node: string; payload: { prompt: string; options: string[] } }[];
}
interface Task {
  id: string;
  node: string;
  trigger: string;
  branch?: { fanoutId: string; index: number };
  status: string;
  writes: string[];
  result?: unknown;
  error?: { message: string };
  interrupts?: { id: string }[];
  durationMs?: number;
  usage?: { inputTokens: number; outputTokens: number; costUsd?: number; callCount: number; calls: { model: string; agent?: string; inputTokens: number; outputTokens: number; costUsd?: number; durationMs: number }[] };
}
interface Checkpoint {
  checkpointId: string;
  parentId?: string;
  step: number;
  source: string;
  metadata: { changed?: string[] };
  tasks: Task[];
}

describe("the thread list", () => {
  it("lists one file's graph's threads on request, each with its file, a paused one with its question, a failed one with its error", async () => {
    const paused = await run("approval.rag");
    const copy = await run("approval-copy.rag");
    const review = await run("research_review.rag");
    const typed = await run("typed.rag", { rounds: 1 });
    const failing = await run("failing.rag", { v: "high" });
    expect([paused.status, copy.status, review.status, typed.status, failing.status]).toEqual(["interrupted", "interrupted", "completed", "interrupted", "failed"]);
    // An answer of the wrong type is refused; the thread still waits on its question.
    const bad = await s.api<{ error: { code: string } }>("POST", `/api/threads/${typed.threadId}/resume`, { answer: { score: "high" } });
    expect(bad).toMatchObject({ status: 400, json: { error: { code: "invalid_resume" } } });
    // A thread `rag run` started records the file's absolute path: listed by its workspace path.
    const g = s.project.bind("approval.rag");
    await g.invoke({}, { threadId: "from-the-cli", metadata: { origin: { file: join(s.dir, "approval.rag"), graph: "approval", config: null } } });

    const mine = await s.api<Entry[]>("GET", "/api/threads?file=approval.rag&graph=approval");
    expect(mine.status).toBe(200);
    expect(mine.json.map((t) => t.threadId).sort()).toEqual([paused.threadId, "from-the-cli"].sort());
    const p = mine.json.find((t) => t.threadId === paused.threadId)!;
    expect(p).toMatchObject({ graph: "approval", file: "approval.rag", status: "interrupted" });
    expect(p.interrupts).toHaveLength(1);
    expect(p.interrupts![0]).toMatchObject({ node: "review", payload: { options: ["approve", "revise", "reject"] } });
    expect(p.interrupts![0].payload.prompt).toMatch(/^Publish this announcement\? ragraph runs/);
    expect((await s.api<Entry[]>("GET", "/api/threads?file=approval-copy.rag")).json.map((t) => t.threadId)).toEqual([copy.threadId]);

    const all = (await s.api<Entry[]>("GET", "/api/threads")).json;
    expect(all.find((t) => t.threadId === review.threadId)).toMatchObject({ graph: "research_review", file: "research_review.rag", status: "completed" });
    expect(all.find((t) => t.threadId === typed.threadId)).toMatchObject({ file: "typed.rag", status: "interrupted", interrupts: [{ node: "ask" }] });
    const failed = all.find((t) => t.threadId === failing.threadId)!;
    expect(failed).toMatchObject({ file: "failing.rag", status: "failed" });
    expect(failed.error!.error.message).toMatch(/`n`/);
    expect(failed.interrupts).toBeUndefined();
  });

  it("marks a thread running while a run of another handle on the checkpoint file (`rag run`) holds it", async () => {
    const registry = standardRegistry();
    const fake = fakeModel();
    registry.registerModel("m", { provider: fake.provider, modelId: "fake-1" });
    const saver = new SqliteCheckpointer(join(s.dir, ".rag", "checkpoints.db"));
    const { graph } = buildGraph(`graph held { start a state { out: string } node a { kind model model "m" prompt "hi" writes out next END } }`, { registry, checkpointer: saver });
    expect((await graph.invoke({}, { threadId: "held-other" })).status).toBe("completed"); // a second thread of the graph, left out by ?thread=
    fake.hold();
    const run = graph.invoke({}, { threadId: "held-elsewhere" });
    try {
      let entry: (Entry & { running?: boolean }) | undefined;
      for (let i = 0; i < 300 && !entry?.running; i++) {
        const listed = (await s.api<(Entry & { running?: boolean })[]>("GET", "/api/threads?graph=held&thread=held-elsewhere")).json;
        expect(listed.map((t) => t.threadId)).toEqual(listed.length ? ["held-elsewhere"] : []); // the one thread, read alone (the studio's follow poll)
        entry = listed.find((t) => t.threadId === "held-elsewhere");
        if (!entry?.running) await new Promise((r) => setTimeout(r, 20));
      }
      expect(entry).toMatchObject({ graph: "held", running: true });
      fake.release();
      expect((await run).status).toBe("completed");
      const after = (await s.api<(Entry & { running?: boolean })[]>("GET", "/api/threads?graph=held")).json.find((t) => t.threadId === "held-elsewhere")!;
      expect(after.status).toBe("completed");
      expect(after.running).toBeUndefined();
    } finally {
      fake.release();
      await run.catch(() => undefined);
      saver.close();
    }
  });

  it("refuses a malformed filter with 400, naming the field", async () => {
    const r = await s.api<{ error: { code: string; message: string } }>("GET", `/api/threads?graph=${"g".repeat(201)}`);
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/graph/);
    // Like every route, the token is required.
    expect((await fetch(`${s.server.origin}/api/threads?file=approval.rag`)).status).toBe(401);
  });
});

describe("a thread's history", () => {
  it("carries the tasks each superstep ran: trigger, fan-out branch, writes, result", async () => {
    const { threadId } = await run("research_review.rag");
    const h = (await s.api<Checkpoint[]>("GET", `/api/threads/${threadId}/history`)).json;
    expect(h.map((c) => [c.step, c.source, c.tasks.map((t) => `${t.node}:${t.trigger}:${t.status}`)])).toEqual([
      [3, "loop", []],
      [2, "loop", ["review:join:ok"]],
      [1, "loop", ["research_agent:send:ok", "verifier_agent:send:ok"]],
      [0, "input", ["supervisor:start:ok"]],
    ]);
    const sent = h[2].tasks;
    expect(sent.map((t) => t.branch)).toEqual([
      { fanoutId: "f1", index: 0 },
      { fanoutId: "f1", index: 1 },
    ]);
    expect(sent[0].writes).toEqual(["messages", "findings"]);
    expect(String(sent[0].result)).toMatch(/^Finding for/);
    expect(h[1].metadata.changed).toEqual(["messages", "findings", "critiques"]);
  });

  it("gives each task its duration and model calls (model, tokens, cost), after the run and its events are gone", async () => {
    const { threadId } = await run("research_review.rag");
    const h = (await s.api<Checkpoint[]>("GET", `/api/threads/${threadId}/history`)).json;
    const all = h.flatMap((c) => c.tasks);
    expect(all.length).toBe(4);
    for (const t of all) expect(typeof t.durationMs).toBe("number");
    // The supervisor asks for a search, then answers: two calls of the priced `default` model.
    const sup = h[3].tasks[0];
    expect(sup.node).toBe("supervisor");
    expect(sup.usage!.callCount).toBe(2);
    expect(sup.usage!.calls.map((c) => c.model)).toEqual(["default", "default"]);
    for (const c of sup.usage!.calls) {
      expect(c.inputTokens).toBeGreaterThan(0);
      expect(c.outputTokens).toBeGreaterThan(0);
      // price: 0.15 $/MTok in, 0.6 $/MTok out (examples/rag.config.ts)
      expect(c.costUsd).toBeCloseTo((c.inputTokens * 0.15 + c.outputTokens * 0.6) / 1e6, 12);
    }
    expect(sup.usage!.inputTokens).toBe(sup.usage!.calls[0].inputTokens + sup.usage!.calls[1].inputTokens);
    expect(sup.usage!.outputTokens).toBe(sup.usage!.calls[0].outputTokens + sup.usage!.calls[1].outputTokens);
    expect(sup.usage!.costUsd).toBeCloseTo(sup.usage!.calls[0].costUsd! + sup.usage!.calls[1].costUsd!, 12);
    // A send to an agent: the call is made for that agent.
    expect(h[2].tasks.map((t) => t.usage!.calls.map((c) => `${c.model}:${c.agent}`))).toEqual([["default:research_agent"], ["default:verifier_agent"]]);
    // No prompt or reply is kept with the task.
    expect(JSON.stringify(sup.usage)).not.toMatch(/Plan:|search returned/);
  });

  it("says which task waits on a question and which failed the run, with its error", async () => {
    const paused = await run("approval.rag");
    const h = (await s.api<Checkpoint[]>("GET", `/api/threads/${paused.threadId}/history`)).json;
    expect(h[0].tasks).toMatchObject([{ node: "review", status: "interrupted", writes: [] }]);
    expect(h[0].tasks[0].interrupts).toHaveLength(1);
    expect(h[1].tasks).toMatchObject([{ node: "draft", status: "ok", writes: ["draft", "log"] }]);

    const failing = await run("failing.rag", { v: "high" });
    expect(failing.status).toBe("failed");
    const t = (await s.api<Checkpoint[]>("GET", `/api/threads/${failing.threadId}/history`)).json;
    expect(t[0].tasks).toMatchObject([{ node: "check", status: "failed" }]);
    expect(t[0].tasks[0].error!.message).toMatch(/`n`/);
  });
});
