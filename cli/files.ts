/** Reading sources, JSON arguments and the config for CLI commands. */
import "../stdlib/node-sha256.js";
import { existsSync, realpathSync } from "node:fs";
import { parseEnv } from "node:util";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
// Modules, not the compiler's index: every command loads this file, and the index loads
// the whole compiler stage (exporters, differ, builder, formatter), ~40 modules more.
import type { Blueprint, RegistrySnapshot, RegistryView } from "../compiler/index.js";
import { compileGraph } from "../compiler/compile.js";
import { registryViewFromSnapshot } from "../compiler/registry-view.js";
import { snapshotProblem } from "../compiler/snapshot-check.js";
// Module by module, not the stage indexes: `rag check` without a config loads the
// compiler and nothing of the runtime, the standard library or zod (issue 14 §3).
import { FileApprovalStore } from "../registry/approvals-file.js";
import type { RagConfig, Registry } from "../registry/index.js";
import { readTextFile, TextFileError } from "../runtime/read-text-file.js";
import { missingRagraphHint } from "../server/config-hint.js";
import { parseUntrustedJson, UnsafeJsonError } from "../runtime/safe-json.js";
import { CliError } from "./errors.js";
import { missingExtensionHint } from "./walk.js";
import { importConfigFresh, importConfigModule } from "./import-config.js";

/** Largest `.rag`/`.ragsh`/config-named file read (the front end's own limit is 1 MiB of source). */
export const MAX_SOURCE_BYTES = 16 * 1024 * 1024;
/** Largest `--input @file`, `--context @file` or `--registry` file read. */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/**
 * Reads a text file for a command, refusing what would hang or exhaust memory (issue 10
 * §3: `--input @/dev/zero` read forever): only regular files (not devices, FIFOs, sockets
 * or directories; opened non-blocking so a FIFO cannot stall the open), at most
 * `maxBytes` bytes (UTF-8), counted while reading since `/proc` files report size 0.
 * @throws CliError (exit 2) naming the file and the reason.
 */
export function readSource(file: string, maxBytes: number = MAX_SOURCE_BYTES): string {
  try {
    return readTextFile(file, maxBytes);
  } catch (e) {
    if (e instanceof TextFileError) throw new CliError(e.message + missingExtensionHint(file), 2, { code: "io" });
    throw e;
  }
}


/**
 * Standard input as UTF-8 text (`rag fmt -`), at most `maxBytes` bytes: counted as it
 * arrives, so an endless pipe (`yes | rag fmt -`) is refused at the limit instead of
 * growing the process.
 * @throws CliError (exit 2, code `io`) past the limit.
 */
export async function readStdin(maxBytes: number = MAX_SOURCE_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    const b = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    total += b.length;
    if (total > maxBytes) {
      process.stdin.destroy();
      throw new CliError(`cannot read <stdin>: more than ${maxBytes} bytes`, 2, { code: "io" });
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A path as shown in diagnostics: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), resolve(file));
  return rel.startsWith("..") ? file : rel;
}

/**
 * `--input JSON` or `--input @file.json`: an object whose nested objects have a null
 * prototype; `__proto__`/`constructor`/`prototype` keys and nesting deeper than 256 are
 * refused (runtime/safe-json.ts), and a file is read with `readSource`'s size cap.
 */
export function parseJsonArg(flag: string, text: string): Record<string, unknown> {
  const raw = text.startsWith("@") ? readSource(text.slice(1), MAX_INPUT_BYTES) : text;
  const named = text.startsWith("@") ? `${flag} ${text}` : flag;
  const v = parseJsonText(named, raw);
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new CliError(`${named} must be a JSON object, like '{"question": "…"}'`, 2, { code: "invalid_input" });
  return v as Record<string, unknown>;
}

/**
 * Untrusted JSON text from a flag, as `parseUntrustedJson`; CliError (exit 2) naming `flag`
 * when refused. A syntax error gets `hint`, unless the text reads as a JavaScript object
 * (`{items: [1]}`, `{'a': 1}`): then it says that JSON keys and strings need double quotes.
 */
export function parseJsonText(flag: string, raw: string, hint = ""): unknown {
  try {
    return parseUntrustedJson(raw);
  } catch (e) {
    if (!(e instanceof UnsafeJsonError)) throw e;
    if (e.code !== "syntax") throw new CliError(`${flag}: ${e.message}`, 2, { code: "invalid_input" });
    throw new CliError(`${flag} is not valid JSON: ${e.message}${jsonSyntaxHint(raw) ?? hint}`, 2, { code: "invalid_input" });
  }
}

