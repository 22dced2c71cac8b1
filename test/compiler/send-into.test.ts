/**
 * A send's `-> FIELD` takes what each branch returns (compiler/rules/SendIntoRule.ts): the
 * runtime writes each branch's result into FIELD through its reducer, so a model's reply
 * text into a `sum` number passed `rag check` and failed the run at the first branch
 * (`field \`n\`: expected number, got string "…"`).
 */
import { describe, expect, it } from "vitest";
import { compileErrors } from "../helpers/compile-errors.js";

const src = (send: string, extra = "") => `agent critic { model "m" system "Check {{ args.draft }}" output { ok: boolean } }
agent writer { model "m" system "Write {{ args.topic }}" }
graph g {
  start a
  input { items: list<string> }
  state { n: number sum, names: list<string> append, oks: list<boolean> append, verdicts: { ok: boolean }[] append, any_list: list<any> append }
  channel bag append
  node a { kind set send [${send}] join b }
  node w { model "m" prompt "{{ args.item }}" }
  node s { model "m" prompt "{{ args.item }}" output { score: number } }
  node b { kind set next END }
  ${extra}
}
graph child {
  start m
  input { q: string }
  output { answer: string }
  state { answer: string }
  node m { kind set set { answer: input.q } next END }
}`;
const errors = (send: string) => compileErrors(src(send));

describe("send -> FIELD collects what its branches return", () => {
  it("a node's reply text into a `sum` field is E-rag-type-mismatch on the field", () => {
    expect(errors("w { item: x } for x in input.items -> n")).toEqual([
      { code: "E-rag-type-mismatch", message: "field `n` folds numbers (`sum`), but this writes a string: what each branch of node `w` returns", at: "n" },
    ]);
  });

  it("agents and graphs: an output record into a list of strings, reply text into a list of records", () => {
    expect(errors('critic { draft: "x" } -> names').map((e) => e.message)).toEqual([
      "field `names` is a list of strings (`append` adds a string or a list of them), but this writes a record: what each branch of agent `critic` returns",
    ]);
    expect(errors('writer { topic: "x" } -> verdicts').map((e) => e.message)).toEqual([
      "field `verdicts` is a list of objects (`append` adds an object or a list of them), but this writes a string: what each branch of agent `writer` returns",
    ]);
    expect(errors('child { q: "x" } -> oks').map((e) => e.message)).toEqual([
      "field `oks` is a list of booleans (`append` adds a boolean or a list of them), but this writes the output of graph `child`: what each branch of graph `child` returns",
    ]);
    expect(errors("s { item: x } for x in input.items -> names").map((e) => e.message)).toHaveLength(1);
  });

  it("results the field can take, and unknown results, are silent", () => {
    expect(errors("w { item: x } for x in input.items -> names")).toEqual([]);
    expect(errors('critic { draft: "x" } -> verdicts, writer { topic: "y" } -> names, child { q: "z" } -> verdicts')).toEqual([]);
    expect(errors('w { item: "a" } -> bag, critic { draft: "x" } -> any_list, b -> n')).toEqual([]);
  });
});
