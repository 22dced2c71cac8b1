/**
 * The rag.config.ts transpile cache (cli/config-cache.ts, cli/config-inputs.ts; issue 14
 * §3): a TypeScript config is loaded without tsx's hooks, and an entry is used only while
 * everything it was made from holds — an edit of the config or of a TypeScript file it
 * imports (of the same size, in the same clock tick), a new file that changes what an
 * import resolves to, a changed package.json of an imported package, a nearer copy of a
 * package — each is seen on the next load. `import.meta.url` is the config's own.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { importCachedConfig } from "../../cli/config-cache.js";

let dir = "";
let cache = "";
const saved = process.env.RAG_CONFIG_CACHE_DIR;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rag-config-cache-"));
  cache = join(dir, "cache");
  process.env.RAG_CONFIG_CACHE_DIR = cache;
});
afterEach(() => {
  if (saved === undefined) delete process.env.RAG_CONFIG_CACHE_DIR;
  else process.env.RAG_CONFIG_CACHE_DIR = saved;
  rmSync(dir, { recursive: true, force: true });
});

const entries = () => readdirSync(join(cache, readdirSync(cache)[0]!)).sort();
/** The config's default export, loaded through the cache (undefined: left to tsx). */
const load = async (path: string) => (await importCachedConfig(path))?.default;

