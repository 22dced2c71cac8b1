/**
 * Red team 6: the rag.config.ts transpile cache (cli/config-cache.ts) served a stale config
 * after what an import resolved through changed without any recorded file changing:
 * a symbolic link (`lib.ts -> v1.ts`, a folder `cur -> v1`) pointed elsewhere, a
 * tsconfig.json's `extends` base edited, a package.json `imports` alias (or tsconfig
 * `paths`) remapped. The cached module kept running the old code. Now path imports are
 * recorded with the real file they led to, `extends` chains are inputs, and TypeScript
 * reached through an alias is left to tsx (a load that declines returns undefined).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { importCachedConfig } from "../../cli/config-cache.js";

let dir = "";
let p = "";
const saved = process.env.RAG_CONFIG_CACHE_DIR;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rt6-cache-"));
  process.env.RAG_CONFIG_CACHE_DIR = join(dir, "cache");
  p = join(dir, "proj");
  mkdirSync(p);
});
afterEach(() => {
  if (saved === undefined) delete process.env.RAG_CONFIG_CACHE_DIR;
  else process.env.RAG_CONFIG_CACHE_DIR = saved;
  rmSync(dir, { recursive: true, force: true });
});
/** The config's default export through the cache; undefined when the cache declines (tsx loads it). */
const load = async (path: string) => (await importCachedConfig(path))?.default;
const version = (file: string, v: string) => writeFileSync(file, `export const v: string = '${v}';\n`);
const config = (spec: string) => {
  const path = join(p, "rag.config.ts");
  writeFileSync(path, `import { v } from "${spec}";\nexport default { v };\n`);
  return path;
};
const relink = (target: string, link: string) => {
  unlinkSync(link);
  symlinkSync(target, link);
};

describe("red team 6: a cached config is used only while what its imports resolved through holds", () => {
  it("sees a linked file pointed at another file", async () => {
    version(join(p, "v1.ts"), "v1");
    version(join(p, "v2.ts"), "v2");
    symlinkSync("v1.ts", join(p, "lib.ts"));
    const path = config("./lib.js");
    expect(await load(path)).toEqual({ v: "v1" });
    expect(await load(path)).toEqual({ v: "v1" }); // still served from the cache
    relink("v2.ts", join(p, "lib.ts"));
    expect(await load(path)).toEqual({ v: "v2" }); // was v1
  });

  it("sees a linked folder (and a link to a link) pointed elsewhere", async () => {
    for (const v of ["v1", "v2"]) {
      mkdirSync(join(p, "a", v), { recursive: true });
      version(join(p, "a", v, "lib.ts"), v);
    }
    mkdirSync(join(p, "links"));
    symlinkSync("v1", join(p, "a", "cur"));
    symlinkSync("../a/cur", join(p, "links", "hop")); // a folder the bundle never lists
    const path = config("./links/hop/lib.js");
    expect(await load(path)).toEqual({ v: "v1" });
    relink("v2", join(p, "a", "cur"));
    expect(await load(path)).toEqual({ v: "v2" }); // was v1
  });

  it("sees an edit of the tsconfig a tsconfig.json extends", async () => {
    // useDefineForClassFields decides whether a field initialiser calls an inherited setter.
    writeFileSync(join(p, "tsconfig.json"), `{ // a comment, as tsconfig allows\n "extends": "./base",\n}\n`);
    const base = (define: boolean) => writeFileSync(join(p, "base.json"), JSON.stringify({ compilerOptions: { useDefineForClassFields: define } }));
    base(false);
    const path = join(p, "rag.config.ts");
    writeFileSync(path, `const seen: string[] = [];\nclass A { set x(_v: number) { seen.push("setter"); } }\nclass B extends A { x = 1; }\nnew B();\nexport default { seen };\n`);
    expect(await load(path)).toEqual({ seen: ["setter"] });
    base(true);
    expect(await load(path)).toEqual({ seen: [] }); // was ["setter"]
  });

  it("never serves TypeScript an alias mapped (package.json imports, tsconfig paths) once the mapping changed", async () => {
    version(join(p, "v1.ts"), "v1");
    version(join(p, "v2.ts"), "v2");
    const pkg = (target: string) => writeFileSync(join(p, "package.json"), JSON.stringify({ type: "module", imports: { "#lib": target } }));
    pkg("./v1.ts");
    const path = config("#lib");
    expect([undefined, "v1"]).toContain((await load(path) as { v?: string } | undefined)?.v);
    pkg("./v2.ts");
    expect([undefined, "v2"]).toContain((await load(path) as { v?: string } | undefined)?.v); // was v1

    const tsPath = config("@lib");
    const paths = (target: string) => writeFileSync(join(p, "tsconfig.json"), JSON.stringify({ compilerOptions: { baseUrl: ".", paths: { "@lib": [target] } } }));
    paths("./v1.ts");
    expect([undefined, "v1"]).toContain((await load(tsPath) as { v?: string } | undefined)?.v);
    paths("./v2.ts");
    expect([undefined, "v2"]).toContain((await load(tsPath) as { v?: string } | undefined)?.v);
  });

  it("imports only a module file of its own folder, whatever an index names", async () => {
    version(join(p, "lib.ts"), "real");
    const path = config("./lib.js");
    expect(await load(path)).toEqual({ v: "real" });
    const folder = join(dir, "cache", readdirSync(join(dir, "cache"))[0]!);
    const index = join(folder, readdirSync(folder).find((f) => f.endsWith(".json"))!);
    writeFileSync(join(dir, "cache", "planted.mjs"), "export default { v: 'planted' };\n");
    for (const module of ["../planted.mjs", join(dir, "cache", "planted.mjs")]) {
      writeFileSync(index, JSON.stringify({ ...JSON.parse(readFileSync(index, "utf8")), module }));
      expect(await load(path)).toEqual({ v: "real" }); // was { v: "planted" } for the relative name
    }
  });
});
