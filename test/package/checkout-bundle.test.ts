/**
 * `rag` in a checkout (bin/rag.js + bin/dev-build.js): it runs the code-split bundle in
 * dist/bundle/ (scripts/bundle.mjs), rebuilt when a source changed, so an edit takes effect
 * at once and the CLI and a config's `import "ragraph/config"` load the same few bundle
 * files instead of ≈ 170 modules one by one.
 *
 * Works on a copy of the checkout's sources in a temp folder (node_modules linked), so
 * the repository's own dist/ is never touched.
 */
import { execFile, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url).pathname;
const run = promisify(execFile);
const SKIP = new Set(["node_modules", "dist", ".git", "test", "bench", "docs", "coverage", ".rag", ".scratch", ".fuzz-failures"]);

let checkout = "";
let cache = "";

/** `node bin/rag.js …` in the copy; the module URLs it resolved are logged when `log` is given. */
async function rag(args: string[], log?: string) {
  const env: Record<string, string> = { ...process.env, NO_COLOR: "1", RAG_CONFIG_CACHE_DIR: cache } as Record<string, string>;
  if (log) Object.assign(env, { NODE_OPTIONS: `--import=${join(checkout, "log-modules.mjs")}`, MODULES_LOG: log });
  return run(process.execPath, ["bin/rag.js", ...args], { cwd: checkout, env });
}

/** The checkout's files (relative paths) among the module URLs in `log`, deduplicated. */
function ownModules(log: string): string[] {
  const urls = new Set(readFileSync(log, "utf8").trim().split("\n"));
  return [...urls]
    .filter((u) => u.startsWith("file:"))
    .map((u) => new URL(u).pathname)
    .filter((p) => p.startsWith(checkout + "/") && !p.includes("/node_modules/"))
    .map((p) => relative(checkout, p));
}

beforeAll(() => {
  checkout = mkdtempSync(join(tmpdir(), "rag-checkout-"));
  cache = mkdtempSync(join(tmpdir(), "rag-checkout-cache-"));
  cpSync(root, checkout, { recursive: true, filter: (src) => !SKIP.has(relative(root, src).split("/")[0]!) });
  symlinkSync(join(root, "node_modules"), join(checkout, "node_modules"));
  writeFileSync(join(checkout, "log-hook.mjs"), 'import { appendFileSync } from "node:fs";\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(process.env.MODULES_LOG, r.url + "\\n"); return r; }\n');
  writeFileSync(join(checkout, "log-modules.mjs"), 'import { register } from "node:module";\nregister("./log-hook.mjs", import.meta.url);\n');
});

afterAll(() => {
  for (const d of [checkout, cache]) if (d) rmSync(d, { recursive: true, force: true });
});

