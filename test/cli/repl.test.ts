/**
 * `rag repl` as users run it: scripts (human output, JSON Lines, exit codes) through the
 * program bin/rag.js runs, in-process, and the interactive prompt as a real process in a
 * real pseudo-terminal (tmux): a multi-line cell, a colon command, a tab completion, read
 * back from the screen.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ragIn, root } from "../helpers/cli.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const tmp = scratchDir("rag-repl-");

const rag = (args: string[]) => ragIn(args, root);

describe("rag repl FILE.ragsh", () => {
  it("runs a script: output on stdout, the answer last, exit 0", async () => {
    const r = await rag(["repl", "examples/rlm.ragsh"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^context: 12921 characters, 600 lines\n6 chunks, 86 errors\nanswer: \{\n {2}"errors": 86/);
  });

  it("--json prints session and graph events as JSON Lines; a failed cell exits 1 with its diagnostic", async () => {
    const file = join(tmp, "fails.ragsh");
    writeFileSync(file, 'let n = 1\nprint("first")\n// %%\ntool_call({tool: "lookup_user", arguments: {email: 42}})\n// %%\nprint("never")\n');
    const r = await rag(["repl", file, "--config", "examples/rag.config.ts", "--json"]);
    expect(r.code).toBe(1);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(events.map((e) => e.type)).toEqual(["session_started", "cell_started", "cell_stdout", "variable_changed", "cell_completed", "cell_started", "capability_call_started", "capability_call_completed", "cell_failed", "session_failed"]);
    const failed = events.find((e) => e.type === "cell_failed");
    expect(failed.diagnostics[0]).toMatchObject({ code: "E-ragsh-invalid-arguments", line: 4 });
    expect(events.every((e) => e.sessionId === events[0].sessionId && e.rootRunId === events[0].sessionId)).toBe(true);
    const human = await rag(["repl", file, "--config", "examples/rag.config.ts"]);
    expect(human.code).toBe(1);
    expect(human.stdout).toBe("first\n");
    expect(human.stderr).toContain("error[E-ragsh-invalid-arguments]");
    expect(human.stderr).toMatch(/--> .*fails\.ragsh:4:1/);
  });

  it("a script whose first lines say `// rag:generated-by model` runs as a model's session: untrustedAllow applies", async () => {
    const dir = mkdtempSync(join(tmp, "gen-"));
    const config = join(dir, "rag.config.ts");
    writeFileSync(config, `import { defineConfig, tool, z } from ${JSON.stringify(join(root, "index.ts"))};
const secret = tool({ description: "writes", schema: z.object({}).passthrough(), run: () => "ran secret" });
const open = tool({ description: "reads", schema: z.object({}).passthrough(), run: () => "ran open" });
export default defineConfig({ tools: { secret, open }, policy: { name: "p", allow: { tools: ["open", "secret"] }, untrustedAllow: { tools: ["open"] } } });
`);
    const body = 'print(tool_call({tool: "secret", arguments: {}}))\n';
    writeFileSync(join(dir, "gen.ragsh"), "// rag:generated-by model author=gpt\n\n" + body);
    writeFileSync(join(dir, "mine.ragsh"), "// a person's script\n" + body);
    const generated = await rag(["repl", join(dir, "gen.ragsh"), "--config", config]);
    expect(generated.code).toBe(1);
    expect(generated.stderr).toContain("E-ragsh-capability-denied");
    expect(generated.stdout).not.toContain("ran secret");
    const mine = await rag(["repl", join(dir, "mine.ragsh"), "--config", config]);
    expect(mine.stderr).toBe("");
    expect(mine.stdout).toBe("ran secret\n");
  });

  it("--history naming a directory (or nothing) is a usage error: one line naming the path, exit 2", () => {
    const historyDir = scratchDir("rag-repl-hist-dir-");
    const repl = (history: string) => spawnSync(process.execPath, [join(root, "bin/rag.js"), "repl", "--history", history], { cwd: tmp, input: "let a = 1\n", encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 30_000 });
    const dir = repl(historyDir);
    expect([dir.status, dir.stdout]).toEqual([2, ""]);
    expect(dir.stderr).toBe(`error: --history ${historyDir} is a directory; name a file (e.g. ${join(historyDir, "repl_history")})\n`);
    const empty = repl("");
    expect([empty.status, empty.stderr]).toEqual([2, "error: --history needs a file path, not an empty string\n"]);
  });

  it("piped standard input (not a terminal) runs as a script does: stops at the first failed cell or command, exit 1", async () => {
    const piped = (input: string) => spawnSync(process.execPath, [join(root, "bin/rag.js"), "repl", "--history", join(tmp, "piped-history")], { cwd: tmp, input, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 30_000 });
    const failing = piped('print("first")\nlet x = nope + 1\nprint("never")\n');
    expect(failing.status).toBe(1);
    expect(failing.stdout).toContain("first");
    expect(failing.stdout).toContain("error[E-ragsh-unknown-name]: `nope` is not defined");
    expect(failing.stdout).not.toContain("never");
    expect(failing.stderr).toBe("error: stopped at the first failure (input is not a terminal, so it runs as a script does; exit 1)\n");
    // The same cells as a script file: exit 1 at the same cell, the next one never runs.
    writeFileSync(join(tmp, "same.ragsh"), 'print("first")\n// %%\nlet x = nope + 1\n// %%\nprint("never")\n');
    const script = await rag(["repl", join(tmp, "same.ragsh")]);
    expect([script.code, script.stdout]).toEqual([1, "first\n"]);
    const command = piped(':nope\nprint("never")\n');
    expect(command.status).toBe(1);
    expect(command.stdout).toContain("unknown command :nope (:help lists them)");
    expect(command.stdout).not.toContain("never");
    expect(piped(":lod x.rag\n").stdout).toContain("unknown command :lod (did you mean :load? :help lists them)");
    // A paused `:run` of an interrupt with a typed answer shows an answer of that type, as `rag run` does (not `"…"`).
    writeFileSync(join(tmp, "typed.rag"), 'graph typed {\n  start q\n  state { n: integer }\n  node q { kind interrupt prompt "How many?" resume { n: integer(1..5), ok: boolean } writes { n: result.n } next END }\n}\n');
    const paused = piped(":load typed.rag\n:run typed {}\n");
    expect(paused.stdout).toMatch(/answer with: :resume thread-\S+ \{"n":1,"ok":true\}\n/);
    const ok = piped('let n = 41\nprint(n + 1)\n:vars\n');
    expect([ok.status, ok.stderr]).toEqual([0, ""]);
    expect(ok.stdout).toContain("42");
  }, 60_000); // four `rag` processes, one after another: seconds each on a loaded machine

  it("graph runs inside a script appear as nested graph events", async () => {
    const r = await rag(["repl", "examples/graph_history.ragsh", "--json"]);
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const session = events[0].sessionId;
    const run = events.filter((e) => e.type === "run_started");
    expect(run).toHaveLength(1);
    expect(run[0]).toMatchObject({ graph: "tally", parentRunId: session, rootRunId: session, depth: 1, threadId: "tally-1" });
  });

  it("a script's `:load FILE` (relative to the script) and `:reset` lines run as at the prompt", async () => {
    const dir = mkdtempSync(join(tmp, "directives-"));
    writeFileSync(join(dir, "g.rag"), "graph counter {\n  start a\n  state { n: number = 0 }\n  node a { kind set set { n: state.n + 1 } next END }\n}\n");
    writeFileSync(join(dir, "setup.ragsh"), "let base = 40\n");
    writeFileSync(join(dir, "main.ragsh"), ':load g.rag\n// %%\n:load setup.ragsh\n// %%\nprint(base + 2)\nprint(graph_run({graph: "counter", input: {}}).state.n)\n// %%\n:reset\n// %%\nprint(base)\n');
    // The last cell fails: `:reset` forgot `base`.
    const r = await rag(["repl", join(dir, "main.ragsh")]);
    expect(r.stdout).toBe("42\n1\n");
    expect(r.stderr).toContain("error[E-ragsh-unknown-name]: `base` is not defined");
    expect(r.stderr).toMatch(/--> .*main\.ragsh:10:7/);
    expect(r.code).toBe(1);
    writeFileSync(join(dir, "broken.ragsh"), ":load nowhere.rag\n// %%\nprint(1)\n");
    const bad = await rag(["repl", join(dir, "broken.ragsh")]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toMatch(/^error: cannot read .*nowhere\.rag: no such file/);
  });

  it("exits 2 on usage errors", async () => {
    expect((await rag(["repl", "missing.ragsh"])).code).toBe(2);
    expect((await rag(["repl", "--json"])).code).toBe(2);
  });

  it("a .rag file is a graph, not a script: one usage line naming `rag run` and `:load`, not .ragsh syntax errors", async () => {
    const r = await rag(["repl", "examples/map_reduce.rag"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("error: examples/map_reduce.rag is a graph (.rag), not a .ragsh script: run it with `rag run examples/map_reduce.rag`, or register its graphs in the REPL with `:load examples/map_reduce.rag`\n");
    const json = await rag(["repl", "examples/map_reduce.rag", "--json"]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).error.code).toBe("usage");
  });
});

describe("rag repl (interactive, in a real pseudo-terminal)", () => {
  const socket = `rag-test-${process.pid}`;
  const tmux = (...args: string[]) => execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
  const screen = () => tmux("capture-pane", "-p", "-t", "repl");
  const waitFor = async (pred: (s: string) => boolean, what: string) => {
    const until = Date.now() + 15_000;
    let last = "";
    while (Date.now() < until) {
      last = screen();
      if (pred(last)) return last;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}; screen:\n${last}`);
  };
  afterAll(() => {
    spawnSync("tmux", ["-L", socket, "kill-server"]);
  });

  it("multi-line cell, colon command, tab completion, history", async () => {
    expect(spawnSync("tmux", ["-V"]).status, "tmux is needed for this test (.ci/run installs it)").toBe(0);
    const history = join(tmp, "history");
    const cmd = `cd ${root} && ${process.execPath} bin/rag.js repl --config test/cli/fixtures/repl.config.ts --history ${history}; echo "[exited $?]"; sleep 30`;
    tmux("new-session", "-d", "-s", "repl", "-x", "110", "-y", "40", cmd);
    await waitFor((s) => s.includes("ragsh>"), "the prompt");

    // A multi-line cell: the prompt continues while the bracket is open.
    tmux("send-keys", "-t", "repl", "let xs = [", "Enter");
    await waitFor((s) => s.includes("...>"), "the continuation prompt");
    tmux("send-keys", "-t", "repl", "  1, 2, 3", "Enter", "]", "Enter");
    tmux("send-keys", "-t", "repl", "xs.map(x => x * 10)", "Enter");
    await waitFor((s) => s.includes("[10, 20, 30]"), "the cell's value");

    // A colon command.
    tmux("send-keys", "-t", "repl", ":vars", "Enter");
    await waitFor((s) => s.includes("xs = [1, 2, 3]"), ":vars");

    // Tab completion of a built-in, then a capability call through the registry.
    tmux("send-keys", "-t", "repl", "tool_c", "Tab");
    await waitFor((s) => /ragsh> tool_call\s*$/m.test(s), "the completed name");
    tmux("send-keys", "-t", "repl", '({tool: "lookup_user", arguments: {email: "ada@bigco.com"}}).plan', "Enter");
    await waitFor((s) => s.includes('"enterprise"'), "the tool's result");

    // A static-check diagnostic is rendered with its span.
    tmux("send-keys", "-t", "repl", 'model_query({model: "defualt", prompt: "x"})', "Enter");
    const shown = await waitFor((s) => s.includes("help: did you mean `default`?"), "the diagnostic");
    expect(shown).toContain("error[E-ragsh-unknown-model]: model `defualt` is not registered");

    // Ctrl-C cancels a running cell (the spinner shows while the tool runs); the session lives on.
    tmux("send-keys", "-t", "repl", 'tool_call({tool: "wait", arguments: {ms: 20000}})', "Enter");
    await waitFor((s) => s.includes("tool_call wait…"), "the spinner");
    tmux("send-keys", "-t", "repl", "C-c");
    await waitFor((s) => s.includes("error[E-ragsh-cancelled]: the cell was cancelled"), "the cancellation");
    tmux("send-keys", "-t", "repl", "xs.length", "Enter");
    await waitFor((s) => /ragsh> xs\.length\n3\n/.test(s), "the session still alive");

    tmux("send-keys", "-t", "repl", ":quit", "Enter");
    await waitFor((s) => s.includes("[exited 0]"), "exit");
    expect(existsSync(history)).toBe(true);
    expect(readFileSync(history, "utf8")).toContain("xs.map(x => x * 10)");
  }, 40_000);
});
