/**
 * `importConfigFresh` (a long-lived `rag lsp` / `rag studio` loading an edited config
 * again): each load reads the config as it is on disk now — a TypeScript config through
 * the transpile cache with the project files it imports, a JavaScript one (ESM or
 * CommonJS) under a fresh URL with require's cache entry dropped — and names the files to
 * watch.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { importConfigFresh } from "../../cli/import-config.js";
import { root } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "rag-fresh-config-"));
// The transpile cache in a folder of this test's own, not the user's.
const cacheBefore = process.env.RAG_CONFIG_CACHE_DIR;
process.env.RAG_CONFIG_CACHE_DIR = join(dir, "cache");
afterAll(() => {
  if (cacheBefore === undefined) delete process.env.RAG_CONFIG_CACHE_DIR;
  else process.env.RAG_CONFIG_CACHE_DIR = cacheBefore;
  rmSync(dir, { recursive: true, force: true });
});

const valueOf = async (path: string, files: string[] = []) => ((await importConfigFresh(path, (f) => files.push(f))).default as { v: number }).v;

describe("importConfigFresh reads an edited config again", () => {
  it("TypeScript: the config and a file it imports, as they are now; both named to watch", async () => {
    writeFileSync(join(dir, "part.ts"), "export const v: number = 1;\n");
    writeFileSync(join(dir, "a.config.ts"), 'import { v } from "./part.ts";\nexport default { v };\n');
    const files: string[] = [];
    expect(await valueOf(join(dir, "a.config.ts"), files)).toBe(1);
    expect(files).toEqual(expect.arrayContaining([join(dir, "a.config.ts"), join(dir, "part.ts")]));
    writeFileSync(join(dir, "part.ts"), "export const v: number = 2;\n");
    expect(await valueOf(join(dir, "a.config.ts"))).toBe(2);
  });

  it("an ES module .mjs config", async () => {
    const p = join(dir, "b.config.mjs");
    writeFileSync(p, "export default { v: 1 };\n");
    expect(await valueOf(p)).toBe(1);
    writeFileSync(p, "export default { v: 2 };\n");
    expect(await valueOf(p)).toBe(2);
  });

  it("a CommonJS .cjs config (require's cache is keyed by file name: a query alone kept the old exports)", () => {
    // In a plain Node process (vitest's module runner loads CommonJS its own way).
    const p = join(dir, "c.config.cjs");
    writeFileSync(p, "module.exports = { v: 1 };\n");
    const script = join(dir, "reload-cjs.mts");
    writeFileSync(
      script,
      `import { writeFileSync } from "node:fs";\nimport { importConfigFresh } from ${JSON.stringify(join(root, "cli/import-config.ts"))};\n` +
        `const a = (await importConfigFresh(${JSON.stringify(p)})).default;\nwriteFileSync(${JSON.stringify(p)}, "module.exports = { v: 2 };\\n");\n` +
        `const b = (await importConfigFresh(${JSON.stringify(p)})).default;\nconsole.log(JSON.stringify([a.v, b.v]));\n`,
    );
    const r = spawnSync(process.execPath, ["--import", "tsx", script], { cwd: root, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual([1, 2]);
  });
});
