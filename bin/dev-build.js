// Checkout only (bin/rag.js): keeps dist/ current so the CLI starts from compiled
// JavaScript, not through tsx's loader hooks (issue 14 §3: start-up is Node's own plus
// the modules a command needs).
//
// `freshDist(root)` compares each source file's mtime with its dist/ counterpart and
// transpiles the changed ones with esbuild (type-stripping only, the same ES2022 output
// as `npm run build`'s tsc, without .d.ts files: those stay tsc's job). A checkout with
// no edits costs one stat per source file (≈ 300). Writes go to a temporary name and are
// renamed into place, so parallel `rag` processes never see half a file. Returns false
// when it cannot (no esbuild, a read-only tree, a transpile error): the caller then runs
// the sources through tsx, which reports the error the usual way.
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Top-level folders that are not library/CLI sources; every other folder of .ts files is (a new pipeline stage is picked up without editing this file). */
const NOT_SOURCES = new Set(["node_modules", "dist", "test", "bench", "examples", "studio", "scripts", "types", "docs", "bin", "coverage", ".git", ".rag", ".ci", ".scratch", ".fuzz-failures"]);

/** Source folders the CLI and the library load. */
function sourceDirs(root) {
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !NOT_SOURCES.has(e.name) && !e.name.startsWith("."))
    .map((e) => e.name);
}
const SOURCE_FILES = ["index.ts", "config.ts", "studio/build.ts"];

/** `[source, output]` path pairs whose output is missing or older than the source. */
function staleFiles(root) {
  const stale = [];
  const consider = (rel) => {
    const src = join(root, rel);
    const out = join(root, "dist", rel.replace(/\.ts$/, ".js"));
    let srcTime;
    try {
      srcTime = statSync(src).mtimeMs;
    } catch {
      return;
    }
    let outTime = -1;
    try {
      outTime = statSync(out).mtimeMs;
    } catch {
      // missing
    }
    if (outTime < srcTime) stale.push([src, out]);
  };
  const walk = (rel) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (e.name !== "node_modules") walk(child);
      } else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") && !e.name.endsWith(".test.ts")) consider(child);
    }
  };
  for (const d of sourceDirs(root)) walk(d);
  for (const f of SOURCE_FILES) consider(f);
  return stale;
}

/** True when dist/ holds current JavaScript for every source file (after transpiling the stale ones). */
export async function freshDist(rootUrl) {
  const root = fileURLToPath(rootUrl);
  let stale;
  try {
    stale = staleFiles(root);
  } catch {
    return false;
  }
  if (stale.length === 0) return true;
  try {
    const { transform } = await import("esbuild");
    const outputs = await Promise.all(
      stale.map(async ([src, out]) => {
        const r = await transform(readFileSync(src, "utf8"), {
          loader: "ts",
          format: "esm",
          target: "es2022",
          sourcefile: src,
          tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true } },
        });
        return [out, r.code];
      }),
    );
    for (const [out, code] of outputs) {
      mkdirSync(dirname(out), { recursive: true });
      const tmp = `${out}.${process.pid}.tmp`;
      writeFileSync(tmp, code);
      renameSync(tmp, out);
    }
    return true;
  } catch {
    return false;
  }
}
