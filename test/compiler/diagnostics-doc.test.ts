/** docs/diagnostics.md is generated from the catalog; this fails when it is stale. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CATALOG } from "../../compiler/index.js";
import { diagnosticsDoc } from "../../compiler/diagnostics/doc.js";

describe("docs/diagnostics.md", () => {
  const committed = readFileSync(new URL("../../docs/diagnostics.md", import.meta.url), "utf8");

  it("is what `npm run docs:diagnostics` generates from the catalog", () => {
    expect(committed === diagnosticsDoc(), "docs/diagnostics.md is stale: run `npm run docs:diagnostics`").toBe(true);
  });

  it("documents every catalogued code with its rendered example", () => {
    for (const e of CATALOG) {
      expect(committed).toContain(`### ${e.code}\n`);
      if (e.example) expect(committed).toContain(`[${e.code}]: `);
    }
  });
});
