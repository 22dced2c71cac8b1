/**
 * The studio's HTTP + SSE API against a real server on loopback (no page): source
 * services, workspace files, runs with SSE events, time travel, review.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testStudio, type TestStudio } from "./helpers.js";
import { NESTED } from "../helpers/subgraph-source.js";

let s: TestStudio;
beforeAll(async () => {
  s = await testStudio();
});
afterAll(() => s.close());

/** Reads a run's SSE stream to its `end` event; returns [id, type, data] triples. */
async function events(runId: string, lastEventId?: number): Promise<{ id: number; type: string; data: Record<string, unknown> }[]> {
  const res = await fetch(`${s.server.origin}/api/runs/${runId}/events`, { headers: { authorization: `Bearer ${s.server.token}`, ...(lastEventId !== undefined ? { "last-event-id": String(lastEventId) } : {}) } });
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((b) => b.includes("data: "))
    .map((b) => {
      const id = /^id: (\d+)$/m.exec(b)?.[1];
      return { id: id ? Number(id) : 0, type: /^event: (.+)$/m.exec(b)![1], data: JSON.parse(/^data: (.*)$/m.exec(b)![1]) as Record<string, unknown> };
    });
}

describe("source services", () => {
  it("check returns diagnostics with fixes for a typo, naming file:line:col", async () => {
    const source = readFileSync(join(s.dir, "approval.rag"), "utf8").replace("writes decision", "writes decisoin");
    const r = await s.api<{ diagnostics: { code: string; span: { start: { line: number } }; fixes: { replacement: string }[] }[]; rendered: string }>("POST", "/api/check", { source, file: "approval.rag" });
    expect(r.status).toBe(200);
    const d = r.json.diagnostics.find((x) => x.fixes.length)!;
    expect(d.code).toMatch(/^E-/);
    expect(d.fixes[0].replacement).toBe("decision");
    expect(r.json.rendered).toMatch(/approval\.rag:\d+:\d+/);
  });

  it("graph returns the view with node spans and the input default", async () => {
    const source = readFileSync(join(s.dir, "research_review.rag"), "utf8");
    const r = await s.api<{ view: { nodes: { id: string }[]; edges: { kind: string }[] }; spans: Record<string, { start: { line: number } }>; defaultInput: unknown }>("POST", "/api/graph", { source, file: "research_review.rag" });
    expect(r.json.view.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(["supervisor", "review"]));
    expect(r.json.view.edges.map((e) => e.kind)).toEqual(expect.arrayContaining(["send", "join"]));
    expect(r.json.spans.review.start.line).toBe(16);
    expect(r.json.defaultInput).toEqual({ question: "Does a join after a fan-out run exactly once?" });
  });

  it("format returns canonical text", async () => {
    const r = await s.api<{ text: string }>("POST", "/api/format", { source: "graph g {\nstart a\nnode a {\nkind set\nset { x: 1 }\nnext END\n}\n}\n" });
    expect(r.json.text).toContain("  node a {");
  });

  it("validates bodies and says which field is wrong", async () => {
    const r = await s.api<{ error: { code: string; message: string } }>("POST", "/api/check", { source: 3 });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/source/);
  });

  it("serves an OpenAPI document generated from the schemas", async () => {
    const r = await s.api<{ openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } }>> }>("GET", "/api/openapi.json");
    expect(r.json.openapi).toBe("3.1.0");
    expect(Object.keys(r.json.paths["/api/check"].post.requestBody!.content["application/json"].schema.properties)).toContain("source");
    expect(r.json.paths["/api/threads/{threadId}/fork"].post).toBeDefined();
  });
});

