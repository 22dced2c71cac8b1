/**
 * `E-rag-reserved-field`: a state field or channel named `__name__` is refused at its name
 * (the runtime keeps its records — `__task__`, `__interrupt__`, `__spend__` — among pending
 * writes under such names; binding refuses such a Blueprint too).
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";

const codes = (src: string) => compile(src, { file: "r.rag" }).diagnostics.map((d) => `${d.code} ${d.span.start.line}:${d.span.start.column}`);

describe("E-rag-reserved-field", () => {
  it("reports state fields and channels of the form __name__, and nothing else", () => {
    const src = ["graph g {", "  start a", "  state { __spend__: number, _x: string, x__: string, __y: string }", "  channel __task__ append", "  node a { next END }", "}"].join("\n");
    expect(codes(src)).toEqual(["E-rag-reserved-field 3:11", "E-rag-reserved-field 4:11"]);
    const d = compile(src, { file: "r.rag" }).diagnostics[0]!;
    expect(d.message).toBe("state field `__spend__` has a name of the form `__name__`, which the runtime reserves for its own records");
    expect(d.help).toBe("rename it, e.g. `spend`");
  });
});
