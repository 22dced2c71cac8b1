/**
 * Red team 3 (a, b): the studio API and its `.ragsh` console, attempts the earlier rounds
 * did not make. The console must obey the session limits and the registry policy that
 * `rag repl` obeys (one registry, one `Session`), and reach files only inside the workspace.
 */
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineConfig, tool, z } from "../../config.js";
import { registryFromConfig } from "../../repl/standard-registry.js";
import { Session } from "../../repl/session.js";
import { Project, startStudioServer, Workspace, type StudioServer } from "../../server/index.js";
import { send } from "../helpers/http.js";

let dir: string;
let outside: string;
let server: StudioServer;
let project: Project;
const fired: string[] = [];

function config() {
  return defineConfig({
    tools: {
      open: tool({ description: "allowed", schema: z.object({}), run: () => (fired.push("open"), "ok") }),
      secret: tool({ description: "not in the policy's allow", schema: z.object({}), run: () => (fired.push("secret"), "leaked") }),
    },
    policy: { allow: { tools: ["open"] } },
    repl: { maxOperations: 5_000, timeoutMs: 2_000 },
  });
}

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(server.origin + path, { method, headers: { authorization: `Bearer ${server.token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

/** A request with a forged Host header (fetch does not let one set it); its status. */
async function withHost(host: string, path: string): Promise<number> {
  return (await send(server.port, "GET", path, { host, authorization: `Bearer ${server.token}` })).status;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rt3-studio-"));
  outside = mkdtempSync(join(tmpdir(), "rt3-outside-"));
  writeFileSync(join(outside, "secret.rag"), "graph leaked { start a node a { kind set next END } }\n");
  writeFileSync(join(dir, "ok.rag"), "graph ok { start a state { x: any } node a { kind set set { x: 1 } next END } }\n");
  const c = config();
  project = new Project(new Workspace(dir), { path: undefined, config: c, registry: registryFromConfig(c) }, { approvals: join(dir, ".rag", "approvals.json") });
  server = await startStudioServer({ project });
});
afterAll(async () => {
  await server.close();
  project.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe("the studio console obeys what `rag repl` obeys", () => {
  it("a tool outside the policy's `allow` is refused in the console, as in a `rag repl` session; an allowed one runs", async () => {
    fired.length = 0;
    const r = await api("POST", "/api/repl", { source: 'tool_call({tool: "secret", arguments: {}})' });
    expect(r.status).toBe(200);
    expect(r.json.ok).toBe(false);
    expect(r.json.diagnostics).toMatch(/E-ragsh-capability-denied|not granted|not allowed/);
    const c = config();
    const repl = await new Session({ registry: registryFromConfig(c) }).runCell('tool_call({tool: "secret", arguments: {}})');
    expect(repl.ok).toBe(false);
    expect(fired).toEqual([]);
    const ok = await api("POST", "/api/repl", { source: 'tool_call({tool: "open", arguments: {}})' });
    expect(ok.json.ok).toBe(true);
    expect(fired).toEqual(["open"]);
  });

  it("the config's session limits (`repl.maxOperations`) bound a console cell", async () => {
    const r = await api("POST", "/api/repl", { source: "let i = 0\nwhile (true) { i = i + 1 }" });
    expect(r.status).toBe(200);
    expect(r.json.ok).toBe(false);
    expect(r.json.diagnostics).toMatch(/E-ragsh-(operation|time)/);
  });

  it("`:load` reads only workspace files: `..`, absolute paths and a symlink out are refused", async () => {
    symlinkSync(join(outside, "secret.rag"), join(dir, "link.rag"));
    for (const file of ["../" + outside.split("/").pop() + "/secret.rag", join(outside, "secret.rag"), "link.rag", ".rag/x.rag"]) {
      const r = await api("POST", "/api/repl", { source: `:load ${file}` });
      expect(r.json.ok, file).toBe(false);
      expect(r.json.stdout, file).not.toMatch(/leaked/);
    }
    const ok = await api("POST", "/api/repl", { source: ":load ok.rag" });
    expect(ok.json.stdout).toMatch(/registered ok/);
  });

  it("a cell that is not a directive but starts like one is not a way around `:load`'s check", async () => {
    const r = await api("POST", "/api/repl", { source: `:load ok.rag\n:load ${join(outside, "secret.rag")}` });
    expect(JSON.stringify(r.json)).not.toMatch(/registered leaked/);
  });
});

describe("the studio API (attempts beyond http-attacks.test.ts)", () => {
  it("a Host with a trailing dot, a userinfo part or another port is not the studio (403)", async () => {
    for (const host of [`localhost.:${server.port}`, `127.0.0.1.:${server.port}`, `evil@127.0.0.1:${server.port}`, `127.0.0.1:${server.port + 1}`, `127.0.0.1`, `0x7f000001:${server.port}`, `2130706433:${server.port}`]) {
      expect(await withHost(host, "/api/info"), host).toBe(403);
    }
    expect(await withHost(`LOCALHOST:${server.port}`, "/api/info")).toBe(200);
  });

  it("a hard link to an outside file is replaced by a write, never written through", async () => {
    writeFileSync(join(outside, "victim.rag"), "original\n");
    linkSync(join(outside, "victim.rag"), join(dir, "hard.rag"));
    const w = await api("PUT", "/api/file", { path: "hard.rag", content: "graph g { start a node a { kind set next END } }\n" });
    expect(w.status).toBe(200);
    expect(readFileSync(join(outside, "victim.rag"), "utf8")).toBe("original\n");
  });

  it("a folder symlinked out of the workspace is not written into, even for a new file", async () => {
    symlinkSync(outside, join(dir, "out"));
    const w = await api("PUT", "/api/file", { path: "out/new.rag", content: "x" });
    expect(w.status).toBe(403);
    expect(() => readFileSync(join(outside, "new.rag"))).toThrow();
  });

  it("approving needs the hash /api/review showed: none, a malformed one, or another file's is refused and nothing is approved", async () => {
    mkdirSync(join(dir, "sub"), { recursive: true });
    writeFileSync(join(dir, "sub", "other.rag"), "graph other { start a node a { kind set next END } }\n");
    const other = (await api("GET", "/api/review?file=sub/other.rag")).json[0].hash as string;
    expect((await api("POST", "/api/approve", { file: "ok.rag" })).status).toBe(400);
    expect((await api("POST", "/api/approve", { file: "ok.rag", hash: "sha256:" + "0".repeat(63) + "G" })).status).toBe(400);
    expect((await api("POST", "/api/approve", { file: "ok.rag", hash: other })).status).toBe(409);
    expect((await api("GET", "/api/review?file=ok.rag")).json[0].approved).toBe(false);
  });

  it("ids with control characters or encoded separators are refused before any lookup (400/404, never 500)", async () => {
    for (const id of ["a%0Ab", "a%1Bb", "a%00b", "a%2Fb", "%2E%2E", "a%20b", "x".repeat(201)]) {
      for (const path of [`/api/threads/${id}/state`, `/api/runs/${id}`, `/api/threads/${id}/history`]) {
        const r = await api("GET", path);
        expect([400, 404], `${path} → ${r.status}`).toContain(r.status);
      }
    }
    const fork = await api("POST", "/api/threads/t/fork", { checkpointId: "c\u001b[31m", thread: "n" });
    expect(fork.status).toBe(400);
    const run = await api("POST", "/api/runs", { file: "ok.rag", thread: "t\r\nX-Injected: 1" });
    expect(run.status).toBe(400);
  });

  it("event streams of unknown runs free their slot: 300 refused streams in a row leave the server answering", async () => {
    for (let i = 0; i < 300; i++) {
      const r = await fetch(`${server.origin}/api/runs/nope${i}/events`, { headers: { authorization: `Bearer ${server.token}` } });
      await r.text();
      expect(r.status).toBe(404);
    }
    const r = await fetch(`${server.origin}/api/runs/nope/events`, { headers: { authorization: `Bearer ${server.token}` } });
    await r.text();
    expect(r.status).toBe(404); // not 503 too_many_streams
  });
});
