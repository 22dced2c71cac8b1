/**
 * A short command does not pay for a full garbage collection (bin/rag.js: no V8 marking
 * tasks outside long-lived commands). `rag check` of an example with its config ended
 * with a heap just past V8's first soft limit, and V8's incremental marking of the whole
 * heap — ≈ 20 ms of CPU, a tenth of the command — ran at the config's import, for
 * garbage the exit frees anyway. Observed through `node --trace-gc`, which prints one
 * line per collection: a mark-compact is a full one.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root } from "../helpers/cli.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

describe("rag check start-up", () => {
  it("checks an example with its config without a full garbage collection", () => {
    const caches = scratchDir("rag-startup-gc-");
    const env = { ...process.env, NO_COLOR: "1", RAG_CODE_CACHE_DIR: caches, RAG_CONFIG_CACHE_DIR: caches };
    const run = () => spawnSync(process.execPath, ["--trace-gc", join(root, "bin/rag.js"), "check", "examples/approval.rag"], { cwd: root, encoding: "utf8", env, timeout: 60_000 });
    // The first run fills the code and transpile caches (compiling from source allocates more).
    expect(run().status).toBe(0);
    const r = run();
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("ok: 1 file checked");
    expect(r.stdout.split("\n").filter((l) => l.includes("Mark-Compact"))).toEqual([]);
  });
});
