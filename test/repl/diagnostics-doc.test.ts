/** docs/ragsh-diagnostics.md is generated from the `.ragsh` catalog; this fails when it is stale. */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { RAGSH } from "../../compiler/diagnostics/catalog/ragsh.js";
import { ragshDiagnosticsDoc } from "../../scripts/gen-ragsh-diagnostics-doc.js";

it("docs/ragsh-diagnostics.md is what scripts/gen-ragsh-diagnostics-doc.ts generates, and documents every code", async () => {
  const committed = readFileSync(new URL("../../docs/ragsh-diagnostics.md", import.meta.url), "utf8");
  expect(committed === (await ragshDiagnosticsDoc()), "docs/ragsh-diagnostics.md is stale: run `npx tsx scripts/gen-ragsh-diagnostics-doc.ts`").toBe(true);
  for (const e of RAGSH) {
    expect(committed).toContain(`## ${e.code}\n`);
    if (e.example) expect(committed).toContain(`[${e.code}]: `);
  }
});
