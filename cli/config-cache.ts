/**
 * A transpile cache for `rag.config.ts` (issue 14 §3: `rag check` ≤ 300 ms). Registering
 * tsx's loader hooks costs ≈ 350 ms of CPU per start (a loader thread, esbuild, and a
 * round trip per module); a config is one small file that changes rarely. So the config
 * is transpiled once with esbuild (tsx's own dependency) to an ES module and stored in a
 * per-user cache folder under the OS temp dir; later starts import that file directly,
 * with no loader hook at all.
 *
 * - The cache key is a SHA-256 of the config's absolute path and its full text (plus the
 *   esbuild version, this file's format version and the folder this code runs from), so an
 *   edited config can never be served from a stale entry: a changed byte is a different
 *   key. The folder: the cached module's `import "ragraph"` is an absolute URL into the
 *   package that wrote it, so a package installed elsewhere or laid out differently (the
 *   per-file dist/ of old, the bundle's dist/bundle/) must not reuse it, or the config
 *   would load a second copy of the library beside the CLI's.
 * - The cached module must behave as the config would in place: every import other than
 *   Node built-ins is resolved at transpile time (esbuild's resolver, the "node" and
 *   "import" conditions) and rewritten to an absolute `file:` URL; `import.meta.url`,
 *   `.filename` and `.dirname` are replaced by the config's own.
 * - Anything this cannot do the same way returns `undefined`, and the caller registers
 *   tsx as before: a config importing other local TypeScript files, esbuild missing, a
 *   cache folder not owned by this user (or open to others), or a cached module that
 *   throws while loading (CommonJS-only code, `__dirname`, a JSON import, a genuine error
 *   in the config: tsx then reports it against the real file).
 * - `RAG_CONFIG_CACHE=0` turns the cache off.
 */
import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire, isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

/** Bumped whenever the shape of the cached output changes. */
const FORMAT = "1";
const TS_FILE = /\.[cm]?tsx?$/;

/** Why a config cannot be served from the cache (the caller falls back to tsx). */
class NotCacheable extends Error {}

/** The per-user cache folder, created private; undefined when it is not safe to use. */
function cacheDir(): string | undefined {
  const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
  const dir = join(process.env.RAG_CONFIG_CACHE_DIR ?? tmpdir(), `ragraph-config-cache-${uid ?? "user"}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory()) return undefined;
    // Another user's folder (or one others can write into) could hold planted code.
    if (uid !== undefined && (st.uid !== uid || (st.mode & 0o022) !== 0)) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/** tsx's esbuild (an installed package has tsx as a dependency), else a top-level one. */
function esbuildRequire(): NodeRequire {
  const here = createRequire(import.meta.url);
  try {
    return createRequire(here.resolve("tsx/package.json"));
  } catch {
    return here;
  }
}

function esbuildVersion(req: NodeRequire): string | undefined {
  try {
    return (JSON.parse(readFileSync(req.resolve("esbuild/package.json"), "utf8")) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/** The config transpiled to one ES module with absolute imports (see the file comment). */
async function transpile(path: string, req: NodeRequire): Promise<string> {
  const esbuild = req("esbuild") as typeof import("esbuild");
  const url = pathToFileURL(path).href;
  const result = await esbuild.build({
    entryPoints: [path],
    bundle: true,
    write: false,
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
            if (TS_FILE.test(r.path)) throw new NotCacheable(`imports TypeScript ${args.path}`);
            return { path: pathToFileURL(r.path).href, external: true };
          });
        },
      },
    ],
  });
  const out = result.outputFiles?.[0]?.text;
  if (out === undefined) throw new NotCacheable("no output");
  return out;
}

/**
 * The config module loaded from the transpile cache (transpiling it first on a miss), or
 * `undefined` when it cannot be (the caller then loads it through tsx).
 * @param path absolute path of a `.ts`/`.mts`/`.cts` config.
 */
export async function importCachedConfig(path: string): Promise<Record<string, unknown> | undefined> {
  if (process.env.RAG_CONFIG_CACHE === "0") return undefined;
  const dir = cacheDir();
  if (!dir) return undefined;
  let source: string;
  try {
    source = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  const req = esbuildRequire();
  const version = esbuildVersion(req);
  if (!version) return undefined;
  const key = createHash("sha256").update(`${FORMAT}\0${version}\0${new URL(".", import.meta.url).href}\0${path}\0${source}`).digest("hex").slice(0, 40);
  const file = join(dir, `${key}.mjs`);
  let cached = false;
  try {
    cached = lstatSync(file).isFile();
  } catch {
    // a miss
  }
  if (!cached) {
    let code: string;
    try {
      code = await transpile(path, req);
    } catch {
      return undefined;
    }
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, code, { mode: 0o600 });
      renameSync(tmp, file);
    } catch {
      rmSync(tmp, { force: true });
      return undefined;
    }
  }
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
