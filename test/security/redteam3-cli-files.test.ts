/**
 * Red team 3 (e): files named on the command line. `--input @file`, `--context @file`,
 * `.rag` sources and `--registry` of `rag check`/`spec`/`simulate` were already read with
 * `readSource` (regular files only, opened non-blocking, size counted while reading).
 * `rag lsp --registry FILE.json` read its file with a bare `readFileSync`: a FIFO blocked
 * the server before it spoke (an editor waits forever), `/dev/zero` grew the heap until
 * Node gave up, and the JSON was parsed without the untrusted-JSON rules.
 */
import { execFileSync } from "node:child_process";
import { symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ragAsync, ragIn } from "../helpers/cli.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

async function lspWith(registry: string): Promise<{ code: number | null; stderr: string; ms: number }> {
  const dir = scratchDir("rt3-lsp-");
  const t0 = Date.now();
  const r = ragAsync(["lsp", "--stdio", "--registry", registry], dir);
  const timer = setTimeout(() => r.child.kill("SIGKILL"), 15_000);
  const out = await r.done;
  clearTimeout(timer);
  return { code: out.code, stderr: out.stderr, ms: Date.now() - t0 };
}

describe("rag lsp --registry reads its file as every CLI file is read", () => {
  it("a FIFO is refused at once (it used to block the server before its first message)", async () => {
    const dir = scratchDir("rt3-fifo-");
    const fifo = join(dir, "registry.json");
    execFileSync("mkfifo", [fifo]);
    const r = await lspWith(fifo);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a regular file/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  }, 30_000);

  it("/dev/zero is refused at once (it used to be read until the heap gave out)", async () => {
    const r = await lspWith("/dev/zero");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a regular file/);
  }, 30_000);

  it("a symlink to /dev/zero is judged by what it leads to", async () => {
    const dir = scratchDir("rt3-link-");
    symlinkSync("/dev/zero", join(dir, "r.json"));
    const r = await lspWith(join(dir, "r.json"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a regular file/);
  }, 30_000);

  it("a prototype key in the snapshot is refused, naming the flag", async () => {
    const dir = scratchDir("rt3-proto-");
    writeFileSync(join(dir, "r.json"), '{"tools": [], "__proto__": {"polluted": true}}');
    const r = await lspWith(join(dir, "r.json"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--registry .*__proto__/);
  }, 30_000);

  it("a regular snapshot file still serves: the server answers `initialize`", async () => {
    const dir = scratchDir("rt3-ok-");
    writeFileSync(join(dir, "r.json"), '{"tools": [], "models": ["m"]}');
    const r = ragAsync(["lsp", "--stdio", "--registry", join(dir, "r.json")], dir);
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { processId: null, rootUri: null, capabilities: {} } });
    r.child.stdin!.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    const deadline = Date.now() + 15_000;
    while (!r.stdout().includes('"serverInfo"') && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    r.child.kill("SIGKILL");
    await r.done;
    expect(r.stdout()).toContain('"rag lsp"');
  }, 30_000);

  it("the other file flags stay refused: --input @FIFO, --context @/dev/zero", async () => {
    const dir = scratchDir("rt3-flags-");
    writeFileSync(join(dir, "g.rag"), "graph g { start a state { x: any } node a { kind set set { x: 1 } next END } }\n");
    const fifo = join(dir, "in.json");
    execFileSync("mkfifo", [fifo]);
    const run = await ragIn(["run", "g.rag", "--input", `@${fifo}`], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/not a regular file/);
    const repl = await ragIn(["repl", join(dir, "none.ragsh"), "--context", "@/dev/zero"], dir);
    expect(repl.code).toBe(2);
    expect(repl.stderr).toMatch(/not a regular file/);
  }, 30_000);
});
