/**
 * `:load FILE` in a `.ragsh` script (`rag repl FILE.ragsh`, and at the prompt) names a
 * file to read — and a script may be model-written (docs/security.md threat model). It
 * was read with a bare `readFileSync`: `:load /dev/zero` grew the process past 12 GB
 * until the OOM killer, a FIFO blocked it forever, and any file was read and its lines
 * echoed in diagnostics. Now only a regular `.rag`/`.ragsh` file of at most
 * `MAX_LOAD_BYTES` is read (the CLI's bounded reader, `runtime/read-text-file.ts`); the
 * others end the script with one line, exit 1.
 */
import { execFileSync } from "node:child_process";
import { symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ragAsync, root } from "../helpers/cli.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const dir = scratchDir("rag-load-");

/** Runs `rag repl` on a script whose one cell is `line`; kills it after 15 s (a hang fails the test). */
async function loads(line: string) {
  const script = join(dir, `s${Math.random().toString(36).slice(2)}.ragsh`);
  writeFileSync(script, `${line}\n// %%\nprint("after")\n`);
  const run = ragAsync(["repl", script], root);
  const timer = setTimeout(() => run.child.kill("SIGKILL"), 15_000);
  const r = await run.done;
  clearTimeout(timer);
  return r;
}

describe("a script's :load reads only bounded, regular .rag/.ragsh files", () => {
  it.each([
    ["a device behind a .rag name", () => (symlinkSync("/dev/zero", join(dir, "zero.rag")), join(dir, "zero.rag"))],
    ["a FIFO with no writer", () => (execFileSync("mkfifo", [join(dir, "pipe.ragsh")]), join(dir, "pipe.ragsh"))],
  ])("%s: refused at once, not read (no hang, no heap growth)", { timeout: 30_000 }, async (_what, make) => {
    const r = await loads(`:load ${make()}`);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: cannot read .*: not a regular file/);
  });

  it("a file that is not .rag or .ragsh is not read, so none of its lines is shown", { timeout: 30_000 }, async () => {
    const secret = join(dir, "id_rsa");
    writeFileSync(secret, "-----BEGIN OPENSSH PRIVATE KEY-----\nSECRET-LINE\n");
    const r = await loads(`:load ${secret}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/only \.rag and \.ragsh files are loaded/);
    expect(r.stderr + r.stdout).not.toContain("SECRET-LINE");
  });

  it("a file over the size bound is refused before it is read", { timeout: 30_000 }, async () => {
    const big = join(dir, "big.rag");
    writeFileSync(big, "// " + "x".repeat(17 * 1024 * 1024) + "\n");
    const r = await loads(`:load ${big}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is over the limit of 16777216/);
  });
});
