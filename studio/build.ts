/**
 * Builds the studio page with esbuild (a dependency of tsx, so present wherever ragraph
 * is installed): `studio/app/main.ts` → `app.js` + `app.css` (Monaco's editor and
 * contributions — no language packs, no CDN — elkjs, the panels), Monaco's editor
 * worker → `editor.worker.js`, and `index.html`. The output folder is named by a hash
 * of the app's sources, so a second start reuses it (about 2 s to build, 0 to reuse).
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// Beside this file in the sources; from dist/studio/build.js (a checkout running the
// compiled CLI) the app's sources are still the checkout's studio/app/.
const APP = [new URL("./app/", import.meta.url), new URL("../../studio/app/", import.meta.url)].map((u) => fileURLToPath(u)).find((p) => existsSync(p)) ?? fileURLToPath(new URL("./app/", import.meta.url));
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
  for (const f of sources(APP).sort()) h.update(f.slice(APP.length)).update(readFileSync(f));
  h.update(readFileSync(join(dirname(require.resolve("monaco-editor/editor/editor.main.js")), "..", "..", "..", "package.json")));
  return h.digest("hex").slice(0, 16);
}

export interface BuildOptions {
  /** Output folder (default: `<tmp>/ragraph-studio-<key>`, reused when it exists). */
  readonly outDir?: string;
  /** Minify (default true). */
  readonly minify?: boolean;
}

/** Builds the page (or reuses a build of the same sources); resolves with its folder. */
export async function buildStudio(options: BuildOptions = {}): Promise<string> {
  const outDir = options.outDir ?? join(tmpdir(), `ragraph-studio-${studioBundleKey()}`);
  if (existsSync(join(outDir, "index.html"))) return outDir;
  const esbuild = await import("esbuild");
  const work = `${outDir}.${process.pid}.tmp`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const monacoMain = require.resolve("monaco-editor/editor/editor.main.js");
  // Monaco's full editor (every contribution: hover, code actions, find, diff…) without
  // its language packs and LSP client: editor.main.js minus those lines.
  const monacoCore = readFileSync(monacoMain, "utf8")
    .split("\n")
    .filter((l) => (l.startsWith("import '") && !l.includes("languages/")) || l.startsWith("export {") && l.includes("editor.api.js"))
    .join("\n");
  await esbuild.build({
    entryPoints: { app: join(APP, "main.ts"), "editor.worker": require.resolve("monaco-editor/editor/editor.worker.js") },
    bundle: true,
    format: "esm",
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
  copyFileSync(join(APP, "index.html"), join(work, "index.html"));
  rmSync(outDir, { recursive: true, force: true });
  renameSync(work, outDir);
  return outDir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = performance.now();
  const out = await buildStudio({ ...(process.argv[2] ? { outDir: process.argv[2] } : {}) });
  process.stdout.write(`studio page built in ${out} (${Math.round(performance.now() - t0)} ms)\n`);
}
