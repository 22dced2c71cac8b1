/**
 * `rag init [DIR]` (issue 14 §2): the scaffold is a runnable project — `rag check` and
 * `rag run` pass on it, and its own test passes — and existing files are never
 * overwritten. The project resolves `ragraph` to this checkout (a symlink, with the
 * "ragraph-source" condition), as an installed package would be resolved.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ragIn, root } from "../helpers/cli.js";

describe("rag init", () => {
  it("scaffolds a project whose example checks, runs and passes its own test", async () => {
    const parent = mkdtempSync(join(tmpdir(), "rag-init-"));
    const r = await ragIn(["init", "proj"], parent);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("created 6 files in proj:");
    const dir = join(parent, "proj");
    expect(readFileSync(join(dir, ".env.example"), "utf8")).toContain("OPENAI_API_KEY=");
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(root, join(dir, "node_modules/ragraph"));
    symlinkSync(join(root, "node_modules/tsx"), join(dir, "node_modules/tsx"));
    const check = await ragIn(["check", "hello.rag"], dir);
    expect(check.stderr).toContain("ok: 1 file checked");
    const test = spawnSync(process.execPath, ["--conditions=ragraph-source", "--import", "tsx", "--test", "hello.test.ts"], { cwd: dir, encoding: "utf8", timeout: 60_000 });
    expect(test.stdout).toContain("# pass 1");
    expect(test.status).toBe(0);
  }, 60_000);

  it("refuses to overwrite, naming the files, and writes nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rag-init-"));
    writeFileSync(join(dir, "hello.rag"), "mine\n");
    const r = await ragIn(["init"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: rag init: hello.rag already exists; nothing written\n");
    expect(readFileSync(join(dir, "hello.rag"), "utf8")).toBe("mine\n");
  });
});
