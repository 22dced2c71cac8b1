/**
 * The bundle's loader (scripts/bundle-loader.mjs, shipped as dist/bundle/loader.js): it
 * links the bundle's scripts, and under `useCodeCache()` (the `rag` command) runs them from
 * V8's code cache — never from the cache of an older version of a script, even one of the
 * same length (V8's own check compares only the length) and the same mtime.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const loader = pathToFileURL(new URL("../../scripts/bundle-loader.mjs", import.meta.url).pathname).href;
const loaderModule: string = "../../scripts/bundle-loader.mjs"; // plain JavaScript, no declarations
const { SCRIPT_HEAD, SCRIPT_TAIL } = (await import(loaderModule)) as { SCRIPT_HEAD: string; SCRIPT_TAIL: string };
/** A script as scripts/bundle-cjs.mjs writes one: CommonJS-shaped `body` in the loader's wrapper. */
const script = (body: string) => SCRIPT_HEAD + body + SCRIPT_TAIL;
let dir = "";
let cache = "";

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rag-bundle-loader-"));
  cache = join(dir, "cache");
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Loads `file` with the loader in a new Node process; prints what `print` evaluates to (with `m`, the exports). */
function run(file: string, print: string, codeCache = true): string {
  const code = `import { loadBundled, useCodeCache } from ${JSON.stringify(loader)};\n${codeCache ? "useCodeCache();\n" : ""}const m = loadBundled(${JSON.stringify(file)});\nconsole.log(JSON.stringify(await (${print})));\n`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8", env: { ...process.env, RAG_CODE_CACHE_DIR: cache } });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as string;
}
const cached = () => readdirSync(join(cache, readdirSync(cache)[0]!));

/** How V8 compiled a script: whether the loader handed it a code cache, and whether V8 rejected that cache (`vm.Script#cachedDataRejected`). */
interface Compile {
  readonly file: string;
  readonly cacheGiven: boolean;
  readonly rejected: boolean | null;
}

/**
 * Loads `file` with the loader (code cache on) in a new Node process whose `vm.Script` is
 * wrapped before the loader is imported, so each compile the loader asks for is seen;
 * the compiles, in order, and the exports' `v`.
 */
function compiles(file: string): { compiles: Compile[]; v: unknown } {
  const code = `import vm from "node:vm";
import { syncBuiltinESMExports } from "node:module";
const compiles = [];
const Script = vm.Script;
vm.Script = class extends Script {
  constructor(source, options) {
    super(source, options);
    compiles.push({ file: options?.filename, cacheGiven: options?.cachedData !== undefined, rejected: this.cachedDataRejected ?? null });
  }
};
syncBuiltinESMExports();
const { loadBundled, useCodeCache } = await import(${JSON.stringify(loader)});
useCodeCache();
console.log(JSON.stringify({ compiles, v: loadBundled(${JSON.stringify(file)}).v }));
`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8", env: { ...process.env, RAG_CODE_CACHE_DIR: cache } });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { compiles: Compile[]; v: unknown };
}

describe("bundle loader", () => {
  it("links scripts: one instance each per process, the script's own import.meta.url, import() of a script and of a package", () => {
    writeFileSync(join(dir, "a-X.cjs"), script('const b = require("./b-Y.cjs");\nexports.same = () => b.counter === require("./b-Y.cjs").counter;\nexports.url = __ragImportMetaUrl;\nexports.later = () => __ragImport("./b-Y.cjs").then((m) => m.counter);\nexports.pkg = () => __ragImport("node:path").then((m) => typeof m.join);\n'));
    writeFileSync(join(dir, "b-Y.cjs"), script("exports.counter = {};\n"));
    const a = join(dir, "a-X.cjs");
    expect(run(a, "[m.same(), m.url, typeof (await m.later()), await m.pkg()]")).toEqual([true, pathToFileURL(a).href, "object", "function"]);
  });

  it("runs a script from its code cache, and never from the cache of an older version of it", () => {
    const file = join(dir, "chunk-ABC.cjs");
    writeFileSync(file, script('exports.v = "one";\n'));
    expect(run(file, "m.v")).toBe("one");
    const [entry] = cached();
    expect(entry).toMatch(/^chunk-ABC\.cjs-[0-9a-f]+\.v8$/);
    const written = statSync(join(cache, readdirSync(cache)[0]!, entry!)).mtimeMs;
    expect(run(file, "m.v")).toBe("one");
    expect(cached()).toEqual([entry]); // used, not written again
    expect(statSync(join(cache, readdirSync(cache)[0]!, entry!)).mtimeMs).toBe(written);
    // Rewritten as a build writes (a new file renamed into place): same length, same mtime.
    const { mtime } = statSync(file);
    writeFileSync(`${file}.tmp`, script('exports.v = "two";\n'));
    utimesSync(`${file}.tmp`, mtime, mtime);
    renameSync(`${file}.tmp`, file);
    expect(run(file, "m.v")).toBe("two");
    // Rewritten in place (the same inode), same length.
    writeFileSync(file, script('exports.v = "tri";\n'));
    expect(run(file, "m.v")).toBe("tri");
  });

  // V8 takes the cache only if it fits (its version, flags, the source's length); a cache
  // read but not handed to V8, or rejected by it, costs a full compile on every start while
  // the files look the same. So the compile itself is watched.
  it("writes the code cache on the first start, and on the second V8 compiles from it (not rejected)", () => {
    const file = join(dir, "chunk-GHI.cjs");
    writeFileSync(file, script('const m = require("./chunk-JKL.cjs");\nexports.v = m.w + 1;\n'));
    writeFileSync(join(dir, "chunk-JKL.cjs"), script("exports.w = 41;\n"));
    const first = compiles(file);
    expect(first.v).toBe(42);
    expect(first.compiles).toEqual([
      { file, cacheGiven: false, rejected: null },
      { file: join(dir, "chunk-JKL.cjs"), cacheGiven: false, rejected: null },
    ]);
    expect(cached().sort().map((f) => f.replace(/-[0-9a-f]+\.v8$/, ""))).toEqual(["chunk-GHI.cjs", "chunk-JKL.cjs"]);
    const second = compiles(file);
    expect(second.v).toBe(42);
    expect(second.compiles).toEqual([
      { file, cacheGiven: true, rejected: false },
      { file: join(dir, "chunk-JKL.cjs"), cacheGiven: true, rejected: false },
    ]);
  });

  it("writes no code cache unless asked (an app that imports ragraph)", () => {
    mkdirSync(cache);
    const file = join(dir, "chunk-DEF.cjs");
    writeFileSync(file, script("exports.v = 1;\n"));
    expect(run(file, "m.v", false)).toBe(1);
    expect(readdirSync(cache)).toEqual([]);
  });
});
