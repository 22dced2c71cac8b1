/**
 * `rag registry export [--config PATH] [--out FILE]`: writes the registry's names and
 * shapes as JSON (issue 15 §1) — the snapshot `rag check --registry` and `rag spec
 * --registry` read. Without `--out` it prints to stdout. Without a config (none given, none
 * in the working directory) it exports the built-in registry and says so on stderr.
 */
import { writeFileSync } from "node:fs";
import { exportRegistry } from "../../registry/index.js";
import { CliError } from "../errors.js";
import { configPathFor, loadConfig } from "../files.js";

export interface RegistryExportOptions {
  readonly config?: string;
  readonly out?: string;
  /** Print `{out}` as JSON after writing `--out` (the export itself is JSON either way). */
  readonly json?: boolean;
}

export async function registryExportCommand(opts: RegistryExportOptions): Promise<number> {
  const cfg = configPathFor(undefined, opts.config) ?? configPathFor("./rag.config.ts", undefined);
  // Without a config the export is the built-in registry alone: say so, or a snapshot with
  // no models or tools makes `check --registry` flag every name of a file as unknown.
  if (cfg === undefined) process.stderr.write("note: no rag.config.ts in the working directory and no --config: exporting the built-in registry only (no models, tools or agents)\n");
  const loaded = await loadConfig(cfg);
  const text = JSON.stringify(exportRegistry(loaded.registry), null, 2) + "\n";
  if (opts.out === "") throw new CliError("--out needs a file name (leave the flag out to print to stdout)");
  if (opts.out === undefined) {
    process.stdout.write(text);
    return 0;
  }
  try {
    writeFileSync(opts.out, text);
  } catch (e) {
    throw new CliError(`cannot write ${opts.out}: ${(e as Error).message}`);
  }
  if (opts.json) process.stdout.write(JSON.stringify({ out: opts.out }) + "\n");
  else process.stderr.write(`wrote ${opts.out}\n`);
  return 0;
}
