/**
 * Imports a config module (`rag.config.ts`, `.mts`, `.js`, …) by absolute path.
 *
 * When Node cannot load a TypeScript config itself, the transpile cache comes next
 * (cli/config-cache.ts: no loader hook at all); what it cannot serve is loaded as below.
 * From a checkout, bin/rag.js has registered tsx already and the import just works. An
 * installed package runs compiled JavaScript with no TypeScript loader, so when Node
 * cannot load a TypeScript file itself (`ERR_UNKNOWN_FILE_EXTENSION` on Node 20; TS-only
 * syntax under Node's type stripping) tsx's loaders are registered once and the import is
 * retried under a fresh URL (a failed import stays cached under its own).
 */
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { importCachedConfig } from "./config-cache.js";

const TS_FILE = /\.[cm]?ts$/;
const NEEDS_LOADER = new Set(["ERR_UNKNOWN_FILE_EXTENSION", "ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX", "ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING"]);
let registered = false;
/** Fresh loads of JavaScript configs so far (each gets its own URL). */
let freshLoads = 0;

/** The module's namespace; rethrows the import's own error (syntax, missing module, …). */
export async function importConfigModule(path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(path).href;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (registered || !TS_FILE.test(path) || typeof code !== "string" || !NEEDS_LOADER.has(code)) throw e;
  }
  // Node cannot load it by itself (so no TypeScript loader is active: under vitest or tsx
  // the import above succeeds and resolves `ragraph` as they do).
  const cached = await importCachedConfig(path);
  if (cached) return cached;
  // Load the library first, while no loader hook is registered: the config's own
  // `import "ragraph"` then finds it in the module cache instead of sending each of its
  // few hundred modules through tsx's hooks (off-thread, a round trip per module).
  await import("../index.js");
  await registerTsx();
  return (await import(`${url}?tsx`)) as Record<string, unknown>;
}

/** tsx's ESM and CommonJS hooks: a config in a folder without `"type": "module"` is loaded as CommonJS. */
async function registerTsx(): Promise<void> {
  const [{ register }, { register: registerCommonJs }] = await Promise.all([import("tsx/esm/api"), import("tsx/cjs/api")]);
  register();
  registerCommonJs();
  registered = true;
}

/**
 * The config module as it is on disk now, for a long-lived process that loads it again
 * after an edit (`rag lsp`): a TypeScript config through the transpile cache, whose
 * module for an edited config or local file is a new file (cli/config-cache.ts), else
 * through tsx's `tsImport` (a namespace of its own: the config itself is read again;
 * whether a file it imports is too depends on the loaders already registered); a
 * JavaScript config by Node under a new URL (the config itself is read again, not the
 * modules it imports).
 * `onFile` is given each file of the project the module was made from (the config and
 * its own modules, not packages): what to watch for changes.
 * Rethrows the import's own error (syntax, missing module, …).
 */
export async function importConfigFresh(path: string, onFile?: (file: string) => void): Promise<Record<string, unknown>> {
  if (!TS_FILE.test(path)) {
    // JavaScript: Node loads it as its package says (ESM or CommonJS); a new query each
    // time gives the config module itself afresh (the modules it imports stay cached).
    onFile?.(path);
    // A CommonJS config lives in require's cache by file name, which no query bypasses.
    delete createRequire(path).cache[path];
    return (await import(`${pathToFileURL(path).href}?rag-load=${++freshLoads}`)) as Record<string, unknown>;
  }
  const cached = await importCachedConfig(path, (files) => files.forEach((f) => onFile?.(f)));
  if (cached) return cached;
  onFile?.(path);
  const { tsImport } = await import("tsx/esm/api");
  const seen = (url: string) => {
    if (!url.startsWith("file:")) return;
    const file = fileURLToPath(url.replace(/[?#].*$/, ""));
    if (!/[\\/]node_modules[\\/]/.test(file)) onFile?.(file);
  };
  return (await tsImport(pathToFileURL(path).href, { parentURL: import.meta.url, onImport: seen })) as Record<string, unknown>;
}
