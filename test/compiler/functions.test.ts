/**
 * One function table: every built-in function the compiler knows (compiler/expr/functions.ts)
 * is implemented by the runtime evaluator with the same arity, and nothing else is.
 */
import { describe, expect, it } from "vitest";
import { FUNCTIONS, type ExprSpec } from "../../compiler/index.js";
import { evaluate, IMPLEMENTED_FUNCTIONS } from "../../runtime/index.js";

const span = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
const call = (fn: string, n: number): ExprSpec => ({ op: "call", fn, args: Array.from({ length: n }, () => ({ op: "lit", value: "x", span })), span });
const message = (f: () => unknown) => {
  try {
    f();
    return "";
  } catch (e) {
    return (e as Error).message;
  }
};

describe("built-in functions", () => {
  for (const [name, sig] of Object.entries(FUNCTIONS)) {
    it(`${name}: the runtime implements it with arity ${sig.arity.join("..")}`, () => {
      expect(message(() => evaluate(call(name, sig.arity[0]), {}))).not.toMatch(/unknown function|takes/);
      if (Number.isFinite(sig.arity[1])) expect(message(() => evaluate(call(name, sig.arity[1] + 1), {}))).toMatch(/takes/);
      if (sig.arity[0] > 0 && name !== "min" && name !== "max") expect(message(() => evaluate(call(name, sig.arity[0] - 1), {}))).toMatch(/takes/);
    });
  }

  it("the runtime implements exactly the compiler's functions", () => {
    expect([...IMPLEMENTED_FUNCTIONS].sort()).toEqual(Object.keys(FUNCTIONS).sort());
    expect(message(() => evaluate(call("lenght", 1), {}))).toMatch(/unknown function/);
  });
});
