/**
 * Test helper: the `rag` command in-process (`ragIn`: the same program bin/rag.js runs,
 * without a process start per command), as a real process (bin/rag.js), synchronously
 * or as a child process a test can signal, in a scratch directory whose `rag.config.ts`
 * can import ragraph by absolute path.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { SqliteCheckpointer } from "../../runtime/index.js";
import { scratchDir } from "./scratch-dirs.js";

export const root = new URL("../../", import.meta.url).pathname;
const bin = join(root, "bin/rag.js");

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `rag ARGS` as a child process in `cwd` with `env` added to the environment; killed (`code: null`) after `timeoutMs`. */
export function rag(args: readonly string[], cwd: string, env: Record<string, string> = {}, timeoutMs = 30_000): CliResult {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ...env }, timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs `rag ARGS` in this process with `cwd` as the working directory and `env` added
 * to the environment, capturing what it writes to stdout and stderr. Test files run in
 * forked workers (vitest.config.ts `pool: "forks"`), so changing directory is allowed;
 * calls must not overlap (tests of a file run one at a time, and a worker runs its files
 * one after another). The directory, environment and exit code are restored after, since
 * a worker goes on to its next file in the same process (`isolate: false`).
 */
export async function ragIn(args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  const { main } = await import("../../cli/program.js");
  const out: string[] = [];
  const err: string[] = [];
  const [write, writeErr, dir] = [process.stdout.write, process.stderr.write, process.cwd()];
  const saved = new Map(Object.keys({ NO_COLOR: "1", ...env }).map((k) => [k, process.env[k]]));
  const capture = (into: string[]) => ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    into.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof process.stdout.write;
  Object.assign(process.env, { NO_COLOR: "1", ...env });
  process.chdir(cwd);
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  try {
    const code = await main(args);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
    process.chdir(dir);
    process.exitCode = undefined;
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
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

/** A scratch project directory (ESM, so `rag.config.ts` may import ragraph by absolute path) with the given files; removed after the file's tests. */
export function scratchProject(files: Record<string, string>): string {
  const dir = scratchDir("rag-proj-");
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The JSON Lines events of `--json` output. */
export function jsonEvents(stdout: string): { type: string; [k: string]: any }[] {
  return stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

/**
 * `read` on a read-only handle of the checkpoints file `db` (closed after), as a test
 * watches what a `rag` process saved. With `fallback`, any error (the file or its tables
 * not there yet: the run is still starting) gives `fallback`; without, it is thrown.
 */
export function readCheckpoints<T>(db: string, read: (ck: SqliteCheckpointer) => T, ...fallback: [] | [T]): T {
  try {
    const ck = new SqliteCheckpointer(db, { readonly: true });
    try {
      return read(ck);
    } finally {
      ck.close();
    }
  } catch (e) {
    if (fallback.length) return fallback[0] as T;
    throw e;
  }
}
