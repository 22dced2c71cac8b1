/**
 * `rag run FILE [--input JSON|@file] [--graph NAME] [--config PATH] [--json]`: compiles
 * against the config's registry and runs the graph, showing progress per superstep (or
 * JSON Lines events with `--json`). Exit 0 on success, 1 on a failed run, 2 on a usage,
 * config or compile error (diagnostics on stderr).
 */
import { compileGraph, renderDiagnostics } from "../../compiler/index.js";
import { BindError, checkInput, CompiledGraph, InvalidInputError, type RunEvent } from "../../runtime/index.js";
import { CliError } from "../errors.js";
import { configPathFor, displayPath, loadConfig, parseJsonArg, readSource } from "../files.js";
import { ProgressPrinter } from "../progress.js";
import { renderStyle } from "../style.js";

export interface RunCommandOptions {
  readonly input?: string;
  readonly graph?: string;
  readonly config?: string;
  readonly json?: boolean;
}

export async function runCommand(file: string, opts: RunCommandOptions): Promise<number> {
  const source = readSource(file);
  const loaded = await loadConfig(configPathFor(file, opts.config));
  const shown = displayPath(file);
  const r = compileGraph(source, { file: shown, registry: loaded.registry.view(), ...(opts.graph !== undefined ? { graph: opts.graph } : {}) });
  const input = opts.input !== undefined ? parseJsonArg("--input", opts.input) : { ...(r.value ? (loaded.config.defaultInputs?.[r.value.id] ?? {}) : {}) };
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (errors.length || !r.value) {
    process.stderr.write(renderDiagnostics(r.diagnostics, { lines: r.compilation.lines, file: shown }, renderStyle(process.stderr)) + "\n");
    if (!loaded.path) process.stderr.write(`note: no rag.config.ts beside ${shown}; pass --config to name the registry\n`);
    return 2;
  }
  const siblings = new Map(r.compilation.blueprints.map((b) => [b.id, b]));
  let graph: CompiledGraph;
  try {
    graph = new CompiledGraph(r.value, { registry: loaded.registry, graphs: siblings });
  } catch (e) {
    if (e instanceof BindError) throw new CliError(`error[bind]: ${e.message}`, 2);
    throw e;
  }

  try {
    checkInput(graph.blueprint, input);
  } catch (e) {
    if (e instanceof InvalidInputError) throw new CliError(`${e.message}\n  (pass it with --input '{…}' or --input @file.json)`, 2);
    throw e;
  }

  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once("SIGINT", onSigint);
  const printer = opts.json ? undefined : new ProgressPrinter(process.stdout, loaded.registry, graph.blueprint);
  let last: RunEvent | undefined;
  try {
    for await (const e of graph.stream(input, { signal: controller.signal })) {
      if (opts.json) process.stdout.write(JSON.stringify(e) + "\n");
      else printer!.event(e);
      if (e.depth === 0) last = e;
    }
  } finally {
    process.off("SIGINT", onSigint);
  }
  if (last?.type === "run_completed") return 0;
  if (!last || last.type !== "run_failed") process.stderr.write("error: the run ended without a result\n");
  return 1;
}
