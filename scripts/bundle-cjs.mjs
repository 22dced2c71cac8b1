// Turns the ES module chunks of esbuild's code-split bundle into the scripts the bundle's
// loader runs with V8's code cache (scripts/bundle-loader.mjs says why), and writes the ES
// module entry points that re-export them. Used by scripts/bundle.mjs.
//
// A chunk becomes a CommonJS-shaped script by esbuild's own ESM → CommonJS transform,
// which keeps live bindings (an import is read as a property of the other chunk's exports
// at each use, an export is a getter), with:
// - `import.meta.url` → `__ragImportMetaUrl` (the loader passes the chunk's URL; any other
//   use of `import.meta` fails the build);
// - every `import()` → `__ragImport(spec)`: esbuild is told dynamic import is unsupported,
//   so it writes each as `Promise.resolve().then(() => __toESM(require(spec)))`, and that
//   exact text is replaced; the build fails if the count does not match esbuild's metafile;
// - no top-level await (a CommonJS script has none; esbuild refuses it);
// - the whole wrapped in the loader's function expression (`SCRIPT_HEAD` … `SCRIPT_TAIL`).

import { SCRIPT_HEAD, SCRIPT_TAIL } from "./bundle-loader.mjs";

/** esbuild's rewrite of `import(spec)` when told dynamic import is unsupported (CommonJS output). */
const LOWERED_IMPORT = "Promise.resolve().then(() => __toESM(require(";

/**
 * The chunk `rel` (ES module text from the code-split build) as a script for the loader.
 * @param {typeof import("esbuild")} esbuild
 * @param {string} rel the chunk's path in the bundle, for messages
 * @param {string} text
 * @param {number} dynamicImports how many `import()` esbuild's metafile lists for it (at least)
 * @returns {Promise<string>}
 */
export async function toScript(esbuild, rel, text, dynamicImports) {
  const result = await esbuild.transform(text, {
    loader: "js",
    format: "cjs",
    platform: "node",
    target: "es2022",
    define: { "import.meta.url": "__ragImportMetaUrl" },
    supported: { "dynamic-import": false },
    logLevel: "silent",
  });
  if (result.warnings.length) throw new Error(`bundle: ${rel}: ${result.warnings.map((w) => w.text).join("; ")}`);
  const parts = result.code.split(LOWERED_IMPORT);
  if (parts.length - 1 < dynamicImports) throw new Error(`bundle: ${rel}: ${dynamicImports} import() expected, ${parts.length - 1} found in esbuild's CommonJS output`);
  // `__ragImport(((spec)))`: the three opening parentheses replaced keep the closing ones balanced.
  return SCRIPT_HEAD + ascii(parts.join("__ragImport(((")) + SCRIPT_TAIL;
}

/**
 * `code` in ASCII, so the loader can read it as Latin-1 (a copy) instead of decoding UTF-8
 * (≈ 2.5× slower). esbuild already escapes every non-ASCII character in strings, templates,
 * regular expressions and names (its default `charset: "ascii"`); what is left is in the
 * comments it keeps. Each is written as a `\uXXXX` escape, which means the same character
 * anywhere esbuild might have missed one.
 * @param {string} code
 * @returns {string}
 */
function ascii(code) {
  return code.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * An ES module entry point that re-exports the script `target` (relative to the entry's
 * own folder) through the loader at `loader` (relative too).
 * @param {string} loader e.g. "./loader.js"
 * @param {string} target e.g. "./index.cjs"
 * @param {readonly string[]} names the entry's export names (esbuild's metafile)
 * @returns {string}
 */
export function facade(loader, target, names) {
  const plain = names.filter((n) => n !== "default");
  const lines = [
    `import { loadBundled } from ${JSON.stringify(loader)};`,
    `const m = loadBundled(new URL(${JSON.stringify(target)}, import.meta.url));`,
    ...(plain.length ? [`export const { ${plain.join(", ")} } = m;`] : []),
    ...(names.includes("default") ? ["export default m.default;"] : []),
  ];
  return lines.join("\n") + "\n";
}
