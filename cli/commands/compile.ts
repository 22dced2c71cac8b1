/**
 * `rag compile FILE [--graph NAME] [--config PATH]`: prints the Blueprint IR
 * (`language.md` §7) as JSON, with its hash. Diagnostics go to stderr; exit 1 when the
 * file has errors.
 */
import { compileGraph, renderDiagnostics } from "../../compiler/index.js";
import { configPathFor, displayPath, loadConfig, readSource } from "../files.js";
import { renderStyle } from "../style.js";

export interface CompileCommandOptions {
  readonly graph?: string;
  readonly config?: string;
}

export async function compileCommand(file: string, opts: CompileCommandOptions): Promise<number> {
  const source = readSource(file);
  const cfg = configPathFor(file, opts.config);
  const view = cfg ? (await loadConfig(cfg)).registry.view() : undefined;
  const shown = displayPath(file);
  const r = compileGraph(source, { file: shown, ...(view ? { registry: view } : {}), ...(opts.graph !== undefined ? { graph: opts.graph } : {}) });
  if (r.diagnostics.length) process.stderr.write(renderDiagnostics(r.diagnostics, { lines: r.compilation.lines, file: shown }, renderStyle(process.stderr)) + "\n");
  if (!r.value) return 1;
  process.stdout.write(JSON.stringify(r.value, null, 2) + "\n");
  return 0;
}
