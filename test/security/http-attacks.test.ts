/**
 * Red-team tests of the studio's HTTP + SSE API (server/), with real requests against a
 * real server on loopback over a temp workspace. The threat model is docs/security.md
 * "The HTTP API": a malicious web page in the user's browser (CSRF, DNS rebinding,
 * cross-origin reads), another local process without the token, and model-written
 * content the studio displays. Requests are sent with node:http / node:net so that
 * `Host`, `Origin`, `Sec-Fetch-Site`, cookies and malformed request lines can be forged.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineConfig, scripted, tool, z } from "../../config.js";
import { registryFromConfig } from "../../repl/standard-registry.js";
import { MAX_BODY_BYTES, MAX_BODY_DEPTH, Project, ROUTES, startStudioServer, Workspace, type StudioServer } from "../../server/index.js";
import { testStudio, type TestStudio } from "../server/helpers.js";
import { rawExchange, send } from "../helpers/http.js";

let s: TestStudio;
let staticDir: string;
let outside: string;
const REQUEST_TIMEOUT_MS = 1_500;
const MAX_STREAMS = 3;

const host = () => `127.0.0.1:${s.server.port}`;
const own = () => `http://127.0.0.1:${s.server.port}`;
const bearer = () => ({ host: host(), authorization: `Bearer ${s.server.token}` });
const cookie = () => ({ host: host(), cookie: `rag_studio_token_${s.server.port}=${s.server.token}` });
const json = { "content-type": "application/json" };

/** A project of `holdingProject`: its `wait.rag` run's tool waits for `release()`. */
interface HoldingProject {
  readonly project: Project;
  /** Lets every waiting (and later) `hold` call return. */
  release(): void;
  /** How many `hold` calls started. */
  started(): number;
  /** Closes the project and removes its directory. */
  close(): void;
}

/**
 * A project in a fresh temporary directory (`tmpPrefix…`) with one graph, `wait.rag`: an
 * agent (scripted model) calls the tool `hold`, which waits until the test calls
 * `release()`, so a run of it stays `running`. `options` go to the `Project`.
 */
