/**
 * Builds the studio page with esbuild (a dependency of tsx, so present wherever ragraph
 * is installed), all local (no CDN):
 * - `app.js`: the boot script (studio/app/boot.ts, a few kB) that starts the language
 *   worker and fetches the first file, then imports `chunks/main.js` (Monaco's editor
 *   and contributions — no language packs — and the panels) + its CSS;
 * - `lang.worker.js`: the language worker (language-service/ + compiler + grammar);
 * - `editor.worker.js`: Monaco's editor worker; `elk-worker.js`: ELK's layout worker;
 * - `index.html`.
 * The output folder is named by a hash of the page's sources (the app, language-service/,
 * compiler/, grammar/) and the Monaco version, so a second start reuses it.
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { makeFolders } from "../registry/make-folders.js";

// The app's sources: beside this file in the sources (studio/app/); from compiled code (a
// chunk of dist/bundle/ in a checkout running the bundled CLI) the checkout's studio/app/,
// found by walking up to the package root (the folder whose package.json is ragraph's),
// so wherever the bundler puts this code it finds the same folder. Not found (an
// installed package ships no app sources, but the page `npm run build` built into
// dist/studio/: see `buildStudio`): the old guess.
const FOUND_APP = findApp(dirname(fileURLToPath(import.meta.url)));
const APP = FOUND_APP ?? fileURLToPath(new URL("./app/", import.meta.url));

/** The package's prebuilt page folder (`dist/studio/` of the ragraph package holding this code). */
export const PREBUILT_DIR = "dist/studio";

/** The page cannot be served: no app sources to build it from and no prebuilt page (code `studio_page_missing`). */
export class StudioPageError extends Error {
  readonly code = "studio_page_missing";
  constructor(message: string) {
    super(message);
    this.name = "StudioPageError";
  }
}

