/**
 * A CI-sized sample of the fuzzer (bench/fuzz: `npm run bench:fuzz` runs ≥ 100,000
 * inputs): mutated examples and compat sources never make the front end throw or hang,
 * and every diagnostic's spans lie inside its source with matching line/column, and
 * every code is catalogued.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { checkInput, diagnosticProblem } from "../../bench/fuzz/check.js";
import { seedCorpus } from "../../bench/fuzz/corpus.js";
import { MUTATORS, mutant } from "../../bench/fuzz/mutate.js";
import { HAS_SHARED, noteSharedAbsent } from "../helpers/shared.js";

const corpus = seedCorpus();

describe("fuzz sample", () => {
  // The compat corpus (../shared) adds 175 sources; a fresh clone has the local seeds only.
  noteSharedAbsent(); // skipped without ../shared (reason printed; CI fails instead)
  it.skipIf(!HAS_SHARED)("draws on the compat corpus", () => {
    expect(corpus.length).toBeGreaterThan(150);
  });

  it("uses a real corpus and every mutator", () => {
    expect(corpus.length).toBeGreaterThan(HAS_SHARED ? 150 : 10);
    const used = new Set<string>();
    for (let i = 0; i < 400; i++) for (const op of mutant(corpus, 42, i).ops) used.add(op);
    expect([...used].sort()).toEqual(MUTATORS.map((m) => m.name).sort());
  });

  it("the checks catch what they are meant to catch", () => {
    const src = "graph g {\n  start a\n}";
    const [ok] = compile(src).diagnostics;
    expect(ok.code).toBe("E-rag-unknown-start");
    expect(diagnosticProblem(src, [ok])).toBeUndefined();
    const at = (line: number, column: number, offset: number) => ({ line, column, offset });
    expect(diagnosticProblem(src, [{ ...ok, span: { start: at(3, 1, 20), end: at(3, 5, 24) } }])?.kind).toBe("span");
    expect(diagnosticProblem(src, [{ ...ok, span: { start: at(1, 3, 12), end: at(1, 4, 13) } }])?.kind).toBe("span");
    expect(diagnosticProblem(src, [{ ...ok, labels: [{ span: { start: at(1, 1, 0), end: at(9, 1, 99) }, message: "x" }] }])?.kind).toBe("span");
    expect(diagnosticProblem(src, [{ ...ok, code: "E-rag-not-in-catalog" }])?.kind).toBe("uncatalogued");
    expect(checkInput("graph g { start a node a { next END } }", true, true)).toBeUndefined();
  });

  it("1,000 mutated inputs: no throw, spans inside the source, catalogued codes, bounded time", () => {
    let worst = 0;
    for (let i = 0; i < 1000; i++) {
      const { source, ops } = mutant(corpus, 20260521, i);
      const t0 = performance.now();
      const problem = checkInput(source, i % 2 === 0, i % 5 === 0);
      worst = Math.max(worst, performance.now() - t0);
      expect(problem, `input #${i} (${ops.join(", ")}):\n${source.slice(0, 400)}`).toBeUndefined();
    }
    expect(worst).toBeLessThan(5_000);
  }, 120_000);
});
