/**
 * Second red-team round (issue 10): the review gate through the HTTP API of `rag studio`
 * / `rag serve`. A reviewer reads `GET /api/review` (what each graph binds, its hash) and
 * approves with `POST /api/approve`. The approve request named only the file, and the
 * server approved whatever the file held when the request arrived: a model-generated file
 * rewritten between the review and the click (by `rag author`, an agent with a file
 * tool, another request) had its new version approved — capabilities the reviewer never
 * saw — and ran. The request now carries the hash shown, and a file that no longer
 * compiles to it is refused with 409 `hash_mismatch`, nothing approved. The review also
 * lists what the registered agents a graph binds may use (`reaches`), as `rag approve`
 * prints it; it showed only the names bound.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { tool } from "../../registry/index.js";
import { scripted } from "../../stdlib/index.js";
import { loadStudioConfig, Project, startStudioServer, Workspace, type StudioServer } from "../../server/index.js";

let fired: string[] = [];
let dir: string;
let server: StudioServer;
let project: Project;

const config = {
  models: { m: { provider: scripted({ rules: [{ reply: (req: { messages: readonly { role: string }[] }) => (req.messages.some((m) => m.role === "tool") ? "done" : { toolCalls: [{ name: "refund", arguments: {} }] }) }] }) } },
  tools: {
    lookup: tool({ description: "lookup", schema: z.object({}).passthrough(), readOnly: true, run: () => "order 1" }),
    refund: tool({ description: "refund", schema: z.object({}).passthrough(), run: () => (fired.push("refund"), "refunded") }),
  },
  agents: { helper: { model: "m", tools: ["refund"] } },
  policy: { name: "team", requireReview: "untrusted" as const },
};

const reviewed = '// rag:generated-by model\ngraph g { start a state { out: any } node a { kind set set { out: "looked up" } next END } }\n';
const rewritten = '// rag:generated-by model\ngraph g { start a channel messages messages node a { kind agent model "m" tools ["refund"] next END } }\n';

async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(server.origin + path, { method, headers: { authorization: `Bearer ${server.token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
}

interface Review {
  graph: string;
  hash: string;
  capabilities: Record<string, string[]>;
  reaches: { via: string; kind: string; name: string }[];
  approved: boolean;
}

beforeEach(async () => {
  fired = [];
  dir = mkdtempSync(join(tmpdir(), "rag-review-gate-"));
  writeFileSync(join(dir, "rag.config.ts"), "// loaded from the test\n");
  writeFileSync(join(dir, "gen.rag"), reviewed);
  const loaded = await loadStudioConfig(dir, join(dir, "rag.config.ts"), async () => ({ default: config }));
  project = new Project(new Workspace(dir), loaded, { approvals: join(dir, ".rag", "approvals.json") });
  server = await startStudioServer({ project });
});

afterEach(async () => {
  await server.close();
  project.close();
  rmSync(dir, { recursive: true, force: true });
});

const approvalsText = () => (existsSync(join(dir, ".rag", "approvals.json")) ? readFileSync(join(dir, ".rag", "approvals.json"), "utf8") : "");

describe("POST /api/approve approves the version the reviewer saw, or nothing", () => {
  it("a file rewritten after the review is not approved (409 hash_mismatch) and does not run", async () => {
    const review = await api<Review[]>("GET", "/api/review?file=gen.rag");
    expect(review.json[0]).toMatchObject({ graph: "g", approved: false });
    expect(review.json[0].capabilities.tools ?? []).toEqual([]);
    // Between the review and the click, the file is rewritten to bind `refund`.
    writeFileSync(join(dir, "gen.rag"), rewritten);
    const a = await api<{ error: { code: string; message: string } }>("POST", "/api/approve", { file: "gen.rag", graph: "g", hash: review.json[0].hash });
    expect(a.status).toBe(409);
    expect(a.json.error.code).toBe("hash_mismatch");
    expect(a.json.error.message).toContain("gen.rag changed since it was reviewed");
    expect(approvalsText()).not.toContain("sha256:");
    const run = await api<{ error: { code: string } }>("POST", "/api/runs", { file: "gen.rag" });
    expect(run.status).toBe(400);
    expect(run.json.error.code).toBe("review_required");
    expect(fired).toEqual([]);
  });

  it("an approve request without the hash shown is refused before anything is approved", async () => {
    writeFileSync(join(dir, "gen.rag"), rewritten);
    const a = await api<{ error: { code: string } }>("POST", "/api/approve", { file: "gen.rag", graph: "g" });
    expect(a.status).toBe(400);
    expect(approvalsText()).not.toContain("sha256:");
  });

  it("the hash shown approves that version, which then runs", async () => {
    const review = await api<Review[]>("GET", "/api/review?file=gen.rag");
    const a = await api<{ hash: string }[]>("POST", "/api/approve", { file: "gen.rag", graph: "g", hash: review.json[0].hash });
    expect(a.status).toBe(200);
    expect(a.json.map((x) => x.hash)).toEqual([review.json[0].hash]);
    expect((await api("POST", "/api/runs", { file: "gen.rag" })).status).toBe(200);
  });
});

describe("GET /api/review shows what a graph reaches through the agents it binds", () => {
  it("a graph binding the registered agent `helper` lists helper's tool `refund`", async () => {
    writeFileSync(join(dir, "gen.rag"), '// rag:generated-by model\ngraph g { start a node a { kind subagent agent "helper" next END } }\n');
    const review = await api<Review[]>("GET", "/api/review?file=gen.rag");
    expect(review.json[0].capabilities.tools ?? []).toEqual([]);
    expect(review.json[0].reaches).toContainEqual(expect.objectContaining({ kind: "tools", name: "refund" }));
  });
});

describe("a revoked approval holds in a process that read the approvals before", () => {
  it("a long-lived registry (a worker's, a host's) refuses the blueprint once another process revokes it", async () => {
    const { compileGraph } = await import("../../compiler/index.js");
    const { FileApprovalStore, resolvePolicy } = await import("../../registry/index.js");
    const { CompiledGraph, ReviewRequiredError } = await import("../../runtime/index.js");
    const { standardRegistry } = await import("../../stdlib/index.js");
    const file = join(dir, ".rag", "approvals.json");
    const registry = standardRegistry();
    registry.policy = resolvePolicy({ name: "team", requireReview: "untrusted" });
    const bp = compileGraph(reviewed, { registry: registry.view() }).value!;
    // `rag approve` in one process; the worker starts and reads the file.
    new FileApprovalStore(file).approve(bp);
    registry.approvals = new FileApprovalStore(file);
    expect(() => new CompiledGraph(bp, { registry })).not.toThrow();
    // `rag approve --revoke` in another process.
    expect(new FileApprovalStore(file).revoke(bp.hash)).toBe(true);
    let err: unknown;
    try {
      new CompiledGraph(bp, { registry });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReviewRequiredError);
    expect((err as { code: string }).code).toBe("review_required");
    // And an approval this process writes does not bring the revoked one back.
    const other = compileGraph(reviewed.replace("looked up", "other"), { registry: registry.view() }).value!;
    registry.approvals.approve(other);
    expect(JSON.parse(readFileSync(file, "utf8")).approvals.map((a: { hash: string }) => a.hash)).toEqual([other.hash]);
  });
});
