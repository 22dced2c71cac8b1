/**
 * Review gates at run time (`language.md` §7; registry/review.ts): a graph the policy
 * gates runs only once its exact hash is approved; a semantic change needs a new
 * approval, reformatting does not; capabilities the policy withholds never bind.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileGraph } from "../../compiler/index.js";
import { z } from "zod";
import { RagError } from "../../registry/rag-error.js";
import { approveBlueprint, FileApprovalStore, MemoryApprovalStore, resolvePolicy, reviewStatus, RegistryError, tool } from "../../registry/index.js";
import { CompiledGraph, PolicyError, ReviewRequiredError } from "../../runtime/index.js";
import { standardRegistry } from "../../stdlib/index.js";

const src = `// rag:generated-by model author=gpt-4o-mini
graph g {
  start a
  state { n: number = 0 }
  node a { kind set set { n: state.n + 1 } next END }
}`;

function setup(requireReview: "none" | "untrusted" | "all" = "untrusted") {
  const registry = standardRegistry();
  registry.policy = resolvePolicy({ name: "team", requireReview });
  const bp = (text: string) => {
    const r = compileGraph(text, { registry: registry.view() });
    if (!r.value) throw new Error(r.diagnostics.map((d) => d.message).join("; "));
    return r.value;
  };
  return { registry, bp };
}

describe("review gates", () => {
  it("refuses to bind an unapproved generated blueprint with a typed error naming hash and policy", () => {
    const { registry, bp } = setup();
    const b = bp(src);
    expect(reviewStatus(registry, b)).toMatchObject({ required: true, approved: false, untrusted: true, policy: "team" });
    let err: unknown;
    try {
      new CompiledGraph(b, { registry });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReviewRequiredError);
    expect((err as ReviewRequiredError).code).toBe("review_required");
    expect((err as ReviewRequiredError).hash).toBe(b.hash);
    expect((err as ReviewRequiredError).toJSON()).toMatchObject({ code: "review_required", policy: "team", graph: "g" });
  });

  it("runs once approved; a semantic change needs a new approval, reformatting does not", async () => {
    const { registry, bp } = setup();
    const b = bp(src);
    approveBlueprint(registry, b, { approvedBy: "ada", note: "looks fine" });
    expect((await new CompiledGraph(b, { registry }).invoke()).state.n).toBe(1);
    const reformatted = bp(src.replace("start a", "start a   // entry").replace(/\n  /g, "\n    "));
    expect(reformatted.hash).toBe(b.hash);
    expect(() => new CompiledGraph(reformatted, { registry })).not.toThrow();
    const changed = bp(src.replace("state.n + 1", "state.n + 2"));
    expect(changed.hash).not.toBe(b.hash);
    expect(() => new CompiledGraph(changed, { registry })).toThrow(ReviewRequiredError);
  });

  it("people's files pass under `untrusted`, and nothing passes unapproved under `all`", () => {
    const human = src.replace(/^\/\/.*\n/, "");
    expect(() => new CompiledGraph(setup("untrusted").bp(human), { registry: setup("untrusted").registry })).not.toThrow();
    const s = setup("all");
    expect(() => new CompiledGraph(s.bp(human), { registry: s.registry })).toThrow(ReviewRequiredError);
    const none = setup("none");
    expect(() => new CompiledGraph(none.bp(src), { registry: none.registry })).not.toThrow();
  });

  it("a blueprint asking for tools the policy withholds never binds, even if built without the compiler's checks", () => {
    const registry = standardRegistry();
    registry.registerTool("shell", tool({ description: "run a command", schema: z.object({ cmd: z.string() }), run: () => "" }));
    const r = compileGraph('graph g { start a node a { kind tool_executor tools ["shell"] next END } }', { registry: registry.view() });
    registry.policy = resolvePolicy({ name: "team", allow: { tools: ["search"] } });
    expect(() => new CompiledGraph(r.value!, { registry })).toThrow(PolicyError);
  });

  it("rejects policies that name unknown capability kinds or review modes", () => {
    expect(() => resolvePolicy({ allow: { toolz: ["x"] } as never })).toThrow(RegistryError);
    expect(() => resolvePolicy({ requireReview: "sometimes" as never })).toThrow(/requireReview/);
  });
});

describe("approval stores", () => {
  const dir = mkdtempSync(join(tmpdir(), "rag-approvals-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("the memory store approves, lists and revokes by hash", () => {
    const s = new MemoryApprovalStore();
    const a = s.approve({ id: "g", hash: "sha256:1", provenance: { generatedBy: "model" } }, { approvedBy: "ada", now: new Date("2026-01-02T03:04:05Z") });
    expect(a).toEqual({ hash: "sha256:1", graph: "g", approvedBy: "ada", approvedAt: "2026-01-02T03:04:05.000Z", generatedBy: "model" });
    expect(s.isApproved("sha256:1")).toBe(true);
    expect(s.revoke("sha256:1")).toBe(true);
    expect(s.isApproved("sha256:1")).toBe(false);
  });

  it("the file store persists across instances and refuses a file that is not an approvals file", () => {
    const path = join(dir, ".rag", "approvals.json");
    new FileApprovalStore(path).approve({ id: "g", hash: "sha256:2" });
    expect(new FileApprovalStore(path).isApproved("sha256:2")).toBe(true);
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ version: 1, approvals: [{ hash: "sha256:2", graph: "g" }] });
    const bad = join(dir, "bad.json");
    writeFileSync(bad, '{"approvals": 3}');
    expect(() => new FileApprovalStore(bad)).toThrow(RegistryError);
    // a typed error like every other: the API and `--json` render it by its stable code
    const err = (() => { try { new FileApprovalStore(bad); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(RagError);
    expect((err as RagError).toJSON()).toMatchObject({ name: "RegistryError", code: "registry" });
  });

  it("a file store never writes through a `.rag` that is a link (a cloned repository's may point anywhere)", () => {
    const project = join(dir, "cloned");
    const away = join(dir, "elsewhere");
    mkdirSync(project);
    mkdirSync(away);
    symlinkSync(away, join(project, ".rag"));
    const store = new FileApprovalStore(join(project, ".rag", "approvals.json"));
    expect(() => store.approve({ id: "g", hash: "sha256:3" })).toThrow(/is a link or not a folder/);
    expect(readdirSync(away)).toEqual([]);
    // nothing is held that the file does not say
    expect(store.isApproved("sha256:3")).toBe(false);
  });

  it("a file store refuses `null`, a FIFO and a device with a RegistryError instead of a TypeError or a hang", () => {
    const nul = join(dir, "null.json");
    writeFileSync(nul, "null");
    expect(() => new FileApprovalStore(nul)).toThrow(/is not an approvals file/);
    const fifo = join(dir, "fifo.json");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    expect(() => new FileApprovalStore(fifo)).toThrow(/is not a regular file/);
    expect(() => new FileApprovalStore("/dev/zero")).toThrow(/is not a regular file/);
  });
});
