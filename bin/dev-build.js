// Checkout only (bin/rag.js): keeps dist/bundle/ current so the CLI starts from the bundled
// JavaScript (scripts/bundle.mjs: a few dozen code-split files instead of ≈ 170 modules),
// not through tsx's loader hooks (issue 14 §3: start-up is Node's own plus the modules a
// command needs).
//
// `freshBundle(root)` fingerprints the source files (path, mtime and size of each: one
// stat per file, ≈ 300) and compares the fingerprint with the one recorded when the bundle
// was last built (dist/bundle/.sources); on a difference it rebuilds the whole bundle with
// esbuild's JS API (a few hundred ms) and writes it file by file under temporary names,
// renamed into place chunks first and entry points last, so parallel `rag` processes never
// see half a bundle. One process builds at a time: a stale bundle found by several `rag`
// processes at once (a test suite's first parallel files, or every `rag` after an edit) is
// built by the first to take dist/bundle/.build.lock while the others wait for it and then
// use its bundle, instead of each spending seconds of CPU on the same build. Returns false when it cannot (no esbuild, a read-only tree, a build
// error): the caller then runs the sources through tsx, which reports the error the usual
// way. .d.ts files stay `npm run build`'s job.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** Top-level folders that are not library/CLI sources; every other folder of .ts files is (a new pipeline stage is picked up without editing this file). */
const NOT_SOURCES = new Set(["node_modules", "dist", "test", "bench", "examples", "studio", "scripts", "types", "docs", "bin", "coverage", ".git", ".rag", ".ci", ".scratch", ".fuzz-failures"]);

/** Source folders the CLI and the library load. */
function sourceDirs(root) {
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !NOT_SOURCES.has(e.name) && !e.name.startsWith("."))
    .map((e) => e.name);
}
/** Single files the bundle depends on besides the source folders and the build scripts (`bundleScripts`). */
const SOURCE_FILES = ["index.ts", "config.ts", "scale.ts", "studio/build.ts", "package.json", "tsconfig.json"];

/** The bundle's build scripts: every scripts/bundle*.mjs (a new one is picked up without editing this file). */
function bundleScripts(root) {
  try {
    return readdirSync(join(root, "scripts"))
      .filter((n) => n.startsWith("bundle") && n.endsWith(".mjs"))
      .sort()
      .map((n) => `scripts/${n}`);
  } catch {
    return [];
  }
}

/**
 * Every source file's path, mtime and size, one line each (a changed, added or removed
 * file changes it). Kept as text, not hashed: comparing ≈ 25 KB of text costs nothing,
 * while loading node:crypto for a digest cost a `rag` start several ms. Written for a
 * cold start (it runs once per `rag`, before V8 has optimised anything): paths are joined
 * by hand (path.join normalises every one), names sorted with the built-in comparison.
 */
export function sourcesFingerprint(root) {
  const base = root.endsWith(sep) ? root.slice(0, -1) : root;
  const lines = [];
  const consider = (rel) => {
    let st;
    try {
      st = statSync(`${base}/${rel}`);
    } catch {
      return; // gone (or unreadable) since it was listed: as if absent
    }
    lines.push(`${rel}\0${st.mtimeMs}\0${st.size}`);
  };
  const walk = (rel) => {
    const names = [];
    const dirs = new Set();
    for (const e of readdirSync(`${base}/${rel}`, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (e.name === "node_modules") continue;
        dirs.add(e.name);
        names.push(e.name);
      } else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") && !e.name.endsWith(".test.ts")) names.push(e.name);
    }
    for (const name of names.sort()) {
      if (dirs.has(name)) walk(`${rel}/${name}`);
      else consider(`${rel}/${name}`);
    }
  };
  for (const d of sourceDirs(root).sort()) walk(d);
  for (const f of [...SOURCE_FILES, ...bundleScripts(base)]) consider(f);
  return lines.join("\n");
}

/** A build lock older than this (ms) is taken over even if its holder seems alive (a hung or pid-reusing holder): a build takes a few hundred ms to a few s. */
const LOCK_STALE_MS = 60_000;
/** How often (ms) a process waiting for another's build checks for it. */
const LOCK_POLL_MS = 50;

/** True when the bundle in `outdir` was built from sources with this fingerprint. */
function bundleIs(outdir, fingerprint) {
  try {
    return readFileSync(join(outdir, ".sources"), "utf8") === fingerprint && existsSync(join(outdir, "cli", "main.js"));
  } catch {
    return false;
  }
}

/** True when the lock file's holder is gone (its pid is not running) or the lock is older than `LOCK_STALE_MS`. */
function lockAbandoned(lock) {
  let text;
  let age;
  try {
    text = readFileSync(lock, "utf8");
    age = Date.now() - statSync(lock).mtimeMs;
  } catch {
    return false; // released meanwhile: the next attempt takes it
  }
  if (age > LOCK_STALE_MS) return true;
  const pid = Number(text);
  if (!Number.isInteger(pid) || pid <= 0) return false; // being written: wait
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return e.code === "ESRCH";
  }
}

/**
 * Takes the build lock (`outdir/.build.lock`, created exclusively, holding this pid), or
 * waits until whoever holds it has built the bundle for `fingerprint`. Resolves to a release
 * function when this process holds the lock, or to null when the bundle became current
 * meanwhile. Throws when the lock cannot be created (a read-only tree).
 */
async function lockOrWait(outdir, fingerprint) {
  const lock = join(outdir, ".build.lock");
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: "wx" });
      // Released only while it is still ours: after a takeover (this process was slow past
      // the lock's age limit) the lock is another process's, and deleting it would let a
      // third build alongside.
      return () => {
        try {
          if (readFileSync(lock, "utf8") === String(process.pid)) rmSync(lock, { force: true });
        } catch {
          // gone already
        }
      };
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
    }
    if (lockAbandoned(lock)) {
      // Taken over by renaming it aside (atomic): of two waiters that both judged it
      // abandoned, only one rename succeeds, so neither deletes a lock the other just made.
      try {
        renameSync(lock, `${lock}.${process.pid}.stale`);
        rmSync(`${lock}.${process.pid}.stale`, { force: true });
      } catch {
        // another waiter took it over first
      }
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    if (bundleIs(outdir, fingerprint)) return null;
  }
}

/** True when dist/bundle/ holds a bundle of the current sources (after rebuilding it, or waiting for another process's rebuild, if it did not). */
export async function freshBundle(rootUrl) {
  const root = fileURLToPath(rootUrl);
  const outdir = join(root, "dist", "bundle");
  const stamp = join(outdir, ".sources");
  let fingerprint;
  try {
    fingerprint = sourcesFingerprint(root);
  } catch {
    return false;
  }
  if (bundleIs(outdir, fingerprint)) return true;
  let release;
  try {
    mkdirSync(outdir, { recursive: true });
    release = await lockOrWait(outdir, fingerprint);
    if (release === null) return true;
    // The holder before us may have built these very sources (or newer ones: fingerprint again).
    fingerprint = sourcesFingerprint(root);
    if (bundleIs(outdir, fingerprint)) return true;
    const [{ buildBundle, writeBundle }, esbuild] = await Promise.all([import("../scripts/bundle.mjs"), import("esbuild")]);
    const files = await buildBundle(root, esbuild);
    writeBundle(outdir, files);
    const tmp = `${stamp}.${process.pid}.tmp`;
    writeFileSync(tmp, fingerprint);
    renameSync(tmp, stamp);
    return true;
  } catch {
    return false;
  } finally {
    release?.();
  }
}
