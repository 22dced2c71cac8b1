/**
 * The `.ragsh` examples run, cell by cell, against examples/rag.config.ts (scripted
 * provider): the recursive-language-model pattern, a graph run with its state history,
 * and defining and diffing a graph.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import config from "../../examples/rag.config.js";
import { registryFromConfig, Session, type CellResult } from "../../repl/index.js";
import { splitCells } from "../../repl/script.js";

async function runScript(name: string, context?: string) {
  const file = `examples/${name}.ragsh`;
  const session = new Session({ registry: registryFromConfig(config), ...(context !== undefined ? { context } : {}) });
  const results: CellResult[] = [];
  for (const cell of splitCells(readFileSync(new URL(`../../${file}`, import.meta.url), "utf8"))) {
    const r = await session.runCell(cell.source, { file });
    results.push(r);
    expect(r.diagnostics.map((d) => `${d.code} ${d.file}:${d.span.start.line}: ${d.message}`)).toEqual([]);
  }
  return { session, results, stdout: results.map((r) => r.stdout).join("") };
}

describe(".ragsh examples", () => {
  it("rlm.ragsh: batched model queries over chunks of a long context", async () => {
    const { session, results, stdout } = await runScript("rlm");
    expect(results).toHaveLength(3);
    expect(stdout).toBe("context: 12921 characters, 600 lines\n6 chunks, 86 errors\n");
    expect(session.finalAnswer).toEqual({ errors: 86, chunks: 6, most_frequent: "timeout" });
    const batch = results[1].calls;
    expect(batch.map((c) => c.index)).toEqual(expect.arrayContaining([0, 1, 2, 3, 4, 5]));
    expect(batch.every((c) => c.capability === "model_query" && c.ok)).toBe(true);
  });

  it("rlm.ragsh uses the context it is given", async () => {
    const log = Array.from({ length: 250 }, (_, i) => (i % 5 === 0 ? "ERROR disk full" : "INFO fine")).join("\n");
    const { session } = await runScript("rlm", log);
    expect(session.finalAnswer).toMatchObject({ errors: 50, chunks: 3 });
  });

  it("graph_history.ragsh: runs a graph on a thread and walks its state updates and checkpoints", async () => {
    const { session, stdout } = await runScript("graph_history");
    expect(stdout).toContain("thread tally-1: 3 supersteps");
    expect(stdout).toContain('step 2: seen, count → {"seen":["join","send","barrier"],"count":3}');
    expect(stdout).toContain("checkpoint 3 (loop): count=3, next: —\ncheckpoint 2 (loop): count=3, next: report\ncheckpoint 1 (loop): count=0, next: count_word, count_word, count_word\ncheckpoint 0 (input): count=0, next: split");
    expect(session.finalAnswer).toEqual({ count: 3, seen: ["join", "send", "barrier", "done"], steps: 2, checkpoints: 4 });
  });

  it("define_diff.ragsh: defines two versions and diffs them semantically; formatting keeps the hash", async () => {
    const { session, stdout } = await runScript("define_diff");
    expect(stdout).toContain("+ node answer (model)\n- edge classify -> END\n+ edge classify -> answer\n+ edge answer -> END\n+ channel reply: string\n5 changes");
    expect(stdout).toContain('added: ["node answer", "edge classify -> answer", "edge answer -> END", "channel reply"]');
    expect(stdout).toContain("formatting only, identical: true");
    expect(session.finalAnswer).toEqual({ identical: false, changes: 5, added: ["node answer", "edge classify -> answer", "edge answer -> END", "channel reply"] });
  });
});