describe("security", () => {
  it("refuses requests without the token, with a foreign Host or Origin", async () => {
    const denied = await fetch(`${s.server.origin}/api/files`);
    expect(denied.status).toBe(401);
    // The message serves `rag serve` clients too, not only the studio page.
    expect(((await denied.json()) as { error: { message: string } }).error.message).toContain("Authorization: Bearer TOKEN");
    expect((await s.api("GET", "/api/files", undefined, { authorization: "Bearer wrong" })).status).toBe(401);
    expect((await s.api("GET", "/api/files", undefined, { origin: "http://evil.example" })).status).toBe(403);
    // DNS rebinding: a request whose Host names another site.
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve) => {
      request({ host: "127.0.0.1", port: s.server.port, path: "/api/files", headers: { host: "evil.example:80", authorization: `Bearer ${s.server.token}` } }, (res) => resolve(res.statusCode ?? 0)).end();
    });
    expect(status).toBe(403);
  });

  it("confines file access to the workspace", async () => {
    expect((await s.api("GET", "/api/file?path=../etc/passwd")).status).toBe(403);
    expect((await s.api("GET", "/api/file?path=%2Fetc%2Fpasswd")).status).toBe(403);
    const { symlinkSync } = await import("node:fs");
    symlinkSync("/etc", join(s.dir, "out"));
    expect((await s.api("GET", "/api/file?path=out/passwd")).status).toBe(403);
    expect((await s.api("PUT", "/api/file", { path: "evil.ts", content: "x" })).status).toBe(403);
  });

  it("lists, reads and writes workspace files", async () => {
    const list = await s.api<{ path: string }[]>("GET", "/api/files");
    expect(list.json.map((f) => f.path)).toEqual(expect.arrayContaining(["approval.rag", "research_review.rag", "rlm.ragsh"]));
    expect((await s.api("PUT", "/api/file", { path: "sub/new.rag", content: "graph n {}\n" })).status).toBe(200);
    expect((await s.api<{ content: string }>("GET", "/api/file?path=sub/new.rag")).json.content).toBe("graph n {}\n");
  });
});

