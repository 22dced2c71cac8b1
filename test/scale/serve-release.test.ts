/**
 * Two `rag serve` processes share one Postgres (issue 13 §3: stateless, behind a load
 * balancer): a thread one of them ran or edited must be writable by the other as soon as
 * the run has ended or the edit is saved. PostgresCheckpointer holds a lock and a
 * connection per thread it wrote until `release`; the server never released, so the
 * second process's resume failed with ThreadBusy and every thread kept a connection.
 * Real Postgres, own schema, two servers in this process (each its own checkpointer,
 * i.e. its own connections and locks, as two processes have).
 */
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresCheckpointer } from "../../scale/index.js";
import { loadStudioConfig, Project, startStudioServer, Workspace, type StudioServer } from "../../server/index.js";
import { dropTestSchema, missingServices, PG_URL, uniqueName } from "../helpers/services.js";

const skip = await missingServices(["postgres"]);
const schema = uniqueName("rag_serve_release");
const ASK = 'graph ask {\n  start q\n  state { d: string }\n  node q { kind interrupt options ["yes", "no"] writes d next END }\n}\n';
const EXAMPLES = new URL("../../examples/", import.meta.url).pathname;

interface Node {
  readonly server: StudioServer;
  readonly project: Project;
  readonly saver: PostgresCheckpointer;
}
let dir = "";
let a: Node;
let b: Node;

async function serve(): Promise<Node> {
  const saver = new PostgresCheckpointer(`${PG_URL}?schema=${schema}`);
  const config = await loadStudioConfig(dir, join(EXAMPLES, "rag.config.ts"));
  const project = new Project(new Workspace(dir), config, { approvals: join(dir, ".rag", "approvals.json"), checkpointer: saver });
  return { server: await startStudioServer({ project }), project, saver };
}

async function api<T>(n: Node, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(n.server.origin + path, { method, headers: { authorization: `Bearer ${n.server.token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
}

/** The run's final status, read from its event stream (which ends with the run). */
async function ended(n: Node, runId: string): Promise<string> {
  const res = await fetch(`${n.server.origin}/api/runs/${runId}/events`, { headers: { authorization: `Bearer ${n.server.token}` } });
  const blocks = (await res.text()).split("\n\n").filter((x) => x.includes("event: end"));
  return (JSON.parse(/^data: (.*)$/m.exec(blocks.at(-1)!)![1]) as { status: string }).status;
}

beforeAll(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), "rag-serve-release-"));
  for (const f of readdirSync(EXAMPLES)) if (/^[^.].*\.rag$/.test(f)) copyFileSync(join(EXAMPLES, f), join(dir, f));
  a = await serve();
  b = await serve();
});

afterAll(async () => {
  if (skip) return;
  for (const n of [a, b]) {
    await n.server.close();
    n.project.close();
    await n.saver.closeAsync();
  }
  await dropTestSchema(schema);
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(skip)("rag serve on a shared Postgres", () => {
  it("a thread paused on one server is resumed on the other; neither keeps it locked once its work has ended", async () => {
    const start = await api<{ runId: string; threadId: string }>(a, "POST", "/api/runs", { file: "approval.rag" });
    expect(start.status).toBe(200);
    expect(await ended(a, start.json.runId)).toBe("interrupted");
    expect(a.saver.heldThreads()).toEqual([]);

    const resumed = await api<{ runId: string }>(b, "POST", `/api/threads/${start.json.threadId}/resume`, { answer: "approve" });
    expect(resumed.status).toBe(200);
    expect(await ended(b, resumed.json.runId)).toBe("completed");
    expect(b.saver.heldThreads()).toEqual([]);

    // a state edit on one server, then another on the other
    expect((await api(a, "POST", `/api/threads/${start.json.threadId}/state`, { values: { decision: "edited" } })).status).toBe(200);
    expect(a.saver.heldThreads()).toEqual([]);
    const edit = await api<{ values: { decision: string } }>(b, "POST", `/api/threads/${start.json.threadId}/state`, { values: { decision: "edited twice" } });
    expect(edit.status).toBe(200);
    expect(edit.json.values.decision).toBe("edited twice");
    expect(b.saver.heldThreads()).toEqual([]);
  });

  it("a .ragsh cell's graph_run on a thread leaves it unlocked for the other server", async () => {
    const cell = await api<{ ok: boolean; value: unknown }>(a, "POST", "/api/repl", { source: `graph_register({graph: graph_compile(graph_define({name: "ask", source: ${JSON.stringify(ASK)}}))})\nlet r = graph_run({graph: "ask", input: {}, thread: "repl-t1"})\nr.status` });
    expect(cell.json, JSON.stringify(cell.json)).toMatchObject({ ok: true, value: "interrupted" });
    expect(a.saver.heldThreads()).toEqual([]);
    // the other process can take the thread (ThreadBusy while this one kept it)
    expect((await b.saver.acquireLatest("repl-t1"))?.checkpoint.threadId).toBe("repl-t1");
    await b.saver.release("repl-t1");
  });
});
