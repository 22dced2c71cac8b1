/**
 * A state field's default has the field's type (compiler/rules/DefaultTypeRule.ts):
 * the state starts with the default unchecked, so a wrong one passed `rag check` and
 * failed the first write that copied it (`set { m: state.n }`: expected number, got "one").
 */
import { describe, expect, it } from "vitest";
import { compileErrors } from "../helpers/compile-errors.js";

const src = (fields: string) => `schema Verdict { ok: boolean }
graph g {
  start a
  state { ${fields} }
  node a { kind set next END }
}`;
const errors = (fields: string) => compileErrors(src(fields));

describe("state defaults of the wrong type", () => {
  it("a scalar default of another type is E-rag-type-mismatch on the default", () => {
    expect(errors('n: number = "one"')).toEqual([{ code: "E-rag-type-mismatch", message: 'field `n` holds a number, but its default is "one"', at: '"one"' }]);
    expect(errors("s: string = 5")).toEqual([{ code: "E-rag-type-mismatch", message: "field `s` holds a string, but its default is a number", at: "5" }]);
    expect(errors('ok: boolean = "false"')[0]?.message).toBe('field `ok` holds a boolean, but its default is "false"');
    expect(errors('rounds: integer sum = "0"')[0]?.message).toBe('field `rounds` holds a number, but its default is "0"');
  });

  it("enums, lists, records and maps: the offending value is pointed at", () => {
    expect(errors('status: "open" | "closed" = "new"')).toEqual([{ code: "E-rag-type-mismatch", message: 'field `status` holds one of "open", "closed", but its default is "new"', at: '"new"' }]);
    expect(errors('tags: list<string> append = ["a", 2]')).toEqual([{ code: "E-rag-type-mismatch", message: "the items of field `tags` are each a string, but its default has a number", at: "2" }]);
    expect(errors('tags: list<string> = "a"')[0]?.message).toBe('field `tags` holds a list, but its default is "a"');
    expect(errors('user: { name: string, age: number } = { name: "a", age: "x" }')).toEqual([{ code: "E-rag-type-mismatch", message: 'field `user.age` holds a number, but its default is "x"', at: '"x"' }]);
    expect(errors("scores: map<number> = { a: true }")[0]?.message).toBe("field `scores.a` holds a number, but its default is a boolean");
    expect(errors("v: Verdict = { ok: 1 }")[0]?.message).toBe("field `v.ok` holds a boolean, but its default is a number");
  });

  it("defaults of the field's type, null, and unknown types are silent", () => {
    expect(errors('n: number = 0, s: string = "", ok: boolean = false, status: "open" | "closed" = "open"')).toEqual([]);
    expect(errors('tags: list<string> append = [], names: string[] = ["a"], user: { age: number } = { age: 3 }, m: map<string> = {}')).toEqual([]);
    expect(errors('x: any = 5, y: string? = null, t: number = 30s, o: Unknown = "x"').filter((e) => e.code === "E-rag-type-mismatch")).toEqual([]);
  });
});