describe("runs and threads", () => {
  it("runs research_review and streams 3 supersteps; Last-Event-ID resumes the stream", async () => {
    const start = await s.api<{ runId: string; threadId: string }>("POST", "/api/runs", { file: "research_review.rag" });
    expect(start.status).toBe(200);
    const all = await events(start.json.runId);
    expect(all.at(-1)!.type).toBe("end");
    expect(all.at(-1)!.data.status).toBe("completed");
    const top = all.filter((e) => e.data.depth === 0);
    expect(top.filter((e) => e.type === "step_started")).toHaveLength(3);
    expect(top.filter((e) => e.type === "send_dispatched")).toHaveLength(1);
    expect(top.filter((e) => e.type === "join_released")).toHaveLength(1);
    const later = await events(start.json.runId, 5);
    expect(later[0].id).toBe(6);
    expect(later.length).toBe(all.length - 5);
  });

  it("pauses approval.rag at the interrupt, resumes with an answer, forks and re-runs", async () => {
    const start = await s.api<{ runId: string; threadId: string }>("POST", "/api/runs", { file: "approval.rag" });
    const ev = await events(start.json.runId);
    expect(ev.at(-1)!.data.status).toBe("interrupted");
    const threads = await s.api<{ threadId: string; status: string }[]>("GET", "/api/threads");
    expect(threads.json.find((t) => t.threadId === start.json.threadId)!.status).toBe("interrupted");
    const resumed = await s.api<{ runId: string }>("POST", `/api/threads/${start.json.threadId}/resume`, { answer: "approve" });
    expect(resumed.status).toBe(200);
    expect((await events(resumed.json.runId)).at(-1)!.data.status).toBe("completed");
    const state = await s.api<{ values: { log: string[]; decision: string } }>("GET", `/api/threads/${start.json.threadId}/state`);
    expect(state.json.values.log).toEqual(["drafted", "published"]);
    const history = await s.api<{ checkpointId: string; step: number; next: { node: string }[] }[]>("GET", `/api/threads/${start.json.threadId}/history`);
    const paused = history.json.find((h) => h.next.some((t) => t.node === "review") && h.step === 1)!;
    const forked = await s.api<{ threadId: string }>("POST", `/api/threads/${start.json.threadId}/fork`, { checkpointId: paused.checkpointId });
    expect(forked.status).toBe(200);
    const rerun = await s.api<{ runId: string }>("POST", `/api/threads/${forked.json.threadId}/resume`, { answer: "reject" });
    expect((await events(rerun.json.runId)).at(-1)!.data.status).toBe("completed");
    const forkState = await s.api<{ values: { log: string[] } }>("GET", `/api/threads/${forked.json.threadId}/state`);
    expect(forkState.json.values.log).toEqual(["drafted"]);
  });

  it("updateState writes through the reducers", async () => {
    const start = await s.api<{ runId: string; threadId: string }>("POST", "/api/runs", { file: "approval.rag" });
    await events(start.json.runId);
    const r = await s.api<{ values: { log: string[]; draft: string } }>("POST", `/api/threads/${start.json.threadId}/state`, { values: { draft: "edited", log: "edited by hand" } });
    expect(r.status).toBe(200);
    expect(r.json.values.draft).toBe("edited");
    expect(r.json.values.log).toEqual(["drafted", "edited by hand"]);
  });

  it("updateState and fork of a thread a run elsewhere holds (its lease in the checkpoint file) are refused with 409 thread_busy and write nothing", async () => {
    const start = await s.api<{ runId: string; threadId: string }>("POST", "/api/runs", { file: "approval.rag" });
    await events(start.json.runId);
    const t = start.json.threadId;
    const history = await s.api<{ checkpointId: string }[]>("GET", `/api/threads/${t}/history`);
    // What `rag resume T` in another process holds while it runs (`Checkpointer.claim`).
    const held = await s.project.checkpointer.claim!(t, () => undefined);
    try {
      const up = await s.api<Err>("POST", `/api/threads/${t}/state`, { values: { draft: "edited" } });
      expect(up.status).toBe(409);
      expect(up.json.error).toMatchObject({ code: "thread_busy" });
      expect(up.json.error.message).toContain(`thread ${t} is busy`);
      const fk = await s.api<Err>("POST", `/api/threads/${t}/fork`, { checkpointId: history.json[0].checkpointId, thread: "forked-while-busy" });
      expect(fk.status).toBe(409);
      expect(fk.json.error.code).toBe("thread_busy");
    } finally {
      await held.release();
    }
    expect((await s.api("GET", `/api/threads/${t}/history`)).json).toEqual(history.json);
    expect((await s.api("GET", "/api/threads/forked-while-busy/state")).status).toBe(404);
    expect((await s.api("POST", `/api/threads/${t}/state`, { values: { draft: "edited" } })).status).toBe(200);
  });

  it("a resume answer outside the options is refused with a clear error", async () => {
    const start = await s.api<{ runId: string; threadId: string }>("POST", "/api/runs", { file: "approval.rag" });
    await events(start.json.runId);
    const r = await s.api<{ error: { message: string } }>("POST", `/api/threads/${start.json.threadId}/resume`, {});
    expect(r.status).toBe(400);
    expect(r.json.error.message.length).toBeGreaterThan(10);
  });

  it("a typed answer of the wrong type is 400 invalid_resume naming the field; the question stays open for a right one", async () => {
    const src = `graph scored {\n  start review\n  state {\n    score: number\n  }\n  node review {\n    kind interrupt\n    prompt "Score it"\n    resume {\n      score: number(0..1)\n    }\n    writes { score: result.score }\n    next END\n  }\n}\n`;
    expect((await s.api("PUT", "/api/file", { path: "scored.rag", content: src })).status).toBe(200);
    const start = await s.api<{ runId: string; threadId: string }>("POST", "/api/runs", { file: "scored.rag" });
    expect((await events(start.json.runId)).at(-1)!.data.status).toBe("interrupted");
    const bad = await s.api<Err>("POST", `/api/threads/${start.json.threadId}/resume`, { answer: { score: 5 } });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: "invalid_resume", message: expect.stringMatching(/graph `scored`, interrupt node `review`: the answer does not match its `resume` type: field `score`/) });
    expect((await s.api<Snap>("GET", `/api/threads/${start.json.threadId}/state`)).json.status).toBe("interrupted");
    const good = await s.api<{ runId: string }>("POST", `/api/threads/${start.json.threadId}/resume`, { answer: { score: 0.5 } });
    expect((await events(good.json.runId)).at(-1)!.data.status).toBe("completed");
  });
});


interface Snap {
  checkpointId: string;
  namespace: string;
  graph: string;
  step: number;
  source: string;
  status: string;
  values: { log: string[] };
  next: { id: string; node: string }[];
  interrupts: { id: string }[];
  subgraphs?: Record<string, Snap>;
}
type Err = { error: { code: string; message: string } };

