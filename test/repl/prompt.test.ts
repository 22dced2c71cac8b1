/**
 * Pieces of the interactive prompt that need no terminal: multi-line detection, script
 * cells, completion, the spinner's frames on a TTY stream, result formatting.
 */
import { Writable } from "node:stream";
import pc from "picocolors";
import { describe, expect, it } from "vitest";
import { complete, formatResult, PromptView } from "../../repl/prompt.js";
import { isIncomplete, splitCells } from "../../repl/script.js";
import { harness } from "./helpers.js";

describe("prompt helpers", () => {
  it("a cell continues while a bracket, template or block comment is open", () => {
    for (const open of ["let xs = [", "fn f(a) {", "f(1,", "let t = `a ${", "let t = `line", "/* note", "#{a: 1,"]) expect(isIncomplete(open), open).toBe(true);
    for (const done of ["let xs = [1]", "fn f(a) { return a }", 'let s = "unclosed', "}", "let x = 1 // {"]) expect(isIncomplete(done), done).toBe(false);
  });

  it("scripts split into cells at // %% lines, keeping file line numbers", () => {
    const cells = splitCells("let a = 1\n// %% second\nlet b = 2\n\n// %%\n\n// %%\nlet c = 3");
    expect(cells.map((c) => c.line)).toEqual([1, 3, 8]);
    expect(cells[1].source.split("\n")[2]).toBe("let b = 2");
    expect(splitCells("only one cell")).toHaveLength(1);
  });

  it("completes built-ins, variables, capability names and colon commands", async () => {
    const h = harness();
    await h.run("let my_notes = 1");
    expect(complete(h.session, "model_q")).toEqual([["model_query", "model_query_batched"], "model_q"]);
    expect(complete(h.session, "print(my_")[0]).toEqual(["my_notes"]);
    expect(complete(h.session, 'tool_call({tool: "sea')[0]).toEqual(["search"]);
    expect(complete(h.session, 'graph_run({graph: "hel')[0]).toEqual(["hello"]);
    expect(complete(h.session, ":hi")[0]).toEqual([":history"]);
  });

  it("spins on a TTY while a capability call runs, and clears the line after", async () => {
    const written: string[] = [];
    const out = Object.assign(new Writable({ write: (chunk, _enc, cb) => (written.push(String(chunk)), cb()) }), { isTTY: true });
    const view = new PromptView(out, false);
    const h = harness({ sink: view.onEvent });
    await h.run('tool_call({tool: "wait", arguments: {ms: 250}})\nprint("done")');
    view.close();
    const text = written.join("");
    expect(text).toMatch(/\r[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] tool_call wait…/);
    expect(text).toContain("\r\x1b[K");
    expect(text).toContain("done\n");
    expect(text.indexOf("done")).toBeGreaterThan(text.indexOf("tool_call wait"));
  });

  it("formats results: value colored by type, answer, call summary", async () => {
    const h = harness();
    const r = await h.run('answer(tool_call({tool: "search", arguments: {query: "q"}}).length)');
    const c = pc.createColors(false);
    expect(formatResult(r, c)).toMatch(/^1\nanswer 1\n\(1 call, \d+ ms\)\n$/);
    const bad = await h.run("nope");
    expect(formatResult(bad, c)).toContain("error[E-ragsh-unknown-name]: `nope` is not defined\n --> <cell 2>:1:1");
  });
});
