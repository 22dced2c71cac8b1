/**
 * `rag … | head`: when the reader of stdout goes away, `rag` stops quietly with status
 * 141 (128 + SIGPIPE) instead of dying on an unhandled EPIPE with a Node stack trace.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, openSync, closeSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root } from "../helpers/cli.js";

/** Runs `rag ARGS` with its stdout pipe closed by the reader before anything is read. */
function ragWithClosedStdout(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [join(root, "bin/rag.js"), ...args], { cwd: root, env: { ...process.env, NO_COLOR: "1" } });
  child.stdout.destroy();
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stderr })));
}

describe("a closed output pipe", () => {
  it("`rag run … | head` ends with status 141 and no stack trace", async () => {
    const r = await ragWithClosedStdout(["run", "examples/research_review.rag", "--no-checkpoints"]);
    expect(r.stderr).not.toContain("EPIPE");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(141);
  });

  it("`rag spec | head` too", async () => {
    const r = await ragWithClosedStdout(["spec"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(141);
  });

  it.skipIf(!existsSync("/dev/full"))("stdout that cannot be written (a full disk: /dev/full) is one line on stderr and status 74, not a stack trace", () => {
    const full = openSync("/dev/full", "w");
    try {
      const r = spawnSync(process.execPath, [join(root, "bin/rag.js"), "spec"], { cwd: root, stdio: ["ignore", full, "pipe"], encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
      expect(r.stderr).toBe("error: cannot write standard output: ENOSPC\n");
      expect(r.status).toBe(74);
    } finally {
      closeSync(full);
    }
  });
});
