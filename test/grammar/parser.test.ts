/**
 * Parser golden ASTs: every file in test/grammar/golden/*.rag parses without
 * diagnostics to the committed `.ast.json` (spans compacted as line:col-line:col).
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseRag } from "../../grammar/index.js";
import { compactJson, expectGolden } from "../helpers/golden.js";

const dir = new URL("./golden/", import.meta.url).pathname;
const files = readdirSync(dir).filter((f) => f.endsWith(".rag"));

describe("parser golden ASTs", () => {
  it("has golden inputs", () => expect(files.length).toBeGreaterThanOrEqual(4));
  for (const f of files) {
    it(f, () => {
      const src = readFileSync(dir + f, "utf8");
      const r = parseRag(src, { file: f });
      expect(r.diagnostics.map((d) => `${d.code} ${d.span.start.line}:${d.span.start.column} ${d.message}`)).toEqual([]);
      const { comments, ...program } = r.value;
      expectGolden(dir + f.replace(/\.rag$/, ".ast.json"), compactJson({ comments: comments.map((c) => c.text), program }));
    });
  }
});

describe("lexical details", () => {
  const prompt = (src: string) => {
    const r = parseRag(`graph g { start a node a { prompt ${src} } }`);
    const node = r.value.items[0].kind === "GraphDecl" ? r.value.items[0].items.find((i) => i.kind === "NodeDecl") : undefined;
    const item = node?.kind === "NodeDecl" ? node.items[0] : undefined;
    return { item: item?.kind === "TemplateItem" ? item.value : undefined, diagnostics: r.diagnostics };
  };

  it("dedents multi-line strings and drops the newline after the opening quotes", () => {
    const { item } = prompt('"""\n    first\n      second\n\n    third\n    """');
    expect(item?.literal.value).toBe("first\n  second\n\nthird\n");
  });

  it("decodes JSON escapes, \\u{…} and a literal brace pair", () => {
    const { item } = prompt('"tab\\tq\\"u\\u00e9\\u{1F600} \\{{x}}"');
    expect(item?.literal.value).toBe('tab\tq"ué😀 {{x}}');
    expect(item?.parts).toHaveLength(1);
  });

  it("splits templates into text and expressions with source spans", () => {
    const { item } = prompt('"Hi {{ input.name }}!"');
    expect(item?.parts.map((p) => p.kind)).toEqual(["Text", "Interpolation", "Text"]);
    const interp = item?.parts[1];
    expect(interp?.kind === "Interpolation" && interp.expr.kind).toBe("Member");
    expect(interp?.span.start.column).toBe(39);
  });

  it("reports an unclosed interpolation", () => {
    expect(prompt('"Hi {{ input.name"').diagnostics.map((d) => d.code)).toEqual(["E-rag-invalid-template"]);
  });

  it("lexes durations only as an integer directly followed by a unit", () => {
    const r = parseRag("graph g { start a node a { timeout 250ms } node b { timeout 1.5s } }");
    expect(r.diagnostics.map((d) => d.code)).toEqual(["E-rag-invalid-duration"]);
  });

  it("treats keywords as names where a name is expected", () => {
    const r = parseRag("graph g { start input node input { next join } node join { next END } input -> join }");
    expect(r.diagnostics).toEqual([]);
  });

  it("turns a `#` comment into one diagnostic with a fix", () => {
    const r = parseRag("# hi\ngraph g { start a node a {} }");
    expect(r.diagnostics.map((d) => [d.code, d.fixes[0]?.replacement])).toEqual([["E-rag-hash-comment", "//"]]);
  });

  it("reports every syntax error of a file, not only the first", () => {
    const r = parseRag("graph g {\n  start a\n  node a { bogus 1 }\n  node b { frob 2 }\n  wat\n}\ngraph { }\n");
    expect(r.diagnostics.map((d) => `${d.code}@${d.span.start.line}`)).toEqual(["E-rag-unexpected-token@3", "E-rag-unexpected-token@4", "E-rag-unexpected-token@5", "E-rag-unexpected-token@7"]);
  });

  it("fails closed on limits", () => {
    expect(parseRag("graph g { start a node a { tags " + "[".repeat(100) + " } }").diagnostics.map((d) => d.code)).toEqual(["E-rag-limit-exceeded"]);
    expect(parseRag("x".repeat(50), { limits: { sourceSize: 10 } }).diagnostics.map((d) => d.code)).toEqual(["E-rag-limit-exceeded"]);
    const big = 'graph g { start a node a { prompt "' + "y".repeat(300) + '" } }';
    expect(parseRag(big, { limits: { stringLength: 100 } }).diagnostics.map((d) => d.code)).toEqual(["E-rag-limit-exceeded"]);
  });
});
