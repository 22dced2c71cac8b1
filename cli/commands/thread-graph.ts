/**
 * The compiled graph a checkpointed thread runs, for `rag resume` and the `rag runs`
 * commands that read or write through it (`update`, and `show` / `state` / `fork` with `--namespace` or
 * `--subgraphs`, which resolve child runs against the graph's subgraphs:
 * `runtime/subgraph-state.ts`). The graph is the one the thread was started with (`rag
 * run` records its file, graph and config in the checkpoint metadata, `origin`);
 * `--file` / `--graph` / `--config` override it.
 *
 * The recorded origin is the checkpoint store's word, and whoever can write the store is
 * not thereby allowed to run code here: a config is code the import runs (and its `.env`
 * is loaded into the environment). A config taken from the origin — its `config`, or the
 * `rag.config.ts` beside its `file` — is loaded when it resolves (links followed) inside
 * the working directory, or when the store is a SQLite file inside the working directory
 * (the project's own run data: whoever can write it can write the project's config as
 * well). From a Postgres store or a checkpoint file elsewhere (a shared database, a
 * world-writable `/tmp` file) a config outside the working directory is refused, naming
 * the `--config` flag that loads it on the user's word. A malformed origin (a field that
 * is not a string) counts as none.
 */
import { MAX_NAMESPACE_LENGTH, NamespaceError, ThreadBusyError, type Checkpointer, type CheckpointTuple } from "../../runtime/index.js";
import { isPostgresUrl } from "../../scale/index.js";
import { printableId } from "../../stdlib/printable.js";
import type { RunOrigin } from "../checkpoints.js";
import { CliError } from "../errors.js";
import { configPathFor, isInside } from "../files.js";
import { loadGraph } from "./run.js";

/** Flags naming the graph of a thread (all optional: the thread's recorded origin is the default). */
export interface ThreadGraphOptions {
  readonly file?: string;
  readonly graph?: string;
  readonly config?: string;
  readonly json?: boolean;
}

/**
 * Loads the graph thread `threadId` runs, bound to `saver`: `loadGraph`'s result (graph,
 * loaded config, blueprint) with the file it came from and the thread's latest checkpoint.
 *
 * @param path the checkpoint file or URL, for messages.
 * @param head the thread's latest checkpoint when the caller has already read it (not read again).
 * @throws CliError (exit 2) when the thread does not exist, or was not started by `rag
 *   run` and no `--file` names its file; the errors of `loadGraph` (compile, bind).
 */
export async function threadGraph(saver: Checkpointer, threadId: string, path: string, opts: ThreadGraphOptions, head?: CheckpointTuple): Promise<Awaited<ReturnType<typeof loadGraph>> & { file: string; tuple: CheckpointTuple }> {
  const tuple = head ?? (await saver.getTuple({ threadId }));
  if (!tuple) throw new CliError(`no thread ${threadId} in ${path} (\`rag runs\` lists the threads there)`);
  const origin = recordedOrigin(tuple.metadata.origin);
  const file = opts.file ?? origin?.file;
  if (!file) throw new CliError(`thread ${printableId(threadId)} was not started by \`rag run\`, so it does not say which file it runs; pass --file FILE`);
  const config = opts.config ?? (opts.file === undefined ? (origin?.config ?? undefined) : undefined);
  if (opts.config === undefined && opts.file === undefined) {
    const recorded = config ?? configPathFor(file, undefined);
    if (recorded !== undefined && !isInside(recorded, process.cwd()) && (isPostgresUrl(path) || !isInside(path, process.cwd()))) {
      throw new CliError(`thread ${printableId(threadId)} records the config ${printableId(recorded)}, outside the working directory; a config is code, and the record of a checkpoint store outside the working directory is not enough to run it: pass --config ${printableId(recorded)} to load it (or --file FILE to name the graph yourself)`, 2, { code: "config" });
    }
  }
  const loaded = await loadGraph(file, { graph: opts.graph ?? (opts.file === undefined ? origin?.graph : undefined) ?? tuple.checkpoint.graph, ...(config ? { config } : {}), ...(opts.json ? { json: true } : {}) }, saver);
  return { ...loaded, file, tuple };
}

/** The checkpoint metadata's `origin` when it has the shape `rag run` records, else undefined. */
export function recordedOrigin(v: unknown): RunOrigin | undefined {
  if (!v || typeof v !== "object") return undefined;
  const o = v as Record<string, unknown>;
  const file = Object.hasOwn(o, "file") ? o.file : undefined;
  const graph = Object.hasOwn(o, "graph") ? o.graph : undefined;
  const config = Object.hasOwn(o, "config") ? o.config : null;
  if (typeof file !== "string" || file === "" || file.includes("\0") || typeof graph !== "string") return undefined;
  if (config !== null && config !== undefined && (typeof config !== "string" || config === "" || config.includes("\0"))) return undefined;
  return { file, graph, config: config ?? null };
}

/**
 * `--namespace NS` checked before any lookup: at most `MAX_NAMESPACE_LENGTH` characters
 * (the runtime refuses longer ones too; this names the flag).
 *
 * @throws CliError (code `checkpoint_namespace`) for a longer value.
 */
export function checkNamespaceFlag(ns: string | undefined): string | undefined {
  if (ns !== undefined && ns.length > MAX_NAMESPACE_LENGTH) throw new CliError(`--namespace is ${ns.length} characters long (at most ${MAX_NAMESPACE_LENGTH})`, 2, { code: "checkpoint_namespace", tagged: true });
  return ns;
}

/**
 * A `NamespaceError` as a one-line CliError (exit 2, `error[checkpoint_namespace]: …`)
 * naming the thread and the namespace; other errors pass through unchanged.
 */
export function namespaceCliError(threadId: string, ns: string | undefined, e: unknown): unknown {
  if (!(e instanceof NamespaceError)) return e;
  const where = e.message.includes(`\`${threadId}\``) ? "" : `thread ${printableId(threadId)}, namespace \`${printableId((ns ?? e.namespace).slice(0, 120))}\`: `;
  return new CliError(`${where}${e.message.split("\n")[0]}`, 2, { code: e.code, tagged: true });
}

/**
 * A thread edit (`rag runs update`, `rag runs fork`) refused because a run holds the
 * thread (`ThreadBusyError`): exit 1, `error[thread_busy]: thread T is busy: …`, as a run of
 * a busy thread; undefined for other errors.
 */
export function threadBusyCliError(e: unknown): CliError | undefined {
  if (!(e instanceof ThreadBusyError)) return undefined;
  return new CliError(`${e.message.split("\n")[0]}; nothing was written`, 1, { code: e.code, tagged: true });
}
