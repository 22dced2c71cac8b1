/**
 * Red team 12b: a cell's static check (unknown names, unknown capability names) ran a
 * did-you-mean search for every problem, each comparing the name with every visible name,
 * and listed them all. It runs before the cell's clock starts, so no limit applied: a
 * 64 KiB cell of 9,286 unknown names in a session of 16,000 variables held the process
 * 144 s against a 300 ms `timeoutMs` (a model's CodeAct block, or `POST /api/repl` in the
 * studio) and answered 9,286 diagnostics. The check now lists at most
 * `MAX_CHECK_DIAGNOSTICS` problems (one more counts the rest) and searches did-you-mean
 * for the first `MAX_CHECK_SUGGESTIONS`. Counted in diagnostics, not milliseconds.
 */
import { describe, expect, it } from "vitest";
import { MAX_CHECK_DIAGNOSTICS } from "../../repl/check.js";
import { codes, harness } from "../repl/helpers.js";

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, "0")}`);

describe("a cell's check is bounded however many problems it has", () => {
  it("3,000 unknown names beside 2,000 variables: 100 listed, one more counts the rest", async () => {
    const h = harness();
    expect(codes(await h.run(names("v", 2000).map((n) => `let ${n} = 0`).join("\n")))).toEqual([]);
    const r = await h.run(names("w", 3000).join(";"));
    expect(r.ok).toBe(false);
    // Before: 3,000 diagnostics, each after a did-you-mean search over 2,000 names.
    expect(r.diagnostics).toHaveLength(MAX_CHECK_DIAGNOSTICS + 1);
    expect(r.diagnostics.at(-1)!.message).toContain("and 2900 more problems");
    expect(r.diagnostics.every((d) => d.code === "E-ragsh-unknown-name")).toBe(true);
  });

  it("unknown capability literals count toward the same bound", async () => {
    const h = harness();
    const r = await h.run(names("t", 500).map((t) => `tool_call({tool: "${t}", arguments: {}})`).join("\n"));
    expect(r.diagnostics).toHaveLength(MAX_CHECK_DIAGNOSTICS + 1);
    expect(r.diagnostics.at(-1)!.message).toContain("400 more problems");
  });

  it("a typo still gets its did-you-mean", async () => {
    const h = harness();
    await h.run("let total = 1");
    const r = await h.run("totl + 1");
    expect(codes(r)).toEqual(["E-ragsh-unknown-name"]);
    expect(r.diagnostics[0]!.help).toContain("`total`");
  });
});
