/**
 * A newline string inside `{{ }}` of a `"…"` template (issue 15, authoring round 2): an
 * author wrote `prompt "… {{ join(state.parts, \"\n\") }}"` and got only "expected an
 * expression after `,`". The string's escapes are decoded before the interpolation is
 * read, so the `\n` had become a raw newline inside a quoted string; the diagnostic now
 * says so and names the two spellings that work.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";

const graph = (prompt: string) => `graph g {
  input { parts: list<string> }
  state { s: string }
  start a
  node a {
    model "default"
    prompt ${prompt}
    writes s
    next END
  }
}
`;
const errors = (src: string) => compile(src).diagnostics.filter((d) => d.severity === "error");
const HELP = "the string's escapes were decoded before `{{ }}` was read, so `\\n` in it became a raw newline: write `'\\\\n'` there, or use a `\"\"\"…\"\"\"` string, where `{{ join(xs, \"\\n\") }}` works as written";

describe("newline strings inside interpolations", () => {
  it("`'\\n'` or `\\\"\\n\\\"` inside a \"…\" template: the error explains the decoding and the fix", () => {
    for (const lit of [String.raw`'\n'`, String.raw`\"\n\"`]) {
      const [e, ...rest] = errors(graph(`"x {{ join(input.parts, ${lit}) }}"`));
      expect(rest).toEqual([]);
      expect(e).toMatchObject({ code: "E-rag-unexpected-token", help: HELP });
    }
  });

  it("the spellings the help names compile clean", () => {
    expect(errors(graph(String.raw`"x {{ join(input.parts, '\\n') }}"`))).toEqual([]);
    expect(errors(graph(`"""\n      x {{ join(input.parts, "\\n") }}\n      """`))).toEqual([]);
  });

  it("other interpolation errors get no such help", () => {
    const [e] = errors(graph(`"x {{ join(input.parts, ) }}"`));
    expect(e.help).toBeUndefined();
  });
});
