/**
 * A transpile cache for `rag.config.ts` (issue 14 §3: `rag check` ≤ 300 ms). Registering
 * tsx's loader hooks costs ≈ 350 ms of CPU per start (a loader thread, esbuild, and a
 * round trip per module); a config is a few small files that change rarely. So the config
 * is bundled once with esbuild (tsx's own dependency) into one ES module — the TypeScript
 * files it imports from its own folder tree included — and stored in a per-user cache
 * folder under the OS temp dir; later starts import that file directly, with no loader
 * hook at all.
 *
 * Never stale: an entry records everything its output was made from (cli/config-inputs.ts)
 * — the exact text of the config and of every local file bundled into it, the listing of
 * their folders (a new `x.js` beside `x.ts` changes what `./x.js` means), the tsconfig.json
 * that applied, and how each package import was found (its package.json, unchanged, and
 * no nearer node_modules copy) — and a start uses it only when all of that still holds.
 * Nothing is keyed by mtime alone, and no hash stands for content: an edit of the same size
 * within the same clock tick is still seen. Entries are files under an index per config
 * path (`<name>.json`) naming an immutable module file written once (`<name>-<stamp>.mjs`),
 * so a start that reads the old index while another writes a new one imports one whole
 * version, never a mix; replaced module files are deleted after `RETIRED_TTL_MS`.
 *
 * The cached module behaves as the config would in place: every import other than Node
 * built-ins and the bundled TypeScript files is resolved at transpile time (esbuild's
 * resolver, the "node" and "import" conditions) and rewritten to an absolute `file:` URL;
 * the config's `import.meta.url`, `.filename` and `.dirname` are its own.
 *
 * Anything this cannot do the same way returns `undefined`, and the caller registers tsx
 * as before: TypeScript imported from outside the config's folder (a library's sources
 * by path: bundling them would make a second copy of the library), or through an alias
 * (tsconfig `paths`/`baseUrl`, package.json `imports`: what a name maps to is not recorded),
 * a path import or a tsconfig `extends` this cannot follow (cli/config-links.ts), a bundled file that
 * reads `import.meta` (it would see the config's), esbuild missing, a cache folder not owned by this user (or open to others), or a cached
 * module that throws while loading (CommonJS-only code, `__dirname`, a JSON import, a
 * genuine error in the config: tsx then reports it against the real file).
 * `RAG_CONFIG_CACHE=0` turns the cache off; `RAG_CONFIG_CACHE_DIR` moves it.
 */
import { lstatSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire, isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { inputsHold, recordInputs, type ConfigInputs } from "./config-inputs.js";
import { isPathSpecifier, resolvedLink, type ResolvedLink } from "./config-links.js";
import { makeFolders } from "../registry/make-folders.js";
import { replaceFile } from "../registry/replace-file.js";

/** Bumped whenever the shape of an entry or of the cached output changes. */
const FORMAT = "3";
const TS_FILE = /\.[cm]?tsx?$/;
const IN_NODE_MODULES = /[\\/]node_modules[\\/]/;
/** A module file replaced by a newer one is deleted this long after (ms): a start that read the old index may still be importing it. */
const RETIRED_TTL_MS = 10 * 60_000;

/** A module file's name: `<index name>-<time>-<pid>-<n>.mjs` (see `importCachedConfig`). */
const MODULE_NAME = /^[0-9a-f]{14}-[0-9a-z]+-[0-9]+-[0-9]+\.mjs$/;

/** Module files this process wrote (part of their names). */
let written = 0;

/** Why a config cannot be served from the cache (the caller falls back to tsx). */
class NotCacheable extends Error {}

/** One index file: what the module was made from, and its file name. */
interface Entry {
  readonly format: string;
  /** The folder of the code that wrote it (see `codeFolder`). */
  readonly folder: string;
  readonly config: string;
  readonly module: string;
  readonly inputs: ConfigInputs;
}

/**
 * The folder this code runs from: the cached module's `import "ragraph"` is an absolute
 * URL into the package that wrote it, so a package installed elsewhere (or laid out
 * differently) must not reuse it, or the config would load a second copy of the library.
 */
const codeFolder = (): string => new URL(".", import.meta.url).href;

/**
 * The per-user cache folder, created private; undefined when it is not safe to use.
 * Keep in step with `privateDir` in scripts/bundle-loader.mjs (the code cache's folder, same
 * checks): that file is copied verbatim into dist/bundle/loader.js and imports nothing of
 * ours, so the two cannot share one function.
 */
function cacheDir(): string | undefined {
  const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
  const dir = join(process.env.RAG_CONFIG_CACHE_DIR ?? tmpdir(), `ragraph-config-cache-${uid ?? "user"}`);
  try {
    makeFolders(dir, 0o700);
    const st = lstatSync(dir);
    if (!st.isDirectory()) return undefined;
    // Another user's folder (or one others can write into) could hold planted code.
    if (uid !== undefined && (st.uid !== uid || (st.mode & 0o022) !== 0)) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/**
 * The index file's name for a config path: a 53-bit string hash (cyrb53) in hex. Not a
 * security or freshness measure — two paths sharing a name only evict each other's entry,
 * since an entry is used only when its recorded config path and inputs match. The same
 * mixing as `cacheName` in scripts/bundle-loader.mjs (which cannot import it: see `cacheDir`).
 */
function indexName(key: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, "0");
}

/** tsx's esbuild (an installed package has tsx as a dependency), else a top-level one. */
function loadEsbuild(): typeof import("esbuild") {
  const here = createRequire(import.meta.url);
  let req: NodeRequire = here;
  try {
    req = createRequire(here.resolve("tsx/package.json"));
  } catch {
    // no tsx: a top-level esbuild, if any
  }
  return req("esbuild") as typeof import("esbuild");
}

/** A usable entry for `path` whose source is `source`, or undefined. */
function readEntry(file: string, name: string, path: string, source: string): Entry | undefined {
  let entry: Entry;
  try {
    entry = JSON.parse(readFileSync(file, "utf8")) as Entry;
  } catch {
    return undefined;
  }
  // A cache is best effort: an index that is not an entry (`null`, a list, fields missing
  // after a crash or a hand edit) is a miss, not a TypeError out of every command.
  if (typeof entry !== "object" || entry === null || typeof entry.inputs !== "object" || entry.inputs === null || !Array.isArray(entry.inputs.files)) return undefined;
  if (entry.format !== FORMAT || entry.folder !== codeFolder() || entry.config !== path || typeof entry.module !== "string") return undefined;
  // The module is a file this cache wrote beside its index, named as `importCachedConfig`
  // names it: an index naming `../x.mjs` or an absolute path would import code from
  // outside the private folder.
  if (!entry.module.startsWith(`${name}-`) || !MODULE_NAME.test(entry.module)) return undefined;
  if (entry.inputs.files[0]?.path !== path || entry.inputs.files[0].text !== source) return undefined;
  return inputsHold(entry.inputs) ? entry : undefined;
}

/** The config bundled to one ES module with absolute imports, and what it was made from (see the file comment). */
async function transpile(path: string, source: string): Promise<{ code: string; inputs: ConfigInputs }> {
  const esbuild = loadEsbuild();
  const url = pathToFileURL(path).href;
  const projectDir = dirname(path) + sep;
  /** Bare specifiers and where they resolved: [importer, specifier, resolved path]. */
  const packages: [string, string, string][] = [];
  /** What each path import named and the real file it led to (links followed). */
  const links: ResolvedLink[] = [];
  const result = await esbuild.build({
    entryPoints: [path],
    absWorkingDir: dirname(path),
    bundle: true,
    write: false,
    metafile: true,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "silent",
    define: { "import.meta.url": JSON.stringify(url), "import.meta.filename": JSON.stringify(path), "import.meta.dirname": JSON.stringify(dirname(path)) },
    plugins: [
      {
        name: "ragraph-config-externals",
        setup(build) {
          build.onResolve({ filter: /.*/ }, async (args) => {
            if (args.kind === "entry-point" || (args.pluginData as { inner?: boolean } | undefined)?.inner) return undefined;
            if (isBuiltin(args.path)) return { path: args.path, external: true };
            const r = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: { inner: true } });
            if (r.errors.length > 0 || !r.path) throw new NotCacheable(`cannot resolve ${args.path}`);
            const byPath = isPathSpecifier(args.path);
            if (byPath) {
              // A link on the way (`lib.ts -> v1.ts`) may be pointed elsewhere later: record it.
              const link = resolvedLink(args.resolveDir, args.path, r.path);
              if (!link) throw new NotCacheable(`cannot tell which file ${args.path} named`);
              links.push(link);
            }
            // The project's own TypeScript (in the config's folder tree) is bundled in and
            // recorded as an input below — only when a path names it: an alias (tsconfig
            // `paths`, `baseUrl`, package.json `imports`, a workspace package) maps a name
            // through files the entry would have to follow too, so tsx loads such a config;
            // TypeScript elsewhere (a library's sources by path) is tsx's; the rest is
            // imported from where it lies.
            if (TS_FILE.test(r.path)) {
              if (!byPath) throw new NotCacheable(`imports TypeScript through an alias: ${args.path}`);
              if (r.path.startsWith(projectDir) && !IN_NODE_MODULES.test(r.path.slice(projectDir.length))) return { path: r.path };
              throw new NotCacheable(`imports TypeScript outside the config's folder: ${args.path}`);
            }
            if (!byPath) packages.push([args.importer, args.path, r.path]);
            return { path: pathToFileURL(r.path).href, external: true };
          });
        },
      },
    ],
  });
  const code = result.outputFiles?.[0]?.text;
  if (code === undefined || !result.metafile) throw new NotCacheable("no output");
  // The metafile names the bundled files relative to absWorkingDir.
  const others = Object.keys(result.metafile.inputs)
    .map((p) => resolve(dirname(path), p))
    .filter((p) => p !== path);
  const inputs = recordInputs([{ path, text: source }, ...others.map((p) => ({ path: p, text: readFileSync(p, "utf8") }))], packages, links);
  // A bundled file's `import.meta` would be the config's: let tsx load such a config.
  if (inputs.files.slice(1).some((f) => TS_FILE.test(f.path) && f.text.includes("import.meta"))) throw new NotCacheable("a local module reads import.meta");
  return { code, inputs };
}

