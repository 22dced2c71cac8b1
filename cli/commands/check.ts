/**
 * `rag check FILE... [--config PATH] [--registry FILE.json] [--format human|json]`:
 * diagnostics for each file (`language.md` §5). Exit 1 if any error, else 0. Without a
 * config or registry snapshot, names are checked against the file itself only.
 */
import { compile, diagnosticToJson, renderDiagnostics, type RegistryView } from "../../compiler/index.js";
import { CliError } from "../errors.js";
import { configPathFor, displayPath, loadConfig, readRegistrySnapshot, readSource } from "../files.js";
import { renderStyle } from "../style.js";

export interface CheckOptions {
  readonly config?: string;
  readonly registry?: string;
  readonly format?: string;
}

export async function checkCommand(files: string[], opts: CheckOptions): Promise<number> {
  const format = opts.format ?? "human";
  if (format !== "human" && format !== "json") throw new CliError(`--format must be human or json, not ${format}`);
  const json: Record<string, unknown>[] = [];
  let errors = 0;
  let warnings = 0;
  const views = new Map<string | undefined, RegistryView | undefined>();
  for (const file of files) {
    const source = readSource(file);
    let view: RegistryView | undefined;
    if (opts.registry) view = readRegistrySnapshot(opts.registry);
    else {
      const cfg = configPathFor(file, opts.config);
      if (!views.has(cfg)) views.set(cfg, cfg ? (await loadConfig(cfg)).registry.view() : undefined);
      view = views.get(cfg);
    }
    const shown = displayPath(file);
    const r = compile(source, { file: shown, ...(view ? { registry: view } : {}) });
    errors += r.diagnostics.filter((d) => d.severity === "error").length;
    warnings += r.diagnostics.filter((d) => d.severity === "warning").length;
    if (format === "json") json.push(...r.diagnostics.map((d) => diagnosticToJson(d, shown)));
    else if (r.diagnostics.length) process.stderr.write(renderDiagnostics(r.diagnostics, { lines: r.value.lines, file: shown }, renderStyle(process.stderr)) + "\n\n");
  }
  if (format === "json") process.stdout.write(JSON.stringify(json, null, 2) + "\n");
  else if (errors === 0) process.stderr.write(`ok: ${files.length} file${files.length === 1 ? "" : "s"} checked${warnings ? `, ${warnings} warning${warnings === 1 ? "" : "s"}` : ""}\n`);
  return errors ? 1 : 0;
}
