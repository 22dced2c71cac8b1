/**
 * A graph's `output { … }` field that no state field backs (UnbackedOutputRule): the run's
 * output copies state fields by name, so `output { answr: string }` over
 * `state { answer: string }` passed `rag check` and every run returned `answr: null`.
 */
import { describe, expect, it } from "vitest";
import { compile, fixAll } from "../../compiler/index.js";

const src = (output: string, extra = "") => `graph g {
  start a
  input { topic: string }
  state { answer: string }
  channel bag append
  output { ${output} }
  ${extra}
  node a { kind set set { answer: "x" } next END }
}`;
const warnings = (source: string) =>
  compile(source)
    .diagnostics.filter((d) => d.code === "W-rag-unbacked-output-field")
    .map((d) => ({ severity: d.severity, message: d.message, at: source.slice(d.span.start.offset, d.span.end.offset), fixes: d.fixes.map((f) => f.replacement) }));

describe("output fields no state field backs", () => {
  it("is W-rag-unbacked-output-field on the field's name, naming graph and field, with a fix to the close state field", () => {
    expect(warnings(src("answr: string"))).toEqual([
      { severity: "warning", message: "output field `answr` of graph `g` names no state field: every run returns it as null", at: "answr", fixes: ["answer"] },
    ]);
    const fixed = fixAll(src("answr: string"));
    expect(fixed.text).toContain("output { answer: string }");
    expect(warnings(fixed.text)).toEqual([]);
  });

  it("an input field the state does not declare is not kept either; with nothing close there is no fix", () => {
    expect(warnings(src("topic: string, summary: string")).map((w) => [w.at, w.fixes])).toEqual([
      ["topic", []],
      ["summary", []],
    ]);
  });

  it("state fields and channels back an output field; it stays a warning (the file still compiles)", () => {
    expect(warnings(src("answer: string, bag: list<string>"))).toEqual([]);
    expect(compile(src("answr: string")).diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });
});