function holdingProject(tmpPrefix: string, options: { maxActiveRuns?: number } = {}): HoldingProject {
  const dir = mkdtempSync(join(tmpdir(), tmpPrefix));
  let release: () => void = () => undefined;
  let started = 0;
  const gate = new Promise<void>((r) => (release = r));
  writeFileSync(
    join(dir, "wait.rag"),
    `graph wait {\n  start agent\n  state {\n    messages: messages\n  }\n  node agent {\n    kind agent\n    model "default"\n    tools ["hold"]\n    routes {\n      tool_call -> tools\n      final -> END\n    }\n  }\n  node tools {\n    kind tool_executor\n    tools ["hold"]\n    next agent\n  }\n}\n`,
  );
  const config = defineConfig({
    models: {
      default: {
        provider: scripted({
          name: "hold",
          rules: [
            { when: { node: "agent", lastRole: "user" }, reply: { toolCalls: [{ name: "hold", arguments: {} }] } },
            { when: { node: "agent", lastRole: "tool" }, reply: "done" },
          ],
        }),
        capabilities: { tools: true, structuredOutput: true, contextWindow: 8_000, maxOutputTokens: 1_000 },
      },
    },
    tools: { hold: tool({ description: "waits for the test", schema: z.object({}), readOnly: true, run: async () => (started++, await gate, "released") }) },
  });
  const project = new Project(new Workspace(dir), { path: undefined, config, registry: registryFromConfig(config) }, { approvals: join(dir, ".rag", "approvals.json"), ...options });
  return {
    project,
    release: () => release(),
    started: () => started,
    close() {
      project.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

beforeAll(async () => {
  staticDir = mkdtempSync(join(tmpdir(), "rag-static-"));
  writeFileSync(join(staticDir, "index.html"), "<!doctype html><title>studio</title>");
  outside = mkdtempSync(join(tmpdir(), "rag-outside-"));
  s = await testStudio({ staticDir, requestTimeoutMs: REQUEST_TIMEOUT_MS, maxEventStreams: MAX_STREAMS });
  // Secrets and records next to the graphs, and links a cloned repository could carry.
  writeFileSync(join(s.dir, ".env"), "OPENAI_API_KEY=sk-secret\n");
  writeFileSync(join(s.dir, "rag.config.ts"), "export default {};\n");
  writeFileSync(join(s.dir, "notes.txt"), "private notes\n");
  mkdirSync(join(s.dir, ".git", "hooks"), { recursive: true });
  writeFileSync(join(outside, "secret.rag"), "graph secret { }\n");
  symlinkSync(outside, join(s.dir, "linked_out"));
  symlinkSync(join(outside, "missing-dir"), join(s.dir, "dangling_dir"));
  symlinkSync(join(outside, "secret.rag"), join(s.dir, "secret_link.rag"));
  mkdirSync(join(s.dir, "folder.rag"));
});
afterAll(async () => {
  await s.close();
  rmSync(staticDir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

/** Every route of the table, with its `{param}`s filled in, plus the non-route paths. */
const targets: { method: string; path: string }[] = [
  ...ROUTES.map((r) => ({ method: r.method, path: r.path.replace(/\{\w+\}/g, "x1") })),
  { method: "GET", path: "/api/openapi.json" },
  { method: "GET", path: "/" },
  { method: "GET", path: "/index.html" },
];
const unsafe = targets.filter((t) => t.method !== "GET");

describe("every route refuses requests without the token, with a foreign Host or Origin (matrix)", () => {
  const shapes: { name: string; headers: () => Record<string, string>; status: number; found?: string }[] = [
    { name: "no token", headers: () => ({ host: host() }), status: 401 },
    { name: "a wrong token of the right length", headers: () => ({ host: host(), authorization: `Bearer ${"A".repeat(s.server.token.length)}` }), status: 401 },
    { name: "the token with one character changed", headers: () => ({ host: host(), "x-rag-token": s.server.token.slice(0, -1) + (s.server.token.endsWith("A") ? "B" : "A") }), status: 401 },
    { name: "the token as a prefix of a longer one", headers: () => ({ host: host(), authorization: `Bearer ${s.server.token}x` }), status: 401 },
    { name: "the token under another auth scheme", headers: () => ({ host: host(), authorization: `Basic ${s.server.token}` }), status: 401 },
    { name: "the token in a cookie of another name", headers: () => ({ host: host(), cookie: `rag_studio_tokenx=${s.server.token}` }), status: 401 },
    // The cookie is named after the server's port: another studio's cookie (or the unported name) is not this server's token.
    { name: "the token in another port's cookie", headers: () => ({ host: host(), cookie: `rag_studio_token_${s.server.port + 1}=${s.server.token}` }), status: 401 },
    { name: "the token in the unported cookie name", headers: () => ({ host: host(), cookie: `rag_studio_token=${s.server.token}` }), status: 401 },
    { name: "an empty bearer", headers: () => ({ host: host(), authorization: "Bearer " }), status: 401 },
    { name: "Host: evil.example (DNS rebinding)", headers: () => ({ ...bearer(), host: "evil.example" }), status: 403 },
    { name: "Host: 127.0.0.1.evil.example", headers: () => ({ ...bearer(), host: `127.0.0.1.evil.example:${s.server.port}` }), status: 403 },
    { name: "Host without the port", headers: () => ({ ...bearer(), host: "127.0.0.1" }), status: 403 },
    { name: "Host on another port", headers: () => ({ ...bearer(), host: `127.0.0.1:${s.server.port + 1}` }), status: 403 },
    { name: "Origin of another site", headers: () => ({ ...bearer(), origin: "http://evil.example" }), status: 403 },
    { name: "Origin of another local port", headers: () => ({ ...bearer(), origin: `http://127.0.0.1:${s.server.port + 1}` }), status: 403 },
    { name: "Origin: null (sandboxed frame, file:)", headers: () => ({ ...bearer(), origin: "null" }), status: 403 },
    { name: "Origin with https of the own host", headers: () => ({ ...bearer(), origin: `https://127.0.0.1:${s.server.port}` }), status: 403 },
    { name: "Sec-Fetch-Site: cross-site", headers: () => ({ ...cookie(), "sec-fetch-site": "cross-site" }), status: 403 },
    // Found: a page on another port of 127.0.0.1 is same-site; its no-cors requests carried the cookie and were served.
    { name: "Sec-Fetch-Site: same-site (a page on another local port)", headers: () => ({ ...cookie(), "sec-fetch-site": "same-site" }), status: 403, found: "same-site" },
  ];
  for (const shape of shapes)
    for (const t of targets)
      it(`${t.method} ${t.path} with ${shape.name} → ${shape.status}`, async () => {
        const r = await send(s.server.port, t.method, t.path, shape.headers());
        expect(r.status).toBe(shape.status);
        expect(r.json.error?.code).toBe(shape.status === 401 ? "unauthorized" : "forbidden");
        expect(r.headers["access-control-allow-origin"]).toBeUndefined();
        expect(r.text).not.toContain(s.server.token);
      });

  // Found: a cookie-only PUT/POST without Origin was served (CSRF rested on SameSite alone).
  for (const t of unsafe)
    it(`${t.method} ${t.path} with only the cookie and no Origin → 403 (CSRF)`, async () => {
      const r = await send(s.server.port, t.method, t.path, { ...cookie(), ...json }, "{}");
      expect(r.status).toBe(403);
      expect(r.json.error?.message).toMatch(/studio page/);
    });

  it("the page's own cookie requests pass: same Origin, or Sec-Fetch-Site: same-origin", async () => {
    const a = await send(s.server.port, "POST", "/api/format", { ...cookie(), ...json, origin: own() }, JSON.stringify({ source: "graph g { start a node a { kind set set { x: 1 } next END } }" }));
    expect(a.status).toBe(200);
    const b = await send(s.server.port, "POST", "/api/format", { ...cookie(), ...json, "sec-fetch-site": "same-origin" }, JSON.stringify({ source: "" }));
    expect(b.status).toBe(200);
    const c = await send(s.server.port, "GET", "/api/files", cookie());
    expect(c.status).toBe(200);
  });

  for (const method of ["HEAD", "OPTIONS", "DELETE", "PATCH", "TRACE", "PROPFIND"])
    it(`${method} never grants access or CORS: 401 without the token, 405 with it`, async () => {
      const preflight = { origin: "http://evil.example", "access-control-request-method": "PUT", "access-control-request-headers": "authorization" };
      const anon = await send(s.server.port, method, "/api/file?path=approval.rag", { host: host(), ...(method === "OPTIONS" ? preflight : {}) });
      expect([401, 403]).toContain(anon.status);
      expect(anon.headers["access-control-allow-origin"]).toBeUndefined();
      const authed = await send(s.server.port, method, "/api/file?path=approval.rag", bearer());
      expect(authed.status).toBe(405);
      expect(authed.headers["access-control-allow-origin"]).toBeUndefined();
    });
});

describe("malformed requests are answered, never crash the server", () => {
  // Found: `new URL(req.url)` ran outside the handler's try; this request line killed `rag studio` (an unhandled rejection) without any token.
  for (const target of ["//[", "//[::1", "//a:b@[x]/api/files", "//%zz/"])
    it(`request-target ${JSON.stringify(target)} → 400, and the server still answers`, async () => {
      const r = await rawExchange(s.server.port, `GET ${target} HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`, 3_000);
      expect(r.text).toMatch(/^HTTP\/1\.1 (400|401|403|404)/);
      const after = await send(s.server.port, "GET", "/api/files", bearer());
      expect(after.status).toBe(200);
    });

  // Found: a malformed escape in a page path was a 500 `internal` (URIError).
  it("a malformed percent-escape in a page path is a 400", async () => {
    const r = await send(s.server.port, "GET", "/%E0%A4%A", bearer());
    expect(r.status).toBe(400);
    expect(r.json.error?.code).toBe("invalid_request");
  });

  for (const p of ["/..%2f..%2fetc%2fpasswd", "/%2e%2e/%2e%2e/etc/passwd", "/..\\..\\etc\\passwd", "/index.html%00.js", "//etc/passwd"])
    it(`the page's files stay in their folder: GET ${p} → 404`, async () => {
      const r = await send(s.server.port, "GET", p, bearer());
      expect(r.status).toBe(404);
      expect(r.text).not.toContain("root:");
    });

  for (const p of ["/api//files", "/api/files/", "/api/%66iles", "/API/files", "/api/files/..", "/api/runs/%E0%A4%A", "/api/threads/%2e%2e/history", "/api/threads/a%2Fb/history"])
    it(`API path ${p} is not a route it does not name (404/405, never 500)`, async () => {
      const r = await send(s.server.port, "GET", p, bearer());
      expect([404, 405]).toContain(r.status);
      expect(r.json.error?.code).toMatch(/^(not_found|method_not_allowed)$/);
    });
});

describe("workspace files: confined, and only .rag/.ragsh (matrix over read and write)", () => {
  const escapes = ["/etc/passwd.rag", "\\etc\\x.rag", "C:/x.rag", "../x.rag", "a/../../x.rag", "..\\..\\x.rag", "x.rag\u0000.txt", "linked_out/secret.rag", "linked_out/new.rag"];
  for (const path of escapes) {
    it(`GET /api/file?path=${JSON.stringify(path)} → 403`, async () => {
      const r = await send(s.server.port, "GET", `/api/file?path=${encodeURIComponent(path)}`, bearer());
      expect(r.status).toBe(403);
      expect(r.json.error?.code).toBe("forbidden");
    });
    it(`PUT /api/file {path: ${JSON.stringify(path)}} → 403, nothing written outside`, async () => {
      const r = await send(s.server.port, "PUT", "/api/file", { ...bearer(), ...json }, JSON.stringify({ path, content: "graph pwned { }" }));
      expect(r.status).toBe(403);
      expect(readdirSync(outside)).toEqual(["secret.rag"]);
    });
  }

  // Found: GET /api/file read any file of the workspace — `.env` secrets, the config, the checkpoint database.
  for (const path of [".env", "rag.config.ts", "notes.txt", ".rag/checkpoints.db", ".rag/approvals.json"])
    it(`GET /api/file?path=${path} → 403 (only .rag/.ragsh are read)`, async () => {
      const r = await send(s.server.port, "GET", `/api/file?path=${encodeURIComponent(path)}`, bearer());
      expect(r.status).toBe(403);
      expect(r.text).not.toContain("sk-secret");
      expect(r.text).not.toContain("SQLite");
    });

  for (const path of ["rag.config.ts", "rag.config.mjs", "package.json", ".env", "x.rag.ts", "x.RAG", "x.rag/", "x.rag "])
    it(`PUT /api/file {path: ${JSON.stringify(path)}} → 403 (a config is code: never written)`, async () => {
      const r = await send(s.server.port, "PUT", "/api/file", { ...bearer(), ...json }, JSON.stringify({ path, content: "export default {}" }));
      expect(r.status).toBe(403);
    });

  // Found: `.rag/`, `.git/` and node_modules took .rag files (the studio's records, hooks folders).
  for (const path of [".rag/x.rag", ".rag/approved/x.rag", ".git/hooks/x.rag", "node_modules/x.rag", "NODE_MODULES/x.rag", "Node_Modules/pkg/x.rag", ".hidden.rag", "a/.b/c.rag"])
    it(`PUT /api/file {path: ${JSON.stringify(path)}} → 403 (hidden folders and node_modules)`, async () => {
      const r = await send(s.server.port, "PUT", "/api/file", { ...bearer(), ...json }, JSON.stringify({ path, content: "graph g { }" }));
      expect(r.status).toBe(403);
      expect(existsSync(join(s.dir, path))).toBe(false);
    });

  // Found: a link to nowhere passed the symlink check (existsSync follows it) and the write failed with a 500 naming absolute paths.
  it("a path through a dangling symlink → 403, no folder made outside", async () => {
    const r = await send(s.server.port, "PUT", "/api/file", { ...bearer(), ...json }, JSON.stringify({ path: "dangling_dir/x.rag", content: "graph g { }" }));
    expect(r.status).toBe(403);
    expect(existsSync(join(outside, "missing-dir"))).toBe(false);
  });

  it("a link to a file outside is neither read nor written through", async () => {
    expect((await send(s.server.port, "GET", "/api/file?path=secret_link.rag", bearer())).status).toBe(403);
    expect((await send(s.server.port, "PUT", "/api/file", { ...bearer(), ...json }, JSON.stringify({ path: "secret_link.rag", content: "x" }))).status).toBe(403);
    expect(readdirSync(outside)).toEqual(["secret.rag"]);
  });

  // Found: writing onto a folder was a 500 `internal` naming absolute paths, and left a `.tmp` file behind.
  it("writing onto a folder is a 400 not_a_file and leaves no temporary file", async () => {
    const r = await send(s.server.port, "PUT", "/api/file", { ...bearer(), ...json }, JSON.stringify({ path: "folder.rag", content: "graph g { }" }));
    expect(r.status).toBe(400);
    expect(r.json.error?.code).toBe("not_a_file");
    expect(readdirSync(s.dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("a normal .rag write and read-back still work", async () => {
    const w = await send(s.server.port, "PUT", "/api/file", { ...bearer(), ...json }, JSON.stringify({ path: "sub/dir/new.rag", content: "graph g { }\n" }));
    expect(w.status).toBe(200);
    const r = await send(s.server.port, "GET", "/api/file?path=sub/dir/new.rag", bearer());
    expect(r.json.content).toBe("graph g { }\n");
  });
});

describe("request bodies: size, time, media type, depth, prototype keys", () => {
  // Found: `Content-Type: text/plain; x=application/json` is CORS-safelisted (a no-cors cross-site fetch can send it) and was parsed as JSON.
  for (const ct of ["text/plain; charset=application/json", "text/plain;application/json", "application/x-www-form-urlencoded; application/json", "multipart/form-data; boundary=application/json"])
    it(`Content-Type ${JSON.stringify(ct)} → 415`, async () => {
      const r = await send(s.server.port, "PUT", "/api/file", { ...bearer(), "content-type": ct }, JSON.stringify({ path: "ct.rag", content: "x" }));
      expect(r.status).toBe(415);
      expect(existsSync(join(s.dir, "ct.rag"))).toBe(false);
    });

  it("application/json with parameters is accepted", async () => {
    const r = await send(s.server.port, "POST", "/api/format", { ...bearer(), "content-type": "Application/JSON; charset=utf-8" }, JSON.stringify({ source: "" }));
    expect(r.status).toBe(200);
  });

  // Found: a declared length over the limit was read up to the limit (or waited for) before refusing.
  // The body never comes: a server waiting for it answers 408 at the request timeout, so
  // the 413 itself says it refused from the header (the window is wide: the exchange ends
  // when the server closes the connection; a 1 s one is a race on a loaded machine).
  it("a declared Content-Length over the limit is refused at once, before the body", async () => {
    const r = await rawExchange(s.server.port, `POST /api/check HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: Bearer ${s.server.token}\r\nContent-Type: application/json\r\nContent-Length: ${MAX_BODY_BYTES + 1}\r\n\r\n{"so`, REQUEST_TIMEOUT_MS + 4_000);
    expect(r.text).toMatch(/^HTTP\/1\.1 413/);
    expect(r.text).toContain('"too_large"');
  });

  it("a body over the limit sent in full is a 413", async () => {
    const r = await rawExchange(s.server.port, `POST /api/check HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: Bearer ${s.server.token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n` + `${(MAX_BODY_BYTES + 10).toString(16)}\r\n${"a".repeat(MAX_BODY_BYTES + 10)}\r\n0\r\n\r\n`, 5_000);
    expect(r.text).toMatch(/^HTTP\/1\.1 413/);
  });

  // Found: a body that never ends held the request open for Node's default 300 s.
  it("a body that never ends (slowloris) is refused with 408 after the request timeout, and the connection closed", async () => {
    const r = await rawExchange(s.server.port, `PUT /api/file HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: Bearer ${s.server.token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"path": "slow.rag", "con`, REQUEST_TIMEOUT_MS + 4_000);
    expect(r.text).toMatch(/^HTTP\/1\.1 408/);
    expect(r.text).toContain('"timeout"');
    expect(r.closed).toBe(true);
    expect(r.elapsed).toBeLessThan(REQUEST_TIMEOUT_MS + 3_000);
    expect(existsSync(join(s.dir, "slow.rag"))).toBe(false);
  });

  it("headers that never end are cut off too (no hang)", async () => {
    const r = await rawExchange(s.server.port, `GET /api/files HTTP/1.1\r\nHost: ${host()}\r\nX-Slow: a`, REQUEST_TIMEOUT_MS * 3 + 3_000);
    expect(r.closed).toBe(true);
  }, 15_000);

  // Found: ~2,000 levels parsed and flowed into runs; deeper ones failed with "Maximum call stack size exceeded".
  for (const [name, open, close] of [["arrays", "[", "]"], ["objects", '{"a":', "}"]] as const)
    for (const depth of [MAX_BODY_DEPTH + 1, 2_000, 200_000])
      it(`JSON ${name} nested ${depth} deep → 400 too_deep`, async () => {
        const body = `{"file":"approval.rag","input":{"x":${open.repeat(depth)}${name === "objects" ? "1" : ""}${close.repeat(depth)}}}`;
        const r = await send(s.server.port, "POST", "/api/runs", { ...bearer(), ...json }, body);
        expect(r.status).toBe(400);
        expect(r.json.error?.code).toBe("too_deep");
      });

  it("nesting up to the limit is accepted", async () => {
    const r = await send(s.server.port, "POST", "/api/check", { ...bearer(), ...json }, `{"source":"","x":${"[".repeat(MAX_BODY_DEPTH - 1)}${"]".repeat(MAX_BODY_DEPTH - 1)}}`);
    expect(r.status).toBe(200);
  });

  it("brackets inside strings do not count as nesting", async () => {
    const r = await send(s.server.port, "POST", "/api/check", { ...bearer(), ...json }, JSON.stringify({ source: "[".repeat(10_000) + '\\"{' }));
    expect(r.status).toBe(200);
  });

  for (const body of ['{"values":{"__proto__":{"polluted":1}}}', '{"values":{"\\u005f_proto__":{"polluted":1}}}', '{"values":{"constructor":{"prototype":{"polluted":1}}}}', '{"__proto__":{"polluted":1},"source":""}'])
    it(`prototype keys reach no prototype: ${body}`, async () => {
      await send(s.server.port, "POST", "/api/threads/no-such-thread/state", { ...bearer(), ...json }, body);
      await send(s.server.port, "POST", "/api/check", { ...bearer(), ...json }, body);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty("polluted");
    });

  it("invalid UTF-8 in a body is read as replacement characters, not a crash", async () => {
    const r = await new Promise<number>((resolve, reject) => {
      const body = Buffer.concat([Buffer.from('{"source":"'), Buffer.from([0xff, 0xfe, 0xc0]), Buffer.from('"}')]);
      const req = request({ host: "127.0.0.1", port: s.server.port, method: "POST", path: "/api/check", headers: { ...bearer(), ...json, "content-length": String(body.length) }, setHost: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end(body);
    });
    expect(r).toBe(200);
  });
});

describe("runs, threads and resume inputs", () => {
  // Found: thread ids `.` and `..` were accepted, creating threads no URL can name (the path normalizes them away).
  for (const thread of [".", ".."])
    it(`POST /api/runs with thread ${JSON.stringify(thread)} → 400`, async () => {
      const r = await send(s.server.port, "POST", "/api/runs", { ...bearer(), ...json }, JSON.stringify({ file: "approval.rag", thread }));
      expect(r.status).toBe(400);
    });

  for (const thread of ["../x", "a/b", "a\\b", "a\u0000b", "x".repeat(201), "", "a b"])
    it(`POST /api/runs with thread ${JSON.stringify(thread.slice(0, 20))} → 400`, async () => {
      const r = await send(s.server.port, "POST", "/api/runs", { ...bearer(), ...json }, JSON.stringify({ file: "approval.rag", thread }));
      expect(r.status).toBe(400);
    });

  for (const [name, body] of [
    ["input as a list", { file: "approval.rag", input: [1, 2] }],
    ["input as a string", { file: "approval.rag", input: "x" }],
    ["file as an object", { file: { path: "approval.rag" } }],
    ["file outside", { file: "../x.rag" }],
    ["file not .rag", { file: "rag.config.ts" }],
    ["graph as a number", { file: "approval.rag", graph: 1 }],
  ] as const)
    it(`POST /api/runs with ${name} → 4xx with an error body`, async () => {
      const r = await send(s.server.port, "POST", "/api/runs", { ...bearer(), ...json }, JSON.stringify(body));
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(typeof r.json.error?.code).toBe("string");
    });

  it("an answer for another thread's interrupt, or an unknown id, is refused", async () => {
    const a = await send(s.server.port, "POST", "/api/runs", { ...bearer(), ...json }, JSON.stringify({ file: "approval.rag" }));
    const run = a.json as unknown as { runId: string; threadId: string };
    await (await fetch(`${own()}/api/runs/${run.runId}/events`, { headers: { authorization: `Bearer ${s.server.token}` } })).text();
    // A `constructor` key is refused as the body is parsed (unsafe_key); the others when the answers are matched.
    for (const [answers, code] of [[{ "other-thread#0": "approve" }, "invalid_resume"], [{ constructor: "approve" }, "unsafe_key"], [{ toString: "approve" }, "invalid_resume"]] as const) {
      const r = await send(s.server.port, "POST", `/api/threads/${run.threadId}/resume`, { ...bearer(), ...json }, JSON.stringify({ answers }));
      expect(r.status).toBe(400);
      expect(r.json.error?.code).toBe(code);
    }
    const wrongType = await send(s.server.port, "POST", `/api/threads/${run.threadId}/resume`, { ...bearer(), ...json }, JSON.stringify({ answers: "approve" }));
    expect(wrongType.status).toBe(400);
  });
});

describe("Server-Sent Events", () => {
  it("streams need the token and the own origin", async () => {
    const a = await send(s.server.port, "POST", "/api/runs", { ...bearer(), ...json }, JSON.stringify({ file: "approval.rag" }));
    const runId = (a.json as unknown as { runId: string }).runId;
    expect((await send(s.server.port, "GET", `/api/runs/${runId}/events`, { host: host() })).status).toBe(401);
    expect((await send(s.server.port, "GET", `/api/runs/${runId}/events`, { ...cookie(), origin: "http://evil.example" })).status).toBe(403);
    const ok = await send(s.server.port, "GET", `/api/runs/${runId}/events`, bearer());
    expect(ok.status).toBe(200);
    expect(ok.headers["access-control-allow-origin"]).toBeUndefined();
    expect(ok.text).toContain("event: end");
  });

  it(`streams that ended free their slot (${MAX_STREAMS * 3} streams one after another all open)`, async () => {
    const a = await send(s.server.port, "POST", "/api/runs", { ...bearer(), ...json }, JSON.stringify({ file: "approval.rag" }));
    const runId = (a.json as unknown as { runId: string }).runId;
    for (let i = 0; i < MAX_STREAMS * 3; i++) {
      const r = await send(s.server.port, "GET", `/api/runs/${runId}/events`, bearer());
      expect(r.status).toBe(200);
    }
    for (let i = 0; i < MAX_STREAMS * 2; i++) expect((await send(s.server.port, "GET", `/api/runs/no-such-run/events`, bearer())).status).toBe(404);
    expect((await send(s.server.port, "GET", `/api/runs/${runId}/events`, bearer())).status).toBe(200);
  });
});

describe("concurrent event streams are bounded", () => {
  let server: StudioServer;
  let held: HoldingProject;

  beforeAll(async () => {
    // Its run stays `running` until the test releases the tool, so its streams stay open.
    held = holdingProject("rag-streams-");
    server = await startStudioServer({ project: held.project, maxEventStreams: MAX_STREAMS });
  });
  afterAll(async () => {
    held.release();
    await server.close();
    held.close();
  });

  // Found: every stream of a running run was held (socket, listener, heartbeat timer) without a bound.
  it(`the ${MAX_STREAMS + 1}th open stream is refused with 503 too_many_streams; closing one frees a slot; the running thread refuses edits and resumes (409 thread_busy)`, async () => {
    const auth = { authorization: `Bearer ${server.token}`, "content-type": "application/json" };
    const run = (await (await fetch(`${server.origin}/api/runs`, { method: "POST", headers: auth, body: JSON.stringify({ file: "wait.rag", input: {} }) })).json()) as { runId: string; status: string; error?: unknown };
    expect(run.status).toBe("running");
    const controllers = Array.from({ length: MAX_STREAMS }, () => new AbortController());
    const open = await Promise.all(controllers.map((c) => fetch(`${server.origin}/api/runs/${run.runId}/events`, { headers: auth, signal: c.signal })));
    expect(open.map((r) => r.status)).toEqual(Array(MAX_STREAMS).fill(200));
    const refused = await fetch(`${server.origin}/api/runs/${run.runId}/events`, { headers: auth });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("too_many_streams");
    controllers[0].abort();
    // The server frees the slot when it sees the client go (polled: a loaded machine may take a while).
    const c = new AbortController();
    let again = await fetch(`${server.origin}/api/runs/${run.runId}/events`, { headers: auth, signal: c.signal });
    for (const end = Date.now() + 10_000; again.status === 503 && Date.now() < end; ) {
      await again.body?.cancel();
      await new Promise((r) => setTimeout(r, 50));
      again = await fetch(`${server.origin}/api/runs/${run.runId}/events`, { headers: auth, signal: c.signal });
    }
    expect(again.status).toBe(200);
    c.abort();
    for (const x of controllers) x.abort();
    // Found in review: a state edit, a branch or a resume of a thread a run is executing raced its supersteps.
    const thread = (run as unknown as { threadId: string }).threadId;
    const busy = [
      await fetch(`${server.origin}/api/threads/${thread}/state`, { method: "POST", headers: auth, body: JSON.stringify({ values: {} }) }),
      await fetch(`${server.origin}/api/threads/${thread}/resume`, { method: "POST", headers: auth, body: JSON.stringify({}) }),
    ];
    for (const r of busy) expect([r.status, ((await r.json()) as { error: { code: string } }).error.code]).toEqual([409, "thread_busy"]);
    held.release();
  });
});

describe("server options", () => {
  // Found in review: `requestTimeoutMs: 0` answered every body with 408 at once.
  it.each([["requestTimeoutMs", 0], ["requestTimeoutMs", -5], ["maxEventStreams", 0], ["maxEventStreams", 1.5], ["requestTimeoutMs", Number.NaN]] as const)("%s: %s is refused before the server listens", async (key, value) => {
    const dir = mkdtempSync(join(tmpdir(), "ragraph-opts-"));
    const config = defineConfig({});
    const project = new Project(new Workspace(dir), { path: undefined, config, registry: registryFromConfig(config) }, { approvals: join(dir, ".rag", "approvals.json") });
    try {
      await expect(startStudioServer({ project, [key]: value })).rejects.toThrow(new RegExp(`\`${key}\` must be a positive integer`));
    } finally {
      project.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Third audit (issue 10): a token holder started runs without end — each one holding model
// and tool calls and memory for as long as it goes. A bounded number may be going at once.
describe("concurrent runs", () => {
  const MAX_RUNS = 2;
  let server: StudioServer;
  let held: HoldingProject;

  beforeAll(async () => {
    held = holdingProject("rag-runs-", { maxActiveRuns: MAX_RUNS });
    server = await startStudioServer({ project: held.project });
  });
  afterAll(async () => {
    held.release();
    await server.close();
    held.close();
  });

  it(`run ${MAX_RUNS + 1} going at once is refused with 429 too_many_runs before it starts; an ended run frees its slot`, async () => {
    const auth = { authorization: `Bearer ${server.token}`, "content-type": "application/json" };
    const start = async () => {
      const res = await fetch(`${server.origin}/api/runs`, { method: "POST", headers: auth, body: JSON.stringify({ file: "wait.rag", input: {} }) });
      return { status: res.status, json: (await res.json()) as { runId?: string; status?: string; error?: { code: string } } };
    };
    const first = await Promise.all(Array.from({ length: MAX_RUNS }, start));
    expect(first.map((r) => [r.status, r.json.status])).toEqual(Array(MAX_RUNS).fill([200, "running"]));
    const refused = await Promise.all([start(), start(), start()]);
    for (const r of refused) expect([r.status, r.json.error?.code]).toEqual([429, "too_many_runs"]);
    // The admitted runs reach their tool call (polled: a fixed 100 ms was a race on a loaded
    // machine); the refused ones, answered 429 before any run was made, never do.
    for (const end = Date.now() + 10_000; held.started() < MAX_RUNS && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
    expect(held.started()).toBe(MAX_RUNS); // the refused runs never reached a tool
    expect((await held.project.threads()).length).toBe(MAX_RUNS); // …nor made a thread
    // Cancelling one frees a slot.
    await fetch(`${server.origin}/api/runs/${first[0].json.runId}/cancel`, { method: "POST", headers: auth });
    for (const end = Date.now() + 10_000; held.project.runs.active >= MAX_RUNS && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
    expect((await start()).status).toBe(200);
    held.release();
  });

  it.each([0, -1, 1.5, Number.NaN])("maxActiveRuns %s is refused when the project is made", (value) => {
    const d = mkdtempSync(join(tmpdir(), "ragraph-opts-"));
    const config = defineConfig({});
    try {
      expect(() => new Project(new Workspace(d), { path: undefined, config, registry: registryFromConfig(config) }, { approvals: join(d, ".rag", "approvals.json"), maxActiveRuns: value })).toThrow(/`maxActive` must be a positive integer/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
