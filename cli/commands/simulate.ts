/**
 * `rag simulate FILE [--config PATH | --registry FILE.json] [--graph NAME] [--max-paths N]
 * [--json]`: runs the graph with no real calls and explores every path (issue 15 §5,
 * simulate/). Exit 0 when every path is fine; 1 on a runtime error, a loop the graph
 * claims to bound but does not, or a violated `// rag:assert`; 2 when the file does not
 * compile or a flag is wrong (with `--json`: `{"error": {"code": "compile", "message",
 * "diagnostics"}}` on stdout, nothing on stderr).
 */
import type { RegistrySnapshot } from "../../compiler/index.js";
import type { Registry } from "../../registry/index.js";
import { RagError } from "../../runtime/index.js";
import { exportRegistry } from "../../registry/index.js";
import { AssertionSyntaxError, simulate, type SimulateResult } from "../../simulate/index.js";
import { compileFailureStatus } from "../compile-failure.js";
import { CliError } from "../errors.js";
import { configPathFor, displayPath, loadConfig, readSnapshotFile, readSource } from "../files.js";
import { renderSimReport } from "../simulate-report.js";

export interface SimulateCommandOptions {
  readonly config?: string;
  readonly registry?: string;
  readonly graph?: string;
  readonly maxPaths?: string;
  readonly json?: boolean;
}

/** The registry's names and shapes for a simulation: `--registry`, else the config's registry (real = that registry). */
export async function simulationSnapshot(file: string | undefined, opts: { readonly config?: string; readonly registry?: string }): Promise<{ snapshot: RegistrySnapshot; real?: Registry }> {
  if (opts.config && opts.registry) throw new CliError("give --config or --registry, not both");
  if (opts.registry) return { snapshot: readSnapshotFile(opts.registry) };
  const loaded = await loadConfig(configPathFor(file, opts.config));
  return { snapshot: exportRegistry(loaded.registry), real: loaded.registry };
}

/** Runs the simulation of `source` (the CLI's errors for a bad assertion line). */
export async function simulateSource(source: string, shown: string, reg: { snapshot: RegistrySnapshot; real?: Registry }, opts: { graph?: string; maxPaths?: number }): Promise<SimulateResult> {
  try {
    return await simulate(source, { snapshot: reg.snapshot, ...(reg.real ? { real: reg.real } : {}), file: shown, ...(opts.graph !== undefined ? { graph: opts.graph } : {}), ...(opts.maxPaths !== undefined ? { maxPaths: opts.maxPaths } : {}) });
  } catch (e) {
    if (e instanceof AssertionSyntaxError) throw new CliError(`${shown}:${e.line}:${e.column}: ${e.message}`);
    // Binding the graph can be refused (a policy's allowlist, a capability outside `allow`): as for `rag run`.
    if (e instanceof RagError) throw new CliError(`${shown}: ${e.message}`);
    throw e;
  }
}

export async function simulateCommand(file: string, opts: SimulateCommandOptions): Promise<number> {
  const maxPaths = opts.maxPaths === undefined ? undefined : Number(opts.maxPaths);
  if (maxPaths !== undefined && (!Number.isInteger(maxPaths) || maxPaths < 1 || maxPaths > 10_000)) throw new CliError(`--max-paths must be an integer from 1 to 10000, not ${opts.maxPaths}`);
  const source = readSource(file);
  const shown = displayPath(file);
  const reg = await simulationSnapshot(file, opts);
  const r = await simulateSource(source, shown, reg, { ...(opts.graph !== undefined ? { graph: opts.graph } : {}), ...(maxPaths !== undefined ? { maxPaths } : {}) });
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (!r.report) return compileFailureStatus(r.diagnostics, { lines: r.lines, file: shown }, { json: Boolean(opts.json), exitCode: 2, message: `${shown} does not compile`, drawn: errors.length ? errors : r.diagnostics });
  if (opts.json) process.stdout.write(JSON.stringify(r.report, null, 2) + "\n");
  else process.stdout.write(renderSimReport(r.report) + "\n");
  return r.report.ok ? 0 : 1;
}
