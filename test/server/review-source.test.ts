/**
 * Approval records keep the approved source (registry/approvals.ts `source`), so the
 * review shows the text and semantic diff against the last approved version — also for
 * versions approved outside the studio — and records written before it still read.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { FileApprovalStore, MemoryApprovalStore } from "../../registry/index.js";
import { testStudio, type TestStudio } from "./helpers.js";

interface Review {
  graph: string;
  hash: string;
  approved: boolean;
  lastApproved: { hash: string; diff: string; changes: number | null; source: string | null } | null;
}

let s: TestStudio | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe("approved source in approval records", () => {
  it("keeps the source it is given, and reads old records (no source) and drops a malformed one", () => {
    const mem = new MemoryApprovalStore();
    expect(mem.approve({ id: "g", hash: "sha256:1", provenance: undefined }, { source: "graph g {}" }).source).toBe("graph g {}");
    expect(mem.approve({ id: "g", hash: "sha256:2", provenance: undefined }, { source: "x".repeat(300_000) }).source).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), "rag-approvals-"));
    const path = join(dir, "approvals.json");
    writeFileSync(path, JSON.stringify({ version: 1, approvals: [{ hash: "sha256:old", graph: "g", approvedAt: "2026-01-01T00:00:00.000Z" }, { hash: "sha256:bad", graph: "g", approvedAt: "2026-01-02T00:00:00.000Z", source: 42 }] }));
    const store = new FileApprovalStore(path);
    expect(store.isApproved("sha256:old")).toBe(true);
    expect(store.list().find((a) => a.hash === "sha256:bad")).toEqual({ hash: "sha256:bad", graph: "g", approvedAt: "2026-01-02T00:00:00.000Z" });
    store.approve({ id: "g", hash: "sha256:new", provenance: undefined }, { source: "graph g { }" });
    const written = JSON.parse(readFileSync(path, "utf8")) as { version: number; approvals: { hash: string; source?: string }[] };
    expect(written.version).toBe(1);
    expect(written.approvals.map((a) => [a.hash, a.source])).toEqual([
      ["sha256:old", undefined],
      ["sha256:bad", undefined],
      ["sha256:new", "graph g { }"],
    ]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("the review diffs against a version approved by `rag approve` (a record with its source, no kept blueprint)", async () => {
    s = await testStudio();
    const original = readFileSync(join(s.dir, "approval.rag"), "utf8");
    const hash = compile(original, { file: "approval.rag" }).value.blueprints[0]!.hash;
    // What `rag approve` writes now: the record with the source; and an older record without one.
    mkdirSync(join(s.dir, ".rag"), { recursive: true });
    writeFileSync(
      join(s.dir, ".rag", "approvals.json"),
      JSON.stringify({ version: 1, approvals: [{ hash: "sha256:" + "0".repeat(64), graph: "approval", approvedAt: "2026-01-01T00:00:00.000Z" }, { hash, graph: "approval", approvedAt: "2026-01-02T00:00:00.000Z", source: original }] }),
    );
    writeFileSync(join(s.dir, "approval.rag"), original.replace("next END\n  }\n}", 'next extra\n  }\n\n  node extra {\n    kind set\n    set { log: "extra" }\n    next END\n  }\n}'));
    const r = await s.api<Review[]>("GET", "/api/review?file=approval.rag");
    expect(r.status).toBe(200);
    const g = r.json[0]!;
    expect(g.approved).toBe(false);
    expect(g.lastApproved).toMatchObject({ hash, source: original });
    expect(g.lastApproved!.diff).toContain("+ node extra (set)");
    expect(g.lastApproved!.changes).toBeGreaterThan(0);
    // Approving in the studio keeps this version's source in the record, as `rag approve` does.
    expect((await s.api("POST", "/api/approve", { file: "approval.rag", graph: "approval", hash: g.hash })).status).toBe(200);
    const records = (JSON.parse(readFileSync(join(s.dir, ".rag", "approvals.json"), "utf8")) as { approvals: { hash: string; source?: string }[] }).approvals;
    expect(records.find((a) => a.source?.includes("node extra"))).toBeDefined();
    // The review names who approved and when, without shipping the kept text back.
    const after = await s.api<{ approval: Record<string, unknown> | null }[]>("GET", "/api/review?file=approval.rag");
    expect(after.json[0]!.approval).toMatchObject({ graph: "approval" });
    expect(after.json[0]!.approval).not.toHaveProperty("source");
  });
});
