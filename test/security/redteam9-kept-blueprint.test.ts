/**
 * Red team 9: the blueprints a studio approval keeps (`.rag/approved/<hash>.json`, beside
 * the approvals file) were written with a bare `writeFileSync` and read with a bare
 * `readFileSync`. The folder is the project's, which a cloned repository may fill: a link
 * planted at the name of the hash a graph compiles to took the blueprint's JSON wherever
 * it pointed at the next approval (outside the workspace), and a link at an earlier
 * approval's name made the review read that file (a FIFO or /dev/zero there hung the
 * server). Kept files are read only when regular and bounded, and written by rename.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { scratchDir } from "../helpers/scratch-dirs.js";
import { testStudio, type TestStudio } from "../server/helpers.js";

let s: TestStudio | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const hex = (hash: string) => hash.replace(/^sha256:/, "");

describe("red team 9: the studio's kept blueprints", () => {
  it("an approval replaces a link planted at the kept blueprint's name instead of writing through it", async () => {
    s = await testStudio();
    const outside = join(scratchDir("rt9-kept-out-"), "bashrc");
    writeFileSync(outside, "export PATH=/usr/bin\n");
    const review = await s.api<{ graph: string; hash: string }[]>("GET", "/api/review?file=approval.rag");
    const { graph, hash } = review.json[0]!;
    mkdirSync(join(s.dir, ".rag", "approved"), { recursive: true });
    symlinkSync(outside, join(s.dir, ".rag", "approved", `${hex(hash)}.json`));
    expect((await s.api("POST", "/api/approve", { file: "approval.rag", graph, hash })).status).toBe(200);
    expect(readFileSync(outside, "utf8")).toBe("export PATH=/usr/bin\n");
    expect((JSON.parse(readFileSync(join(s.dir, ".rag", "approved", `${hex(hash)}.json`), "utf8")) as { hash: string }).hash).toBe(hash);
  });

  it("an approval keeps nothing through a .rag folder that is a link", async () => {
    s = await testStudio();
    const away = scratchDir("rt9-kept-away-");
    const review = await s.api<{ graph: string; hash: string }[]>("GET", "/api/review?file=approval.rag");
    const { graph, hash } = review.json[0]!;
    // The cloned project's `.rag` points elsewhere, where an `approved/` folder is waiting.
    mkdirSync(join(away, "approved"));
    renameSync(join(s.dir, ".rag"), join(away, "was-rag"));
    symlinkSync(away, join(s.dir, ".rag"));
    // Neither the approval nor its kept blueprint is written through the link.
    const res = await s.api<{ error: { message: string } }>("POST", "/api/approve", { file: "approval.rag", graph, hash });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json)).toMatch(/is a link or not a folder/);
    expect(readdirSync(join(away, "approved"))).toEqual([]);
    expect(readdirSync(away).sort()).toEqual(["approved", "was-rag"]);
  });

  it("the review does not read an earlier approval's kept blueprint through a link", async () => {
    s = await testStudio();
    const outside = join(scratchDir("rt9-kept-in-"), "secret.json");
    writeFileSync(outside, "SECRET-TOKEN-0123456789 is not JSON");
    const old = "sha256:" + "a".repeat(64);
    mkdirSync(join(s.dir, ".rag", "approved"), { recursive: true });
    writeFileSync(join(s.dir, ".rag", "approvals.json"), JSON.stringify({ version: 1, approvals: [{ hash: old, graph: "approval", approvedAt: "2026-01-01T00:00:00.000Z" }] }));
    symlinkSync(outside, join(s.dir, ".rag", "approved", `${hex(old)}.json`));
    const r = await s.api<{ lastApproved: unknown }[]>("GET", "/api/review?file=approval.rag");
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.json)).not.toContain("SECRET");
    expect(r.json[0]!.lastApproved).toBeNull();
  });
});

describe("red team 9: the approvals file's temporary name", () => {
  it("a link planted at it is replaced, not written through", async () => {
    const { FileApprovalStore } = await import("../../registry/index.js");
    const dir = scratchDir("rt9-approvals-");
    const outside = join(scratchDir("rt9-approvals-out-"), "profile");
    writeFileSync(outside, "keep\n");
    const path = join(dir, ".rag", "approvals.json");
    mkdirSync(join(dir, ".rag"));
    symlinkSync(outside, `${path}.${process.pid}.tmp`);
    new FileApprovalStore(path).approve({ id: "g", hash: "sha256:" + "b".repeat(64), provenance: undefined });
    expect(readFileSync(outside, "utf8")).toBe("keep\n");
    expect(readFileSync(path, "utf8")).toContain("b".repeat(64));
  });
});
