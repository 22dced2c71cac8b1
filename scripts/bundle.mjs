// The code-split bundle the package runs from (dist/bundle/): `npm run build` writes
// it after tsc's declarations, and a checkout's bin/dev-build.js rebuilds it when a source
// is newer. Why: `rag check` of an example loaded ≈ 170 of the package's own modules one
// by one, and most of its start-up was Node's module loader (resolve, read, compile per
// file); the bundle is a handful of files.
//
// One esbuild build with every entry point, `splitting: true`: the CLI (dist/bundle/cli/main.js)
// and the package's exports (dist/bundle/index.js, dist/bundle/config.js,
// dist/bundle/scale.js; package.json "exports") use the SAME shared chunks, so a rag.config.ts that imports `ragraph` or
// `ragraph/config` while the CLI runs gets the CLI's classes and registries, not copies.
// esbuild writes ES modules; each is then turned into a script (`.cjs`, named by its
// content hash, scripts/bundle-cjs.mjs) that dist/bundle/loader.js (scripts/bundle-loader.mjs)
// links and runs with V8's code cache, and the entries are small ES modules that
// re-export their script's exports.
// npm dependencies stay external (resolved from node_modules at run time, as before) —
// except those in `BUNDLED`: zod's package entry loads ≈ 150 modules (every locale), which
// made it the largest single cost of `rag check`'s start-up; commander is six CommonJS
// files every command loads; chevrotain (`#chevrotain`, whose package entry loads ≈ 650
// lodash-es modules) comes from its own single-file build; string-width is an ES module a
// script could only `require` as one. A config's `z` (from "ragraph") is this copy; a config
// that imports "zod" itself gets the installed copy, which works with it (zod 4 checks
// `instanceof` by traits, not by class identity). scripts/bundle-plugins.mjs keeps what no
// command runs out of the start-up path (zod's locales, @noble/hashes, child_process).
//
// Usage: `node scripts/bundle.mjs [outdir]` (default dist/bundle). Writing is atomic per
// file and entries last (see `writeBundle`), so a `rag` process starting meanwhile sees
// either the old bundle or the new one.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { facade, toScript } from "./bundle-cjs.mjs";
import { buildZodLocales, builtinsForBundledCommonJs, chevrotainBundled, nobleOnNodeCrypto, zodLocalesOnDemand } from "./bundle-plugins.mjs";

/** Entry points, relative to the package root; their ES module entries keep the path with .js (index.ts → index.js, cli/main.ts → cli/main.js). */
export const ENTRY_POINTS = ["index.ts", "config.ts", "scale.ts", "cli/main.ts"];

/** Shared and lazily imported code goes here, named by content hash. */
const CHUNKS = "chunks";

/** A retired chunk (no longer referenced by the current bundle) is deleted this long after it was retired (ms): a process started on the old bundle may still import it lazily. */
const RETIRED_TTL_MS = 10 * 60_000;

/** npm dependencies compiled into the bundle instead of loaded from node_modules. */
const BUNDLED = new Set(["zod", "commander", "chevrotain", "string-width"]);

/**
 * The package's dependencies that stay external, as esbuild patterns (`name` and `name/*`).
 * @param {string} root
 * @returns {string[]}
 */
function externalPackages(root) {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies }).filter((n) => !BUNDLED.has(n));
  return names.flatMap((n) => [n, `${n}/*`]);
}

/**
 * esbuild build options for the bundle of the package at `root` (absolute path).
 * @param {string} root
 * @param {string} localesFile name of zod's locales file in chunks/ (`buildZodLocales`)
 * @returns {import("esbuild").BuildOptions}
 */
export function bundleOptions(root, localesFile) {
  return {
    absWorkingDir: root,
    entryPoints: ENTRY_POINTS.map((e) => join(root, e)),
    outbase: root,
    // Every script is named by its content hash, the entry points too (cli/main-<hash>.cjs):
    // the code cache of a script is keyed by its name (scripts/bundle-loader.mjs). The ES
    // module entries (index.js, config.js, scale.js, cli/main.js) keep their names.
    entryNames: "[dir]/[name]-[hash]",
    chunkNames: `${CHUNKS}/[name]-[hash]`,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "es2022",
    // Two modules' top-level `class X` would otherwise become `X` and `X2`; names show in
    // errors (`constructor.name`) and JSON.
    keepNames: true,
    // The chunks are converted to scripts (scripts/bundle-cjs.mjs), named .cjs from the start.
    outExtension: { ".js": ".cjs" },
    // Every npm dependency but those in `BUNDLED` is loaded by Node.
    external: externalPackages(root),
    plugins: [chevrotainBundled(root), zodLocalesOnDemand(localesFile), nobleOnNodeCrypto(), builtinsForBundledCommonJs()],
    tsconfig: join(root, "tsconfig.json"),
    logLevel: "silent",
    write: false,
    metafile: true,
  };
}

/**
 * Builds the bundle in memory. Resolves to `[relativePath, contents]` pairs (paths
 * relative to the output folder, "/"-separated); rejects with esbuild's error on a build
 * error.
 * @param {string} root absolute path of the package root
 * @param {typeof import("esbuild")} [esbuild] the esbuild module (default: imported)
 * @returns {Promise<Array<[string, Uint8Array]>>}
 */
