/**
 * Machine fixes (`language.md` §5): every fix the catalog's examples produce removes its
 * diagnostic; overlapping fixes never apply together; applying fixes converges and is
 * idempotent.
 */
import { describe, expect, it } from "vitest";
import { applyFixes, CATALOG, compile, fixAll, registryViewFromSnapshot, type CompileOptions } from "../../compiler/index.js";
import type { Diagnostic } from "../../grammar/index.js";
import { LineIndex } from "../../grammar/span.js";

function diag(source: string, code: string, edits: [number, number, string][]): Diagnostic {
  const lines = new LineIndex(source);
  return {
    severity: "error",
    code,
    message: code,
    span: lines.span(edits[0][0], edits[0][1]),
    labels: [],
    fixes: edits.map(([s, e, r]) => ({ span: lines.span(s, e), replacement: r, description: `${s}-${e}→${r}` })),
  };
}

describe("applyFixes", () => {
  it("applies non-overlapping edits, skips overlapping ones, counts identical ones once", () => {
    const src = "abcdefghij";
    const r = applyFixes(src, [diag(src, "E-1", [[0, 2, "XY"]]), diag(src, "E-2", [[1, 3, "Q"]]), diag(src, "E-3", [[5, 5, "+"]]), diag(src, "E-4", [[5, 5, "+"]]), diag(src, "E-5", [[8, 10, ""]])]);
    expect(r.text).toBe("XYcde+fgh");
    expect(r.applied.map((a) => a.code)).toEqual(["E-1", "E-3", "E-5"]);
    expect(r.skipped.map((a) => a.code)).toEqual(["E-2"]);
  });

  it("treats the fixes of one diagnostic as one edit: all or none", () => {
    const src = "0123456789";
    const r = applyFixes(src, [diag(src, "E-a", [[0, 1, "x"]]), diag(src, "E-b", [[0, 1, "y"], [2, 4, "z"]])]);
    expect(r.text).toBe("x123456789");
    expect(r.skipped.map((a) => a.code)).toEqual(["E-b"]);
  });

  it("never applies two insertions at one point (their order would be a guess), nor an insertion at the edge of a replacement", () => {
    const src = "0123456789";
    expect(applyFixes(src, [diag(src, "E-a", [[3, 3, "a"]]), diag(src, "E-b", [[3, 3, "b"]])]).text).toBe("012a3456789");
    expect(applyFixes(src, [diag(src, "E-a", [[2, 4, "R"]]), diag(src, "E-b", [[4, 4, "i"]])]).text).toBe("01R456789");
  });
});

describe("a node left open", () => {
  it("is one E-rag-unclosed-block (not a cascade), and its fix closes the node on its own line so the file compiles clean", () => {
    const src = "graph g {\n  start a\n  state { x: string }\n  node a {\n    kind set\n    set { x: \"y\" }\n    next b\n\n  node b {\n    kind set\n    set { x: \"z\" }\n    next END\n  }\n}\n";
    const ds = compile(src, { file: "a.rag" }).diagnostics;
    expect(ds.map((d) => d.code)).toEqual(["E-rag-unclosed-block"]);
    expect(ds[0]).toMatchObject({ message: "node `a` is not closed: `}` is missing before `node b`", span: { start: { line: 9, column: 3 } }, labels: [{ message: "node `a` opens here", span: { start: { line: 4, column: 10 } } }] });
    const fixed = applyFixes(src, ds).text;
    expect(fixed).toContain("    next b\n  }\n\n  node b {");
    expect(compile(fixed, { file: "a.rag" }).diagnostics).toEqual([]);
  });
});

describe("checks after a syntax error", () => {
  it("an inner block left open is named with the `}` that closed it instead, with no guessed fix; the checks' echoes (unknown field `next`, unknown name, unreachable node) are held back", () => {
    const src = 'graph g {\n  start a\n  state { x: string }\n  node a {\n    kind set\n    set { x: "y"\n    next b\n  }\n  node b { kind set set { x: "y" } next END }\n}\n';
    const ds = compile(src, { file: "a.rag" }).diagnostics;
    expect(ds.map((d) => d.code)).toEqual(["E-rag-unclosed-block"]);
    expect(ds[0]!.labels.map((l) => [l.span.start.line, l.message])).toEqual([[4, "node `a` opens here"], [6, "the `}` on line 8 closes this `{` instead"]]);
    expect(ds[0]!.fixes).toEqual([]);
  });

  it("keeps errors in intact nodes and drops warnings until the file parses", () => {
    const src = 'graph g {\n  start a\n  state { x: string }\n  node a { kind set set { x: "y" } next b }\n  node b { kind set set { y: 1 } next c }\n  node c { tools ["t" }\n}\n';
    const codes = compile(src, { file: "a.rag" }).diagnostics.map((d) => d.code);
    expect(codes).toContain("E-rag-unexpected-token"); // node c
    expect(codes).toContain("E-rag-unknown-field"); // node b is intact: `y` is still reported
    expect(compile(src, { file: "a.rag" }).diagnostics.filter((d) => d.severity === "warning")).toEqual([]);
  });
});

