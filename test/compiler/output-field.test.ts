/**
 * A graph's `output { … }` field has the kind of its state field (OutputFieldRule): the
 * run's output is `state[name]` per output field, unchecked, so `output { total: number }`
 * over `state { total: string }` passed `rag check`, returned a string, and a parent writing
 * `result.total` into a number field failed.
 */
import { describe, expect, it } from "vitest";
import { compileErrors } from "../helpers/compile-errors.js";

const src = (output: string, state: string) => `graph g {
  start a
  output { ${output} }
  state { ${state} }
  channel bag append
  node a { kind set next END }
}`;
const errors = (output: string, state: string) => compileErrors(src(output, state));

describe("output fields and their state fields", () => {
  it("an output field whose state field holds another kind is E-rag-type-mismatch on its type", () => {
    expect(errors("total: number", "total: string")).toEqual([
      { code: "E-rag-type-mismatch", message: "output field `total` of graph `g` promises a number, but its state field holds a string", at: "number" },
    ]);
    expect(errors("items: list<string>", "items: { n: number }")[0]?.message).toBe("output field `items` of graph `g` promises a list, but its state field holds a record");
  });

  it("the same kinds, channels, `any`, and output fields without a state field are silent", () => {
    expect(errors('answer: string, n: integer, tags: string[], kind: "a" | "b"', "answer: string, n: number sum, tags: list<string> append, kind: string")).toEqual([]);
    expect(errors("bag: list<string>, x: number", "x: any")).toEqual([]);
    expect(errors("missing: string", "answer: string")).toEqual([]);
  });
});
