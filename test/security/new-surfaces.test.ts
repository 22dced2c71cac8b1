/**
 * Attacks on the newest surfaces (issue 10 audit), complementing escalation.test.ts and
 * approval-budget.test.ts: typed `resume {}` answers (prototype pollution, values that
 * try to smuggle fields), `rag simulate` (no real call, whatever the graph does), and
 * the studio/serve HTTP API (loopback by default; files outside the workspace through
 * symlinked files or dangling links; approvals need the source; oversized bodies).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { compile } from "../../compiler/index.js";
import { exportRegistry, tool, type Registry } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { CompiledGraph, MemoryCheckpointer } from "../../runtime/index.js";
import { simulate } from "../../simulate/index.js";
import { scripted } from "../../stdlib/index.js";
import { testStudio, type TestStudio } from "../server/helpers.js";

let fired: string[] = [];

function markedRegistry(): Registry {
  return registryFromConfig({
    models: { m: { provider: scripted({ rules: [{ reply: () => (fired.push("model"), "real answer") }] }) } },
    tools: { refund: tool({ description: "refund", schema: z.object({}).passthrough(), run: () => (fired.push("tool"), "refunded") }) },
    agents: { helper: { model: "m", tools: ["refund"] } },
    nodeKinds: { sneaky: async () => (fired.push("kind"), { result: "x" }) },
  });
}

function graph(src: string, reg: Registry): CompiledGraph {
  const r = compile(src, { file: "a.rag", registry: reg.view() });
  const errs = r.diagnostics.filter((d) => d.severity === "error");
  if (errs.length) throw new Error(errs.map((d) => `${d.code}: ${d.message}`).join("\n"));
  return new CompiledGraph(r.value.blueprints[0], { registry: reg, checkpointer: new MemoryCheckpointer() });
}

describe("typed resume answers", () => {
  const src = 'graph g { start ask state { draft: string meta: any } node ask { kind interrupt prompt "edit" resume { text: string ok: boolean } writes { draft: result.text meta: result } next END } }';

  it("a `__proto__` key in the answer neither changes a prototype nor reaches the state", async () => {
    const reg = markedRegistry();
    const g = graph(src, reg);
    expect((await g.invoke({}, { threadId: "t" })).status).toBe("interrupted");
    const answer = JSON.parse('{"text": "hi", "ok": true, "__proto__": {"polluted": "yes", "ok": false}, "constructor": {"prototype": {"polluted": "yes"}}}');
    await expect(g.resume("t", { value: answer })).rejects.toThrow(/answer to interrupt .* is refused: the key "(__proto__|constructor)" is not allowed/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // A clean answer still goes through, as null-prototype data.
    const r = await g.resume("t", { value: JSON.parse('{"text": "hi", "ok": true}') });
    expect(r.status).toBe("completed");
    expect(r.state.draft).toBe("hi");
    expect(Object.keys(r.state.meta as object).sort()).toEqual(["ok", "text"]);
  });

  it("an answer of the wrong type is refused and the thread stays paused", async () => {
    const reg = markedRegistry();
    const g = graph(src, reg);
    await g.invoke({}, { threadId: "t" });
    await expect(g.resume("t", { value: { text: { toString: "x" }, ok: "yes" } })).rejects.toThrow(/resume` type/);
  });
});

describe("rag simulate makes no real call", () => {
  it("models, tools, agents and custom node kinds of the real registry are never called", async () => {
    fired = [];
    const real = markedRegistry();
    const src = `graph g {
  start a
  channel messages messages
  state { out: any }
  node a { kind agent model "m" tools ["refund"] routes { tool_call -> t final -> b } }
  node t { kind tool_executor tools ["refund"] next a }
  node b { kind subagent agent "helper" next c }
  node c { kind tool tool "refund" next d }
  node d { kind sneaky writes { out: result } next END }
}`;
    const r = await simulate(src, { snapshot: exportRegistry(real), real, file: "sim.rag", maxPaths: 8 });
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(r.report?.paths.length ?? 0).toBeGreaterThan(0);
    expect(fired).toEqual([]);
    // And the review gate of the real registry was not touched by the simulation's approvals.
    expect(real.approvals.list()).toEqual([]);
  });
});

describe("studio / serve HTTP API", () => {
  let s: TestStudio;
  let outside: string;
  beforeAll(async () => {
    s = await testStudio();
    outside = mkdtempSync(join(tmpdir(), "rag-outside-"));
    writeFileSync(join(outside, "secret.rag"), "graph secret { start a node a { next END } }\n");
  });
  afterAll(async () => {
    await s.close();
    rmSync(outside, { recursive: true, force: true });
  });

  it("listens on 127.0.0.1 unless told otherwise", () => {
    expect(new URL(s.server.origin).hostname).toBe("127.0.0.1");
  });

  it("a symlinked .rag file pointing outside is neither listed, read, reviewed, approved nor run", async () => {
    symlinkSync(join(outside, "secret.rag"), join(s.dir, "link.rag"));
    const files = await s.api<{ path: string }[]>("GET", "/api/files");
    expect(files.json.map((f) => f.path)).not.toContain("link.rag");
    expect((await s.api("GET", "/api/file?path=link.rag")).status).toBe(403);
    expect((await s.api("GET", "/api/review?file=link.rag")).status).toBe(403);
    expect((await s.api("POST", "/api/approve", { file: "link.rag", hash: `sha256:${"0".repeat(64)}` })).status).toBe(403);
    expect((await s.api("POST", "/api/runs", { file: "link.rag" })).status).toBe(403);
  });

  it("encoded, backslashed, NUL and drive-letter paths are refused", async () => {
    for (const p of ["..%2F..%2Fetc%2Fpasswd", "%2E%2E/x.rag", "..\\..\\x.rag", "a%00.rag", "C:%5Cx.rag", "%5Cetc%5Cpasswd"]) {
      expect((await s.api("GET", `/api/file?path=${p}`)).status, p).toBeGreaterThanOrEqual(400);
    }
  });

  it("a write through a dangling symlink replaces the link and never writes outside", async () => {
    const target = join(outside, "planted.rag");
    symlinkSync(target, join(s.dir, "dangling.rag"));
    await s.api("PUT", "/api/file", { path: "dangling.rag", content: "graph x {}\n" });
    expect(existsSync(target)).toBe(false);
  });

  it("a pre-planted temp-file symlink is not written through", async () => {
    const target = join(outside, "via-tmp.txt");
    // The workspace writes `<file>.<pid>.tmp` then renames it: a link planted at that name must not be followed.
    symlinkSync(target, join(s.dir, `victim.rag.${process.pid}.tmp`));
    await s.api("PUT", "/api/file", { path: "victim.rag", content: "graph v {}\n" });
    expect(existsSync(target)).toBe(false);
  });

  it("approval needs a workspace source: no hash-only approval, no file outside", async () => {
    expect((await s.api("POST", "/api/approve", { file: "missing.rag", hash: `sha256:${"0".repeat(64)}` })).status).toBe(404);
    expect((await s.api("POST", "/api/approve", { file: "../x.rag", hash: `sha256:${"0".repeat(64)}` })).status).toBe(403);
    const r = await s.api("POST", "/api/approve", { hash: `sha256:${"0".repeat(64)}` });
    expect(r.status).toBe(400);
    const approvals = join(s.dir, ".rag", "approvals.json");
    if (existsSync(approvals)) expect(readFileSync(approvals, "utf8")).not.toContain("0".repeat(64));
  });

  it("an oversized resume answer is refused before it is parsed", async () => {
    const r = await s.api("POST", "/api/threads/nope/resume", { answer: "x".repeat(5 * 1024 * 1024) });
    expect(r.status).toBe(413);
  });
});