/** Deletes this config's module files other than `keep` that are older than `RETIRED_TTL_MS`, and stray temporary files. */
function retire(dir: string, name: string, keep: string): void {
  let files: string[] = [];
  try {
    files = readdirSync(dir);
  } catch {
    return;
  }
  const now = Date.now();
  for (const f of files) {
    if (f === keep || !(f.startsWith(`${name}-`) || f.endsWith(".tmp") || /^[0-9a-f]{40}\.mjs$/.test(f))) continue;
    try {
      if (now - lstatSync(join(dir, f)).mtimeMs > RETIRED_TTL_MS) rmSync(join(dir, f), { force: true });
    } catch {
      // gone already
    }
  }
}

/** Writes `text` to `file` atomically (a temporary file renamed into place), private to this user. */
const writeAtomic = (file: string, text: string): void => replaceFile(file, text, 0o600);

/**
 * The config module loaded from the transpile cache (transpiling it first on a miss), or
 * `undefined` when it cannot be (the caller then loads it through tsx). A config or a
 * local file it imports that changed gives a new module file, so a process that loads the
 * config again gets what is on disk now.
 * @param path absolute path of a `.ts`/`.mts`/`.cts` config.
 * @param onFiles given the files the module was made from (the config first, then the
 *   local files bundled into it): what to watch for changes.
 */
export async function importCachedConfig(path: string, onFiles?: (files: readonly string[]) => void): Promise<Record<string, unknown> | undefined> {
  if (process.env.RAG_CONFIG_CACHE === "0") return undefined;
  const dir = cacheDir();
  if (!dir) return undefined;
  let source: string;
  try {
    source = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  const name = indexName(`${FORMAT}\0${codeFolder()}\0${path}`);
  const index = join(dir, `${name}.json`);
  const found = readEntry(index, name, path, source);
  let module = found?.module;
  let files = found?.inputs.files;
  if (module !== undefined && !isFile(join(dir, module))) module = undefined; // retired meanwhile
  if (module === undefined) {
    try {
      const { code, inputs } = await transpile(path, source);
      // A new name per write (never reused within a process, whose module cache keeps
      // every URL it imported): an in-process reload after an edit gets the new module.
      module = `${name}-${Date.now().toString(36)}-${process.pid}-${++written}.mjs`;
      writeAtomic(join(dir, module), code);
      const entry: Entry = { format: FORMAT, folder: codeFolder(), config: path, module, inputs };
      writeAtomic(index, JSON.stringify(entry));
      files = inputs.files;
    } catch {
      return undefined;
    }
    retire(dir, name, module);
  }
  try {
    const mod = (await import(pathToFileURL(join(dir, module)).href)) as Record<string, unknown>;
    if (files) onFiles?.(files.map((f) => f.path));
    return mod;
  } catch {
    return undefined;
  }
}

function isFile(p: string): boolean {
  try {
    return lstatSync(p).isFile();
  } catch {
    return false;
  }
}
