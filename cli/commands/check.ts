/**
 * `rag check FILE... [--config PATH] [--registry FILE.json] [--format human|json]
 * [--fix] [--provenance WHO[:AUTHOR]]`: diagnostics for each file (`language.md` §5).
 * Exit 1 if any error remains, else 0. Without a config or registry snapshot, names are
 * checked against the file itself only, and the summary says so. FILE may be a
 * directory or a quoted glob (cli/walk.ts, the walker `rag fmt` uses).
 *
 * `--fix` applies the machine fixes (compiler/fixes.ts: never two overlapping edits;
 * re-checks and repeats until nothing applies), writes each changed file back, reports
 * every edit, then reports what is left. Running it again changes nothing.
 */
import { writeFileSync } from "node:fs";
// The compiler's modules rather than its index, so `rag check` loads only what it runs.
import { compile, type CompileOptions } from "../../compiler/compile.js";
import { fixAll, type AppliedFix } from "../../compiler/fixes.js";
import type { RegistryView } from "../../compiler/registry-view.js";
import { CliError } from "../errors.js";
import { configPathFor, displayPath, loadConfig, parseProvenance, readRegistrySnapshot, readSource, useProjectApprovals } from "../files.js";
import { renderStyle } from "../style.js";
import { expandPaths } from "../walk.js";

export interface CheckOptions {
  readonly config?: string;
  readonly registry?: string;
  readonly format?: string;
  readonly json?: boolean;
  readonly fix?: boolean;
  readonly provenance?: string;
}

export async function checkCommand(paths: string[], opts: CheckOptions): Promise<number> {
  const files = expandPaths(paths);
  const format = opts.json ? "json" : (opts.format ?? "human");
  if (format !== "human" && format !== "json") throw new CliError(`--format must be human or json, not ${format}`);
  const provenance = opts.provenance ? parseProvenance(opts.provenance) : undefined;
  const json: Record<string, unknown>[] = [];
  const fixed: { file: string; fixes: AppliedFix[]; settled: boolean }[] = [];
  let errors = 0;
  let warnings = 0;
  let unbound = 0;
  const views = new Map<string | undefined, RegistryView | undefined>();
  for (const file of files) {
    let source = readSource(file);
    let view: RegistryView | undefined;
    let options: CompileOptions;
    const shown = displayPath(file);
    if (opts.registry) {
      view = readRegistrySnapshot(opts.registry);
      options = { file: shown, registry: view };
    } else {
      const cfg = configPathFor(file, opts.config);
      const loaded = cfg ? await loadConfig(cfg) : undefined;
      if (!views.has(cfg)) views.set(cfg, loaded?.registry.view());
      view = views.get(cfg);
      if (!view) unbound++;
      const approvals = loaded ? useProjectApprovals(loaded.registry, file, cfg) : undefined;
      options = { file: shown, ...(view ? { registry: view } : {}), ...(approvals ? { approvals } : {}) };
    }
    // For files without a pragma only: a file's pragma decides, as it does for `rag run`.
    if (provenance) options = { ...options, defaultProvenance: provenance };
    if (opts.fix) {
      const r = fixAll(source, options);
      if (r.text !== source) {
        writeFileSync(file, r.text);
        source = r.text;
      }
      fixed.push({ file: shown, fixes: r.applied, settled: r.settled });
    }
    const r = compile(source, options);
    errors += r.diagnostics.filter((d) => d.severity === "error").length;
    warnings += r.diagnostics.filter((d) => d.severity === "warning").length;
    // The renderer (and string-width, whose Intl.Segmenter costs ≈ 40 ms to set up) is
    // loaded only when there is something to render: a clean check never pays for it.
    if (!r.diagnostics.length) continue;
    const { diagnosticToJson, renderDiagnostics } = await import("../../compiler/diagnostics/render.js");
    if (format === "json") json.push(...r.diagnostics.map((d) => diagnosticToJson(d, shown)));
    else process.stderr.write(renderDiagnostics(r.diagnostics, { lines: r.value.lines, file: shown }, renderStyle(process.stderr)) + "\n\n");
  }
  if (format === "json") {
    process.stdout.write(JSON.stringify(opts.fix ? { fixed, diagnostics: json } : json, null, 2) + "\n");
  } else {
    for (const f of fixed) {
      if (!f.settled) process.stderr.write(`note: the fixes for ${f.file} do not settle (they undo each other or keep growing the text); ${f.fixes.length ? "the edits below are a stable stopping point" : "no edit was made"}\n`);
      if (!f.fixes.length) continue;
      process.stderr.write(`fixed ${f.file}: ${f.fixes.length} edit${f.fixes.length === 1 ? "" : "s"}\n`);
      for (const x of f.fixes) process.stderr.write(`  ${f.file}:${x.line}:${x.column} ${x.code}: ${x.description}\n`);
    }
    if (opts.fix && !fixed.some((f) => f.fixes.length)) process.stderr.write("nothing to fix\n");
    if (errors === 0) process.stderr.write(`ok: ${files.length} file${files.length === 1 ? "" : "s"} checked${warnings ? `, ${warnings} warning${warnings === 1 ? "" : "s"}` : ""}\n`);
    if (unbound) {
      const which = unbound === files.length ? "" : ` in ${unbound} of the ${files.length} files`;
      process.stderr.write(`note: registry names (models, tools, agents, graphs, …) were not checked${which}: no rag.config.ts beside the file; pass --config or --registry to check them\n`);
    }
  }
  return errors ? 1 : 0;
}
