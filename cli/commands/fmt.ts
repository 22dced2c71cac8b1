/**
 * `rag fmt FILES... [--check | --write]`: canonical formatting (issue 3 §5). Plain, the
 * formatted text goes to stdout; `--check` lists the files that would change and exits 1
 * if any; `--write` rewrites them in place. Directories are searched for `*.rag` files.
 * `-` reads standard input (for editors: format on save through a pipe). A file with
 * syntax errors (or one the verifier refuses) is left alone: its diagnostics go to
 * stderr and the exit status is 1.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatSource, renderDiagnostics } from "../../compiler/index.js";
import { LineIndex } from "../../grammar/index.js";
import { CliError } from "../errors.js";
import { displayPath, readSource } from "../files.js";
import { renderStyle } from "../style.js";

export interface FmtOptions {
  readonly check?: boolean;
  readonly write?: boolean;
}

export async function fmtCommand(paths: string[], opts: FmtOptions): Promise<number> {
  if (opts.check && opts.write) throw new CliError("--check and --write exclude each other");
  if (paths.includes("-") && (opts.write || paths.length > 1)) throw new CliError("`-` (standard input) is formatted alone, without --write");
  const files = paths.flatMap(expand);
  let refused = 0;
  let changed = 0;
  for (const file of files) {
    const source = file === "-" ? readFileSync(0, "utf8") : readSource(file);
    const shown = file === "-" ? "<stdin>" : displayPath(file);
    const r = formatSource(source, { file: shown });
    if (r.value === undefined) {
      refused++;
      process.stderr.write(renderDiagnostics(r.diagnostics, { lines: new LineIndex(source), file: shown }, renderStyle(process.stderr)) + "\n");
      process.stderr.write(`${shown}: not formatted (${r.diagnostics.length} error${r.diagnostics.length === 1 ? "" : "s"})\n\n`);
      continue;
    }
    const differs = r.value !== source;
    if (differs) changed++;
    if (opts.check) {
      if (differs) process.stdout.write(`would reformat ${shown}\n`);
    } else if (opts.write) {
      if (differs) {
        writeFileSync(file, r.value);
        process.stdout.write(`formatted ${shown}\n`);
      }
    } else process.stdout.write(r.value);
  }
  if (opts.check && !refused) process.stderr.write(changed ? `${changed} of ${files.length} file${files.length === 1 ? "" : "s"} would be reformatted\n` : `ok: ${files.length} file${files.length === 1 ? "" : "s"} already formatted\n`);
  return refused || (opts.check && changed) ? 1 : 0;
}

/** A file as given, or the `.rag` files under a directory (sorted, recursively). */
function expand(path: string): string[] {
  if (path === "-") return [path];
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new CliError(`cannot read ${path}: no such file or directory`);
  }
  if (!st.isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((f) => {
      const p = join(path, f);
      return statSync(p).isDirectory() ? (f === "node_modules" || f.startsWith(".") ? [] : expand(p)) : f.endsWith(".rag") ? [p] : [];
    });
}
