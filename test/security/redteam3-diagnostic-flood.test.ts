/**
 * Red team 3 (d): a hostile document inside the 1 MiB source limit. `@ @ @ …` made one
 * `E-rag-invalid-token` per two bytes — 500,000 diagnostics, ~600 MB of heap and seconds of
 * work in every consumer: `rag lsp` on each edit (11 s, 700 MB before publishing),
 * `POST /api/check` (a 180 MB answer), `rag check`. `{{@}}` repeated in a template did the
 * same through interpolations. Now the first `MAX_INVALID_TOKEN_DIAGNOSTICS` are reported
 * singly and one more counts the rest.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { MAX_INVALID_TOKEN_DIAGNOSTICS } from "../../grammar/rag/lexer.js";
import { createLanguageService } from "../../language-service/index.js";
import { checkSource } from "../../server/source.js";

const FLOOD = "@ ".repeat(500_000);

describe("a flood of invalid tokens is reported as a bounded list", () => {
  it("500,000 invalid tokens: the first 100 singly, then one that counts the rest", () => {
    const ds = compile(FLOOD, { file: "x.rag" }).diagnostics;
    expect(ds.length).toBe(MAX_INVALID_TOKEN_DIAGNOSTICS + 1);
    expect(ds.every((d) => d.code === "E-rag-invalid-token")).toBe(true);
    expect(ds.at(-1)!.message).toMatch(/and 499899 more invalid tokens/);
    expect(ds[0].span.start.offset).toBe(0);
  });

  it("inside a node body too (the parse still fails closed)", () => {
    const ds = compile("graph g { start a node a { kind set " + "@ ".repeat(100_000) + "} }", { file: "x.rag" }).diagnostics;
    expect(ds.filter((d) => d.code === "E-rag-invalid-token").length).toBe(MAX_INVALID_TOKEN_DIAGNOSTICS + 1);
  });

  it("invalid tokens in `{{ }}` interpolations are bounded the same way", () => {
    const src = 'graph g { start a node a { kind model model "m" prompt """' + "{{@}}".repeat(20_000) + '""" next END } }';
    const ds = compile(src, { file: "x.rag" }).diagnostics.filter((d) => d.code === "E-rag-invalid-token");
    expect(ds.length).toBe(MAX_INVALID_TOKEN_DIAGNOSTICS + 1);
    expect(ds.at(-1)!.message).toMatch(/not reported one by one/);
  });

  it("a few invalid tokens are all reported, as before", () => {
    expect(compile("@ ".repeat(MAX_INVALID_TOKEN_DIAGNOSTICS), { file: "x.rag" }).diagnostics.length).toBe(MAX_INVALID_TOKEN_DIAGNOSTICS);
    // One past the cap is still reported singly: no "and 0 more invalid tokens".
    const one = compile("@ ".repeat(MAX_INVALID_TOKEN_DIAGNOSTICS + 1), { file: "x.rag" }).diagnostics;
    expect(one.length).toBe(MAX_INVALID_TOKEN_DIAGNOSTICS + 1);
    expect(one.every((d) => d.message === "invalid token `@`")).toBe(true);
  });

  it("the language service (rag lsp) and POST /api/check answer with the bounded list", () => {
    const ls = createLanguageService();
    ls.update("file:///x.rag", FLOOD);
    expect(ls.diagnostics("file:///x.rag").length).toBe(MAX_INVALID_TOKEN_DIAGNOSTICS + 1);
    const r = checkSource(FLOOD, "x.rag", undefined as never);
    expect(r.diagnostics.length).toBe(MAX_INVALID_TOKEN_DIAGNOSTICS + 1);
    expect(JSON.stringify(r).length).toBeLessThan(200_000);
  });
});
