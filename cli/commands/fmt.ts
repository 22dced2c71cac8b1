/**
 * `rag fmt FILES... [--check | --write]`: canonical formatting (issue 3 §5). Plain, the
 * formatted text goes to stdout; `--check` lists the files that would change and exits 1
 * if any; `--write` rewrites them in place. Directories are searched for `*.rag` files,
 * and quoted globs expanded (cli/walk.ts, shared with `rag check`). `--json` reports
 * `{"files": [{file, status, text?, diagnostics?}], "changed", "refused"}` on stdout.
 * `-` reads standard input (for editors: format on save through a pipe). A file with
 * syntax errors (or one the verifier refuses) is left alone: its diagnostics go to
 * stderr and the exit status is 1.
 */
import { writeFileSync } from "node:fs";
import { diagnosticToJson, formatSource, renderDiagnostics } from "../../compiler/index.js";
import { LineIndex } from "../../grammar/index.js";
import { CliError } from "../errors.js";
import { displayPath, readSource, readStdin } from "../files.js";
import { renderStyle } from "../style.js";
import { expandPaths } from "../walk.js";

export interface FmtOptions {
  readonly check?: boolean;
  readonly write?: boolean;
  readonly json?: boolean;
}

export async function fmtCommand(paths: string[], opts: FmtOptions): Promise<number> {
  if (opts.check && opts.write) throw new CliError("--check and --write exclude each other");
  if (paths.includes("-") && (opts.write || paths.length > 1)) throw new CliError("`-` (standard input) is formatted alone, without --write");
  const files = expandPaths(paths);
  let refused = 0;
  let changed = 0;
  const report: Record<string, unknown>[] = [];
  const out = (text: string) => void (opts.json ? undefined : process.stdout.write(text));
  for (const file of files) {
    const source = file === "-" ? await readStdin() : readSource(file);
    const shown = file === "-" ? "<stdin>" : displayPath(file);
    const r = formatSource(source, { file: shown });
    if (r.value === undefined) {
      refused++;
      report.push({ file: shown, status: "refused", diagnostics: r.diagnostics.map((d) => diagnosticToJson(d, shown)) });
      if (opts.json) continue;
      process.stderr.write(renderDiagnostics(r.diagnostics, { lines: new LineIndex(source), file: shown }, renderStyle(process.stderr)) + "\n");
      process.stderr.write(`${shown}: not formatted (${r.diagnostics.length} error${r.diagnostics.length === 1 ? "" : "s"})\n\n`);
      continue;
    }
    const differs = r.value !== source;
    if (differs) changed++;
    if (opts.check) {
      if (differs) out(`would reformat ${shown}\n`);
      report.push({ file: shown, status: differs ? "would_reformat" : "unchanged" });
    } else if (opts.write) {
      if (differs) {
        writeFileSync(file, r.value);
        out(`formatted ${shown}\n`);
      }
      report.push({ file: shown, status: differs ? "formatted" : "unchanged" });
    } else {
      out(r.value);
      report.push({ file: shown, status: differs ? "would_reformat" : "unchanged", text: r.value });
    }
  }
  if (opts.json) process.stdout.write(JSON.stringify({ files: report, changed, refused }, null, 2) + "\n");
  // `--write` lists each file it writes; when it wrote none, it says so rather than nothing.
  else if (opts.write && !refused && !changed) process.stderr.write(`ok: ${files.length} file${files.length === 1 ? "" : "s"} already formatted\n`);
  else if (opts.check && !refused) process.stderr.write(changed ? `${changed} of ${files.length} file${files.length === 1 ? "" : "s"} would be reformatted\n` : `ok: ${files.length} file${files.length === 1 ? "" : "s"} already formatted\n`);
  return refused || (opts.check && changed) ? 1 : 0;
}
