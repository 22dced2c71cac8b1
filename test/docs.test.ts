/**
 * docs/language.md stays true: every `rag` block is a complete program that compiles
 * without errors, every `rag-graph` / `rag-node` block parses inside a graph / a node,
 * and together the examples use every item keyword, node kind and reducer.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BUILTIN_REDUCERS, canonicalReducer, compile, NODE_KINDS } from "../compiler/index.js";
import { parseRag } from "../grammar/index.js";
import { GRAPH_ITEM_WORDS, NODE_ITEM_WORDS } from "../grammar/rag/parser.js";

const doc = readFileSync(new URL("../docs/language.md", import.meta.url), "utf8");
const blocks = [...doc.matchAll(/^```(rag|rag-graph|rag-node)\n([\s\S]*?)^```/gm)].map((m) => ({ kind: m[1], src: m[2], line: doc.slice(0, m.index).split("\n").length }));
const errors = (ds: readonly { severity: string; code: string; message: string; span: { start: { line: number } } }[]) =>
  ds.filter((d) => d.severity === "error").map((d) => `${d.code} line ${d.span.start.line}: ${d.message}`);

describe("docs/language.md", () => {
  it("has examples of every sort", () => {
    for (const k of ["rag", "rag-graph", "rag-node"]) expect(blocks.filter((b) => b.kind === k).length, k).toBeGreaterThanOrEqual(10);
  });

  for (const b of blocks) {
    it(`${b.kind} example at line ${b.line}`, () => {
      if (b.kind === "rag") {
        const r = compile(b.src, { file: `docs/language.md:${b.line}` });
        expect(errors(r.diagnostics)).toEqual([]);
        expect(r.value.blueprints.length).toBeGreaterThan(0);
      } else {
        const src = b.kind === "rag-graph" ? `graph g {\n${b.src}}` : `graph g {\nnode n {\n${b.src}}\n}`;
        expect(errors(parseRag(src).diagnostics)).toEqual([]);
      }
    });
  }

  it("shows every item keyword, node kind and reducer in an example", () => {
    const words = new Set(blocks.flatMap((b) => b.src.match(/[A-Za-z_]+/g) ?? []));
    const reducers = [...BUILTIN_REDUCERS].filter((r) => canonicalReducer(r) === r);
    expect([...GRAPH_ITEM_WORDS, ...NODE_ITEM_WORDS, ...NODE_KINDS, ...reducers].filter((w) => !words.has(w))).toEqual([]);
  });
});
