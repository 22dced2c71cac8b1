/** Every `.ragsh` catalog entry's example, run as a cell, reports its code with the catalogued severity. */
import { describe, expect, it } from "vitest";
import { RAGSH } from "../../compiler/diagnostics/catalog/ragsh.js";
import { harness } from "./helpers.js";

describe(".ragsh diagnostics catalog", () => {
  for (const entry of RAGSH) {
    if (!entry.example) continue;
    it(`${entry.code}: its example triggers it`, async () => {
      const h = harness({ policy: entry.examplePolicy ?? {}, ...(entry.exampleAuthor ? { author: entry.exampleAuthor } : {}) });
      const pending = h.run(entry.example);
      if (entry.exampleCancelAfterMs !== undefined) setTimeout(() => h.session.cancel(), entry.exampleCancelAfterMs);
      const r = await pending;
      const hit = r.diagnostics.filter((d) => d.code === entry.code);
      expect(hit.length, `${entry.code} not reported; got ${r.diagnostics.map((d) => `${d.code}: ${d.message}`).join(", ")}`).toBeGreaterThan(0);
      expect(hit[0].severity).toBe(entry.code.startsWith("W-") ? "warning" : "error");
      expect(hit[0].file).toBe(r.file);
      expect(hit[0].span.start.line).toBeGreaterThan(0);
    });
  }
});
