/**
 * The rag.config.ts transpile cache (cli/config-cache.ts, issue 14 §3): a TypeScript
 * config is loaded without tsx's hooks, an edit is always seen (the key is the file's
 * text, never its mtime), `import.meta.url` is the config's own, and a config importing
 * local TypeScript is left to tsx.
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
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

const entries = () => readdirSync(join(cache, readdirSync(cache)[0]!));

describe("config transpile cache", () => {
  it("loads a TypeScript config, reuses the entry, and sees an edit of the same size at once", async () => {
    const path = join(dir, "rag.config.ts");
    const text = (n: number) => `import { join } from "node:path";\ninterface C { n: number; where: string }\nconst c: C = { n: ${n}, where: join("a", "b") };\nexport default c satisfies C;\n`;
    writeFileSync(path, text(1));
    expect((await importCachedConfig(path))?.default).toEqual({ n: 1, where: join("a", "b") });
    expect(entries()).toHaveLength(1);
    expect((await importCachedConfig(path))?.default).toEqual({ n: 1, where: join("a", "b") });
    expect(entries()).toHaveLength(1);
    writeFileSync(path, text(2)); // same size, possibly the same mtime
    expect((await importCachedConfig(path))?.default).toEqual({ n: 2, where: join("a", "b") });
  });

  it("gives the module the config's own import.meta.url and resolves relative JavaScript imports from the config's folder", async () => {
    const path = join(dir, "rag.config.ts");
    writeFileSync(join(dir, "helper.mjs"), "export const helper = 42;\n");
    writeFileSync(path, `import { helper } from "./helper.mjs";\nexport default { url: import.meta.url as string, helper };\n`);
    expect((await importCachedConfig(path))?.default).toEqual({ url: pathToFileURL(path).href, helper: 42 });
  });

  it("declines a config that imports another local TypeScript file (tsx loads it)", async () => {
    const path = join(dir, "rag.config.ts");
    writeFileSync(join(dir, "models.ts"), "export const models: Record<string, string> = {};\n");
    writeFileSync(path, `import { models } from "./models.js";\nexport default { models };\n`);
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
