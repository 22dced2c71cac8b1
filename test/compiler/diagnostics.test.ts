/**
 * Diagnostics goldens: each test/compiler/golden/*.rag is compiled (against
 * `NAME.registry.json` when present) and its diagnostics are rendered for people
 * (`NAME.diagnostics.txt`) and as the JSON of `rag check --format json`
 * (`NAME.diagnostics.json`).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile, diagnosticToJson, registryViewFromSnapshot, renderDiagnostics } from "../../compiler/index.js";
import { expectGolden } from "../helpers/golden.js";

const dir = new URL("./golden/", import.meta.url).pathname;
const files = readdirSync(dir).filter((f) => f.endsWith(".rag"));

describe("diagnostics goldens", () => {
  for (const f of files) {
    it(f, () => {
      const src = readFileSync(dir + f, "utf8");
      const regFile = dir + f.replace(/\.rag$/, ".registry.json");
      const registry = existsSync(regFile) ? registryViewFromSnapshot(JSON.parse(readFileSync(regFile, "utf8"))) : undefined;
      const r = compile(src, { file: f, ...(registry ? { registry } : {}) });
      expect(r.diagnostics.length).toBeGreaterThan(0);
      for (const d of r.diagnostics) {
        expect(d.span.start.offset).toBeLessThanOrEqual(d.span.end.offset);
        expect(d.span.end.offset).toBeLessThanOrEqual(src.length);
        expect(src.slice(0, d.span.start.offset).split("\n").length).toBe(d.span.start.line);
      }
      expectGolden(dir + f.replace(/\.rag$/, ".diagnostics.txt"), renderDiagnostics(r.diagnostics, { lines: r.value.lines, file: f }) + "\n");
      expectGolden(dir + f.replace(/\.rag$/, ".diagnostics.json"), JSON.stringify(r.diagnostics.map((d) => diagnosticToJson(d, f)), null, 2) + "\n");
    });
  }
});
