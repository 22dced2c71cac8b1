/**
 * The diagnostics catalog is the one source of truth for codes: every code literal in
 * the front end is catalogued, every entry is used, and every entry's example program
 * triggers its code with the catalogued severity.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CATALOG, compileGraph, RAGSH_CATALOG, registryViewFromSnapshot } from "../../compiler/index.js";

const root = new URL("../../", import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((f) => {
    const p = join(dir, f);
    return statSync(join(root, p)).isDirectory() ? sources(p) : p.endsWith(".ts") && !p.endsWith(".d.ts") ? [p] : [];
  });
}

const codeLiterals = new Map<string, string[]>();
// `.ragsh` codes (E-ragsh-*) are emitted by grammar/ragsh and repl/ and catalogued in
// RAGSH_CATALOG; their examples are cells, run in a session by test/repl/catalog.test.ts.
const ALL = [...CATALOG, ...RAGSH_CATALOG];
for (const file of [...sources("grammar"), ...sources("compiler"), ...sources("repl")]) {
  if (file.includes("diagnostics/catalog")) continue;
  for (const m of readFileSync(join(root, file), "utf8").matchAll(/"([EWI]-rag(?:sh)?-[a-z0-9-]+)"/g)) codeLiterals.set(m[1], [...(codeLiterals.get(m[1]) ?? []), file]);
}

describe("diagnostics catalog", () => {
  it("has unique, well-formed codes", () => {
    const codes = ALL.map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of CATALOG.map((e) => e.code)) expect(c).toMatch(/^[EW]-rag-[a-z0-9]+(-[a-z0-9]+)*$/);
    for (const c of RAGSH_CATALOG.map((e) => e.code)) expect(c).toMatch(/^[EW]-ragsh-[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it("lists every code the front end can emit", () => {
    const missing = [...codeLiterals.keys()].filter((c) => !ALL.some((e) => e.code === c));
    expect(missing, `codes used in source but not catalogued: ${missing.map((c) => `${c} (${codeLiterals.get(c)})`).join(", ")}`).toEqual([]);
  });

  it("has no entry the front end never emits", () => {
    expect(ALL.map((e) => e.code).filter((c) => !codeLiterals.has(c))).toEqual([]);
  });

  for (const entry of CATALOG) {
    if (!entry.example) continue;
    it(`${entry.code}: its example triggers it`, () => {
      const r = compileGraph(entry.example, { file: "example.rag", ...(entry.exampleRegistry ? { registry: registryViewFromSnapshot(entry.exampleRegistry) } : {}) });
      const hit = r.diagnostics.filter((d) => d.code === entry.code);
      expect(hit.length, `${entry.code} not reported; got ${r.diagnostics.map((d) => d.code).join(", ")}`).toBeGreaterThan(0);
      expect(hit[0].severity).toBe(entry.code.startsWith("W-") ? "warning" : "error");
    });
  }
});
