/**
 * `rag run FILE [--input JSON|@file] [--graph NAME] [--config PATH] [--json]
 * [--thread ID] [--checkpoints PATH | --no-checkpoints] [--durability MODE]
 * [--record|--replay CASSETTE]`: compiles against the config's registry and runs the
 * graph on a thread (a new id unless given, printed), checkpointed to
 * `.rag/checkpoints.db` by default, showing progress per superstep (or JSON Lines events
 * with `--json`); model calls can be recorded into, or answered from, a cassette file. Exit 0 on success, 1 on a failed
 * run, 2 on a usage, config or compile error, 3 when the run pauses for a human, 130
 * when cancelled with Ctrl-C (the thread stays resumable).
 */
import { resolve } from "node:path";
import { compileGraph, inputReads, type Blueprint } from "../../compiler/index.js";
import { BindError, checkInput, CompiledGraph, InvalidInputError, newId, PolicyError, ReviewRequiredError, type Checkpointer, type Durability } from "../../runtime/index.js";
import { checkThreadId, closeCheckpoints, DEFAULT_CHECKPOINTS, openReachableCheckpoints, type RunOrigin } from "../checkpoints.js";
import { useCassette, type CassetteUse } from "../cassette.js";
import { compileFailure } from "../compile-failure.js";
import { CliError } from "../errors.js";
import { execute } from "../execute.js";
import { configPathFor, displayPath, loadConfig, parseJsonArg, readSource, useProjectApprovals, type LoadedConfig } from "../files.js";
import { ProgressPrinter } from "../progress.js";
import { openQueue, submitAndFollow } from "../queue.js";
import { colorsFor } from "../style.js";
import { didYouMean } from "../../grammar/index.js";
import { printableId } from "../../stdlib/printable.js";

export interface RunCommandOptions {
  readonly input?: string;
  readonly graph?: string;
  readonly config?: string;
  readonly json?: boolean;
  readonly thread?: string;
  /** A path, or false for `--no-checkpoints`. */
  readonly checkpoints?: string | false;
  readonly durability?: string;
  /** Cassette file to record model calls into. */
  readonly record?: string;
  /** Cassette file to replay model calls from. */
  readonly replay?: string;
  /** `--queue redis://…`: enqueue for workers instead of running here. */
  readonly queue?: string;
}

/** Compiles `file` against its config and binds the graph (CliError exit 2 on diagnostics or a bind error). */
export async function loadGraph(file: string, opts: { readonly graph?: string; readonly config?: string; readonly json?: boolean }, checkpointer: Checkpointer | undefined): Promise<{ graph: CompiledGraph; loaded: LoadedConfig; blueprint: Blueprint }> {
  const source = readSource(file);
  const loaded = await loadConfig(configPathFor(file, opts.config));
  const approvals = useProjectApprovals(loaded.registry, file, loaded.path);
  const shown = displayPath(file);
  const r = compileGraph(source, { file: shown, registry: loaded.registry.view(), approvals, ...(opts.graph !== undefined ? { graph: opts.graph } : {}) });
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (errors.length || !r.value) {
    const failure = compileFailure(r.diagnostics, { lines: r.compilation.lines, file: shown }, { json: Boolean(opts.json), exitCode: 2, message: `${shown} does not compile` });
    if (!opts.json && !loaded.path) process.stderr.write(`note: no rag.config.ts beside ${shown}; pass --config to name the registry\n`);
    throw failure;
  }
  const siblings = new Map(r.compilation.blueprints.map((b) => [b.id, b]));
  try {
    const graph = new CompiledGraph(r.value, { registry: loaded.registry, graphs: siblings, ...(checkpointer ? { checkpointer } : {}) });
    return { graph, loaded, blueprint: r.value };
  } catch (e) {
    if (e instanceof BindError || e instanceof PolicyError || e instanceof ReviewRequiredError) throw new CliError(e.message, 2, { code: e.code, tagged: true });
    throw e;
  }
}

export function parseDurability(v: string | undefined): Durability | undefined {
  if (v === undefined) return undefined;
  if (v === "sync" || v === "async" || v === "exit") return v;
  throw new CliError(`--durability must be sync, async or exit, not ${v}`);
}