describe("subgraph state by namespace", () => {
  /** A thread paused inside the subgraph (its question is the child's). */
  async function pausedInChild(): Promise<string> {
    expect((await s.api("PUT", "/api/file", { path: "nested.rag", content: NESTED })).status).toBe(200);
    const start = await s.api<{ runId: string; threadId: string }>("POST", "/api/runs", { file: "nested.rag" });
    expect((await events(start.json.runId)).at(-1)!.data.status).toBe("interrupted");
    return start.json.threadId;
  }

  it("state?subgraphs=true nests the child run under its task; namespace (node path or full) reads the child's state and history", async () => {
    const t = await pausedInChild();
    const nested = await s.api<Snap>("GET", `/api/threads/${t}/state?subgraphs=true`);
    expect(nested.status).toBe(200);
    expect(nested.json).toMatchObject({ namespace: "", values: { log: ["prepped"] }, next: [{ id: "2.0", node: "executor" }] });
    expect(nested.json.subgraphs!["2.0"]).toMatchObject({ namespace: "2.0:executor_graph", graph: "executor_graph", status: "interrupted", values: { log: ["a"] }, next: [{ node: "ask" }], interrupts: [{ id: "2.0/2.0#0" }], subgraphs: {} });
    expect((await s.api<Snap>("GET", `/api/threads/${t}/state`)).json).not.toHaveProperty("subgraphs");
    const child = await s.api<Snap>("GET", `/api/threads/${t}/state?namespace=executor`);
    expect(child.json).toMatchObject({ namespace: "2.0:executor_graph", step: 1, values: { log: ["a"] } });
    const history = await s.api<Snap[]>("GET", `/api/threads/${t}/history?namespace=${encodeURIComponent("2.0:executor_graph")}`);
    expect(history.json.map((h) => [h.step, h.source, h.namespace])).toEqual([
      [1, "loop", "2.0:executor_graph"],
      [0, "input", "2.0:executor_graph"],
    ]);
    const first = await s.api<Snap>("GET", `/api/threads/${t}/state?namespace=executor&checkpoint=${history.json[1].checkpointId}`);
    // A checkpoint asked for by id shows what was saved with it (LangGraph's getState with a
    // checkpoint_id): step_a's write belongs to the next checkpoint, so step_a is still next.
    expect(first.json).toMatchObject({ checkpointId: history.json[1].checkpointId, step: 0, next: [{ node: "step_a" }], values: { log: [] } });
  });

  it("updateState with namespace edits the child through its reducers; resuming continues the child from the edit", async () => {
    const t = await pausedInChild();
    const up = await s.api<Snap>("POST", `/api/threads/${t}/state`, { values: { log: "edited" }, namespace: "executor" });
    expect(up.status).toBe(200);
    expect(up.json).toMatchObject({ namespace: "2.0:executor_graph", source: "update", values: { log: ["a", "edited"] } });
    const resumed = await s.api<{ runId: string }>("POST", `/api/threads/${t}/resume`, { answer: "yes" });
    expect((await events(resumed.json.runId)).at(-1)!.data.status).toBe("completed");
    expect((await s.api<Snap>("GET", `/api/threads/${t}/state`)).json.values.log).toEqual(["prepped", "a", "edited", "b"]);
  });

  it("fork with namespace branches the thread at the child's checkpoint; resuming re-runs the child from there", async () => {
    const t = await pausedInChild();
    const history = await s.api<Snap[]>("GET", `/api/threads/${t}/history?namespace=executor`);
    const first = history.json.at(-1)!.checkpointId;
    const f = await s.api<Snap & { travel: { checkpointId: string; namespace: string } }>("POST", `/api/threads/${t}/fork`, { checkpointId: first, namespace: "executor" });
    expect(f.status).toBe(200);
    expect(f.json).toMatchObject({ source: "fork", status: "resumable", checkpointId: f.json.travel.checkpointId });
    expect(f.json.subgraphs!["2.0"]).toMatchObject({ namespace: f.json.travel.namespace, step: 0, next: [{ node: "step_a" }] });
    const again = await s.api<{ runId: string }>("POST", `/api/threads/${t}/resume`, {});
    expect((await events(again.json.runId)).at(-1)!.data.status).toBe("interrupted");
    const done = await s.api<{ runId: string }>("POST", `/api/threads/${t}/resume`, { answer: "no" });
    expect((await events(done.json.runId)).at(-1)!.data.status).toBe("completed");
    expect((await s.api<Snap>("GET", `/api/threads/${t}/state`)).json.values.log).toEqual(["prepped", "a"]);
  });

  it("errors: a malformed namespace is 400, one naming no child run 404, both {error: {code, message}} naming the thread", async () => {
    const t = await pausedInChild();
    const malformed = await s.api<Err>("GET", `/api/threads/${t}/state?namespace=${encodeURIComponent("a||b")}`);
    expect(malformed.status).toBe(400);
    expect(malformed.json).toEqual({ error: { code: "checkpoint_namespace", message: `thread ${t}, namespace \`a||b\`: checkpoint namespace \`a||b\` has an empty level` } });
    const none = await s.api<Err>("GET", `/api/threads/${t}/history?namespace=nope`);
    expect(none.status).toBe(404);
    expect(none.json).toEqual({ error: { code: "checkpoint_namespace", message: `thread \`${t}\` has no child run of node \`nope\`` } });
    // A graph the file knows that the task's node does not bind (deny by default), read or written.
    for (const [method, path, body] of [
      ["GET", `/api/threads/${t}/state?namespace=${encodeURIComponent("2.0:parent")}`, undefined],
      ["GET", `/api/threads/${t}/history?namespace=${encodeURIComponent("2.0:parent")}`, undefined],
      ["POST", `/api/threads/${t}/state`, { values: {}, namespace: "2.0:parent" }],
      ["POST", `/api/threads/${t}/fork`, { checkpointId: "1-x", namespace: "2.0:parent" }],
    ] as const) {
      const unbound = await s.api<Err>(method, path, body);
      expect(unbound.status, `${method} ${path}`).toBe(404);
      expect(unbound.json.error).toEqual({ code: "checkpoint_namespace", message: `thread ${t}, namespace \`2.0:parent\`: checkpoint namespace \`2.0:parent\`: task \`2.0\` (node \`executor\` of graph \`parent\`) runs no graph \`parent\` (it binds \`executor_graph\`)` });
    }
    const update = await s.api<Err>("POST", `/api/threads/${t}/state`, { values: {}, namespace: "prep" });
    expect(update.status).toBe(404);
    expect(update.json.error.code).toBe("checkpoint_namespace");
    const noCheckpoint = await s.api<Err>("GET", `/api/threads/${t}/state?namespace=executor&checkpoint=9-nope`);
    expect(noCheckpoint.status).toBe(404);
    expect(noCheckpoint.json.error.message).toBe(`thread ${t} has no checkpoint 9-nope in namespace \`executor\``);
    const both = await s.api<Err>("POST", `/api/threads/${t}/fork`, { checkpointId: "1-x", namespace: "executor", thread: "other" });
    expect(both.status).toBe(400);
    expect(both.json.error.message).toMatch(/^`thread` and `namespace`/);
    const forkMissing = await s.api<Err>("POST", `/api/threads/${t}/fork`, { checkpointId: "9-nope", namespace: "executor" });
    expect(forkMissing.status).toBe(404);
    expect(forkMissing.json.error.message).toContain("has no checkpoint `9-nope` in namespace `2.0:executor_graph`");
    const control = await s.api<Err>("GET", `/api/threads/${t}/state?namespace=%01`);
    expect(control.status).toBe(400);
    expect(control.json.error.message).toMatch(/namespace/);
    const flag = await s.api<Err>("GET", `/api/threads/${t}/state?subgraphs=yes`);
    expect(flag.status).toBe(400);
  });

  it("the OpenAPI document lists namespace and subgraphs", async () => {
    const r = await s.api<{ paths: Record<string, Record<string, { parameters?: { name: string }[]; requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } }>> }>("GET", "/api/openapi.json");
    const params = (p: string) => (r.json.paths[p].get.parameters ?? []).map((x) => x.name);
    expect(params("/api/threads/{threadId}/state")).toEqual(expect.arrayContaining(["checkpoint", "namespace", "subgraphs"]));
    expect(params("/api/threads/{threadId}/history")).toContain("namespace");
    const body = (p: string) => Object.keys(r.json.paths[p].post.requestBody!.content["application/json"].schema.properties);
    expect(body("/api/threads/{threadId}/state")).toEqual(expect.arrayContaining(["namespace", "checkpointId"]));
    expect(body("/api/threads/{threadId}/fork")).toContain("namespace");
  });
});

