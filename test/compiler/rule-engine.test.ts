/**
 * The rule engine: a rule that crashes becomes `E-rag-internal` on the declaration it
 * was visiting, and the other rules still run.
 */
import { describe, expect, it } from "vitest";
import { parseRag } from "../../grammar/index.js";
import { resolveProgram } from "../../compiler/resolve/resolve.js";
import { runRules, type Rule } from "../../compiler/rules/index.js";

describe("runRules", () => {
  it("turns a crash into E-rag-internal at the node and keeps the other rules running", () => {
    const src = "graph g { start a node a { next END } node b { next END } }";
    const p = parseRag(src);
    const seen: string[] = [];
    const Crashing: Rule = () => ({ node(n) { if (n.name === "a") throw new Error("boom"); } });
    const Counting: Rule = () => ({ node(n) { seen.push(n.name); } });
    const reports: { code: string; message: string; line: number; column: number }[] = [];
    runRules([Crashing, Counting], {
      program: resolveProgram(p.value),
      registry: undefined,
      source: src,
      lines: p.lines,
      report: (code, message, span) => reports.push({ code, message, line: span.start.line, column: span.start.column }),
    });
    expect(reports).toEqual([{ code: "E-rag-internal", message: "internal error in rule Crashing: boom", line: 1, column: 24 }]);
    expect(seen).toEqual(["a", "b"]);
  });
});