export async function runCommand(file: string, opts: RunCommandOptions): Promise<number> {
  if (/\.ragsh$/i.test(file)) throw new CliError(`${file} is a .ragsh script, not a graph: run it with \`rag repl ${file}\``, 2, { code: "usage" });
  if (opts.queue !== undefined) return queuedRun(file, opts);
  const durability = parseDurability(opts.durability);
  const checkpoints = opts.checkpoints === false ? undefined : (opts.checkpoints ?? DEFAULT_CHECKPOINTS);
  const threadId = opts.thread !== undefined ? checkThreadId("--thread", opts.thread) : newId("thread");
  let saver: Checkpointer | undefined;
  let cassette: CassetteUse | undefined;
  try {
    saver = checkpoints !== undefined ? await openReachableCheckpoints(checkpoints) : undefined;
    const { graph, loaded, blueprint } = await loadGraph(file, opts, saver);
    cassette = useCassette(loaded.registry, opts);
    const input = opts.input !== undefined ? parseJsonArg("--input", opts.input) : { ...(loaded.config.defaultInputs?.[blueprint.id] ?? {}) };
    try {
      checkInput(blueprint, input);
    } catch (e) {
      if (e instanceof InvalidInputError) {
        const fromConfig = loaded.config.defaultInputs?.[blueprint.id] !== undefined;
        const from = opts.input !== undefined ? (opts.input.startsWith("@") ? `--input ${opts.input}` : "--input") : fromConfig ? `defaultInputs.${blueprint.id} of ${displayPath(loaded.path!)}` : "no --input was given";
        throw new CliError(`${from}: ${e.message}${opts.json ? "" : "\n  (pass the input with --input '{…}' or --input @file.json)"}`, 2, { code: "invalid_input" });
      }
      throw e;
    }
    warnMissingInput(blueprint, input, displayPath(file));
    if (saver && opts.thread !== undefined) {
      const existing = await saver.getTuple({ threadId });
      if (existing && existing.checkpoint.blueprintHash !== blueprint.hash) {
        throw new CliError(`thread ${threadId} belongs to a different blueprint (${existing.checkpoint.graph} ${existing.checkpoint.blueprintHash.slice(0, 19)}…); a changed graph is a new run: omit --thread`);
      }
    }
    const origin: RunOrigin = { file: resolve(file), graph: blueprint.id, config: loaded.path ?? null };
    const printer = opts.json ? undefined : new ProgressPrinter(process.stdout, loaded.registry, blueprint, checkpoints !== undefined ? [`checkpoints ${checkpoints}${durability ? ` (${durability})` : ""}`] : []);
    return await execute(graph, input, { threadId, ...(durability ? { durability } : {}), metadata: { origin } }, { json: Boolean(opts.json), printer, checkpoints });
  } finally {
    cassette?.finish();
    await closeCheckpoints(saver);
  }
}

/** The input keys the missing-input warning lists; the rest are counted. */
const MAX_GIVEN_KEYS = 10;

/**
 * A graph without an `input { … }` block accepts any object, and an `input.<key>` it
 * reads but was not given is null at run time. Says so on stderr, once per key, naming
 * the first place that reads it (file:line:column and node) — the run goes on.
 */
export function warnMissingInput(bp: Blueprint, input: Readonly<Record<string, unknown>>, file: string): void {
  if (bp.input) return warnMisspeltInputKeys(bp, bp.input.map((f) => f.name), input);
  const byKey = new Map<string, { first: ReturnType<typeof inputReads>[number]; count: number }>();
  const reads = new Set<string>();
  for (const r of inputReads(bp)) {
    reads.add(r.key);
    if (Object.hasOwn(input, r.key)) continue;
    const seen = byKey.get(r.key);
    if (seen) seen.count++;
    else byKey.set(r.key, { first: r, count: 1 });
  }
  if (!byKey.size) return;
  const c = colorsFor(process.stderr);
  const given = Object.keys(input);
  const unread = given.filter((k) => !reads.has(k));
  for (const [key, { first, count }] of byKey) {
    const where = `${file}:${first.span.start.line}:${first.span.start.column}`;
    const more = count > 1 ? ` (and ${count - 1} more place${count > 2 ? "s" : ""})` : "";
    const typo = didYouMean(key, unread);
    const hint = typo === undefined ? "" : `; did you mean \`${key}\` where the input says \`${printableId(typo)}\`?`;
    process.stderr.write(`${c.yellow(c.bold("warning"))}: the input has no \`${key}\`, which node \`${first.node}\` reads as input.${key} at ${where}${more}; it will be null${hint}\n`);
  }
  const shown = given.slice(0, MAX_GIVEN_KEYS).map((k) => `\`${printableId(k.length > 64 ? `${k.slice(0, 64)}…` : k)}\``).join(", ");
  const rest = given.length > MAX_GIVEN_KEYS ? ` and ${given.length - MAX_GIVEN_KEYS} more` : "";
  process.stderr.write(`  (input given: ${given.length ? shown + rest : "none"}; graph \`${bp.id}\` declares no \`input { … }\` block, so nothing else checks it)\n`);
}

