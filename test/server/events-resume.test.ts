/**
 * `GET /api/runs/{id}/events` with `Last-Event-ID: n` sends only events after `n`, also
 * when `n` is ahead of the record this server holds so far: under `rag serve --queue` a
 * replica's record fills from Redis as it is read, and a client resuming with an id another
 * replica sent may be ahead of it. The stream used to start at the record's last id + 1
 * (the id was clamped to it), replaying events the client already had
 * (test/scale/workers-cli.test.ts saw `id: 2` after `Last-Event-ID: 3` under load).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { defineConfig } from "../../config.js";
import { tool } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { Project, startStudioServer, Workspace, type StudioServer } from "../../server/index.js";

let dir: string;
let project: Project;
let server: StudioServer;
let release: () => void = () => undefined;
const gate = new Promise<void>((r) => (release = r));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rag-events-resume-"));
  writeFileSync(join(dir, "gated.rag"), `graph gated {
  start a
  state { out: any }
  node a { kind tool tool "wait" input { } writes out next b }
  node b { kind set set { out: "done" } next END }
}
`);
  const config = defineConfig({ tools: { wait: tool({ description: "waits for the test", schema: z.object({}), run: async () => (await gate, "opened") }) } });
  project = new Project(new Workspace(dir), { path: undefined, config, registry: registryFromConfig(config) }, { approvals: join(dir, ".rag", "approvals.json") });
  server = await startStudioServer({ project });
});
afterAll(async () => {
  release();
  await server.close();
  project.close();
  rmSync(dir, { recursive: true, force: true });
});

it("a Last-Event-ID ahead of the record of a live run replays nothing the client had", async () => {
  const auth = { authorization: `Bearer ${server.token}` };
  const started = await fetch(`${server.origin}/api/runs`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ file: "gated.rag" }) });
  expect(started.status).toBe(200);
  const { runId } = (await started.json()) as { runId: string };
  const record = await project.runs.find(runId);
  // The run waits in its tool: the record holds the events so far, and more will come.
  await expect.poll(() => record.lastId).toBeGreaterThanOrEqual(3);
  expect(record.ended).toBe(false);
  const ahead = record.lastId + 2;
  // The stream's headers have come (the server took the request) while the run still waits.
  const res = await fetch(`${server.origin}/api/runs/${runId}/events`, { headers: { ...auth, "last-event-id": String(ahead) } });
  expect(record.lastId).toBeLessThan(ahead);
  release();
  const text = await res.text();
  expect(text).toContain("event: end");
  const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
  expect(ids.length).toBeGreaterThan(0);
  expect(Math.min(...ids)).toBe(ahead + 1);
});