describe("review", () => {
  it("approves by hash in the approvals file and diffs against the last approved version", async () => {
    const before = await s.api<{ graph: string; hash: string; approved: boolean; capabilities: Record<string, string[]> }[]>("GET", "/api/review?file=research_review.rag");
    expect(before.json[0].approved).toBe(false);
    expect(before.json[0].capabilities.tools).toEqual(["read_repo", "search"]);
    const a = await s.api<{ hash: string }[]>("POST", "/api/approve", { file: "research_review.rag", hash: before.json[0].hash, by: "tester" });
    expect(a.json[0].hash).toBe(before.json[0].hash);
    const file = JSON.parse(readFileSync(join(s.dir, ".rag", "approvals.json"), "utf8")) as { approvals: { hash: string; approvedBy: string }[] };
    expect(file.approvals).toContainEqual(expect.objectContaining({ hash: before.json[0].hash, approvedBy: "tester" }));
    const src = readFileSync(join(s.dir, "research_review.rag"), "utf8");
    await s.api("PUT", "/api/file", { path: "research_review.rag", content: src.replace('tools ["search", "read_repo"]', 'tools ["search"]') });
    const after = await s.api<{ approved: boolean; lastApproved: { hash: string; diff: string } }[]>("GET", "/api/review?file=research_review.rag");
    expect(after.json[0].approved).toBe(false);
    expect(after.json[0].lastApproved.hash).toBe(before.json[0].hash);
    expect(after.json[0].lastApproved.diff).toMatch(/read_repo/);
  });
});