describe("every catalogued fix", () => {
  for (const entry of CATALOG) {
    if (!entry.example) continue;
    const options: CompileOptions = { file: "example.rag", ...(entry.exampleRegistry ? { registry: registryViewFromSnapshot(entry.exampleRegistry) } : {}) };
    const withFix = compile(entry.example, options).diagnostics.filter((d) => d.fixes.length);
    for (const d of withFix) {
      it(`${d.code} at ${d.span.start.line}:${d.span.start.column} (example of ${entry.code}) removes its diagnostic`, () => {
        const r = applyFixes(entry.example, [d]);
        expect(r.applied).toHaveLength(1);
        const after = compile(r.text, options).diagnostics;
        const count = (ds: readonly Diagnostic[]) => ds.filter((x) => x.code === d.code).length;
        expect(count(after)).toBeLessThan(count(compile(entry.example, options).diagnostics));
        expect(after.filter((x) => x.severity === "error").length).toBeLessThanOrEqual(compile(entry.example, options).diagnostics.filter((x) => x.severity === "error").length);
      });
    }
  }

  it("covers the fixes the spec promises", () => {
    const fixable = new Set(CATALOG.flatMap((e) => (e.example ? compile(e.example, e.exampleRegistry ? { registry: registryViewFromSnapshot(e.exampleRegistry) } : {}).diagnostics.filter((d) => d.fixes.length).map((d) => d.code) : [])));
    for (const code of ["E-rag-hash-comment", "W-rag-implicit-end", "E-rag-missing-start", "E-rag-join-never-fires", "E-rag-missing-reducer", "E-rag-unknown-node", "E-rag-unknown-model"]) expect(fixable, code).toContain(code);
  });
});

describe("fixAll", () => {
  it("converges and is idempotent on a file with several fixable mistakes", () => {
    const src = `# generated
graph g {
  start a
  state { status: "open" | "done" }
  node a {
    kind modle
    routes { when state.status == "dnoe" -> b  else -> c }
  }
  node b { next END }
  node c {
    kind model
  }
}`;
    const once = fixAll(src);
    expect(once.applied.map((a) => a.code).sort()).toEqual(["E-rag-hash-comment", "E-rag-type-mismatch", "W-rag-implicit-end", "W-rag-unknown-node-kind"]);
    expect(once.diagnostics).toEqual([]);
    expect(once.text).toContain("// generated");
    expect(once.text).toContain("    kind model\n    next END\n  }");
    const twice = fixAll(once.text);
    expect(twice.applied).toEqual([]);
    expect(twice.text).toBe(once.text);
  });
});

describe("fixAll settles when a file defines a graph name twice (fuzz seed 7)", () => {
  // Two graphs named `g` give diagnostics with the same code and message; a memory of
  // "blocked" fixes keyed by code and message withheld a fix that a second --fix applied.
  const cases: Record<string, string> = {
    "missing start after a broken keyword (#17430)": "aph g\n  node a\ngraph g\n  node a\n",
    "implicit ends in three graphs g (#69220)": "graph g { start a node a { } } graph g { star a node a { } } graph g { start b node b { } }",
    "missing starts in two graphs g (#26150)": "graph g {\n  node a { bogus x }\n}\nraph g {\n  node a { bogus x }\n}\n",
    "unknown start beside a broken node (#37490)": "graph g { start a nodestart a { command { goto b } } node b { } a -> b }",
    "sends to a ghost in two graphs g (#98385)": "graph g { start a node a { sends [ send ghost ] } } aph g { start a node a { sends [ send ghost ] } } ",
  };
  for (const [name, src] of Object.entries(cases)) {
    it(name, () => {
      const once = fixAll(src);
      expect(once.settled).toBe(true);
      expect(once.applied.length).toBeGreaterThan(0);
      const twice = fixAll(once.text);
      expect(twice.text).toBe(once.text);
      expect(twice.applied).toEqual([]);
    });
  }

  it("both graphs get their start node, in one --fix", () => {
    expect(fixAll("aph g\n  node a\ngraph g\n  node a\n").text).toBe("graph g\n  start a\n  node a\ngraph g\n  node a\n");
  });

  it("fixes that do not settle within the round limit leave the source unchanged and say so", () => {
    const src = "aph g\n  node a\ngraph g\n  node a\n"; // needs two rounds
    const r = fixAll(src, {}, 1);
    expect(r).toMatchObject({ text: src, applied: [], settled: false });
    expect(fixAll(r.text, {}, 1).text).toBe(src);
  });
});
