/**
 * Test helper: the `rag` command as a real process (bin/rag.js), synchronously or as a
 * child process a test can signal, in a scratch directory whose `rag.config.ts` can
 * import ragraph by absolute path.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const root = new URL("../../", import.meta.url).pathname;
const bin = join(root, "bin/rag.js");

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function rag(args: readonly string[], cwd: string, env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ...env }, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `rag` without waiting; `done` resolves with the exit status (or the signal) and the output. */
export function ragAsync(args: readonly string[], cwd: string, env: Record<string, string> = {}): { child: ChildProcess; stdout: () => string; done: Promise<CliResult & { signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NO_COLOR: "1", ...env } });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout: out, stderr: err })));
  return { child, stdout: () => out, done };
}

/** A scratch project directory (ESM, so `rag.config.ts` may import ragraph by absolute path) with the given files. */
export function scratchProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "rag-proj-"));
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The JSON Lines events of `--json` output. */
export function jsonEvents(stdout: string): { type: string; [k: string]: any }[] {
  return stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
}
