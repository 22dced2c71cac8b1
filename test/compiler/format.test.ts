/**
 * `rag fmt` keeps meaning (issue 3 §5): over every example, every lowering/parser golden
 * and every compat case without syntax errors (read in place), the formatted text is
 * accepted by the verifier, is a fixed point (`fmt(fmt(x)) == fmt(x)`), keeps every
 * comment, and every graph keeps its blueprint hash. A fast-check property does the same
 * for those sources with comments and line breaks inserted between random tokens.
 */
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile, formatSource } from "../../compiler/index.js";
import { LineIndex, parseRag, resolveLimits } from "../../grammar/index.js";
import { lex } from "../../grammar/rag/lexer.js";
import { itShared, readSharedJson } from "../helpers/shared.js";

const root = new URL("../../", import.meta.url).pathname;
const fromDir = (d: string) => readdirSync(root + d, { withFileTypes: true }).filter((f) => f.isFile() && f.name.endsWith(".rag")).map(({ name: f }) => ({ id: `${d}/${f}`, source: readFileSync(root + d + "/" + f, "utf8") }));
const corpus = readSharedJson<{ id: string; source: string; expect: string }[]>("compat/tinyagents/corpus.json", []);
// Every compat case without syntax errors: the `ok` ones and those with only semantic errors.
const okCases = corpus.filter((c) => c.expect === "ok").map((c) => ({ id: `compat/${c.id}`, source: c.source }));
const semanticErrorCases = corpus
  .filter((c) => c.expect === "error" && !parseRag(c.source).diagnostics.some((d) => d.severity === "error"))
  .map((c) => ({ id: `compat/${c.id} (semantic errors)`, source: c.source }));
const sources = [...fromDir("examples"), ...fromDir("test/compiler/lower"), ...fromDir("test/grammar/golden"), ...fromDir("test/grammar/format"), ...okCases, ...semanticErrorCases];

/** What formatting must keep: every graph's hash and every comment, in order. */
const meaning = (src: string) => {
  const c = compile(src).value;
  return { hashes: c.blueprints.map((b) => `${b.id}=${b.hash}`), comments: c.program.comments.map((x) => x.text) };
};

function checkFormat(src: string): string {
  const r = formatSource(src);
  expect(r.diagnostics.map((d) => d.message)).toEqual([]);
  const out = r.value!;
  expect(formatSource(out).value, "idempotent").toBe(out);
  expect(meaning(out), "blueprint hashes and comments").toEqual(meaning(src));
  return out;
}

describe("fmt keeps meaning", () => {
  it("covers the examples", () => {
    expect(sources.filter((s) => s.id.startsWith("examples/")).length).toBeGreaterThanOrEqual(3);
  });
  itShared("covers the 64 ok compat cases and those with only semantic errors", () => {
    expect(okCases).toHaveLength(64);
    expect(semanticErrorCases.length).toBeGreaterThanOrEqual(70);
  });
  for (const s of sources) it(s.id, () => void checkFormat(s.source));

  it("the examples are canonical, except the seed (kept verbatim: unindented, `kind sub_agent`)", () => {
    const words = (t: string) => t.trim().split(/\s+/).join(" ");
    for (const s of sources.filter((x) => x.id.startsWith("examples/"))) {
      const out = formatSource(s.source).value!;
      if (s.id.endsWith("research_review.rag")) expect(words(out)).toBe(words(s.source.replace("kind sub_agent", "kind subagent")));
      else expect(out, s.id).toBe(s.source);
    }
  });
});

describe("fmt under inserted comments and line breaks", () => {
  const lexed = (src: string) => lex(src, new LineIndex(src), resolveLimits()).tokens;
  const inputs = sources.filter((s) => lexed(s.source).length > 0);
  const junk = fc.constantFrom(" ", "\n", "\n\n", " // note\n", " /* note */ ", "\n/* multi\n   line */\n", "\t");
  it("keeps hashes and comments, and reaches a fixed point", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: inputs.length - 1 }), fc.array(fc.tuple(fc.nat(), junk), { minLength: 1, maxLength: 8 }), (i, edits) => {
        const src = inputs[i].source;
        const tokens = lexed(src);
        // After a token only, never inside one (a string, a duration): the program stays the same program.
        const cuts = [...new Set(edits.map(([n]) => tokens[n % tokens.length].startOffset + tokens[n % tokens.length].image.length))].sort((a, b) => b - a);
        let mutated = src;
        edits.forEach(([, text], k) => {
          if (k < cuts.length) mutated = mutated.slice(0, cuts[k]) + text + mutated.slice(cuts[k]);
        });
        checkFormat(mutated);
      }),
      { numRuns: Number(process.env.FMT_RUNS ?? 100), ...(process.env.FMT_RUNS ? {} : { seed: 20240607 }) },
    );
  });
});

describe("the verifier", () => {
  it("refuses output that changes a hash, loses a comment or does not parse", () => {
    const src = "// keep me\ngraph g { start a node a { model \"m\" next END } }\n";
    const faulty = (change: (s: string) => string) => formatSource(src, { printer: () => ({ value: change(src), diagnostics: [] }) });
    for (const bad of [(s: string) => s.replace('"m"', '"m2"'), (s: string) => s.replace("// keep me\n", ""), (s: string) => s.replace("next END", "next")]) {
      const r = faulty(bad);
      expect(r.value).toBeUndefined();
      expect(r.diagnostics.map((d) => d.code)).toEqual(["E-rag-fmt-unverified"]);
    }
    expect(faulty((s) => s.replace("graph g {", "graph g {\n")).value).toBeDefined();
  });
});