describe("config transpile cache", () => {
  it("takes a corrupted index (null, a list, fields missing) for a miss and transpiles again, never a TypeError", async () => {
    const path = join(dir, "rag.config.ts");
    writeFileSync(path, "export default { n: 1 } as { n: number };\n");
    expect(await load(path)).toEqual({ n: 1 });
    const folder = join(cache, readdirSync(cache)[0]!);
    const index = join(folder, entries().find((f) => f.endsWith(".json"))!);
    for (const bad of ["null", "[]", "{}", '{"format":"2","inputs":null}', '{"format":"2","inputs":{}}']) {
      writeFileSync(index, bad);
      expect(await load(path)).toEqual({ n: 1 });
    }
  });

  it("loads a TypeScript config, reuses the entry, and sees an edit of the same size at once", async () => {
    const path = join(dir, "rag.config.ts");
    const text = (n: number) => `import { join } from "node:path";\ninterface C { n: number; where: string }\nconst c: C = { n: ${n}, where: join("a", "b") };\nexport default c satisfies C;\n`;
    writeFileSync(path, text(1));
    expect(await load(path)).toEqual({ n: 1, where: join("a", "b") });
    const first = entries();
    expect(first.map((f) => f.replace(/^[0-9a-f]+/, "…").replace(/-.*\.mjs$/, "-….mjs"))).toEqual(["…-….mjs", "….json"]); // an index, one module
    expect(await load(path)).toEqual({ n: 1, where: join("a", "b") });
    expect(entries()).toEqual(first); // a hit writes nothing
    writeFileSync(path, text(2)); // same size, possibly the same mtime
    expect(await load(path)).toEqual({ n: 2, where: join("a", "b") });
  });

  it("gives the module the config's own import.meta.url and resolves relative JavaScript imports from the config's folder", async () => {
    const path = join(dir, "rag.config.ts");
    writeFileSync(join(dir, "helper.mjs"), "export const helper = 42;\n");
    writeFileSync(path, `import { helper } from "./helper.mjs";\nexport default { url: import.meta.url as string, helper };\n`);
    expect(await load(path)).toEqual({ url: pathToFileURL(path).href, helper: 42 });
  });

  it("serves a config that imports local TypeScript files, and sees an edit of any of them", async () => {
    const path = join(dir, "rag.config.ts");
    mkdirSync(join(dir, "lib"));
    writeFileSync(join(dir, "lib", "models.ts"), `import { price } from "./price.js";\nexport const models: Record<string, number> = { a: price };\n`);
    writeFileSync(join(dir, "lib", "price.ts"), "export const price: number = 1;\n");
    writeFileSync(path, `import { models } from "./lib/models.js";\nexport default { models };\n`);
    expect(await load(path)).toEqual({ models: { a: 1 } });
    expect(await load(path)).toEqual({ models: { a: 1 } });
    writeFileSync(join(dir, "lib", "price.ts"), "export const price: number = 2;\n"); // two imports deep, same size
    expect(await load(path)).toEqual({ models: { a: 2 } });
    writeFileSync(join(dir, "lib", "models.ts"), `import { price } from "./price.js";\nexport const models: Record<string, number> = { b: price };\n`);
    expect(await load(path)).toEqual({ models: { b: 2 } });
  });

  it("sees a new file that changes what an import resolves to", async () => {
    const path = join(dir, "rag.config.ts");
    writeFileSync(join(dir, "models.ts"), "export const models: string = 'from ts';\n");
    writeFileSync(path, `import { models } from "./models.js";\nexport default { models };\n`);
    expect(await load(path)).toEqual({ models: "from ts" });
    // `./models.js` now names a real JavaScript file, which Node (and tsx) load first.
    writeFileSync(join(dir, "models.js"), "export const models = 'from js';\n");
    expect(await load(path)).toEqual({ models: "from js" });
  });

  it("sees a package whose package.json now points elsewhere, and a nearer copy of a package", async () => {
    const project = join(dir, "project");
    const pkg = join(dir, "node_modules", "fakepkg");
    mkdirSync(pkg, { recursive: true });
    mkdirSync(project);
    writeFileSync(join(pkg, "a.mjs"), "export const v = 'a';\n");
    writeFileSync(join(pkg, "b.mjs"), "export const v = 'b';\n");
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "fakepkg", type: "module", exports: "./a.mjs" }));
    const path = join(project, "rag.config.ts");
    writeFileSync(path, `import { v } from "fakepkg";\nexport default { v: v as string };\n`);
    expect(await load(path)).toEqual({ v: "a" });
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "fakepkg", type: "module", exports: "./b.mjs" }));
    expect(await load(path)).toEqual({ v: "b" });
    const nearer = join(project, "node_modules", "fakepkg");
    mkdirSync(nearer, { recursive: true });
    writeFileSync(join(nearer, "c.mjs"), "export const v = 'c';\n");
    writeFileSync(join(nearer, "package.json"), JSON.stringify({ name: "fakepkg", type: "module", exports: "./c.mjs" }));
    expect(await load(path)).toEqual({ v: "c" });
  });

  it("leaves to tsx a config importing TypeScript outside its folder, or a local module that reads import.meta", async () => {
    const outside = join(dir, "shared.ts");
    writeFileSync(outside, "export const shared: number = 1;\n");
    mkdirSync(join(dir, "project"));
    const path = join(dir, "project", "rag.config.ts");
    writeFileSync(path, `import { shared } from "../shared.js";\nexport default { shared };\n`);
    expect(await importCachedConfig(path)).toBeUndefined();
    writeFileSync(join(dir, "project", "where.ts"), "export const where: string = import.meta.url;\n");
    writeFileSync(path, `import { where } from "./where.js";\nexport default { where };\n`);
    expect(await importCachedConfig(path)).toBeUndefined();
  });

  it.skipIf(process.platform === "win32")("refuses a cache folder others can write into (planted code)", async () => {
    const path = join(dir, "rag.config.ts");
    writeFileSync(path, "export default { n: 1 };\n");
    expect(await importCachedConfig(path)).toBeDefined();
    const folder = join(cache, readdirSync(cache)[0]!);
    chmodSync(folder, 0o777);
    expect(await importCachedConfig(path)).toBeUndefined();
  });

  it("declines a config whose cached module fails to load, so tsx reports the error against the real file", async () => {
    const path = join(dir, "rag.config.ts");
    writeFileSync(path, `const x: number = 1;\nthrow new Error("boom " + x);\n`);
    expect(await importCachedConfig(path)).toBeUndefined();
  });
});
