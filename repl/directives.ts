/**
 * Colon commands inside `.ragsh` scripts: a cell that is exactly `:load FILE` or `:reset`
 * does what it does at the prompt, so a session saved with `:save` (which keeps its
 * `:load` and `:reset` lines) replays the same with `rag repl FILE.ragsh` or `:load`.
 * A script's `:load` path is relative to the script's own folder (at the prompt: to the
 * working directory). Loading a `.rag` file registers its graphs in the session; loading a
 * `.ragsh` file runs its cells (and its own directives), at most 8 scripts deep.
 */
import { dirname, extname, resolve } from "node:path";
import { compile, isUntrusted, provenanceFromText, type PolicyView } from "../compiler/index.js";
import { readTextFile, TextFileError } from "../runtime/read-text-file.js";
import { sessionView } from "./graph-builtins.js";
import { splitCells } from "./script.js";
import type { Session } from "./session.js";

/** A script's colon line: `:load FILE`, `:reset` (every variable goes) or `:reset data` (variables holding a function go, plain data stays). */
export type Directive = { readonly kind: "load"; readonly file: string } | { readonly kind: "reset"; readonly keep?: "data" };

/** Largest file `:load` reads, bytes (a `.rag` file is compiled only up to 1 MiB anyway). */
export const MAX_LOAD_BYTES = 16 * 1024 * 1024;

/** Most scripts open at once through `:load` (a script that loads itself stops here). */
export const MAX_LOAD_DEPTH = 8;

/**
 * Most files one `:load` (or one `rag repl FILE.ragsh`) reads, scripts it runs and `.rag`
 * files it compiles together: the depth bound alone let 8 levels of scripts, each loading
 * many others or one large `.rag` many times, keep a session (and the studio's server,
 * whose console runs `.ragsh` scripts) compiling for minutes.
 */
export const MAX_LOADS = 256;

/** Files read so far by one top-level load. */
interface LoadCount {
  n: number;
}

/** What a `:reset` (`:reset data`: `kept` the names it kept) says it did, for the prompt and the studio's console. */
export function resetNote(keep: "data" | undefined, kept: readonly string[]): string {
  return keep === "data" ? `functions cleared, ${kept.length ? `data kept (${kept.join(", ")})` : "no data to keep"}` : "variables cleared";
}

/** The directive a script cell is, if its text (ignoring blank lines around it) is one line `:load FILE`, `:reset` or `:reset data`. */
export function parseDirective(source: string): Directive | undefined {
  const text = source.trim();
  if (text.includes("\n")) return undefined;
  if (text === ":reset") return { kind: "reset" };
  if (/^:reset\s+data$/.test(text)) return { kind: "reset", keep: "data" };
  const m = /^:load\s+(\S.*)$/.exec(text);
  return m ? { kind: "load", file: m[1]!.trim() } : undefined;
}

/** What a load reports back to whoever shows it (the prompt, `rag repl FILE`). */
export interface LoadHooks {
  /** Runs one script cell of `file`; false stops the script (a failed cell). */
  cell(source: string, file: string): Promise<boolean>;
  /** A `.rag` file was compiled and its graphs registered; false stops (e.g. it had errors). */
  loaded(file: string, result: ReturnType<typeof compile>): boolean;
  /** A `:reset` line of a script ran; `note` says what it did (`resetNote`). */
  reset?(file: string, note: string): void;
  /**
   * A model-written script (`// rag:generated-by model`) is about to run: the session's
   * trust was lowered to a model's (`Session.lowerTrust`) for the rest of its life, or
   * until a person's `:reset`. Called when it was lowered now.
   */
  lowered?(file: string): void;
  /** A file could not be read, or loads nest too deep. */
  error(message: string): void;
  /**
   * Reads a file to load: its text, or `{ error }` (a message naming the file) to refuse it.
   * Default: the file system, bounded (`MAX_LOAD_BYTES`), regular files only. The studio's
   * console reads through its workspace instead (confined to it).
   */
  read?(file: string): string | { readonly error: string };
  /** The path a script's `:load TARGET` names, from the script `from`. Default: relative to the script's folder. */
  locate?(from: string, target: string): string;
}

/**
 * Compiles a `.rag` file's text against the session's registry and registers its graphs.
 * The file's own `// rag:generated-by …` pragma is its provenance, as for `rag run`: a
 * model-written file stays untrusted under the policy (`untrustedAllow`, review) when a
 * person loads it. Without a pragma the file is the loading person's (`human`). (Every
 * loaded file used to be recorded as `human`, so `:load gen.rag` then `graph_run` ran a
 * generated graph the policy refused and `rag run` would not run unreviewed.)
 */
