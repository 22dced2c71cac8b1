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
import { scratchDir } from "../helpers/scratch-dirs.js";

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
    // Before the first cell too (a fresh session already knows its built-ins).
    expect(complete(h.session, "tool_c")[0]).toEqual(["tool_call", "tool_call_batched"]);
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

describe("colon commands, through the prompt's input and output streams", () => {
  it(":graphs :load :run :resume :history :save :reset :vars :approve :help :quit", async () => {
    const { PassThrough } = await import("node:stream");
    const { readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { runPrompt } = await import("../../repl/prompt.js");
    const dir = scratchDir("ragsh-prompt-");
    const input = new PassThrough();
    const output = new PassThrough();
    let text = "";
    output.on("data", (d) => (text += String(d)));
    const view = new PromptView(output, false);
    const h = harness({ sink: view.onEvent });
    const approval = 'graph approval { start review state { decision: any } node review { kind interrupt prompt "Publish?" options ["approve", "reject"] writes decision routes { approve -> END reject -> END } } }';
    const done = runPrompt({ session: h.session, input, output, colors: false, historyFile: join(dir, "history") }, view);
    const lines = [
      "let kept = [",
      "  1, 2",
      "]",
      `graph_register({graph: graph_compile(graph_define({name: "approval", source: ${JSON.stringify(approval)}}))}).name`,
      'graph_run({graph: "approval", input: {}, thread: "t-1"}).status',
      ':resume t-1 "approve"',
      ":load examples/map_reduce.rag",
      ":graphs",
      ':run hello {"name": "ada"}',
      ":vars",
      ":history",
      `:save ${join(dir, "saved.ragsh")}`,
      ":approve sha256:" + "a".repeat(64),
      ":reset",
      ":vars",
      ":nope",
      ":quit",
    ];
    for (const l of lines) input.write(l + "\n");
    expect(await done).toBe(0);
    expect(text).toContain('"approval"');
    expect(text).toContain('"interrupted"');
    expect(text).toContain('completed "approve"');
    expect(text).toContain("registered map_reduce");
    expect(text).toMatch(/hello sha256:[0-9a-f]{12}\n {2}approval sha256:[0-9a-f]{12} \(session\)\n {2}map_reduce sha256:[0-9a-f]{12} \(session\)/);
    expect(text).toContain('greeting: "hello ada"');
    expect(text).toContain("kept = [1, 2]");
    expect(text).toMatch(/c1 +✓ let kept = \[/);
    expect(text).toMatch(/review token: review-[0-9a-f-]+/);
    expect(text).toContain("variables cleared");
    expect(text).toContain("(no variables)");
    expect(text).toContain("unknown command :nope");
    expect(readFileSync(join(dir, "saved.ragsh"), "utf8")).toContain("let kept = [\n  1, 2\n]\n// %%\n");
    // History is kept for terminals only (test/cli/repl.test.ts checks it in a pseudo-terminal).
  });

  it(":save of one cell says `saved 1 cell` (it said `1 cells`)", async () => {
    const { PassThrough } = await import("node:stream");
    const { join } = await import("node:path");
    const { runPrompt } = await import("../../repl/prompt.js");
    const dir = scratchDir("ragsh-one-");
    const input = new PassThrough();
    const output = new PassThrough();
    let text = "";
    output.on("data", (d) => (text += String(d)));
    const done = runPrompt({ session: harness().session, input, output, colors: false, historyFile: join(dir, "history") }, new PromptView(output, false));
    for (const l of ["let a = 1", `:save ${join(dir, "one.ragsh")}`, ":quit"]) input.write(l + "\n");
    expect(await done).toBe(0);
    expect(text).toContain(`saved 1 cell to ${join(dir, "one.ragsh")}\n`);
  });
});

describe(":save keeps :load and :reset lines, so a saved session replays the same", () => {
  it("saves `:load` (relative to the saved script) and `:reset`; `rag repl`'s script runner replays them", async () => {
    const { PassThrough } = await import("node:stream");
    const { mkdirSync, readFileSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { runPrompt } = await import("../../repl/prompt.js");
    const { runScript } = await import("../../repl/directives.js");
    const dir = scratchDir("ragsh-save-");
    mkdirSync(join(dir, "out"));
    writeFileSync(join(dir, "g.rag"), "graph counter {\n  start a\n  state { n: number = 0 }\n  node a { kind set set { n: state.n + 1 } next END }\n}\n");
    writeFileSync(join(dir, "setup.ragsh"), "let base = 40\n// %%\nlet unused = 0\n");
    const input = new PassThrough();
    const output = new PassThrough();
    let text = "";
    output.on("data", (d) => (text += String(d)));
    const h = harness();
    const done = runPrompt({ session: h.session, input, output, colors: false }, new PromptView(output, false));
    for (const l of [`:load ${join(dir, "g.rag")}`, `:load ${join(dir, "setup.ragsh")}`, "let sum = base + 2", ":run counter {}", ":reset", "let after = 1", `:save ${join(dir, "out", "saved.ragsh")}`, ":quit"]) input.write(l + "\n");
    expect(await done).toBe(0);
    expect(text).toContain("registered counter");
    expect(text).toContain("saved 6 cells to");
    const saved = readFileSync(join(dir, "out", "saved.ragsh"), "utf8");
    // The loaded script's own cells are not copied: its `:load` line runs them again.
    expect(saved).toBe(':load ../g.rag\n// %%\n:load ../setup.ragsh\n// %%\nlet sum = base + 2\n// %%\ngraph_run({graph: "counter", input: {}})\n// %%\n:reset\n// %%\nlet after = 1\n');

    // Replayed in a new session: the graph is registered again, the script's variables exist
    // before `sum` needs them, the run gives the same state, and :reset clears what it cleared.
    const replay = harness();
    const values: unknown[] = [];
    const loaded: string[] = [];
    const ok = await runScript(replay.session, saved, join(dir, "out", "saved.ragsh"), {
      cell: async (source) => {
        const r = await replay.session.runCell(source);
        values.push(r.ok ? r.value : r.diagnostics.map((d) => d.message));
        return r.ok;
      },
      loaded: (file, r) => (loaded.push(...r.value.blueprints.map((b) => b.id)), true),
      error: (message) => values.push(message),
    });
    expect(ok).toBe(true);
    expect(loaded).toEqual(["counter"]);
    expect(values).toHaveLength(5);
    expect(values[3]).toMatchObject({ status: "completed", state: { n: 1 } });
    expect(replay.session.variableNames()).toContain("after");
    expect(replay.session.variableNames()).not.toContain("sum");
  });

  it("a script's `:load` of a missing file, or of itself, stops it with a clear message", async () => {
    const { writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { runScript } = await import("../../repl/directives.js");
    const dir = scratchDir("ragsh-load-");
    const errors: string[] = [];
    const hooks = { cell: async () => true, loaded: () => true, error: (m: string) => void errors.push(m) };
    expect(await runScript(harness().session, ":load nowhere.rag\n", join(dir, "a.ragsh"), hooks)).toBe(false);
    expect(errors[0]).toMatch(/^cannot read .*nowhere\.rag: no such file/);
    writeFileSync(join(dir, "self.ragsh"), ":load self.ragsh\n");
    expect(await runScript(harness().session, ":load self.ragsh\n", join(dir, "self.ragsh"), hooks)).toBe(false);
    expect(errors[1]).toContain("scripts nest more than 8 deep (does a script load itself?)");
  });
});

describe("a tool call waiting for approval at the prompt", () => {
  it("`:run` shows the tool, why it is asked, its arguments indented and bounded, and what approving does", async () => {
    const { PassThrough } = await import("node:stream");
    const { z } = await import("zod");
    const { tool } = await import("../../registry/index.js");
    const { compileGraph } = await import("../../compiler/index.js");
    const { runPrompt } = await import("../../repl/prompt.js");
    const { testRegistry } = await import("./helpers.js");
    const registry = testRegistry();
    const dropped: string[] = [];
    registry.registerTool("drop", tool({ description: "Drop a table.", schema: z.object({ table: z.string(), rows: z.array(z.number()), note: z.string() }), approval: "ask", run: ({ table }) => (dropped.push(table), "dropped") }));
    const rows = Array.from({ length: 40 }, (_, i) => i);
    const long = "x".repeat(300);
    registry.registerGraph("dropper", compileGraph(`graph dropper {\n  start a\n  state { x: any }\n  node a { kind tool tool "drop" input { table: "users\\u001b[2J", rows: [${rows.join(", ")}], note: "${long}" } writes x next END }\n}\n`).value!);
    const input = new PassThrough();
    const output = new PassThrough();
    let text = "";
    output.on("data", (d) => (text += String(d)));
    const h = harness({ registry });
    const done = runPrompt({ session: h.session, input, output, colors: false }, new PromptView(output, false));
    input.write(":run dropper {}\n:quit\n");
    expect(await done).toBe(0);
    expect(dropped).toEqual([]);
    expect(text).toContain('a: approve tool `drop` for node `a`? (its config says approval: "ask")\n      Drop a table.\n      arguments:\n        {\n          "table": "users\\u001b[2J",\n          "rows": [\n            0, 1, 2, 3,');
    expect(text).not.toContain("\u001b[2J");
    const args = text.slice(text.indexOf("arguments:"), text.indexOf("      approve:")).split("\n").slice(1, -1);
    expect(args.length).toBeGreaterThan(3);
    expect(args.length).toBeLessThanOrEqual(20);
    expect(Math.max(...args.map((l) => l.length))).toBeLessThanOrEqual(6 + 100);
    expect(args.join("\n")).toContain("37, 38, 39");
    expect(args.join("\n")).toMatch(/"note": "x+…\n/);
    expect(text).toContain("      approve: the call runs with these arguments · deny: it is not run, and the model is told\n");
    expect(text).toMatch(/answer with: :resume \S+ "approve"/);
    expect(text).not.toContain('"type":"tool_approval"');
  });
});

describe(":run GRAPH INPUT", () => {
  it("reports input that does not parse as typed, and still takes JSON or a .ragsh object using variables", async () => {
    const { PassThrough } = await import("node:stream");
    const { runPrompt } = await import("../../repl/prompt.js");
    const input = new PassThrough();
    const output = new PassThrough();
    let text = "";
    output.on("data", (d) => (text += String(d)));
    const h = harness();
    const done = runPrompt({ session: h.session, input, output, colors: false }, new PromptView(output, false));
    input.write(':run hello {"name": "ada"\nlet who = "bo"\n:run hello {name: who}\n:run hello {"name": "cy"}\n:quit\n');
    expect(await done).toBe(0);
    expect(text).toContain("  the input does not parse: ");
    expect(text).toContain('(:run hello {"question": "…"} takes a JSON object, or a .ragsh object like {question: q})');
    // Not an error in the generated `graph_run({…})` cell the user never typed.
    expect(text).not.toContain("graph_run(");
    expect(text).toContain('greeting: "hello bo"');
    expect(text).toContain('greeting: "hello cy"');
  });
});
