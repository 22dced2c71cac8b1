/** Reading sources, JSON arguments and the config for CLI commands. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { compileGraph, type Blueprint, type RegistryView } from "../compiler/index.js";
import { registryViewFromSnapshot, type RegistrySnapshot } from "../compiler/index.js";
import { FileApprovalStore, type RagConfig, type Registry } from "../registry/index.js";
import { registryFromConfig, standardRegistry } from "../repl/standard-registry.js";
import { CliError } from "./errors.js";
import { importConfigModule } from "./import-config.js";

export function readSource(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(code === "ENOENT" ? `cannot read ${file}: no such file` : code === "EISDIR" ? `cannot read ${file}: it is a directory` : `cannot read ${file}: ${(e as Error).message}`);
  }
}

/** A path as shown in diagnostics: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), resolve(file));
  return rel.startsWith("..") ? file : rel;
}

/** `--input JSON` or `--input @file.json`. */
export function parseJsonArg(flag: string, text: string): Record<string, unknown> {
  let raw = text;
  if (text.startsWith("@")) raw = readSource(text.slice(1));
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (e) {
    throw new CliError(`${flag} is not valid JSON: ${(e as Error).message}`);
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new CliError(`${flag} must be a JSON object, like '{"question": "…"}'`);
  return v as Record<string, unknown>;
}

/** The config path: `--config`, else `rag.config.ts` beside `file` when it exists. */
export function configPathFor(file: string | undefined, explicit: string | undefined): string | undefined {
  if (explicit) {
    if (!existsSync(explicit)) throw new CliError(`config ${explicit} does not exist`);
    return resolve(explicit);
  }
  if (!file) return undefined;
  const beside = join(dirname(resolve(file)), "rag.config.ts");
  return existsSync(beside) ? beside : undefined;
}

export interface LoadedConfig {
  readonly path: string | undefined;
  readonly config: RagConfig;
  readonly registry: Registry;
}

/** Imports a `rag.config.ts` (its default export) and builds the registry from it. */
export async function loadConfig(path: string | undefined): Promise<LoadedConfig> {
  if (!path) return { path, config: {}, registry: standardRegistry() };
  let mod: { default?: unknown };
  try {
    mod = (await importConfigModule(path)) as { default?: unknown };
  } catch (e) {
    throw new CliError(`failed to load config ${displayPath(path)}: ${configLoadError(e)}`);
  }
  const config = mod.default;
  if (!config || typeof config !== "object") throw new CliError(`config ${displayPath(path)} must \`export default defineConfig({ … })\``);
  try {
    const registry = registryFromConfig(config as RagConfig, (graphPath, name) => loadGraphFile(resolve(dirname(path), graphPath), name));
    return { path, config: config as RagConfig, registry };
  } catch (e) {
    throw new CliError(`config ${displayPath(path)}: ${(e as Error).message}`);
  }
}

/**
 * What went wrong importing a config, for a person: a syntax error keeps the
 * transpiler's `file:line:column: ERROR: …` lines (not just "Transform failed"), and a
 * config importing `ragraph` where it is not installed gets a hint.
 */
function configLoadError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const lines = message.split("\n");
  const located = lines.filter((l) => /:\d+:\d+: ERROR: /.test(l));
  // esbuild counts columns from 0; diagnostics here count from 1.
  if (located.length) return located.map((l) => l.replace(/:(\d+):(\d+): ERROR: /, (_, line: string, col: string) => `:${line}:${Number(col) + 1}: error: `)).join("; ");
  if (/Cannot find (module|package) 'ragraph'/.test(lines[0])) return `${lines[0]} (ragraph is not installed where the config lives: \`npm install ragraph\` there, or \`npm install /path/to/ragraph\` for a checkout)`;
  return lines[0];
}

/** Compiles a `.rag` file named by a config's `graphs` entry. */
function loadGraphFile(file: string, name: string): Blueprint {
  const src = readSource(file);
  const r = compileGraph(src, { file: displayPath(file), graph: name });
  if (!r.value) {
    const first = r.diagnostics.find((d) => d.severity === "error");
    throw new CliError(`graph \`${name}\` in ${displayPath(file)} does not compile${first ? `: ${first.code} at ${first.span.start.line}:${first.span.start.column} ${first.message}` : ""}`);
  }
  return r.value;
}

/** `--registry FILE.json`: a snapshot of registry names. */
export function readRegistrySnapshot(file: string): RegistryView {
  const text = readSource(file);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new CliError(`--registry ${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new CliError(`--registry ${file} must hold an object of name lists`);
  for (const [k, list] of Object.entries(v)) {
    if (list !== null && !(Array.isArray(list) && list.every((x) => typeof x === "string"))) throw new CliError(`--registry ${file}: \`${k}\` must be a list of names or null`);
  }
  return registryViewFromSnapshot(v as RegistrySnapshot);
}

/**
 * The project's approvals file: `.rag/approvals.json` in the directory of the config
 * (or of `file` when there is no config). Review gates read it (`rag approve` writes it).
 */
export function approvalsPathFor(file: string, configPath: string | undefined): string {
  return join(dirname(configPath ?? resolve(file)), ".rag", "approvals.json");
}

/** Points `registry.approvals` at the project's approvals file. */
export function useProjectApprovals(registry: Registry, file: string, configPath: string | undefined): FileApprovalStore {
  try {
    const store = new FileApprovalStore(approvalsPathFor(file, configPath));
    registry.approvals = store;
    return store;
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

/** `--provenance WHO[:AUTHOR]` (e.g. `model:gpt-4o-mini`). */
export function parseProvenance(text: string): { generatedBy: string; author?: string } {
  const [generatedBy, ...rest] = text.split(":");
  if (!generatedBy || !/^[A-Za-z0-9_.-]+$/.test(generatedBy)) throw new CliError(`--provenance must be WHO or WHO:AUTHOR (e.g. model:gpt-4o-mini), not ${JSON.stringify(text)}`);
  const author = rest.join(":");
  return author ? { generatedBy, author } : { generatedBy };
}
