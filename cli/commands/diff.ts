/**
 * `rag diff A B [--format human|json] [--graph NAME] [--config PATH]`: the semantic diff
 * of two blueprints (issue 3 §5). A and B are `.rag` files, or Blueprint JSON as
 * `rag compile` prints it. Exit 0 when the hashes are equal, 1 when the blueprints
 * differ, 2 when either side does not compile (like diff(1)). In JSON mode (`--json`,
 * `--format json`) that is `{"error": {"code": "compile", "message", "diagnostics"}}` on
 * stdout, and nothing on stderr.
 */
import { compileGraph, diffBlueprints, IR_VERSION, renderDiff, type Blueprint } from "../../compiler/index.js";
import { compileFailure } from "../compile-failure.js";
import { CliError } from "../errors.js";
import { configPathFor, displayPath, loadConfig, parseJsonText, readSource } from "../files.js";

export interface DiffCommandOptions {
  readonly format?: string;
  readonly json?: boolean;
  readonly graph?: string;
  readonly config?: string;
}

export async function diffCommand(a: string, b: string, opts: DiffCommandOptions): Promise<number> {
  const format = opts.json ? "json" : (opts.format ?? "human");
  if (format !== "human" && format !== "json") throw new CliError(`--format must be human or json, not ${format}`);
  const before = await blueprintOf(a, opts, format === "json");
  const after = await blueprintOf(b, opts, format === "json");
  const d = diffBlueprints(before, after);
  process.stdout.write(format === "json" ? JSON.stringify(d, null, 2) + "\n" : renderDiff(d));
  return d.changes.length ? 1 : 0;
}

async function blueprintOf(file: string, opts: DiffCommandOptions, json: boolean): Promise<Blueprint> {
  const source = readSource(file);
  const shown = displayPath(file);
  if (file.endsWith(".json")) {
    const bp = parseJsonText(shown, source) as Partial<Blueprint>;
    if (!bp || bp.irVersion !== IR_VERSION || typeof bp.hash !== "string" || !Array.isArray(bp.nodes)) throw new CliError(`${shown} is not a Blueprint (irVersion ${IR_VERSION}) as \`rag compile\` prints it`);
    return bp as Blueprint;
  }
  const cfg = configPathFor(file, opts.config);
  const view = cfg ? (await loadConfig(cfg)).registry.view() : undefined;
  const r = compileGraph(source, { file: shown, ...(view ? { registry: view } : {}), ...(opts.graph !== undefined ? { graph: opts.graph } : {}) });
  if (!r.value) {
    const message = `${shown} does not compile; no diff`;
    throw compileFailure(r.diagnostics, { lines: r.compilation.lines, file: shown }, { json, exitCode: 2, message, human: message, drawn: r.diagnostics.filter((d) => d.severity === "error") });
  }
  return r.value;
}
