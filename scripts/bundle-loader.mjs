// The bundle's module loader (copied to dist/bundle/loader.js by scripts/bundle.mjs).
//
// Why: a `rag` start spent about a fifth of its CPU time having V8 parse and compile the
// bundle's JavaScript (≈ 1.5 MB for `rag check` with a config), the same bytes every time.
// V8 can serialize what it compiled (a code cache) and reuse it on the next start, but on
// Node 20 only for scripts (`vm.Script`'s `cachedData`), not for ES modules (Node ≥ 22.1
// has `module.enableCompileCache()`, for both). So the bundle's chunks are CommonJS-shaped
// scripts (`.cjs`, converted from esbuild's ES module chunks, scripts/bundle-cjs.mjs) that
// this loader compiles and links itself; the package's entry points (index.js, config.js, scale.js,
// cli/main.js) stay ES modules that re-export a chunk's exports.
//
// - One set of modules per process (keyed by absolute path, kept on `globalThis`): the
//   CLI, a config's `import "ragraph/config"` and an app's `import "ragraph"` share them.
// - A chunk's `require` of another chunk (a relative path) is linked here; any other
//   specifier is Node's `require` from the chunk's location. A chunk's dynamic `import()`
//   arrives as `__ragImport(spec)`: a chunk is loaded here, anything else through this
//   module's own `import()` (same package, so the same resolution).
// - The code cache is used only when `useCodeCache()` was called (bin/rag.js does; an
//   app importing ragraph writes nothing). It lives in a private per-user folder under the
//   OS temp dir (`RAG_CODE_CACHE_DIR` moves it, `RAG_CODE_CACHE=0` turns it off), one file
//   per chunk and `rag` command, named after the chunk's path (which holds its content
//   hash), inode, size and mtime and the Node version and flags: a rewritten chunk is a
//   new name. V8 checks the rest (its version, flags and
//   the source's length) and rejects a cache that does not fit; the chunk then compiles
//   from source and its cache is written again. Caches are written when the process exits,
//   for the chunks that had none; the folder is trimmed to `MAX_CACHE_BYTES`.
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Script } from "node:vm";

/** Past this many bytes of code caches, the oldest are deleted down to half of it. */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

const state = (globalThis[Symbol.for("ragraph.bundle.modules")] ??= { modules: new Map(), cacheDir: undefined, profile: "", pending: [] });

/**
 * The private per-user code cache folder, or undefined when it cannot be used safely. Keep
 * in step with `cacheDir` in cli/config-cache.ts (the config cache's folder, same checks):
 * this file is copied verbatim into dist/bundle/loader.js and imports nothing of ours.
 */
