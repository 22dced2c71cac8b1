/**
 * The CLI's checkpoints: a SQLite file (default `.rag/checkpoints.db` in the working
 * directory) or a shared Postgres store (`--checkpoints postgres://…`, issue 13), what a run records so `rag resume THREAD` can find its graph again, and
 * the resume command lines printed at a pause.
 */
import { existsSync, realpathSync, statfsSync, statSync, type Stats } from "node:fs";
import { dirname, resolve } from "node:path";
import { SqliteCheckpointer, type Checkpointer, type PendingInterrupt, type ResumeCommand } from "../runtime/index.js";
import { isPostgresUrl, PostgresCheckpointer, withoutPassword } from "../scale/index.js";
import { makeFolders } from "../registry/make-folders.js";
import { CliError } from "./errors.js";
import { parseJsonText } from "./files.js";
import { hasControlChars, printableId } from "../stdlib/printable.js";
import { exampleAnswer } from "../stdlib/resume-example.js";

export const DEFAULT_CHECKPOINTS = ".rag/checkpoints.db";

/*
 * Where `.rag/` is (README "Where state lives"): run data — checkpoints — in `.rag/` of
 * the working directory (like a build folder: where you run, not where the file is, so a
 * run never writes beside someone else's files); project policy — approvals, REPL history
 * — in `.rag/` beside the rag.config.ts in use (else beside the file), so every command,
 * the studio and the language server find the same approvals wherever they start.
 */

/** How a thread was started by `rag run`, stored in its checkpoints' metadata (`origin`). */
export interface RunOrigin {
  /** Absolute path of the `.rag` file. */
  readonly file: string;
  readonly graph: string;
  /** Absolute path of the config, when there was one. */
  readonly config: string | null;
}

/**
 * Opens the checkpoint file, or the Postgres store a `postgres://…[?schema=…]` URL names
 * (connected on first use); with `mustExist`, a missing file is a CliError (exit 2)
 * saying so. Close it with `closeCheckpoints`. Refuses (CliError) what SQLite could hang
 * on or corrupt (issue 10 §3: `--checkpoints /proc/self/mem` hung): an existing path that
 * is not a regular file, and any path on a kernel file system (/proc, /sys, debugfs, …).
 * Without `mustExist`, missing folders of a SQLite file are created, with a one-line note
 * on stderr naming them (`createFolderFor`); never a note on stdout, so `--json` output
 * stays pure JSON.
 */
