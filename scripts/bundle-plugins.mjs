// esbuild plugins of the bundle (scripts/bundle.mjs) that keep code a command never runs
// out of what `rag` loads at start (issue 14 §3). Each one leaves behaviour as it was:
//
// - `zodLocalesOnDemand`: zod's namespace re-exports every locale (`z.locales.de`, ≈ 60
//   of them, ≈ 370 KB: a quarter of what `rag check` with a config parsed). The bundle
//   keeps English (zod's default) and gets, for every other locale, a function of the same
//   name that loads it on first call from a CommonJS file built from the same zod in the
//   same build (`chunks/zod-locales-<hash>.cjs`), so `z.config(z.locales.de())` works as before.
// - `nobleOnNodeCrypto`: compiler/canonical.ts hashes with @noble/hashes (it must run in
//   browsers); every Node entry point replaces that with node:crypto at start
//   (stdlib/node-sha256.ts), so in the Node bundle noble's four modules were loaded and
//   never used. They become two lines over node:crypto with the same signatures.
// - `builtinsForBundledCommonJs`: the CommonJS packages bundled in (commander) `require`
//   Node built-ins; an ES module has no `require`, so each becomes
//   `process.getBuiltinModule(name)` (Node ≥ 20.16), and `node:child_process` — which
//   commander only uses to spawn executable subcommands, which `rag` has none of, but
//   which loads ≈ 30 of Node's internal modules (net, dgram, streams) — is resolved on
//   first property access instead of at start.
import { createHash } from "node:crypto";
import { createRequire, isBuiltin } from "node:module";
import { dirname, join } from "node:path";
import { readFileSync } from "node:fs";

const LOCALES_INDEX = /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/;

/**
 * zod's locales as one CommonJS file (built from the zod that `import "zod"` resolves to
 * from `root`), named by its content hash. Resolves to `[fileName, contents]`.
 * @param {typeof import("esbuild")} esbuild
 * @param {string} root
 * @returns {Promise<[string, Uint8Array]>}
 */
export async function buildZodLocales(esbuild, root) {
  const result = await esbuild.build({
    absWorkingDir: root,
    stdin: { contents: 'module.exports = require("zod/v4/locales");', resolveDir: root, loader: "js" },
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "es2022",
    write: false,
    logLevel: "silent",
    outfile: "zod-locales.cjs",
  });
  const contents = result.outputFiles[0].contents;
  return [`zod-locales-${createHash("sha256").update(contents).digest("hex").slice(0, 8).toUpperCase()}.cjs`, contents];
}

/**
 * @param {string} localesFile the file name `buildZodLocales` gave (it is written into chunks/).
 * @returns {import("esbuild").Plugin}
 */
export function zodLocalesOnDemand(localesFile) {
  return {
    name: "zod-locales-on-demand",
    setup(build) {
      build.onLoad({ filter: LOCALES_INDEX }, (args) => {
        const text = readFileSync(args.path, "utf8");
        const locales = [...text.matchAll(/^export \{ default as (\w+) \} from "\.\/([\w-]+)\.js";$/gm)].map((m) => m[1]);
        // zod's own layout changed: bundle the locales as they are rather than guess.
        if (!locales.includes("en") || locales.length !== text.trim().split("\n").length) return undefined;
        const lines = [
          'import { createRequire } from "node:module";',
          'export { default as en } from "./en.js";',
          "let all;",
          `const load = () => (all ??= createRequire(import.meta.url)(${JSON.stringify(`./${localesFile}`)}));`,
          ...locales.filter((l) => l !== "en").map((l) => `export function ${l}(...args) { return load().${l}(...args); }`),
        ];
        return { contents: lines.join("\n"), resolveDir: dirname(args.path), loader: "js" };
      });
    },
  };
}

/** @returns {import("esbuild").Plugin} */
export function nobleOnNodeCrypto() {
  return {
    name: "noble-on-node-crypto",
    setup(build) {
      build.onResolve({ filter: /^@noble\/hashes\/(sha2|utils)\.js$/ }, (args) => ({ path: args.path, namespace: "noble-on-node-crypto" }));
      build.onLoad({ filter: /.*/, namespace: "noble-on-node-crypto" }, (args) => ({
        contents: args.path.endsWith("sha2.js")
          ? 'import { createHash } from "node:crypto";\nexport function sha256(bytes) { return new Uint8Array(createHash("sha256").update(bytes).digest()); }'
          : 'export function bytesToHex(bytes) { return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex"); }\nexport function utf8ToBytes(text) { if (typeof text !== "string") throw new TypeError("string expected"); return new TextEncoder().encode(text); }',
        loader: "js",
      }));
    },
  };
}

/** Built-ins a bundled CommonJS package may require but `rag` needs only later, if ever. */
const ON_FIRST_USE = new Set(["child_process"]);

/** @returns {import("esbuild").Plugin} */
export function builtinsForBundledCommonJs() {
  return {
    name: "builtins-for-bundled-commonjs",
    setup(build) {
      build.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => (args.kind === "require-call" && isBuiltin(args.path) ? { path: args.path.replace(/^node:/, ""), namespace: "node-builtin" } : undefined));
      build.onLoad({ filter: /.*/, namespace: "node-builtin" }, (args) => {
        const get = `process.getBuiltinModule(${JSON.stringify(`node:${args.path}`)})`;
        const contents = ON_FIRST_USE.has(args.path) ? `let m;\nmodule.exports = new Proxy({}, { get: (_, key) => (m ??= ${get})[key] });` : `module.exports = ${get};`;
        return { contents, loader: "js" };
      });
    },
  };
}

/**
 * `#chevrotain` (package.json "imports": types/chevrotain.mjs, which locates chevrotain's
 * single-file bundle at run time, as its package entry loads ≈ 650 lodash-es modules) is
 * compiled into the bundle from that same file: one copy, in a chunk like the rest.
 * @param {string} root
 * @returns {import("esbuild").Plugin}
 */
export function chevrotainBundled(root) {
  return {
    name: "chevrotain-bundled",
    setup(build) {
      build.onResolve({ filter: /^#chevrotain$/ }, () => {
        const entry = createRequire(join(root, "package.json")).resolve("chevrotain"); // …/chevrotain/lib/src/api.js
        return { path: entry.replace(/src[\\/]api\.js$/, "chevrotain.mjs") };
      });
    },
  };
}
