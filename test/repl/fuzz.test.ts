/**
 * Property test: any cell — well-formed or not — ends in a result, never in an exception
 * out of `runCell`, a host crash, or an internal-error diagnostic. Cells are built from
 * a small expression grammar over the built-ins and the escape-prone names.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { harness } from "./helpers.js";

const atom = fc.constantFrom("1", "0", "-1", '"s"', "`t${1}`", "null", "undefined", "true", "[]", "[1, [2]]", "{}", "{a: 1}", "#{k: [1]}", "x", "xs", "o", "f", "Math", "JSON", "context", "state", "x => x", "|a| a + 1", "NaN", "Infinity");
const member = fc.constantFrom("length", "constructor", "__proto__", "prototype", "map", "keys", "a", "k", "0", "toString", "push", "slice", "floor", "stringify", "call", "apply");
const expr: fc.Arbitrary<string> = fc.letrec((tie) => ({
  e: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    atom,
    fc.tuple(tie("e"), fc.constantFrom("+", "-", "*", "/", "%", "==", "===", "<", "&&", "||", "??", "in"), tie("e")).map(([a, op, b]) => `(${a} ${op} ${b})`),
    fc.tuple(tie("e"), member).map(([a, m]) => `${a}.${m}`),
    fc.tuple(tie("e"), member).map(([a, m]) => `${a}?.${m}`),
    fc.tuple(tie("e"), tie("e")).map(([a, i]) => `${a}[${i}]`),
    fc.tuple(tie("e"), fc.array(tie("e"), { maxLength: 2 })).map(([f, args]) => `${f}(${args.join(", ")})`),
    fc.tuple(tie("e"), fc.array(tie("e"), { maxLength: 2 })).map(([f, args]) => `(${f}).map(${args[0] ?? "x => x"})`),
    tie("e").map((a) => `[...${a}]`),
    tie("e").map((a) => `({...${a}})`),
    tie("e").map((a) => `!${a}`),
    tie("e").map((a) => `typeof ${a}`),
  ),
})).e;
const stmt = fc.oneof(
  expr.map((e) => `x = ${e}`),
  expr.map((e) => `print(${e})`),
  fc.tuple(expr, member, expr).map(([a, m, b]) => `o.${m} = ${b}; ${a}`),
  fc.tuple(expr, expr).map(([a, b]) => `for (const v of ${a}) { xs.push(${b}) }`),
  fc.tuple(expr, expr).map(([a, b]) => `if (${a}) { o[${b}] = 1 } else { f(${b}) }`),
  expr.map((e) => `while (${e}) { break }`),
  expr,
);

describe("any cell ends in a result", () => {
  it("random cells never throw out of runCell nor report an internal error", async () => {
    const h = harness({ policy: { maxOperations: 20_000, timeoutMs: 2_000, maxOutputBytes: 4_000, maxMemoryBytes: 4_000_000 } });
    await h.run("let x = 1\nlet xs = [1, 2]\nlet o = {a: 1}\nfn f(a) { return a }");
    await fc.assert(
      fc.asyncProperty(fc.array(stmt, { minLength: 1, maxLength: 4 }), async (stmts) => {
        const r = await h.run(stmts.join("\n"));
        expect(r.diagnostics.filter((d) => d.code === "E-ragsh-internal"), stmts.join("\n")).toEqual([]);
        for (const d of r.diagnostics) expect(d.span.start.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });
});