/** Keys written bare or in single quotes after `{` or `,`: JavaScript, not JSON. */
const LOOSE_KEY = /[{,]\s*(?:[A-Za-z_$][\w$]*|'[^']*')\s*:/;

/** A hint for JSON written as a JavaScript object literal, else undefined. */
function jsonSyntaxHint(raw: string): string | undefined {
  const text = raw.trimStart();
  if (!text.startsWith("{") || !LOOSE_KEY.test(text)) return undefined;
  return ` (JSON needs double quotes around keys and strings: '{"key": "value"}')`;
}

/** The config path: `--config`, else `rag.config.ts` beside `file` when it exists. */
export function configPathFor(file: string | undefined, explicit: string | undefined): string | undefined {
  if (explicit) {
    if (!existsSync(explicit)) throw new CliError(`config ${explicit} does not exist`, 2, { code: "config" });
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

/**
 * Imports a `rag.config.ts` (its default export) and builds the registry from it. A
 * `.env` file beside the config is loaded first (`loadDotEnv`), so providers find keys.
 * `fresh`: the config and the modules it imports by path are read as they are now, not
 * from the module cache (`importConfigFresh`: a long-lived server reloading a changed
 * config), each such file named to `onImport` as it loads.
 * @throws CliError naming the config (and each bad key path, config-schema.ts).
 */
export async function loadConfig(path: string | undefined, options: { readonly fresh?: boolean; readonly onImport?: (file: string) => void } = {}): Promise<LoadedConfig> {
  const { registryFromConfig, standardRegistry } = await import("../repl/standard-registry.js");
  const { ConfigError, keyPath } = await import("../registry/config-schema.js");
  if (!path) return { path, config: {}, registry: standardRegistry() };
  loadDotEnv(dirname(path));
  let mod: { default?: unknown };
  try {
    mod = (await (options.fresh ? importConfigFresh(path, options.onImport) : importConfigModule(path))) as { default?: unknown };
  } catch (e) {
    throw new CliError(`failed to load config ${displayPath(path)}: ${configLoadError(e)}`, 2, { code: "config" });
  }
  let config = mod.default;
  // Loaded as CommonJS (a folder whose package.json does not say "type": "module"), the
  // module's exports arrive whole: `{ default: config }` (and maybe `__esModule`).
  if (config && typeof config === "object" && Object.hasOwn(config, "default") && Object.keys(config).every((k) => k === "default" || k === "__esModule")) config = (config as { default: unknown }).default;
  if (!config || typeof config !== "object") throw new CliError(`config ${displayPath(path)} must \`export default defineConfig({ … })\``, 2, { code: "config" });
  try {
    const registry = registryFromConfig(config as RagConfig, (graphPath, name) => loadGraphFile(resolve(dirname(path), graphPath), name));
    return { path, config: config as RagConfig, registry };
  } catch (e) {
    if (e instanceof ConfigError) {
      const lines = e.issues.map((i) => `  ${displayPath(path)}: ${i.path.length ? `\`${keyPath(i.path)}\`: ` : ""}${i.message}`);
      throw new CliError(`config ${displayPath(path)} is not valid (${e.issues.length} problem${e.issues.length === 1 ? "" : "s"}):\n${lines.join("\n")}`, 2, { code: "config" });
    }
    throw new CliError(`config ${displayPath(path)}: ${(e as Error).message}`, 2, { code: "config" });
  }
}

/** Largest `.env` file read, in bytes (a file of keys is a few hundred bytes). */
export const MAX_DOTENV_BYTES = 1024 * 1024;

/**
 * Loads `DIR/.env` into `process.env` (dotenv syntax, Node's `util.parseEnv`); variables
 * already set in the environment win. Read with the CLI's bounded reader: a regular file
 * of at most `MAX_DOTENV_BYTES` (`process.loadEnvFile` read whatever was there — a FIFO
 * named `.env` blocked every command that loads a config, a link to /dev/zero read
 * without end, 300 MB took 28 s and 650 MB). Nothing when there is no `.env`; the values
 * are never printed.
 * @throws CliError naming the file when it cannot be read or is not a regular file of at most `MAX_DOTENV_BYTES`.
 */
export function loadDotEnv(dir: string): void {
  const file = join(dir, ".env");
  if (!existsSync(file)) return;
  let text: string;
  try {
    text = readTextFile(file, MAX_DOTENV_BYTES);
  } catch (e) {
    if (!(e instanceof TextFileError)) throw e;
    throw new CliError(`cannot load ${displayPath(file)}: ${e.message.replace(`cannot read ${file}: `, "")}`, 2, { code: "config" });
  }
  for (const [k, v] of Object.entries(parseEnv(text))) if (process.env[k] === undefined) process.env[k] = v;
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
  return `${lines[0]}${missingRagraphHint(lines[0])}`;
}

/** Compiles a `.rag` file named by a config's `graphs` entry. */
function loadGraphFile(file: string, name: string): Blueprint {
  const src = readSource(file);
  const r = compileGraph(src, { file: displayPath(file), graph: name });
  if (!r.value) {
    const first = r.diagnostics.find((d) => d.severity === "error");
    throw new CliError(`graph \`${name}\` in ${displayPath(file)} does not compile${first ? `: ${first.code} at ${first.span.start.line}:${first.span.start.column} ${first.message}` : ""}`, 2, { code: "config" });
  }
  return r.value;
}

const NAME_LISTS = new Set(["models", "tools", "agents", "graphs", "scripts", "routers", "reducers", "node_kinds", "validators"]);
const SIGNATURE_KINDS = new Set(["tools", "agents", "graphs", "routers", "scripts"]);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * `--registry FILE.json`: a registry snapshot (`rag registry export`, or a hand-written
 * object of name lists). Unknown keys and ill-typed entries are refused with the key named.
 */
export function readRegistrySnapshot(file: string): RegistryView {
  return registryViewFromSnapshot(readSnapshotFile(file));
}

/** The snapshot of `--registry FILE.json`, validated. @throws CliError naming the file and key. */
export function readSnapshotFile(file: string): RegistrySnapshot {
  const v = parseJsonText(`--registry ${file}`, readSource(file, MAX_INPUT_BYTES));
  if (!isRecord(v)) throw new CliError(`--registry ${file} must hold an object of name lists`);
  for (const [k, x] of Object.entries(v)) {
    if (NAME_LISTS.has(k)) {
      if (x !== null && !(Array.isArray(x) && x.every((n) => typeof n === "string"))) throw new CliError(`--registry ${file}: \`${k}\` must be a list of names or null`);
    } else if (k === "version") {
      if (x !== 1) throw new CliError(`--registry ${file}: \`version\` ${JSON.stringify(x)} is not supported (this ragraph reads version 1)`);
    } else if (k === "checkpointer") {
      if (typeof x !== "boolean") throw new CliError(`--registry ${file}: \`checkpointer\` must be true or false`);
    } else if (k === "model_capabilities" || k === "model_prices" || k === "policy") {
      if (!isRecord(x)) throw new CliError(`--registry ${file}: \`${k}\` must be an object`);
    } else if (k === "signatures") {
      if (!isRecord(x)) throw new CliError(`--registry ${file}: \`signatures\` must be an object`);
      for (const [kind, m] of Object.entries(x)) {
        if (!SIGNATURE_KINDS.has(kind)) throw new CliError(`--registry ${file}: \`signatures.${kind}\` is not a signature kind (${[...SIGNATURE_KINDS].join(", ")})`);
        if (!isRecord(m) || !Object.values(m).every(isRecord)) throw new CliError(`--registry ${file}: \`signatures.${kind}\` must map names to objects`);
        if (kind === "tools") for (const [name, t] of Object.entries(m)) if (!isRecord((t as Record<string, unknown>).args)) throw new CliError(`--registry ${file}: \`signatures.tools.${name}.args\` must be a JSON Schema object`);
      }
    } else throw new CliError(`--registry ${file}: unknown key \`${k}\` (expected name lists, version, model_capabilities, model_prices, checkpointer, policy, signatures)`);
  }
  // The shapes inside (policy lists, model capabilities and prices), as every snapshot is checked.
  const problem = snapshotProblem(v);
  if (problem !== undefined) throw new CliError(`--registry ${file}: ${problem}`);
  // parseJsonText builds null-prototype maps and refuses prototype keys: names are untrusted text.
  return v as unknown as RegistrySnapshot;
}

/**
 * The project's approvals file: `.rag/approvals.json` beside the config in use (or
 * beside `file` when there is no config) — project policy, found the same way from any
 * working directory, unlike run data (checkpoints: `.rag/` of the working directory;
 * see cli/checkpoints.ts). Review gates read it (`rag approve` writes it).
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

/** `p` with links resolved, or resolved as written when it does not exist. */
export function realOrResolved(p: string): string {
  try {
    return realpathSync(resolve(p));
  } catch {
    return resolve(p);
  }
}

/** Whether `path` lies strictly inside folder `root` (links followed for both, when they exist). */
export function isInside(path: string, root: string): boolean {
  const rel = relative(realOrResolved(root), realOrResolved(path));
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}
