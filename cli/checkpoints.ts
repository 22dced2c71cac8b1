/**
 * The CLI's checkpoints: a SQLite file (default `.rag/checkpoints.db` in the current
 * directory) or a shared Postgres store (`--checkpoints postgres://…`, issue 13), what a run records so `rag resume THREAD` can find its graph again, and
 * the resume command lines printed at a pause.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { SqliteCheckpointer, type Checkpointer, type PendingInterrupt, type ResumeCommand } from "../runtime/index.js";
import { isPostgresUrl, PostgresCheckpointer } from "../scale/index.js";
import { CliError } from "./errors.js";

export const DEFAULT_CHECKPOINTS = ".rag/checkpoints.db";

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
 * saying so. Close it with `closeCheckpoints`.
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
  try {
    return new SqliteCheckpointer(resolve(path));
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

/** Closes a checkpointer opened by `openCheckpoints`, waiting for a Postgres store to write what it batched. */
export async function closeCheckpoints(c: Checkpointer | undefined): Promise<void> {
  if (c instanceof PostgresCheckpointer) await c.closeAsync();
  else c?.close?.();
}

/** `--checkpoints PATH` when it is not the default (for printed command lines). */
export function checkpointsFlag(path: string | undefined): string {
  return path && path !== DEFAULT_CHECKPOINTS ? ` --checkpoints ${shellQuote(path)}` : "";
}

/** Quotes for POSIX shells when needed. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The command that resumes a paused thread, with a value to fill in for each interrupt that needs one. */
export function resumeCommandLine(threadId: string, interrupts: readonly PendingInterrupt[], checkpoints: string | undefined): string {
  const base = `rag resume ${shellQuote(threadId)}${checkpointsFlag(checkpoints)}`;
  const needing = interrupts.filter((i) => i.kind === "node");
  if (!needing.length) return base;
  const example = (i: PendingInterrupt) => {
    const options = (i.payload as { options?: unknown } | undefined)?.options;
    return Array.isArray(options) && options.length ? JSON.stringify(options[0]) : "<value>";
  };
  if (needing.length === 1) return `${base} --resume ${shellQuote(example(needing[0]))}`;
  return `${base} --resume ${shellQuote(`{${needing.map((i) => `${JSON.stringify(i.id)}: ${example(i)}`).join(", ")}}`)}`;
}

/**
 * `--resume JSON`: any JSON value. With several pending interrupts, an object whose keys
 * are all pending interrupt ids answers them by id.
 */
export function parseResume(text: string | undefined, pending: readonly PendingInterrupt[]): ResumeCommand {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CliError(`--resume is not valid JSON: ${(e as Error).message} (a string needs quotes: --resume '"approve"')`);
  }
  const ids = new Set(pending.map((i) => i.id));
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length && keys.every((k) => ids.has(k))) return { values: value as Record<string, unknown> };
  }
  return { value };
}
