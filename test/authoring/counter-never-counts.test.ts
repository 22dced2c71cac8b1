/**
 * A retry counter that never counts (issue 15, authoring round 2): an author wrote
 * `tries: integer = 0` and `set { tries: 1 }` with `when state.tries >= 3 -> END`; the
 * field is overwritten, so it stays 1 and the bound never comes true, and `rag check`
 * said ok. W-rag-counter-never-counts names the condition and the field, and its fix
 * (`sum`) makes the loop bounded.
 */
import { describe, expect, it } from "vitest";
import { applyFixes, compile } from "../../compiler/index.js";

const loop = (field: string, write: string, cond = "state.tries >= 3") => `graph g {
  start ask
  state { ${field}, answer: string }
  node ask {
    model "default"
    prompt "Answer"
    writes answer
    set { tries: ${write} }
    routes {
      when ${cond} -> END
      else -> ask
    }
  }
}
`;
const found = (src: string) => compile(src).diagnostics.filter((d) => d.code === "W-rag-counter-never-counts");

describe("W-rag-counter-never-counts", () => {
  it("reports an overwritten counter whose constant writes never satisfy the bound, with the `sum` fix", () => {
    const src = loop("tries: integer = 0", "1");
    const [d] = found(src);
    expect(d).toMatchObject({ severity: "warning", message: "`state.tries >= 3` is never true: `tries` keeps the last write, and every write sets a constant (1)", span: { start: { line: 10, column: 12 } } });
    expect(d.help).toBe("to count, declare `tries: integer sum = 0`, so each `set { tries: 1 }` adds");
    const fixed = applyFixes(src, [d]).text;
    expect(fixed).toContain("state { tries: integer sum = 0, answer: string }");
    expect(found(fixed)).toEqual([]);
  });

  it("also inside `or`/`and`, and with the literal on the left", () => {
    expect(found(loop("tries: integer = 0", "1", 'contains(state.answer, "1") or state.tries >= 3'))).toHaveLength(1);
    expect(found(loop("tries: integer = 0", "1", "3 <= state.tries and len(state.answer) > 0"))).toHaveLength(1);
  });

  it("says nothing when the counter can reach the bound", () => {
    expect(found(loop("tries: integer = 0", "state.tries + 1"))).toEqual([]);
    expect(found(loop("tries: integer sum = 0", "1"))).toEqual([]);
    expect(found(loop("tries: integer = 0", "3"))).toEqual([]);
    expect(found(loop("tries: integer = 5", "1"))).toEqual([]);
    expect(found(loop("tries: number = 0", "1", "state.tries < 3"))).toEqual([]);
    // A write the rule cannot see through (a node's whole result) is not judged.
    expect(found(loop("tries: integer = 0", "1").replace("writes answer", "writes tries"))).toEqual([]);
  });

  it("says nothing where a writer the file does not spell out may count: a custom node kind, a tool (its Command), the run's input", () => {
    const src = loop("tries: integer = 0", "1");
    expect(found(src.replace('node ask {\n    model "default"', 'node ask {\n    kind counter\n    model "default"'))).toEqual([]);
    expect(found(src.replace("}\n", '}\n  node helper { kind tool tool "bump" input {} next END }\n'))).toEqual([]);
    expect(found(src.replace("state {", "input { tries: integer }\n  state {"))).toEqual([]);
  });
});
