/**
 * A `timeout` of zero (compiler/rules/ItemValueRule.ts): the runtime arms a 0 ms timer
 * that fires before any task ends, so `timeout 0s` passed `rag check` and failed the node
 * at its first attempt (`node \`a\` timed out after 0 ms`), and `defaults { timeout: 0s }`
 * failed every node.
 */
import { describe, expect, it } from "vitest";
import { compileErrors } from "../helpers/compile-errors.js";

const errors = compileErrors;

describe("zero timeouts", () => {
  it("a node's `timeout 0s`, `timeout 0` or `timeout \"0ms\"` is E-rag-invalid-value on the value", () => {
    for (const t of ["0s", "0", '"0ms"', "0ms"]) {
      expect(errors(`graph g { start a node a { kind set timeout ${t} next END } }`)).toEqual([
        { code: "E-rag-invalid-value", message: "a `timeout` of 0 fails node `a` at every attempt before it can finish", at: t },
      ]);
    }
  });

  it("`defaults { timeout: 0s }` is E-rag-invalid-value: it bounds every node without its own", () => {
    expect(errors("graph g { start a defaults { timeout: 0s } node a { kind set next END } }")).toEqual([
      { code: "E-rag-invalid-value", message: "a `timeout` of 0 fails every node without its own `timeout` before it can finish", at: "0s" },
    ]);
  });

  it("positive timeouts are silent", () => {
    expect(errors('graph g { start a defaults { timeout: 30s } node a { kind set timeout 1ms next b } node b { kind set timeout "2s" next END } }')).toEqual([]);
  });
});