/** The ragraph package root at or above `start` (a folder), or undefined. */
function ragraphRoot(start: string): string | undefined {
  for (let dir = start; ; ) {
    if (isRagraphRoot(dir)) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** `studio/app/` of the package holding `start` (a folder), or undefined; looks no higher than ragraph's package root. */
function findApp(start: string): string | undefined {
  for (let dir = start; ; ) {
    for (const app of [join(dir, "app"), join(dir, "studio", "app")]) if (existsSync(join(app, "boot.ts"))) return app + sep;
    if (isRagraphRoot(dir)) return undefined;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function isRagraphRoot(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown }).name === "ragraph";
  } catch {
    return false;
  }
}
/** Folders bundled into the language worker (the cache key covers them too), in the checkout holding APP. */
const WORKER_SOURCES = ["language-service", "compiler", "grammar"].map((d) => join(APP, "..", "..", d) + sep);
const require = createRequire(import.meta.url);

/** The app's source files, for the cache key. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : [p];
  });
}

/** A hash of the page's sources and the Monaco version (names the output folder). */
export function studioBundleKey(): string {
  const h = createHash("sha256");
  for (const dir of [APP, ...WORKER_SOURCES]) for (const f of sources(dir).sort()) h.update(f.slice(dir.length)).update(readFileSync(f));
  h.update(readFileSync(join(dirname(require.resolve("monaco-editor/editor/editor.main.js")), "..", "..", "..", "package.json")));
  return h.digest("hex").slice(0, 16);
}

/**
 * Monaco contributions left out of the page (bytes the browser would parse at every
 * start for features no `.rag` provider feeds): inline completions, colour pickers,
 * code lenses, inlay hints, linked editing, the GPU renderer's actions, token
 * inspection, the iPad keyboard, drop/paste providers, sticky scroll, section headers.
 */
const UNUSED_CONTRIBUTIONS = [
  "/inlineCompletions/",
  "suggestInlineCompletions",
  "/colorPicker/",
  "/codelens/",
  "/inlayHints/",
  "/linkedEditing/",
  "/gpu/",
  "/inspectTokens/",
  "/iPadShowKeyboard/",
  "/dropOrPasteInto/",
  "/stickyScroll/",
  "/sectionHeaders/",
  "/floatingMenu/",
  "/diffEditorBreadcrumbs/",
  "/middleScroll/",
];

export interface BuildOptions {
  /** Output folder (default: `<tmp>/ragraph-studio-<key>`, reused when it exists). */
  readonly outDir?: string;
  /** Minify (default true). */
  readonly minify?: boolean;
}

/** Builds the page (or reuses a build of the same sources); resolves with its folder. */
export async function buildStudio(options: BuildOptions = {}): Promise<string> {
  if (!FOUND_APP && options.outDir === undefined) {
    // An installed package: no app sources to build from; the page was built by
    // `npm run build` (prepack) into dist/studio/.
    const root = ragraphRoot(dirname(fileURLToPath(import.meta.url)));
    const prebuilt = root && join(root, PREBUILT_DIR);
    if (prebuilt && existsSync(join(prebuilt, "index.html"))) return prebuilt;
    throw new StudioPageError(`the studio page is missing from this ragraph installation (no ${PREBUILT_DIR}/index.html${root ? ` in ${root}` : ""}, and no studio/app/ sources to build it from); reinstall ragraph from a package built with \`npm run build\`, or run \`rag studio\` from a checkout`);
  }
  const outDir = options.outDir ?? join(tmpdir(), `ragraph-studio-${studioBundleKey()}`);
  if (existsSync(join(outDir, "index.html"))) return outDir;
  const esbuild = await import("esbuild");
  const work = `${outDir}.${process.pid}.tmp`;
  rmSync(work, { recursive: true, force: true });
  makeFolders(work);
  const monacoMain = require.resolve("monaco-editor/editor/editor.main.js");
  // Monaco's editor with the contributions the studio uses (hover, code actions, suggest,
  // find, folding, format, diff, …) without its language packs, its LSP client, and the
  // contributions no `.rag` feature needs (`UNUSED_CONTRIBUTIONS`): editor.main.js minus
  // those lines.
  const monacoCore = readFileSync(monacoMain, "utf8")
    .split("\n")
    .filter((l) => (l.startsWith("import '") && !l.includes("languages/") && !UNUSED_CONTRIBUTIONS.some((c) => l.includes(c))) || (l.startsWith("export {") && l.includes("editor.api.js")))
    .join("\n");
  const result = await esbuild.build({
    metafile: true,
    entryPoints: { app: join(APP, "boot.ts"), "lang.worker": join(APP, "lang-worker.ts"), "editor.worker": require.resolve("monaco-editor/editor/editor.worker.js") },
    bundle: true,
    format: "esm",
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    platform: "browser",
    target: "es2022",
    outdir: work,
    minify: options.minify ?? true,
    sourcemap: false,
    logLevel: "silent",
    loader: { ".ttf": "file", ".woff2": "file" },
    assetNames: "[name]",
    plugins: [
      {
        name: "monaco-core",
        setup(b) {
          b.onResolve({ filter: /^monaco-core$/ }, () => ({ path: join(dirname(monacoMain), "__monaco_core__.js"), namespace: "file" }));
          b.onLoad({ filter: /__monaco_core__\.js$/ }, () => ({ contents: monacoCore, resolveDir: dirname(monacoMain), loader: "js" }));
        },
      },
    ],
  });
  // Preload every chunk the page imports (statically or by `import()`), so Monaco's chunk
  // downloads while the boot script runs instead of after it.
  const outputs = result.metafile.outputs;
  const rel = (p: string) => relative(work, resolve(p)).split(sep).join("/");
  const byRel = new Map(Object.entries(outputs).map(([k, v]) => [rel(k), v]));
  const preload = new Set<string>();
  const walk = (file: string) => {
    for (const i of byRel.get(file)?.imports ?? []) {
      const r = rel(i.path);
      if (!r.endsWith(".js") || preload.has(r)) continue;
      preload.add(r);
      walk(r);
    }
  };
  walk("app.js");
  const html = readFileSync(join(APP, "index.html"), "utf8").replace("<!-- preload -->", [...preload].map((p) => `<link rel="modulepreload" href="/${p}">`).join("\n"));
  writeFileSync(join(work, "index.html"), html);
  copyFileSync(require.resolve("elkjs/lib/elk-worker.min.js"), join(work, "elk-worker.js"));
  rmSync(outDir, { recursive: true, force: true });
  renameSync(work, outDir);
  return outDir;
}

// `tsx studio/build.ts [OUTDIR]`: builds the page (into OUTDIR afresh, as `npm run build`
// does for dist/studio/; else into the temp cache). A promise chain, not a top-level
// await: this module is part of the CLI's bundle, whose chunks are scripts (scripts/bundle.mjs).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = performance.now();
  if (process.argv[2] && existsSync(join(process.argv[2], "index.html"))) rmSync(process.argv[2], { recursive: true, force: true });
  void buildStudio({ ...(process.argv[2] ? { outDir: process.argv[2] } : {}) }).then((out) => {
    process.stdout.write(`studio page built in ${out} (${Math.round(performance.now() - t0)} ms)\n`);
  });
}