function privateDir() {
  const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
  const dir = join(process.env.RAG_CODE_CACHE_DIR ?? tmpdir(), `ragraph-code-cache-${uid ?? "user"}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    // Another user's folder (or one others can write into) could hold planted code.
    if (!st.isDirectory() || (uid !== undefined && (st.uid !== uid || (st.mode & 0o022) !== 0))) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/**
 * Turns the code cache on for this process (the `rag` command). `profile` names what the
 * process does (`rag`'s command name): a cache holds the functions that had been compiled
 * when it was written, so each command keeps its own instead of inheriting the first one's.
 * @param {string} [profile]
 */
export function useCodeCache(profile = "") {
  if (state.cacheDir !== undefined || process.env.RAG_CODE_CACHE === "0") return;
  state.cacheDir = privateDir() ?? null;
  state.profile = /^[a-z][a-z-]{0,30}$/.test(profile) ? profile : "";
  if (state.cacheDir) process.once("exit", writeCaches);
}

/** A file name for `file`'s cache: changes with the file (path, inode, size, mtime), the Node that compiled it and the profile. A 53-bit cyrb53 hash, as `indexName` in cli/config-cache.ts. */
function cacheName(file, st) {
  const key = `${file}\0${st.ino}\0${st.size}\0${st.mtimeMs}\0${process.version}\0${process.arch}\0${process.execArgv.join(" ")}\0${state.profile}`;
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return `${basename(file)}-${state.profile ? `${state.profile}-` : ""}${(h2 >>> 0).toString(16)}${(h1 >>> 0).toString(16)}.v8`;
}

/** Writes the code caches of the chunks compiled without one (at exit). Best effort. */
function writeCaches() {
  const dir = state.cacheDir;
  if (!dir || state.pending.length === 0) return;
  for (const [script, name] of state.pending.splice(0)) {
    const tmp = join(dir, `${name}.${process.pid}.tmp`);
    try {
      writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
      renameSync(tmp, join(dir, name));
    } catch {
      rmSync(tmp, { force: true });
    }
  }
  trim(dir);
}

/** Deletes the oldest caches (and stray temporary files) once the folder holds more than `MAX_CACHE_BYTES`. */
function trim(dir) {
  try {
    const files = readdirSync(dir).map((name) => {
      const st = statSync(join(dir, name));
      return { name, size: st.size, mtimeMs: st.mtimeMs };
    });
    let total = files.reduce((n, f) => n + f.size, 0);
    if (total <= MAX_CACHE_BYTES) return;
    for (const f of files.sort((a, b) => a.mtimeMs - b.mtimeMs)) {
      if (total <= MAX_CACHE_BYTES / 2) break;
      rmSync(join(dir, f.name), { force: true });
      total -= f.size;
    }
  } catch {
    // another process trimmed it meanwhile
  }
}

const RELATIVE = /^\.\.?\//;

/**
 * How a bundle script begins and ends (scripts/bundle-cjs.mjs writes them): a function
 * expression the loader calls with its module's bindings. Part of the file, so the source
 * V8 compiles is the file's text as read, not a copy joined to a wrapper (≈ 2 MB less to
 * allocate and copy per start); on one line, so line numbers are the chunk's own.
 */
export const SCRIPT_HEAD = '(function (exports, require, module, __ragImportMetaUrl, __ragImport) {"use strict";';
export const SCRIPT_TAIL = "\n})";

/**
 * The exports of the bundle chunk at `url` (a `file:` URL or absolute path of a `.cjs`
 * chunk), loading and running it (and the chunks it requires) on first use.
 * @param {string | URL} url
 * @returns {Record<string, unknown>}
 */
export function loadBundled(url) {
  const file = typeof url === "string" && !url.startsWith("file:") ? url : fileURLToPath(url);
  const known = state.modules.get(file);
  if (known) return known.exports;
  const module = { exports: {} };
  state.modules.set(file, module);
  // ASCII (scripts/bundle-cjs.mjs), so Latin-1 reads it exactly, without UTF-8 decoding.
  const source = readFileSync(file, "latin1");
  let cachedData;
  let name;
  if (state.cacheDir) {
    name = cacheName(file, statSync(file));
    try {
      cachedData = readFileSync(join(state.cacheDir, name));
    } catch {
      // not cached yet
    }
  }
  if (!source.startsWith(SCRIPT_HEAD) || !source.endsWith(SCRIPT_TAIL)) throw new Error(`${file} is not a script of this bundle (rebuild it: npm run build)`);
  const script = new Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
  if (name && (!cachedData || script.cachedDataRejected)) state.pending.push([script, name]);
  const here = dirname(file);
  const nodeRequire = createRequire(file);
  const require = (spec) => (RELATIVE.test(spec) ? loadBundled(resolve(here, spec)) : nodeRequire(spec));
  const dynamicImport = (spec) => (typeof spec === "string" && RELATIVE.test(spec) ? Promise.resolve().then(() => loadBundled(resolve(here, spec))) : import(spec));
  try {
    script.runInThisContext().call(module.exports, module.exports, require, module, pathToFileURL(file).href, dynamicImport);
  } catch (e) {
    state.modules.delete(file);
    throw e;
  }
  return module.exports;
}
