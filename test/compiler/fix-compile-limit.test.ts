/**
 * `fixAll`'s compile bound (MAX_FIX_COMPILES): no real rule is known to keep producing
 * effective fixes without settling or cycling any more, so a rule that does — each
 * compile reports one fix appending a line, under a message that changes with the text,
 * so every round is effective and no text repeats — is planted around the real compiler.
 * With the round limit lifted, the call must stop at the compile bound, return the
 * source unchanged (`settled: false`), and a second call must change nothing.
 */
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../grammar/diagnostic.js";
import { compile as realCompile } from "../../compiler/compile.js";
import { fixAll, MAX_FIX_COMPILES, type CheckFn } from "../../compiler/fixes.js";

const calls = { n: 0 };

/** The real compiler plus one planted diagnostic whose fix appends a line, under a message that changes with the text. */
const compile: CheckFn = (source, options) => {
  calls.n++;
  const r = realCompile(source, options);
  const end = { offset: source.length, line: 1, column: source.length + 1 };
  const restless: Diagnostic = {
    code: "W-rag-item-unused",
    severity: "warning",
    message: `restless fix at length ${source.length}`,
    span: { start: end, end },
    labels: [],
    fixes: [{ span: { start: end, end }, replacement: "\n// more", description: "append a line" }],
  } as unknown as Diagnostic;
  return { ...r, diagnostics: [...r.diagnostics, restless] };
};

describe("fixAll stops at MAX_FIX_COMPILES", () => {
  const src = "graph g { start a node a { next END } }";

  it("a fix that never settles nor cycles is stopped by the compile bound, not the rounds", () => {
    calls.n = 0;
    const r = fixAll(src, {}, 10 * MAX_FIX_COMPILES, compile);
    // The first compile, then one per round up to the bound (the next would pass it).
    expect(calls.n).toBe(MAX_FIX_COMPILES);
    expect(r.settled).toBe(false);
    expect(r.text).toBe(src);
    expect(r.applied).toEqual([]);
    expect(r.diagnostics.some((d) => d.message === `restless fix at length ${src.length}`)).toBe(true);
  });

  it("the result is stable: running fixAll on it again changes nothing", () => {
    const once = fixAll(src, {}, 10 * MAX_FIX_COMPILES, compile);
    const twice = fixAll(once.text, {}, 10 * MAX_FIX_COMPILES, compile);
    expect(twice).toMatchObject({ text: once.text, applied: [], settled: false });
  });
});
