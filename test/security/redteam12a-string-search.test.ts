/**
 * Red team 12A: `contains(TEXT, NEEDLE)` on strings was not charged at all — only the list
 * form was — and a native search of a 16 MB text for a 1 MB needle takes ~0.8 s here. A 1 kB
 * file doubled both with `join` (charged) and ran `[contains(state.s, state.n) for x in L]`:
 * one operation per item, so a 10,000-item `L` would hold the process for hours within one
 * expression's budget. The search is now charged before it runs, one operation per 64
 * characters of text and needle (a search reads each character many times over a copy).
 * `lower`, `upper` and `trim` copied their text uncharged too (`len(lower(state.s))` cost one
 * operation an item): they are charged the copy first, as other built strings are; so are
 * the needles of `starts_with`/`ends_with`, and `len` of a record lists its keys at one
 * operation a key, as `keys` does; comparing two strings (`==`, `<`, …) is charged by the
 * shorter one, `in` over text as a search.
 */
import { describe, expect, it } from "vitest";
import { ExpressionError } from "../../runtime/index.js";
import { runGraph } from "../helpers/run-graph.js";

// `s` doubles to 4,096,000 characters of `a` (twelve doublings of 1,000); the needle is 1,000 `a`s and a `b`.
const SEARCH = `graph g {
  start grow
  state { s: string = "${"a".repeat(1000)}"  n: string = ""  k: number sum = 0  r: any }
  node grow { kind set set { s: join([state.s, state.s], ""), k: 1 } routes { when state.k < 12 -> grow  else -> needle } }
  node needle { kind set set { n: "${"a".repeat(1000)}b" } next c }
  node c { kind set set { r: [contains(state.s, state.n) for x in [0, 0]] } next END }
}`;

describe("red team 12A: string searches in expressions are charged", () => {
  it("two searches of a 4 MB text exceed one expression's budget", async () => {
    const err = await runGraph(SEARCH).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ExpressionError);
    expect((err as Error).message).toMatch(/`contains` of 4096000 characters/);
  });

  it("`len(lower(TEXT))` over a 4 MB text, 30 times, exceeds the budget", async () => {
    const src = SEARCH.replace("[contains(state.s, state.n) for x in [0, 0]]", `[len(lower(state.s)) for x in [${Array(30).fill("0").join(", ")}]]`);
    const err = await runGraph(src).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ExpressionError);
    expect((err as Error).message).toMatch(/`lower` of 4096000 characters/);
  });

  it("`starts_with(TEXT, TEXT)` over a 4 MB text, 30 times, exceeds the budget", async () => {
    const src = SEARCH.replace("[contains(state.s, state.n) for x in [0, 0]]", `[starts_with(state.s, state.s) for x in [${Array(30).fill("0").join(", ")}]]`);
    const err = await runGraph(src).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ExpressionError);
    expect((err as Error).message).toMatch(/`starts_with` of 4096000 characters/);
  });

  it("`len` of a 60,000-key record twice exceeds the budget", async () => {
    const m = Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`k${i}`, i]));
    const err = await runGraph('graph g { start a state { m: any  r: any } node a { kind set set { r: [len(state.m) for x in [0, 0]] } next END } }', { m }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ExpressionError);
    expect((err as Error).message).toMatch(/`len` of a record with 60000 entries/);
  });

  it("comparing two 4 MB strings that differ at the end, 30 times, exceeds the budget", async () => {
    const src = SEARCH.replace('node needle { kind set set { n: "' + "a".repeat(1000) + 'b" } next c }', 'node needle { kind set set { n: join([state.s, "b"], ""), r: join([state.s, "c"], "") } next c }').replace("[contains(state.s, state.n) for x in [0, 0]]", `[state.n == state.r for x in [${Array(30).fill("0").join(", ")}]]`);
    const err = await runGraph(src).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ExpressionError);
    expect((err as Error).message).toMatch(/`==` of strings of 4096001 characters/);
  });

  it("a search of a short text costs what it did", async () => {
    const r = await runGraph('graph g { start a state { r: any } node a { kind set set { r: [contains("needle in a haystack", "hay") for x in [0, 0, 0]] } next END } }');
    expect(r.state.r).toEqual([true, true, true]);
  });
});