export async function buildBundle(root, esbuild) {
  const es = esbuild ?? (await import("esbuild"));
  const outdir = join(root, ".bundle-out"); // virtual: write is false
  const [localesFile, locales] = await buildZodLocales(es, root);
  const result = await es.build({ ...bundleOptions(root, localesFile), outdir });
  const rel = (path) => relative(outdir, path).split(sep).join("/");
  const meta = new Map(Object.entries(result.metafile.outputs).map(([path, o]) => [rel(join(root, path)), o]));
  const files = [["loader.js", readFileSync(join(root, "scripts", "bundle-loader.mjs"))]];
  const facades = [];
  let stubs = 0;
  for (const f of result.outputFiles) {
    const name = rel(f.path);
    const o = meta.get(name);
    const dynamicImports = o?.imports.filter((i) => i.kind === "dynamic-import").length ?? 0;
    files.push([name, Buffer.from(await toScript(es, name, f.text, dynamicImports))]);
    // The locale stub loads `./<localesFile>` relative to its own file: it must be a chunk.
    if (f.text.includes(localesFile)) {
      if (!name.startsWith(`${CHUNKS}/`)) throw new Error(`bundle: zod's locale stub landed outside ${CHUNKS}/`);
      stubs++;
    }
    if (o?.entryPoint) {
      const entry = name.replace(/-[A-Z0-9]+\.cjs$/, ".js");
      const up = "../".repeat(entry.split("/").length - 1) || "./";
      facades.push([entry, Buffer.from(facade(`${up}loader.js`, `./${name.split("/").pop()}`, o.exports))]);
    }
  }
  if (stubs) files.push([`${CHUNKS}/${localesFile}`, locales]);
  // The entry points last: a process starting meanwhile finds every chunk they need.
  return [...files, ...facades];
}

/**
 * Writes built files into `outdir` so that a process loading the bundle meanwhile never
 * sees half of it: each file goes to a temporary name and is renamed into place, chunks
 * first (their names carry a content hash: a rewritten chunk has the same contents) and the
 * entry points last. Chunks of an older build are not deleted at once (a process started on
 * it may import one lazily) but `RETIRED_TTL_MS` after they were first found unreferenced
 * (recorded in `outdir/.retired.json`).
 * @param {string} outdir absolute path
 * @param {Array<[string, Uint8Array]>} files from `buildBundle`
 */
export function writeBundle(outdir, files) {
  const tag = `${process.pid}.${Date.now()}.tmp`;
  const ordered = [...files].sort(([a], [b]) => Number(!a.startsWith(`${CHUNKS}/`)) - Number(!b.startsWith(`${CHUNKS}/`)));
  for (const [rel, contents] of ordered) {
    const out = join(outdir, rel);
    mkdirSync(dirname(out), { recursive: true });
    const tmp = `${out}.${tag}`;
    writeFileSync(tmp, contents);
    renameSync(tmp, out);
  }
  retireOldChunks(outdir, new Set(files.map(([rel]) => rel)));
}

/** Deletes chunks and scripts unreferenced for longer than `RETIRED_TTL_MS`; records newly unreferenced ones. */
function retireOldChunks(outdir, current) {
  const ledger = join(outdir, ".retired.json");
  let retired = {};
  try {
    retired = JSON.parse(readFileSync(ledger, "utf8"));
  } catch {
    // none yet
  }
  const now = Date.now();
  const next = {};
  // Every file in chunks/, and every script anywhere (the entry scripts carry a content
  // hash too: cli/main-<hash>.cjs); not the ES module entries, the loader or the stamps.
  let rels = [];
  try {
    rels = readdirSync(outdir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(outdir, join(e.parentPath ?? e.path, e.name)).split(sep).join("/"))
      .filter((rel) => rel.startsWith(`${CHUNKS}/`) || /\.cjs(\.[^/]*\.tmp)?$/.test(rel));
  } catch {
    return;
  }
  for (const rel of rels) {
    if (current.has(rel)) continue;
    const since = typeof retired[rel] === "number" ? retired[rel] : now;
    // A temporary file of a writer that died is retired like a chunk.
    if (now - since > RETIRED_TTL_MS) rmSync(join(outdir, rel), { force: true });
    else next[rel] = since;
  }
  if (Object.keys(next).length === 0 && Object.keys(retired).length === 0) return;
  const tmp = `${ledger}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(next));
  renameSync(tmp, ledger);
}

/** Deletes `.js` files under `dir` except inside `keep`. */
function removeLooseJs(dir, keep) {
  let entries = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (p === keep) continue;
    if (e.isDirectory()) removeLooseJs(p, keep);
    else if (e.name.endsWith(".js")) rmSync(p, { force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL("../", import.meta.url));
  const outdir = resolve(process.argv[2] ?? join(root, "dist", "bundle"));
  const t0 = performance.now();
  const files = await buildBundle(root);
  // A fresh build: no chunks of another version to keep (nor to ship).
  if (existsSync(outdir) && statSync(outdir).isDirectory()) rmSync(outdir, { recursive: true, force: true });
  writeBundle(outdir, files);
  // The default build also drops JavaScript of the old per-file layout (dist/**/*.js from
  // tsc or an older bin/dev-build.js) beside the declarations: nothing loads it, and
  // `npm pack` would ship it.
  if (!process.argv[2]) {
    removeLooseJs(join(root, "dist"), outdir);
    // The stamp bin/dev-build.js compares: the first `rag` after `npm run build` in a
    // checkout runs this bundle instead of building it again.
    const { sourcesFingerprint } = await import("../bin/dev-build.js");
    writeFileSync(join(outdir, ".sources"), sourcesFingerprint(root));
  }
  process.stdout.write(`bundle: ${files.length} files in ${relative(process.cwd(), outdir) || "."} (${Math.round(performance.now() - t0)} ms)\n`);
}
