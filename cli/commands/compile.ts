/**
 * `rag compile FILE [--graph NAME] [--config PATH]`: prints the Blueprint IR
 * (`language.md` §7) as JSON, with its hash. Diagnostics go to stderr; exit 1 when the
 * file has errors. `--json`: `{"blueprint", "diagnostics"}` on stdout, and a file with
 * errors is `{"error": {"code": "compile", "message", "diagnostics"}}`.
 */
import { compileGraph, diagnosticToJson, renderDiagnostics } from "../../compiler/index.js";
import { compileFailureStatus } from "../compile-failure.js";
import { configPathFor, displayPath, loadConfig, readSource } from "../files.js";
import { renderStyle } from "../style.js";

export interface CompileCommandOptions {
  readonly graph?: string;
  readonly config?: string;
  readonly json?: boolean;
}

export async function compileCommand(file: string, opts: CompileCommandOptions): Promise<number> {
  const source = readSource(file);
  const cfg = configPathFor(file, opts.config);
  const view = cfg ? (await loadConfig(cfg)).registry.view() : undefined;
  const shown = displayPath(file);
  const r = compileGraph(source, { file: shown, ...(view ? { registry: view } : {}), ...(opts.graph !== undefined ? { graph: opts.graph } : {}) });
  if (!r.value) return compileFailureStatus(r.diagnostics, { lines: r.compilation.lines, file: shown }, { json: Boolean(opts.json), exitCode: 1, message: `${shown} does not compile` });
  if (opts.json) {
    process.stdout.write(JSON.stringify({ blueprint: r.value, diagnostics: r.diagnostics.map((d) => diagnosticToJson(d, shown)) }, null, 2) + "\n");
    return 0;
  }
  if (r.diagnostics.length) process.stderr.write(renderDiagnostics(r.diagnostics, { lines: r.compilation.lines, file: shown }, renderStyle(process.stderr)) + "\n");
  process.stdout.write(JSON.stringify(r.value, null, 2) + "\n");
  return 0;
}
