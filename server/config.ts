/**
 * The config a studio runs with: `--config PATH`, else `rag.config.ts` in the workspace,
 * else the standard registry (the scripted provider and the stdlib). Loaded once at
 * start, as `rag run` loads it (`cli/files.ts`), minus the CLI's printing.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { compileGraph, type Blueprint } from "../compiler/index.js";
import type { RagConfig, Registry } from "../registry/index.js";
import { MAX_LOAD_BYTES } from "../repl/directives.js";
import { registryFromConfig, standardRegistry } from "../repl/standard-registry.js";
import { readTextFile, TextFileError } from "../runtime/read-text-file.js";
import { missingRagraphHint } from "./config-hint.js";

export interface StudioConfig {
  /** Absolute path of the config file, when there is one. */
  readonly path: string | undefined;
  readonly config: RagConfig;
  readonly registry: Registry;
}

/** Thrown when the config cannot be loaded; `message` names the file. */
export class ConfigLoadError extends Error {
  readonly code = "config_error";
}

/**
 * Loads the studio's config (see the module docs). `importModule` imports the config file
 * by absolute path (the CLI passes its loader, which registers tsx when Node cannot load
 * TypeScript itself); default: a plain `import()`.
 * @throws ConfigLoadError
 */
export async function loadStudioConfig(workspace: string, explicit?: string, importModule: (path: string) => Promise<Record<string, unknown>> = (p) => import(pathToFileURL(p).href) as Promise<Record<string, unknown>>): Promise<StudioConfig> {
  const path = explicit ? resolve(explicit) : existsSync(join(workspace, "rag.config.ts")) ? join(workspace, "rag.config.ts") : undefined;
  if (!path) return { path, config: {}, registry: standardRegistry() };
  if (!existsSync(path)) throw new ConfigLoadError(`config ${path} does not exist`);
  let mod: { default?: unknown };
  try {
    mod = (await importModule(path)) as { default?: unknown };
  } catch (e) {
    const first = String((e as Error).message ?? e).split("\n")[0];
    throw new ConfigLoadError(`failed to load config ${path}: ${first}${missingRagraphHint(first)}`);
  }
  let config = mod.default;
  // Loaded as CommonJS, the module's exports arrive whole: `{ default: config }`.
  if (config && typeof config === "object" && Object.hasOwn(config, "default") && Object.keys(config).every((k) => k === "default" || k === "__esModule")) config = (config as { default: unknown }).default;
  if (!config || typeof config !== "object") throw new ConfigLoadError(`config ${path} must \`export default defineConfig({ … })\``);
  try {
    const registry = registryFromConfig(config as RagConfig, (graphPath, name) => graphFromFile(resolve(dirname(path), graphPath), name));
    return { path, config: config as RagConfig, registry };
  } catch (e) {
    throw new ConfigLoadError(`config ${path}: ${(e as Error).message}`);
  }
}

/**
 * A graph file the config names, read as `:load` reads a `.rag` file (a regular file of
 * at most `MAX_LOAD_BYTES`): a bare `readFileSync` blocked the server on a FIFO and read a
 * link to /dev/zero until the heap gave out, at start and at every config reload.
 * @throws ConfigLoadError when it cannot be read or does not compile.
 */
function graphFromFile(file: string, name: string): Blueprint {
  let text: string;
  try {
    text = readTextFile(file, MAX_LOAD_BYTES);
  } catch (e) {
    if (e instanceof TextFileError) throw new ConfigLoadError(`graph \`${name}\`: ${e.message}`);
    throw e;
  }
  const r = compileGraph(text, { file, graph: name });
  if (!r.value) throw new ConfigLoadError(`graph \`${name}\` in ${file} does not compile`);
  return r.value;
}