/**
 * A graph with an `input { … }` block checks the input against it, but a key it does not
 * declare is ignored: a misspelt optional field (`limt` for `limit: integer?`) passes the
 * check and the field reads as null. Warns on stderr for each given key that is neither
 * an input field nor a state field and is close to an input field the input lacks; the
 * run goes on.
 */
function warnMisspeltInputKeys(bp: Blueprint, fields: readonly string[], input: Readonly<Record<string, unknown>>): void {
  const known = new Set([...fields, ...bp.state.map((f) => f.name)]);
  const missing = fields.filter((f) => !Object.hasOwn(input, f));
  const c = colorsFor(process.stderr);
  for (const key of Object.keys(input).slice(0, MAX_GIVEN_KEYS)) {
    if (known.has(key)) continue;
    const meant = didYouMean(key, missing);
    if (meant === undefined) continue;
    process.stderr.write(`${c.yellow(c.bold("warning"))}: the input's \`${printableId(key)}\` is not a field of graph \`${bp.id}\`'s \`input\` block and is ignored, so \`${meant}\` will be null; did you mean \`${meant}\`?\n`);
  }
}

/**
 * `rag run FILE --queue URL --checkpoints postgres://…`: compiles here (diagnostics and
 * the blueprint hash), enqueues the source with its hash for the workers, and follows
 * the run's events from Redis.
 */
async function queuedRun(file: string, opts: RunCommandOptions): Promise<number> {
  if (opts.record !== undefined || opts.replay !== undefined) throw new CliError("--record/--replay work on in-process runs only; a queued run's model calls happen on the workers");
  if (opts.durability !== undefined) throw new CliError("--durability is the workers' choice (the graph's `checkpoint` item) for a queued run");
  const submitter = openQueue(opts.queue!, opts.checkpoints);
  try {
    const threadId = opts.thread !== undefined ? checkThreadId("--thread", opts.thread) : newId("thread");
    const { loaded, blueprint } = await loadGraph(file, opts, undefined);
    const input = opts.input !== undefined ? parseJsonArg("--input", opts.input) : { ...(loaded.config.defaultInputs?.[blueprint.id] ?? {}) };
    try {
      checkInput(blueprint, input);
    } catch (e) {
      if (e instanceof InvalidInputError) throw new CliError(`${e.message}${opts.json ? "" : "\n  (pass it with --input '{…}' or --input @file.json)"}`, 2, { code: "invalid_input" });
      throw e;
    }
    warnMissingInput(blueprint, input, displayPath(file));
    const origin: RunOrigin = { file: resolve(file), graph: blueprint.id, config: loaded.path ?? null };
    const checkpoints = opts.checkpoints as string;
    const printer = opts.json ? undefined : new ProgressPrinter(process.stdout, loaded.registry, blueprint, [`checkpoints ${checkpoints}`, `queue ${submitter.url.shown} (${submitter.url.queue})`]);
    const job = { kind: "run", source: readSource(file), file: displayPath(file), graph: blueprint.id, hash: blueprint.hash, input, threadId, metadata: { origin } } as const;
    return await submitAndFollow(submitter, job, { json: Boolean(opts.json), printer, checkpoints, queue: opts.queue! });
  } finally {
    await submitter.close();
  }
}
