/**
 * `rag registry export [--config PATH] [--out FILE]`: writes the registry's names and
 * shapes as JSON (issue 15 §1) — the snapshot `rag check --registry` and `rag spec
 * --registry` read. Without `--out` it prints to stdout.
 */
import { writeFileSync } from "node:fs";
import { exportRegistry } from "../../registry/index.js";
import { CliError } from "../errors.js";
import { configPathFor, loadConfig } from "../files.js";

export interface RegistryExportOptions {
  readonly config?: string;
  readonly out?: string;
}

export async function registryExportCommand(opts: RegistryExportOptions): Promise<number> {
  const cfg = configPathFor(undefined, opts.config) ?? configPathFor("./rag.config.ts", undefined);
  const loaded = await loadConfig(cfg);
  const text = JSON.stringify(exportRegistry(loaded.registry), null, 2) + "\n";
  if (!opts.out) {
    process.stdout.write(text);
    return 0;
  }
  try {
    writeFileSync(opts.out, text);
  } catch (e) {
    throw new CliError(`cannot write ${opts.out}: ${(e as Error).message}`);
  }
  process.stderr.write(`wrote ${opts.out}\n`);
  return 0;
}
