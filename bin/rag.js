#!/usr/bin/env node
// Entry point of the `rag` command.
// - An installed package ships compiled JavaScript, bundled (dist/bundle/, written by
//   `npm run build`: scripts/bundle.mjs, code-split, most npm dependencies external) and no
//   sources: plain Node runs it, with V8's code cache for its scripts (dist/bundle/loader.js,
//   turned on here: an app importing ragraph writes no cache); a rag.config.ts is loaded through the transpile cache or
//   tsx on demand (cli/import-config.ts). The package's exports ("ragraph",
//   "ragraph/config") are entry points of the same bundle, so a config's `import
//   "ragraph"` shares the CLI's modules (one registry, one set of classes).
// - A checkout runs the same bundle: bin/dev-build.js first rebuilds it (esbuild, a few
//   hundred ms) when a source changed since it was written, so a checkout never runs
//   stale code and never pays tsx's loader hooks for the project's own modules.
//   `import "ragraph"` in a config resolves to dist/bundle/ as in an installed package.
// - Fallback (esbuild missing, dist/ not writable, a build error, or RAG_FROM_SOURCES=1):
//   the TypeScript sources through tsx's loaders (both: a rag.config.ts in a folder whose
//   package.json does not say "type": "module" is loaded as CommonJS), with `import
//   "ragraph"` resolved to the sources by the "ragraph-source" export condition.
import { existsSync } from "node:fs";
import { setFlagsFromString } from "node:v8";

// A command is short: V8's optimizing compiler (TurboFan, on background threads) spent
// ≈ 90 ms of CPU per `rag check` compiling functions that had run a few hundred times
// (parser set-up, module bodies) and were never hot again. Eight times V8's default
// interrupt budget (132 KB of bytecode per optimization check) delays that until code is
// really hot; long runs (`rag run`, `serve`, large files) still optimize, a little later.
// Measured on `rag check examples/approval.rag`: 404 → 309 ms of CPU (bench:cli).
setFlagsFromString("--interrupt-budget=1048576");

/** Commands that keep running (servers, sessions, workers): they keep V8's idle-time marking tasks. */
const LONG_LIVED = new Set(["serve", "studio", "repl", "worker", "lsp"]);
// A short command's heap ends at ≈ 10 MB (the bundle's code, deserialized from the code
// cache, is most of it), just past V8's first soft limit (limit − slack, here 14 − 4 MB,
// set from the first scavenges): V8 then posts a task that starts incremental marking
// of the whole heap, which runs at the first turn of the event loop — for `rag check`
// with a config, the config's import — and costs ≈ 20 ms of CPU (main thread and two
// concurrent markers) for garbage the exit frees anyway. Without marking tasks V8 starts
// marking when the heap reaches the limit itself (on allocation, as before for a heap
// that grows fast), so memory stays bounded; a process that stays up keeps the tasks
// (marking in idle time keeps its pauses short). Measured on `rag check
// examples/approval.rag` with its config: a mark-compact in 8 of 8 runs → 0 of 8 (bench:cli).
if (!LONG_LIVED.has(process.argv[2] ?? "")) setFlagsFromString("--no-incremental-marking-task");

/** Runs the CLI from dist/bundle/, with V8's code cache (dist/bundle/loader.js, from scripts/bundle-loader.mjs). */
async function runBundle() {
  (await import("../dist/bundle/loader.js")).useCodeCache(process.argv[2]);
  await import("../dist/bundle/cli/main.js");
}

const root = new URL("../", import.meta.url);
const sources = new URL("cli/main.ts", root);
if (!existsSync(sources)) {
  await runBundle();
} else if (process.env.RAG_FROM_SOURCES !== "1" && (await (await import("./dev-build.js")).freshBundle(root))) {
  await runBundle();
} else {
  const [{ register: registerHooks }, { register }, { register: registerCommonJs }] = await Promise.all([import("node:module"), import("tsx/esm/api"), import("tsx/cjs/api")]);
  register();
  registerCommonJs();
  // Registered last, so it runs first: adds the condition, then tsx and Node resolve.
  const hook = 'export async function resolve(s, c, next) { return next(s, { ...c, conditions: [...c.conditions, "ragraph-source"] }); }';
  registerHooks("data:text/javascript," + encodeURIComponent(hook));
  await import(sources.href);
}
