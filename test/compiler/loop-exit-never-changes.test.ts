/**
 * W-rag-loop-exit-never-changes (issue 15 audit): a loop whose only exits are `when`
 * routes over fields that keep one value for the run — a field with a default that
 * nothing writes, a `sum` counter whose every write adds 0 — runs to the recursion limit
 * (or never loops), and `rag check` said ok: W-rag-state-never-written skips fields with
 * a default, and W-rag-counter-never-counts judges `overwrite` counters only.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";

const found = (src: string) => compile(src).diagnostics.filter((d) => d.code === "W-rag-loop-exit-never-changes");

const doneLoop = (writes = "writes { out: result }", extra = "") => `graph g {
  start work
  state { done: boolean = false, out: string }
  node work { kind model model "default" prompt "Work" ${writes} next check }
  node check { kind router routes { when state.done -> END  else -> work } }${extra}
}
`;

const sumLoop = (write: string) => `graph g {
  start work
  state { n: integer sum = 0, out: string }
  node work { kind model model "default" prompt "Work" writes { out: result } next count }
  node count { kind set set { n: ${write} } routes { when state.n >= 3 -> END  else -> work } }
}
`;

describe("W-rag-loop-exit-never-changes", () => {
  it("reports a `when` exit over a field with a default that nothing writes", () => {
    const [d, ...more] = found(doneLoop());
    expect(more).toEqual([]);
    expect(d).toMatchObject({ severity: "warning", span: { start: { line: 5, column: 42 } } });
    expect(d.message).toBe("the loop through `work`, `check` decides its way out the same on every turn: nothing writes `done`, so a run leaves at the first check or cycles until the recursion limit");
    expect(d.labels?.map((l) => l.message)).toEqual(["`done` keeps one value for the run"]);
    expect(d.help).toContain("write `done` inside the loop");
  });

  it("leaves a field with no default in a graph with an input block to W-rag-state-never-written: one warning, not two", () => {
    const src = `graph g {
  start work
  input { q: string }
  state { done: boolean, out: string }
  node work { kind model model "default" prompt "Work" writes { out: result } next check }
  node check { kind router routes { when state.done -> END  else -> work } }
}
`;
    const codes = compile(src).diagnostics.map((d) => d.code);
    expect(codes).toContain("W-rag-state-never-written");
    expect(codes).not.toContain("W-rag-loop-exit-never-changes");
  });

  it("reports a `sum` counter whose only write in the loop adds 0", () => {
    const [d] = found(sumLoop("0"));
    expect(d?.message).toContain("`n` is `sum` and every write adds 0");
    expect(found(sumLoop("1"))).toEqual([]);
    expect(found(sumLoop("state.n + 0"))).toEqual([]);
  });

  it("says nothing when the loop can change its way out", () => {
    // a node writes the field (from a result, or a constant)
    expect(found(doneLoop("writes { out: result, done: result == \"ok\" }"))).toEqual([]);
    expect(found(doneLoop().replace("kind router routes", "kind set set { done: true } routes"))).toEqual([]);
    // another way out: a label route chosen by a model
    expect(found(doneLoop("writes { out: result } routes { stop -> END  go -> check }").replace(" next check", ""))).toEqual([]);
    // a writer the file does not spell out (a tool's Command), or a person on the way round
    expect(found(doneLoop(undefined, '\n  node side { kind tool tool "bump" input {} next END }'))).toEqual([]);
    expect(found(doneLoop().replace("start work", "start work\n  interrupt before [check]"))).toEqual([]);
    // a field the exit does not read
    expect(found(doneLoop().replace("when state.done", "when len(state.out) > 3"))).toEqual([]);
  });
});