describe("repl", () => {
  it("runs .ragsh cells in one session", async () => {
    await s.api("POST", "/api/repl", { source: "let x = 20" });
    const r = await s.api<{ ok: boolean; value: unknown }>("POST", "/api/repl", { source: "x + 22" });
    expect(r.json).toMatchObject({ ok: true, value: 42 });
  });

  it("`:load FILE.rag` registers a workspace file's graphs (confined to the workspace), `:reset` clears; other colon commands say what works", async () => {
    const before = await s.api<{ ok: boolean; diagnostics: string }>("POST", "/api/repl", { source: 'graph_run({graph: "approval", input: {}}).status' });
    expect(before.json.ok).toBe(false);
    const load = await s.api<{ ok: boolean; stdout: string }>("POST", "/api/repl", { source: ":load approval.rag" });
    expect(load.json).toMatchObject({ ok: true, stdout: "registered approval\n" });
    const run = await s.api<{ ok: boolean; value: unknown }>("POST", "/api/repl", { source: 'graph_run({graph: "approval", input: {}}).status' });
    expect(run.json).toMatchObject({ ok: true, value: "interrupted" });
    const outside = await s.api<{ ok: boolean; diagnostics: string }>("POST", "/api/repl", { source: ":load ../outside.rag" });
    expect(outside.json.ok).toBe(false);
    expect(outside.json.diagnostics).toMatch(/^error: :load .*outside/);
    const cmd = await s.api<{ ok: boolean; diagnostics: string }>("POST", "/api/repl", { source: ":run approval {}" });
    expect(cmd.json).toMatchObject({ ok: false });
    expect(cmd.json.diagnostics).toContain("`:run` is a command of the `rag repl` prompt; this console runs .ragsh cells, `:load FILE`");
    await s.api("POST", "/api/repl", { source: "let y = 1" });
    expect((await s.api<{ stdout: string }>("POST", "/api/repl", { source: ":reset" })).json.stdout).toBe("variables cleared\n");
    expect((await s.api<{ ok: boolean }>("POST", "/api/repl", { source: "y" })).json.ok).toBe(false);
  });

  it("`:load` with the workspace folder's own name in front (as the examples' comments say, from the checkout) says the path to use", async () => {
    const name = s.dir.split("/").pop()!;
    const r = await s.api<{ ok: boolean; diagnostics: string }>("POST", "/api/repl", { source: `:load ${name}/define_diff.ragsh` });
    expect(r.json.ok).toBe(false);
    expect(r.json.diagnostics).toBe(`error: :load ${name}/define_diff.ragsh: no such file in the workspace (paths are relative to the workspace folder \`${name}/\`: \`:load define_diff.ragsh\`)\n`);
    // A path that is missing either way gets no hint.
    expect((await s.api<{ diagnostics: string }>("POST", "/api/repl", { source: `:load ${name}/nope.ragsh` })).json.diagnostics).toBe(`error: :load ${name}/nope.ragsh: no such file in the workspace\n`);
  });

  it("runs, review and approval of a .ragsh script say it is a script for the REPL, not a parse error of it as .rag", async () => {
    for (const [method, path, body] of [
      ["POST", "/api/runs", { file: "rlm.ragsh" }],
      ["GET", "/api/review?file=rlm.ragsh", undefined],
      ["POST", "/api/approve", { file: "rlm.ragsh", hash: `sha256:${"0".repeat(64)}` }],
    ] as const) {
      const r = await s.api<{ error: { code: string; message: string } }>(method, path, body);
      expect(r.status, path).toBe(400);
      expect(r.json.error).toEqual({ code: "not_a_graph_file", message: "rlm.ragsh is a .ragsh script, not a graph file: run it in the REPL (`:load rlm.ragsh`); runs, review and approval take a .rag file" });
    }
  });

  it("`:load FILE.ragsh` runs a workspace script's cells and its own :load lines (relative to it, confined to the workspace), stopping at a failed cell", async () => {
    mkdirSync(join(s.dir, "scripts"), { recursive: true });
    writeFileSync(join(s.dir, "scripts", "setup.ragsh"), 'let greeting = "hi"\n// %%\n:load ../approval.rag\n// %%\nprint(greeting)\nlet n = 41 + 1\n');
    const r = await s.api<{ ok: boolean; stdout: string; diagnostics: string }>("POST", "/api/repl", { source: ":load scripts/setup.ragsh" });
    expect(r.json).toMatchObject({ ok: true, diagnostics: "" });
    expect(r.json.stdout).toBe("registered approval (approval.rag)\nhi\n");
    expect((await s.api<{ value: unknown }>("POST", "/api/repl", { source: "n" })).json.value).toBe(42);
    expect((await s.api<{ value: unknown }>("POST", "/api/repl", { source: 'graph_run({graph: "approval", input: {}}).status' })).json.value).toBe("interrupted");
    // A script's :load cannot leave the workspace, and the script stops there.
    writeFileSync(join(s.dir, "scripts", "escape.ragsh"), ":load ../../outside.ragsh\n// %%\nlet after = 1\n");
    const esc = await s.api<{ ok: boolean; diagnostics: string }>("POST", "/api/repl", { source: ":load scripts/escape.ragsh" });
    expect(esc.json.ok).toBe(false);
    expect(esc.json.diagnostics).toMatch(/^error: :load .*outside/);
    expect((await s.api<{ ok: boolean }>("POST", "/api/repl", { source: "after" })).json.ok).toBe(false);
    // A failed cell stops the script; one that loads itself stops at the depth limit.
    writeFileSync(join(s.dir, "scripts", "fails.ragsh"), "let a = 1\n// %%\nnope()\n// %%\nlet b = 2\n");
    const fails = await s.api<{ ok: boolean; diagnostics: string }>("POST", "/api/repl", { source: ":load scripts/fails.ragsh" });
    expect(fails.json.ok).toBe(false);
    expect(fails.json.diagnostics).toContain("nope");
    expect((await s.api<{ ok: boolean }>("POST", "/api/repl", { source: "b" })).json.ok).toBe(false);
    writeFileSync(join(s.dir, "scripts", "self.ragsh"), ":load self.ragsh\n");
    const self = await s.api<{ ok: boolean; diagnostics: string }>("POST", "/api/repl", { source: ":load scripts/self.ragsh" });
    expect(self.json).toMatchObject({ ok: false, diagnostics: expect.stringContaining("nest more than 8 deep") });
    // Breadth is bounded too: one load reads at most MAX_LOADS files, however they nest.
    writeFileSync(join(s.dir, "scripts", "wide.ragsh"), Array.from({ length: 300 }, () => ":load ../approval.rag").join("\n// %%\n"));
    const wide = await s.api<{ ok: boolean; stdout: string; diagnostics: string }>("POST", "/api/repl", { source: ":load scripts/wide.ragsh" });
    expect(wide.json).toMatchObject({ ok: false, diagnostics: expect.stringContaining("one load reads at most 256 files") });
    expect(wide.json.stdout.split("\n").filter((l) => l.startsWith("registered")).length).toBe(255);
  });
});
