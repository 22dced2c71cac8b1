import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigLoadError, loadStudioConfig } from "../../server/index.js";
import { missingRagraphHint } from "../../server/config-hint.js";

describe("a config importing ragraph where it is not installed", () => {
  it("rag serve|studio name the fix, as rag run does", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rag-hint-"));
    try {
      writeFileSync(join(dir, "rag.config.mjs"), 'import { defineConfig } from "ragraph/config";\nexport default defineConfig({});\n');
      const err = await loadStudioConfig(dir, join(dir, "rag.config.mjs")).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigLoadError);
      expect((err as Error).message).toMatch(/Cannot find (module|package) 'ragraph\/config'.* \(ragraph is not installed where the config lives: `npm install ragraph` there/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says nothing for another missing package", () => {
    expect(missingRagraphHint("Cannot find package 'zod' imported from /x/rag.config.ts")).toBe("");
    expect(missingRagraphHint("Cannot find module 'ragraph' imported from /x/rag.config.ts")).toContain("npm install ragraph");
  });
});
