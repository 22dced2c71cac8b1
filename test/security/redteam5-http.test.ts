/**
 * Red team 5: the studio / `rag serve` HTTP API (server/), on the surfaces earlier rounds
 * covered least. Real requests over loopback against a real server.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineConfig } from "../../config.js";
import { registryFromConfig } from "../../repl/standard-registry.js";
import { Project, startStudioServer, Workspace, type StudioServer } from "../../server/index.js";
import { rawExchange, send } from "../helpers/http.js";

const LOOP = `graph big {
  start a
  defaults { recursion_limit: 2000 }
  input { s: string  t: string }
  state { n: number = 0  s: string = "" }
  node a { kind set set { n: state.n + 1, s: input.s } next b }
  node b { kind set set { s: input.t } routes { when state.n >= 250 -> END  else -> a } }
}
`;

let dir: string;
let project: Project;
let server: StudioServer;
const STREAM_BUFFER = 256 * 1024;
const host = () => `127.0.0.1:${server.port}`;
const bearer = () => ({ host: host(), authorization: `Bearer ${server.token}` });
const json = { "content-type": "application/json" };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rt5-http-"));
  writeFileSync(join(dir, "big.rag"), LOOP);
  writeFileSync(join(dir, ".env"), "OPENAI_API_KEY=sk-secret\n");
  mkdirSync(join(dir, ".git", "hooks"), { recursive: true });
  mkdirSync(join(dir, ".rag"), { recursive: true });
  // Links a cloned repository can carry: into the workspace's own hidden folders.
  symlinkSync(join(dir, ".git"), join(dir, "gitdir"));
  symlinkSync(join(dir, ".rag"), join(dir, "records"));
  mkdirSync(join(dir, "node_modules", "pkg"), { recursive: true });
  symlinkSync(join(dir, "node_modules"), join(dir, "deps"));
  const config = defineConfig({});
  project = new Project(new Workspace(dir), { path: undefined, config, registry: registryFromConfig(config) }, { approvals: join(dir, ".rag", "approvals.json") });
  server = await startStudioServer({ project, maxStreamBufferBytes: STREAM_BUFFER });
});
afterAll(async () => {
  await server.close();
  project.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("event streams: a client that does not read", () => {
  // Found: every event was written to the socket at once, whatever its backlog: a stream
  // nobody read held the whole run in the server (here ~50 MB, while the run record keeps
  // 16 MiB), and 256 such streams are allowed.
  it("holds at most the bound for it: the reader falls behind the run's record and is told `truncated`", async () => {
    const start = await send(server.port, "POST", "/api/runs", { ...bearer(), ...json }, JSON.stringify({ file: "big.rag", input: { s: "x".repeat(100_000), t: "x".repeat(100_001) } }));
    expect(start.status).toBe(200);
    const runId = String(start.json.runId);
    // A raw socket that sends the request, then reads nothing until the run is over.
    const socket: Socket = connect(server.port, "127.0.0.1");
    await new Promise<void>((r) => socket.once("connect", () => r()));
    socket.pause();
    socket.write(`GET /api/runs/${runId}/events HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: Bearer ${server.token}\r\n\r\n`);
    for (let i = 0; i < 600; i++) {
      const s = await send(server.port, "GET", `/api/runs/${runId}`, bearer());
      if (s.json.status !== "running") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await send(server.port, "GET", `/api/runs/${runId}`, bearer())).json.status).toBe("completed");
    let received = 0;
    let text = "";
    const ended = new Promise<boolean>((resolve) => {
      socket.on("data", (d: Buffer) => {
        received += d.length;
        // Only the frames' heads matter (each event's data is ~100 kB of x).
        text += d.toString("latin1").replace(/x{64,}/g, "x");
        if (text.includes("event: end")) resolve(true);
      });
      setTimeout(() => resolve(false), 20_000);
    });
    socket.resume();
    expect(await ended).toBe(true);
    socket.destroy();
    expect(text).toContain("event: truncated");
    expect(received).toBeLessThan(30 * 1024 * 1024);
  }, 90_000);

  it("a reader that keeps up gets every event, in order, then `end`", async () => {
    const start = await send(server.port, "POST", "/api/runs", { ...bearer(), ...json }, JSON.stringify({ file: "big.rag", input: { s: "y", t: "z" } }));
    const runId = String(start.json.runId);
    const r = await send(server.port, "GET", `/api/runs/${runId}/events`, bearer());
    const ids = [...r.text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids.length).toBeGreaterThan(300);
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    expect(r.text).toContain("event: end");
    expect(r.text).not.toContain("event: truncated");
  }, 60_000);
});

describe("workspace links into hidden folders", () => {
  // Found: the hidden-segment rule looked at the path as written; a link in the workspace to `.git`, `.rag` or node_modules took writes there.
  for (const path of ["gitdir/hooks/x.rag", "records/x.rag", "records/approved/x.rag", "deps/pkg/x.rag"])
    it(`PUT and GET ${path} → 403, nothing written`, async () => {
      const w = await send(server.port, "PUT", "/api/file", { ...bearer(), ...json }, JSON.stringify({ path, content: "graph g { }" }));
      expect(w.status).toBe(403);
      expect(w.json.error?.message).toMatch(/hidden|node_modules/);
      const r = await send(server.port, "GET", `/api/file?path=${encodeURIComponent(path)}`, bearer());
      expect(r.status).toBe(403);
    });
  it("nothing landed in the hidden folders", () => {
    expect(readdirSync(join(dir, ".git", "hooks"))).toEqual([]);
    expect(existsSync(join(dir, ".rag", "x.rag"))).toBe(false);
    expect(readdirSync(join(dir, "node_modules", "pkg"))).toEqual([]);
  });
});

describe("tokens", () => {
  // Found: the library API took an empty token, and then `Authorization: Bearer ` (or an empty cookie) was the token.
  for (const token of ["", "short", " ".repeat(20)])
    it(`startStudioServer refuses the token ${JSON.stringify(token)}`, async () => {
      await expect(startStudioServer({ project, token })).rejects.toThrow(/token/);
    });
});

describe("bodies of refused requests are not read", () => {
  // Found: a request refused before its body (no token, foreign Host) was answered, then the
  // server read and dropped whatever body followed (keep-alive), up to the request timeout.
  for (const [name, headers] of [
    ["no token", () => `Host: ${host()}`],
    ["a foreign Host", () => `Host: evil.example\r\nAuthorization: Bearer ${server.token}`],
    ["an unknown route", () => `Host: ${host()}\r\nAuthorization: Bearer ${server.token}`],
  ] as const)
    it(`${name}: answered and the connection closed, the declared 1 GB never waited for`, async () => {
      const path = name === "an unknown route" ? "/api/nope" : "/api/file";
      const r = await rawExchange(server.port, `PUT ${path} HTTP/1.1\r\n${headers()}\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{"path": "x.rag", "content": "`, 5_000);
      expect(r.text).toMatch(/^HTTP\/1\.1 (401|403|404)/);
      expect(r.closed).toBe(true);
    });
});

describe("held: Host, Origin, paths and ids (table)", () => {
  const hosts = ["127.0.0.1.:PORT", "localhost.:PORT", "[::ffff:127.0.0.1]:PORT", "127.1:PORT", "0x7f000001:PORT", "2130706433:PORT", "user@127.0.0.1:PORT", "127.0.0.1:PORT, evil.example", "127.0.0.1:0PORT", "127.0.0.1:PORT/", ""];
  for (const h of hosts)
    it(`Host ${JSON.stringify(h)} → 403`, async () => {
      const r = await send(server.port, "GET", "/api/files", { ...bearer(), host: h.replace("PORT", String(server.port)) });
      expect(r.status).toBe(403);
    });
  const origins = ["http://127.0.0.1:PORT/", "http://127.0.0.1:PORT.evil.example", "http://127.0.0.1:PORT@evil.example", "http://[::ffff:7f00:1]:PORT", "ws://127.0.0.1:PORT", "http://127.0.0.1", "null "];
  for (const o of origins)
    it(`Origin ${JSON.stringify(o)} → 403`, async () => {
      const r = await send(server.port, "POST", "/api/format", { ...bearer(), ...json, origin: o.replace("PORT", String(server.port)) }, JSON.stringify({ source: "" }));
      expect(r.status).toBe(403);
    });
  const paths = ["a/./../../x.rag", ".\\..\\x.rag", "a//..//..//x.rag", "//server/share/x.rag", "\\\\?\\C:\\x.rag", "x.rag\u0000", "gitdir/../.env.rag", "records/../x.rag/..", "%2e%2e/x.rag/.."];
  for (const p of paths)
    it(`path ${JSON.stringify(p)} → refused (403/400), nothing outside`, async () => {
      const r = await send(server.port, "PUT", "/api/file", { ...bearer(), ...json }, JSON.stringify({ path: p, content: "graph g { }" }));
      expect([400, 403]).toContain(r.status);
    });
  const ids = ["/api/runs/x:events", "/api/runs/run-1%0d%0aX-Injected:%201", "/api/threads/a%00b/history", `/api/threads/${"a".repeat(201)}/state`, "/api/runs/..%2f..%2fx/cancel", "/api/runs/%2e%2e", "/api/threads/%E2%80%AEabc/state"];
  for (const p of ids)
    it(`id ${p} → 4xx, never 500`, async () => {
      const r = await send(server.port, p.endsWith("cancel") ? "POST" : "GET", p, { ...bearer(), ...json }, p.endsWith("cancel") ? "{}" : undefined);
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.text).not.toContain("\r\nX-Injected");
    });
  it("a Last-Event-ID past the end or not a number replays nothing twice and still ends", async () => {
    const start = await send(server.port, "POST", "/api/runs", { ...bearer(), ...json }, JSON.stringify({ file: "big.rag", input: { s: "y", t: "z" } }));
    const runId = String(start.json.runId);
    for (const last of ["99999999999999999999", "-1", "1e9", "abc"]) {
      const r = await send(server.port, "GET", `/api/runs/${runId}/events`, { ...bearer(), "last-event-id": last });
      expect(r.status).toBe(200);
      expect(r.text).toContain("event: end");
    }
  }, 60_000);
});