export function registerRagFile(session: Session, file: string, text: string): ReturnType<typeof compile> {
  const r = compile(text, { file, registry: sessionView(session) });
  for (const bp of r.value.blueprints) session.graphs.set(bp.id, bp.provenance ? bp : { ...bp, provenance: { generatedBy: "human", note: `:load ${file}` } });
  return r;
}

/**
 * `:load FILE` (an absolute path, or relative to the working directory): a `.ragsh`
 * script runs cell by cell, a `.rag` file registers its graphs; any other file, one that
 * is not a regular file (a device, FIFO, socket) or is over `MAX_LOAD_BYTES` is refused
 * through `hooks.error`, unread. Resolves true when everything ran (false at the first
 * failed cell, unreadable or refused file, or rejected load).
 */
export async function loadFile(session: Session, file: string, hooks: LoadHooks, depth = 0, count: LoadCount = { n: 0 }, byModel = false): Promise<boolean> {
  if (++count.n > MAX_LOADS) {
    hooks.error(`:load ${file}: one load reads at most ${MAX_LOADS} files (scripts and .rag files together)`);
    return false;
  }
  if (depth >= MAX_LOAD_DEPTH) {
    hooks.error(`:load ${file}: scripts nest more than ${MAX_LOAD_DEPTH} deep (does a script load itself?)`);
    return false;
  }
  const ext = extname(file);
  if (ext !== ".rag" && ext !== ".ragsh") {
    hooks.error(`:load ${file}: only .rag and .ragsh files are loaded`);
    return false;
  }
  const text = (hooks.read ?? readFromDisk)(file);
  if (typeof text !== "string") {
    hooks.error(text.error);
    return false;
  }
  if (extname(file) === ".ragsh") {
    // A model-written script runs with a model's trust, whoever loads it (as `rag repl
    // gen.ragsh` runs it): the session is lowered before its first cell. It used to run
    // with the loading person's grants (`policy.allow`, not `untrustedAllow`).
    const model = byModel || isModelWritten(text, session.registry.policy);
    if (model && session.lowerTrust(file)) hooks.lowered?.(file);
    return runScript(session, text, file, hooks, depth + 1, count, model);
  }
  return hooks.loaded(file, registerRagFile(session, file, text));
}

/** Bounded, regular files only: `:load /dev/zero` in a script read without end (12 GB, then the OOM killer). */
function readFromDisk(file: string): string | { error: string } {
  try {
    return readTextFile(resolve(file), MAX_LOAD_BYTES);
  } catch (e) {
    if (!(e instanceof TextFileError)) throw e;
    return { error: e.message.replace(resolve(file), file) };
  }
}

/**
 * True when a script is untrusted by its leading comment lines' `// rag:generated-by`
 * pragma, under the same rule a `.rag` file's blueprints are (`isUntrusted`): a pragma
 * naming anything but `human` or `builder`, or a name `policy.untrusted` adds. No pragma:
 * the person's who runs or loads it. (This used to be its own rule, anything but `human`,
 * while the compiler distrusted only `policy.untrusted`: the same unlisted author's
 * `.ragsh` lowered the session and its `.rag` compiled as a person's.)
 */
export function isModelWritten(text: string, policy: PolicyView | undefined): boolean {
  return isUntrusted(policy, provenanceFromText(text));
}

/**
 * Runs a script's cells in order, doing its `:load`/`:reset` lines (paths relative to the
 * script's folder). `byModel`: the script, or one loading it, is model-written — its
 * `:reset` lines clear the variables but do not raise the session's trust back (a
 * person's do: `Session.restoreTrust`).
 */
export async function runScript(session: Session, text: string, file: string, hooks: LoadHooks, depth = 0, count: LoadCount = { n: 0 }, byModel = false): Promise<boolean> {
  for (const cell of splitCells(text)) {
    const d = parseDirective(cell.source);
    if (!d) {
      if (!(await hooks.cell(cell.source, file))) return false;
    } else if (d.kind === "reset") {
      const kept = session.reset(d.keep);
      if (!byModel) session.restoreTrust();
      hooks.reset?.(file, resetNote(d.keep, kept));
    } else if (!(await loadFile(session, hooks.locate ? hooks.locate(file, d.file) : resolve(dirname(resolve(file)), d.file), hooks, depth, count, byModel))) return false;
  }
  return true;
}
