/**
 * The LLM grammar card (`rag spec`) stays true to the grammar: its complete examples
 * compile, its one-line forms parse where they stand (a graph item in a graph, a node
 * item in a node), it names every item keyword, kind, reducer, capability kind and
 * expression function, and it stays within its token budget.
 */
import { describe, expect, it } from "vitest";
import { BUILTIN_REDUCERS, canonicalReducer, compile, compileGraph, NODE_KINDS } from "../../compiler/index.js";
import exampleConfig from "../../examples/rag.config.js";
import { registryFromConfig } from "../../stdlib/index.js";
import { approxTokens, CARD_TOKEN_BUDGET, GRAMMAR_CARD, parseRag } from "../../grammar/index.js";
import { GRAPH_ITEM_WORDS, NODE_ITEM_WORDS } from "../../grammar/rag/parser.js";
import { FUNCTION_ARITY } from "../../runtime/expr.js";

const section = (title: string) => GRAMMAR_CARD.split(/^## /m).find((s) => s.startsWith(title)) ?? "";
/** Inline code spans of a section that are whole forms (no `…`, `|`, `*` or NAME-like placeholders). */
const spans = (title: string) =>
  [...section(title).matchAll(/`([^`]+)`/g)].map((m) => m[1]).filter((s) => s.includes(" ") && !/[…|*]/.test(s) && !/\b(?!START\b|END\b)[A-Z]+\b/.test(s));
const syntaxErrors = (src: string) => parseRag(src).diagnostics.filter((d) => d.severity === "error").map((d) => d.message);

describe("grammar card", () => {
  it(`fits the budget of ${CARD_TOKEN_BUDGET} tokens`, () => {
    expect(approxTokens(GRAMMAR_CARD)).toBeLessThanOrEqual(CARD_TOKEN_BUDGET);
    expect(approxTokens(GRAMMAR_CARD)).toBeGreaterThan(1000);
  });

  it("counts tokens conservatively and deterministically", () => {
    expect(approxTokens("graph g {")).toBe(4);
    expect(approxTokens("recursion_limit")).toBe(6); // `recursion` 3 + `_` 1 + `limit` 2
    expect(approxTokens("a\nb")).toBe(3);
  });

  const blocks = [...GRAMMAR_CARD.matchAll(/```rag\n([\s\S]*?)```/g)].map((m) => m[1]);
  it("has complete examples", () => expect(blocks.length).toBeGreaterThanOrEqual(2));
  blocks.forEach((src, i) => {
    it(`example ${i + 1} compiles without diagnostics`, () => {
      const r = compile(src);
      expect(r.diagnostics.map((d) => `${d.code} ${d.span.start.line}:${d.span.start.column} ${d.message}`)).toEqual([]);
      expect(r.value.blueprints.length).toBe((src.match(/^graph /gm) ?? []).length);
    });
  });

  it("every example compiles clean against the example registry (examples/rag.config.ts)", () => {
    const registry = registryFromConfig(exampleConfig).view();
    for (const src of blocks) {
      const r = compileGraph(src, { registry });
      expect(r.diagnostics.map((d) => `${d.code} ${d.span.start.line}:${d.span.start.column} ${d.message}`)).toEqual([]);
    }
    // A name the registry lacks is caught here, so the check is real.
    expect(compileGraph(blocks[0].replace('"refund"]\n    routes', '"refnd"]\n    routes'), { registry }).diagnostics.length).toBeGreaterThan(0);
  });

  it("one-line graph items parse inside a graph", () => {
    const forms = spans("Graph items").filter((s) => GRAPH_ITEM_WORDS.has(s.split(/\s/)[0]) || s.includes("->"));
    expect(forms.length).toBeGreaterThanOrEqual(8);
    for (const f of forms) expect(syntaxErrors(`graph g { ${f} }`), f).toEqual([]);
  });

  it("one-line node items parse inside a node", () => {
    const forms = spans("Node items").filter((s) => NODE_ITEM_WORDS.has(s.split(/\s/)[0]));
    expect(forms.length).toBeGreaterThanOrEqual(25);
    for (const f of forms) expect(syntaxErrors(`graph g { node n { ${f} } }`), f).toEqual([]);
  });

  it("names every item keyword, kind, reducer, capability kind and function", () => {
    const words = new Set(GRAMMAR_CARD.match(/[A-Za-z_]+/g));
    const canonicalReducers = [...BUILTIN_REDUCERS].filter((r) => canonicalReducer(r) === r);
    const capabilityKinds = ["models", "tools", "agents", "graphs", "scripts", "reducers", "routers", "validators", "nodeKinds"];
    // `sends` is the reference spelling of `send`; the card teaches the canonical one.
    const required = [...GRAPH_ITEM_WORDS, ...[...NODE_ITEM_WORDS].filter((w) => w !== "sends"), ...NODE_KINDS, ...canonicalReducers, ...capabilityKinds, ...Object.keys(FUNCTION_ARITY), "when", "else", "wait", "for", "in", "goto", "update"];
    expect(required.filter((w) => !words.has(w))).toEqual([]);
  });
});