export function openCheckpoints(path: string, mustExist = false): Checkpointer {
  if (isPostgresUrl(path)) {
    try {
      return new PostgresCheckpointer(path);
    } catch (e) {
      throw new CliError((e as Error).message);
    }
  }
  if (mustExist && !existsSync(resolve(path))) throw new CliError(`no checkpoints at ${path} (runs record them there; pass --checkpoints PATH for another file)`);
  checkCheckpointPath(path);
  if (!mustExist) createFolderFor(path);
  try {
    return new SqliteCheckpointer(resolve(path));
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

/**
 * `openCheckpoints`, then, for a Postgres store, waits until it answers: commands that
 * would touch the store only later, or never (`rag repl` until a graph runs, `rag serve`
 * and `rag studio` until a request, `rag run` which reported it as a failed run and
 * printed a resume line for a thread with no checkpoint) fail at once instead.
 * @throws CliError as `openCheckpoints`; CheckpointError (`error[checkpoint]`, exit 2,
 *   cli/program.ts) naming the URL without its password and the connection error, the
 *   store closed first.
 */
export async function openReachableCheckpoints(path: string, mustExist = false): Promise<Checkpointer> {
  const c = openCheckpoints(path, mustExist);
  if (c instanceof PostgresCheckpointer) {
    try {
      await c.whenReady();
    } catch (e) {
      await c.closeAsync().catch(() => undefined);
      throw e;
    }
  }
  return c;
}

/**
 * Creates the missing folders of checkpoint file `path` (relative to the working
 * directory) and says so on stderr in one line, `note: created folder DIR for
 * --checkpoints PATH`, wherever the folder is (a typo in a path should not go unnoticed,
 * in the project or outside it); the default `.rag/` folder is created silently (README
 * "Where state lives"). Existing folders: nothing.
 *
 * @throws CliError when the folder cannot be created (permissions, a file in the way).
 */
export function createFolderFor(path: string): void {
  const folder = dirname(resolve(path));
  if (existsSync(folder)) return;
  try {
    makeFolders(folder);
  } catch (e) {
    throw new CliError(`cannot create the folder ${printableId(folder)} for --checkpoints ${printableId(path)}: ${(e as Error).message}`);
  }
  if (path !== DEFAULT_CHECKPOINTS) process.stderr.write(`note: created folder ${printableId(folder)} for --checkpoints ${printableId(path)}\n`);
}

// statfs magic numbers (linux/magic.h) of kernel file systems whose "files" are not storage.
const KERNEL_FS = new Set([0x9fa0 /* proc */, 0x62656572 /* sysfs */, 0x64626720 /* debugfs */, 0x74726163 /* tracefs */, 0x1cd1 /* devpts */, 0x27e0eb /* cgroup */, 0x63677270 /* cgroup2 */, 0x73636673 /* securityfs */, 0x6165676c /* pstore */, 0xcafe4a11 /* bpf */]);

function checkCheckpointPath(path: string): void {
  const abs = resolve(path);
  let st: Stats | undefined;
  try {
    st = statSync(abs);
  } catch {
    st = undefined; // a new file: its folder decides
  }
  if (st && !st.isFile()) throw new CliError(`--checkpoints ${path} is not a regular file (a directory, device, pipe or socket cannot hold checkpoints)`);
  // A new file: its folder decides, or, when that is missing too, the nearest folder that
  // exists (Node's recursive mkdir never returned under /proc; makeFolders fails there at
  // once, and a kernel file system is no place for checkpoints anyway).
  let where = st ? abs : dirname(abs);
  while (!existsSync(where) && dirname(where) !== where) where = dirname(where);
  try {
    where = realpathSync(where);
  } catch {
    return; // unreadable: opening the file reports it
  }
  const kernel = /^\/(proc|sys)(\/|$)/.test(where) || (() => {
    try {
      return KERNEL_FS.has(Number(statfsSync(where).type));
    } catch {
      return false;
    }
  })();
  if (kernel) throw new CliError(`--checkpoints ${path} is on a kernel file system (${where.split("/").slice(0, 2).join("/") || "/"}), not storage; name a file in a project folder`);
}

/** Closes a checkpointer opened by `openCheckpoints`, waiting for a Postgres store to write what it batched. */
export async function closeCheckpoints(c: Checkpointer | undefined): Promise<void> {
  if (c instanceof PostgresCheckpointer) await c.closeAsync();
  else c?.close?.();
}

/**
 * `--checkpoints PATH` when it is not the default (for printed command lines). A Postgres
 * URL is printed without its password (`postgres://user@host/db`: `pg` takes it from
 * `PGPASSWORD` or `~/.pgpass`), so a hint does not put the password in a terminal or a log.
 */
export function checkpointsFlag(path: string | undefined): string {
  if (!path || path === DEFAULT_CHECKPOINTS) return "";
  const shown = isPostgresUrl(path) ? withoutPassword(path) : path;
  return ` --checkpoints ${shellQuote(shown)}`;
}

/**
 * Quotes for POSIX shells when needed. Text with control characters uses ANSI-C quoting
 * (`$'…'` with `\xHH` escapes, bash/zsh/ksh) so the printed command neither holds raw
 * terminal escapes nor loses the characters.
 */
export function shellQuote(s: string): string {
  if (/^[\w@%+=:,./-]+$/.test(s)) return s;
  if (hasControlChars(s)) return `$'${printableId(s.replace(/\\/g, "\\\\").replace(/'/g, "\\'"))}'`;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The command that resumes a paused thread, with a value to fill in for each interrupt that needs one (`extraFlags`: e.g. ` --queue URL`). */
export function resumeCommandLine(threadId: string, interrupts: readonly PendingInterrupt[], checkpoints: string | undefined, extraFlags = ""): string {
  const base = `rag resume ${shellQuote(threadId)}${checkpointsFlag(checkpoints)}${extraFlags}`;
  const needing = interrupts.filter((i) => i.kind === "node");
  if (!needing.length) return base;
  const example = (i: PendingInterrupt) => exampleAnswer(i.payload) ?? "<value>";
  if (needing.length === 1) return `${base} --resume ${shellQuote(example(needing[0]))}`;
  return `${base} --resume ${shellQuote(`{${needing.map((i) => `${JSON.stringify(i.id)}: ${example(i)}`).join(", ")}}`)}`;
}

/**
 * `--resume JSON`: any JSON value. With several pending interrupts, an object whose keys
 * are all pending interrupt ids answers them by id.
 */
export function parseResume(text: string | undefined, pending: readonly PendingInterrupt[]): ResumeCommand {
  if (text === undefined) return {};
  const value = parseJsonText("--resume", text, ` (a string needs quotes: --resume '"approve"')`);
  const ids = new Set(pending.map((i) => i.id));
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length && keys.every((k) => ids.has(k))) return { values: value as Record<string, unknown> };
  }
  return { value };
}

/** Longest thread id accepted from `--thread`. */
export const MAX_THREAD_ID = 256;

/** A thread id from the command line: 1–256 characters, none of them control characters (it is printed and stored). */
export function checkThreadId(flag: string, id: string): string {
  if (!id.length || id.length > MAX_THREAD_ID || hasControlChars(id)) {
    throw new CliError(`${flag} must be 1–${MAX_THREAD_ID} characters without control characters, not ${JSON.stringify(id.length > 80 ? id.slice(0, 80) + "…" : id)}`);
  }
  return id;
}
