/**
 * The language service answers every query on every text: model-written `.rag` files
 * open in an editor (`rag lsp`, the studio's worker), so a hostile or half-typed document
 * must never make a feature throw or stall the editor (`LanguageService`: "never throws
 * for any text or position"). Mutants of the examples (bench/fuzz's mutator, seeded so a
 * failure reproduces), each queried with every feature at random positions, including
 * positions past the end and inside multi-unit characters.
 */
import { describe, expect, it } from "vitest";
import { seedCorpus } from "../../bench/fuzz/corpus.js";
import { mutant, rng } from "../../bench/fuzz/mutate.js";
import { createLanguageService, type LanguageService } from "../../language-service/index.js";

const SEED = 20261206;
const DOCS = Number(process.env.LS_FUZZ_DOCS ?? 150);

/** Every feature of the service at `line`/`character`; returns how many answered. */
function queryAll(ls: LanguageService, uri: string, line: number, character: number): number {
  const at = { line, character };
  const range = { start: at, end: { line: line + 1, character: 0 } };
  const answers = [
    ls.diagnostics(uri),
    ls.completion(uri, at),
    ls.hover(uri, at),
    ls.definition(uri, at),
    ls.references(uri, at, true),
    ls.prepareRename(uri, at),
    ls.rename(uri, at, "renamed_x"),
    ls.symbols(uri),
    ls.format(uri),
    ls.semanticTokens(uri),
    ls.codeActions(uri, range),
    ls.compilation(uri),
  ];
  return answers.length;
}

describe("language service on hostile text", () => {
  it(`answers every feature at random positions of ${DOCS} mutated documents without throwing or stalling`, () => {
    const corpus = seedCorpus();
    expect(corpus.length).toBeGreaterThan(5);
    const ls = createLanguageService();
    const r = rng(SEED);
    let slowest = 0;
    for (let i = 0; i < DOCS; i++) {
      const { source, ops } = mutant(corpus, SEED, i);
      const uri = `file:///fuzz/${i}.rag`;
      const lines = source.split("\n");
      const t0 = performance.now();
      try {
        ls.update(uri, source);
        for (let q = 0; q < 4; q++) {
          const line = Math.floor(r() * (lines.length + 2));
          const character = Math.floor(r() * ((lines[line]?.length ?? 0) + 3));
          expect(queryAll(ls, uri, line, character)).toBe(12);
        }
      } catch (e) {
        throw new Error(`mutant ${i} (${ops.join(", ")}) made the service throw: ${(e as Error).stack}`);
      }
      slowest = Math.max(slowest, performance.now() - t0);
      ls.close(uri);
    }
    // Generous for a loaded CI machine: a stall (a loop over the text) would take far longer.
    expect(slowest).toBeLessThan(10_000);
  });
});
