/**
 * Red team 6: the JSON Schemas a registry snapshot carries (`rag check|simulate|lsp
 * --registry FILE.json`). Round 4 checked the snapshot's lists and that a tool's `args` is
 * an object, not what is inside: `{"properties": {"a": 5}}`, an `items` of 5 or an `anyOf`
 * holding null reached `rag simulate`'s value generator, whose TypeError was reported as the
 * graph's own runtime error ("error on path #0: node `a` failed: Cannot use 'in' operator
 * to search for 'const' in 5"). Now `snapshotProblem` walks every schema (explicit stack)
 * and the file is refused naming the key.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readSnapshotFile } from "../../cli/files.js";
import { snapshotProblem } from "../../compiler/index.js";
import { simulate } from "../../simulate/index.js";

const snapshot = (args: unknown, result: unknown = { type: "object" }) => ({
  version: 1,
  models: ["m"],
  tools: ["t"],
  node_kinds: ["tool", "set"],
  reducers: ["append"],
  signatures: { tools: { t: { description: "t", args, result, read_only: true, approval: "auto" } } },
});
const SOURCE = 'graph g {\n  state { out: any }\n  start a\n  node a { kind tool tool "t" input { a: "x" } writes { out: result } next END }\n}\n';

describe("red team 6: a registry snapshot's schemas are checked before anything reads them", () => {
  it("refuses a schema holding a number, null or a string where a schema, a list or a name goes, naming the key", () => {
    const cases: [unknown, RegExp][] = [
      [{ type: "object", properties: { a: 5 } }, /signatures\.tools\.t\.args\.properties\.a` must be a JSON Schema object/],
      [{ type: "object", properties: { a: null } }, /properties\.a` must be a JSON Schema object/],
      [{ type: "object", properties: { a: { type: "array", items: 5 } } }, /properties\.a\.items` must be/],
      [{ type: "object", properties: { a: { anyOf: [{ type: "string" }, null] } } }, /anyOf\[1\]` must be/],
      [{ type: "object", properties: [1, 2] }, /properties` must map names to schemas/],
      [{ type: "object", properties: { a: { enum: "abc" } } }, /enum` must be a list/],
      [{ type: "object", required: "a" }, /required` must be a list of names/],
      [{ type: { x: 1 } }, /type` must be a type name/],
    ];
    for (const [args, why] of cases) expect(snapshotProblem(snapshot(args))).toMatch(why);
    expect(snapshotProblem(snapshot({ type: "object" }, { type: "object", properties: { r: 5 } }))).toMatch(/t\.result\.properties\.r`/);
    // What `rag registry export` writes stays accepted: booleans where JSON Schema allows them, nested schemas, lists of types.
    const ok = { type: "object", properties: { a: { type: ["string", "null"] }, b: { type: "array", items: { type: "object", properties: { c: { enum: [1, 2] } }, additionalProperties: false } } }, required: ["a"], additionalProperties: false };
    expect(snapshotProblem(snapshot(ok, ok))).toBeUndefined();
  });

  it("rag simulate --registry refuses the file instead of blaming the graph for a TypeError", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rt6-snap-"));
    try {
      const file = join(dir, "s.json");
      writeFileSync(file, JSON.stringify(snapshot({ type: "object", properties: { a: { type: "array", items: 5 } } }, { type: "object", properties: { a: { type: "array", items: 5 } } })));
      expect(() => readSnapshotFile(file)).toThrow(/properties\.a\.items` must be a JSON Schema object/);
      // Before: accepted, and the simulation reported the generator's TypeError as the graph's runtime error.
      const accepted = JSON.parse(JSON.stringify(snapshot({ type: "object", properties: { a: { type: "string" } } }, { type: "object", properties: { a: { type: "string" } } })));
      const r = await simulate(SOURCE, { snapshot: accepted, file: "g.rag" });
      expect(JSON.stringify(r)).not.toMatch(/TypeError|Cannot (read|use)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