describe("rag in a checkout", () => {
  it("builds dist/bundle/ on first use and runs `rag check` with a config from it", async () => {
    expect(existsSync(join(checkout, "dist/bundle/cli/main.js"))).toBe(false);
    expect((await rag(["--version"])).stdout.trim()).toBe("0.1.0");
    expect(existsSync(join(checkout, "dist/bundle/cli/main.js"))).toBe(true);
    // Current now: the next start loads the bundle, not the build script.
    const log = join(checkout, "check.log");
    const { stderr } = await rag(["check", "examples/approval.rag"], log);
    expect(stderr).toContain("ok: 1 file checked");
    const own = ownModules(log);
    // The config (examples/rag.config.ts) imports `ragraph/config`: the bundle's entry,
    // beside the CLI's chunks, not a second copy of the library.
    expect(own).toEqual(expect.arrayContaining(["bin/rag.js", "dist/bundle/loader.js", "dist/bundle/config.js"]));
    const library = own.filter((p) => !["bin/rag.js", "bin/dev-build.js", "types/chevrotain.mjs"].includes(p) && !p.startsWith("examples/"));
    expect(library.filter((p) => !p.startsWith("dist/bundle/"))).toEqual([]);
    expect(library.length).toBeLessThan(40);
  }, 60_000);

  it("keeps what no command runs off the start-up path: zod's other locales (still there on first use), @noble/hashes, child_process", async () => {
    const log = join(checkout, "lean.log");
    const builtins = join(checkout, "builtins.json");
    // Node's built-ins and the CommonJS modules (the bundle's scripts `require` packages) loaded by the end.
    writeFileSync(join(checkout, "log-builtins.cjs"), 'process.on("exit", () => require("node:fs").writeFileSync(process.env.BUILTINS_LOG, JSON.stringify([...process.moduleLoadList, ...Object.keys(require.cache)])));\n');
    const env = { ...process.env, NO_COLOR: "1", RAG_CONFIG_CACHE_DIR: cache, NODE_OPTIONS: `--import=${join(checkout, "log-modules.mjs")} --require=${join(checkout, "log-builtins.cjs")}`, MODULES_LOG: log, BUILTINS_LOG: builtins };
    await rag(["check", "examples/approval.rag"]); // fills the config's transpile cache (a miss runs esbuild, which spawns its binary)
    const { stderr } = await run(process.execPath, ["bin/rag.js", "check", "examples/approval.rag"], { cwd: checkout, env });
    expect(stderr).toContain("ok: 1 file checked");
    const loaded = JSON.parse(readFileSync(builtins, "utf8")) as string[];
    expect([readFileSync(log, "utf8"), ...loaded].filter((m) => m.includes("@noble/hashes"))).toEqual([]);
    expect(loaded).not.toContain("NativeModule child_process");
    // German text lives only in the locales' own file, loaded when a locale is asked for.
    const scripts = readdirSync(join(checkout, "dist/bundle"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".cjs"));
    expect(scripts.filter((f) => readFileSync(join(checkout, "dist/bundle", f), "utf8").includes("Eingabe"))).toEqual([expect.stringMatching(/^chunks\/zod-locales-\w+\.cjs$/)]);
    const de = spawnSync(process.execPath, ["--input-type=module", "-e", 'const { z } = await import("./dist/bundle/index.js"); z.config(z.locales.de()); console.log(z.string().safeParse(1).error.issues[0].message);'], { cwd: checkout, encoding: "utf8" });
    expect(de.stdout.trim()).toBe("Ungültige Eingabe: erwartet string, erhalten Zahl");
  }, 60_000);

  it("rebuilds the bundle once when a source changes, also with several processes starting at once", async () => {
    const version = join(checkout, "cli/version.ts");
    writeFileSync(version, readFileSync(version, "utf8").replace(/VERSION = "[^"]*"/, 'VERSION = "9.8.7"'));
    const logs = [1, 2, 3, 4].map((i) => join(checkout, `version-${i}.log`));
    const outs = await Promise.all(logs.map((log) => rag(["--version"], log)));
    expect(outs.map((o) => o.stdout.trim())).toEqual(["9.8.7", "9.8.7", "9.8.7", "9.8.7"]);
    // One of them built it (loaded the build script); the others waited for its build
    // (bin/dev-build.js's lock) instead of each building the same bundle at once.
    expect(logs.filter((log) => ownModules(log).includes("scripts/bundle.mjs"))).toHaveLength(1);
    // And once more: the bundle is current now, nothing to rebuild.
    expect((await rag(["--version"])).stdout.trim()).toBe("9.8.7");
  }, 60_000);

  it("takes over the build lock of a process that died while building", async () => {
    // A lock left by a `rag` killed mid-build: its pid is no longer running.
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    const lock = join(checkout, "dist/bundle/.build.lock");
    writeFileSync(lock, String(dead));
    const version = join(checkout, "cli/version.ts");
    writeFileSync(version, readFileSync(version, "utf8").replace(/VERSION = "[^"]*"/, 'VERSION = "6.5.4"'));
    const log = join(checkout, "takeover.log");
    expect((await rag(["--version"], log)).stdout.trim()).toBe("6.5.4");
    expect(ownModules(log)).toContain("scripts/bundle.mjs"); // it built the bundle (rather than wait, or fall back to the sources)
    expect(existsSync(lock)).toBe(false);
  }, 60_000);
});
