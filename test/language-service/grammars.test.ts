/**
 * The editor grammars are generated from one token list and committed; they must be up
 * to date, agree with the compiler's tables, and be valid for their engines (Monaco's
 * own Monarch compiler; JavaScript regular expressions for the TextMate patterns, which
 * use only the Oniguruma subset JavaScript shares).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BUILTIN_REDUCERS, FUNCTIONS, KIND_ALIASES, NODE_KINDS } from "../../compiler/index.js";
import { languageConfigurationJson, monarchModule, textMateGrammar, textMateJson } from "../../grammar/editors/generate.js";
import { MONARCH_LANGUAGE } from "../../grammar/editors/rag.monarch.js";
import { TOKEN_LIST } from "../../grammar/editors/token-list.js";
import { KEYWORD_WORDS } from "../../grammar/index.js";

const dir = new URL("../../grammar/editors/", import.meta.url).pathname;

describe("editor grammars", () => {
  it("committed files equal the generator's output (run `npm run grammars`)", () => {
    expect(readFileSync(dir + "rag.tmLanguage.json", "utf8")).toBe(textMateJson());
    expect(readFileSync(dir + "rag.monarch.ts", "utf8")).toBe(monarchModule());
    expect(readFileSync(dir + "language-configuration.json", "utf8")).toBe(languageConfigurationJson());
  });

  it("the token list agrees with the lexer and the compiler", () => {
    expect(new Set([...TOKEN_LIST.declarations, ...TOKEN_LIST.keywords, ...TOKEN_LIST.operatorWords])).toEqual(new Set(KEYWORD_WORDS));
    expect(new Set(TOKEN_LIST.kinds)).toEqual(new Set([...NODE_KINDS, ...Object.keys(KIND_ALIASES)]));
    expect(new Set(TOKEN_LIST.reducers)).toEqual(new Set(BUILTIN_REDUCERS));
    expect(new Set(TOKEN_LIST.functions)).toEqual(new Set(Object.keys(FUNCTIONS)));
  });

  it("Monaco's Monarch compiler accepts the definition", async () => {
    // An internal module of monaco-editor (its `exports` hide it), loaded by path.
    const url = new URL("../../node_modules/monaco-editor/esm/vs/editor/standalone/common/monarch/monarchCompile.js", import.meta.url).href;
    const { compile } = (await import(/* @vite-ignore */ url)) as { compile: (id: string, def: unknown) => { tokenizer: Record<string, unknown[]> } };
    const lexer = compile("rag", MONARCH_LANGUAGE);
    expect(Object.keys(lexer.tokenizer).sort()).toEqual(["comment", "interpolation", "literals", "root", "stringDouble", "stringSingle", "stringTriple", "whitespace"]);
  });

  it("every TextMate pattern is a valid regular expression and classifies sample text", () => {
    const g = textMateGrammar() as { repository: Record<string, { match?: string; begin?: string; patterns?: { match?: string; begin?: string }[] }> };
    const all: string[] = [];
    for (const rule of Object.values(g.repository)) {
      for (const r of [rule, ...(rule.patterns ?? [])]) for (const re of [r.match, r.begin]) if (re) all.push(re);
    }
    for (const re of all) expect(() => new RegExp(re)).not.toThrow();
    const rx = (name: string) => new RegExp(g.repository[name].match!);
    expect(rx("declarations").exec("node supervisor {")?.[2]).toBe("supervisor");
    expect(rx("keywords").test("routes")).toBe(true);
    expect(rx("keywords").test("router_x")).toBe(false);
    expect(rx("durations").exec("timeout 250ms")?.[0]).toBe("250ms");
    expect(rx("channel").exec("channel findings append")?.[3]).toBe("append");
    expect(rx("functions").exec("len(state.x)")?.[1]).toBe("len");
  });
});
