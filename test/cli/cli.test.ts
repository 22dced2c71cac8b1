/**
 * The `rag` command as users run it (the program bin/rag.js runs, in-process): output
 * formats and exit codes of `run`, `check` and `compile`. Runs keep their checkpoints in
 * a temporary directory, never in the repository's own `.rag/`.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { rag as ragProcess, ragIn, root } from "../helpers/cli.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const tmp = scratchDir("rag-cli-");

/** `rag ARGS` in `cwd` (default: the repository, for its examples); a run's checkpoints go to the temp dir. */
function rag(args: string[], cwd = root) {
  const own = args.includes("--checkpoints") || args.includes("--no-checkpoints");
  return ragIn(args[0] === "run" && !own ? [...args, "--checkpoints", join(tmp, "checkpoints.db")] : args, cwd);
}

describe("rag run", () => {
  it("--json prints one event per line and ends with run_completed carrying state and output", async () => {
    const r = await rag(["run", "examples/research_review.rag", "--input", '{"question": "Is the join run once?"}', "--json"]);
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const types = new Set(events.map((e) => e.type));
    for (const t of ["run_started", "step_started", "task_started", "task_completed", "send_dispatched", "join_released", "state_updated", "run_completed"]) expect(types).toContain(t);
    const last = events.at(-1);
    expect(last.type).toBe("run_completed");
    expect(Object.keys(last.state).sort()).toEqual(["critiques", "findings", "messages"]);
    expect(last.output).toMatch(/^Review:/);
    expect(events.every((e) => typeof e.runId === "string" && typeof e.threadId === "string" && typeof e.step === "number")).toBe(true);
  });

  it("shows progress per superstep and the final state", async () => {
    const r = await rag(["run", "examples/research_review.rag"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('scripted provider "examples demo script"');
    expect(r.stdout).toMatch(/step 1 · 1 task[\s\S]*step 2 · 2 tasks[\s\S]*step 3 · 1 task/);
    expect(r.stdout).toContain("fan-out f1: 2 branches → research_agent, verifier_agent");
    expect(r.stdout).toContain("join review released once: 2/2 branches");
    expect(r.stdout).toMatch(/findings \(1 entry\)[\s\S]*critiques \(1 entry\)/);
  });

  it("exits 2 with diagnostics on stderr for a compile error", async () => {
    writeFileSync(join(tmp, "bad.rag"), "graph g { start a node a { kind model model \"nope\" } }\n");
    const r = await rag(["run", join(tmp, "bad.rag"), "--config", "examples/rag.config.ts"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("error[E-rag-unknown-model]: model `nope` is not registered");
  });

  it("exits 1 when the run fails", async () => {
    writeFileSync(join(tmp, "fails.rag"), 'graph g { start unscripted node unscripted { kind model model "default" prompt "hi" } }\n');
    const r = await rag(["run", join(tmp, "fails.rag"), "--config", "examples/rag.config.ts", "--json"]);
    expect(r.code).toBe(1);
    const last = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    expect(last.type).toBe("run_failed");
    expect(last.error.message).toContain("has no reply for node `unscripted`");
  });

  it("a file named without its .rag extension gets a did-you-mean", async () => {
    const r = await rag(["run", "examples/map_reduce"]);
    expect([r.code, r.stderr]).toEqual([2, "error: cannot read examples/map_reduce: no such file; did you mean examples/map_reduce.rag?\n"]);
    const none = await rag(["run", "examples/nothing"]);
    expect(none.stderr).toBe("error: cannot read examples/nothing: no such file\n");
    // `rag check` and `rag fmt` (the file walker) say the same
    for (const cmd of ["check", "fmt"]) {
      const c = await rag([cmd, "examples/map_reduce"]);
      expect([c.code, c.stderr]).toEqual([2, "error: cannot read examples/map_reduce: no such file or directory; did you mean examples/map_reduce.rag?\n"]);
    }
  });

  it("after a failed run, the resume hint says a fix to the .rag file needs --allow-blueprint-change, and that command continues", async () => {
    const dir = scratchDir("rag-cli-fix-");
    const file = join(dir, "ow.rag");
    const graph = (reducer: string) => `graph ow {\n  start split\n  state { results: ${reducer} }\n  node split { kind set send [w { item: x } for x in [1, 2] -> results] join done }\n  node w { kind set set { results: [args.item] } }\n  node done { kind set next END }\n}\n`;
    writeFileSync(file, graph("any[]"));
    const cp = join(dir, "cp.db");
    const r = await rag(["run", file, "--checkpoints", cp], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("invalid_concurrent_update");
    const hint = /after a fix, continue it with: (rag resume .*) \(add --allow-blueprint-change if the fix edits the \.rag file\)\n/.exec(r.stderr);
    expect(hint).not.toBeNull();
    writeFileSync(file, graph("any[] append"));
    const thread = /rag resume (\S+)/.exec(hint![1])![1];
    const plain = await rag(["resume", thread, "--checkpoints", cp], dir);
    expect([plain.code, plain.stderr]).toEqual([2, expect.stringContaining("Pass --allow-blueprint-change to resume anyway")]);
    const resumed = await rag(["resume", thread, "--checkpoints", cp, "--allow-blueprint-change"], dir);
    expect(resumed.code).toBe(0);
  });

  it("warns on stderr, and still runs, when a graph without an input block reads an input key it was not given", async () => {
    const r = await rag(["run", "examples/research_review.rag", "--input", '{"q": 1}', "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("warning: the input has no `question`, which node `supervisor` reads as input.question at examples/research_review.rag:11:34 (and 1 more place); it will be null");
    expect(r.stderr).toContain("input given: `q`");
    expect(JSON.parse(r.stdout.trim().split("\n").at(-1)!).type).toBe("run_completed");
    const given = await rag(["run", "examples/research_review.rag", "--input", '{"question": "Q?"}', "--json"]);
    expect(given.stderr).not.toContain("warning");
  });

  it("suggests the input key a misspelt one was meant to be, and prints given keys escaped and bounded", async () => {
    const typo = await rag(["run", "examples/research_review.rag", "--input", '{"questio": "Q?"}', "--json", "--no-checkpoints"]);
    expect(typo.stderr).toContain("it will be null; did you mean `question` where the input says `questio`?");
    const keys: Record<string, number> = { "\u001b]0;pwned\u0007": 1 };
    for (let i = 0; i < 30; i++) keys[`k${i}`] = i;
    const hostile = await rag(["run", "examples/research_review.rag", "--input", JSON.stringify(keys), "--json", "--no-checkpoints"]);
    expect(hostile.stderr).not.toContain("\u001b");
    expect(hostile.stderr).toContain("`\\x1b]0;pwned\\x07`");
    expect(hostile.stderr).toContain("and 21 more;");
    expect(hostile.stderr).not.toContain("did you mean");
  });

  // A real process: this is the tsx loader of bin/rag.js, and a config module once imported stays cached in-process.
  it("loads a rag.config.ts from a folder without package.json, and locates a syntax error in one", () => {
    const dir = scratchDir("rag-config-");
    writeFileSync(join(dir, "g.rag"), "graph g {\n  start a\n  state { x: number }\n  node a { kind set set { x: 41 + 1 } next END }\n}\n");
    writeFileSync(join(dir, "rag.config.ts"), "const inputs: Record<string, object> = { g: {} };\nexport default { defaultInputs: inputs };\n");
    const ok = ragProcess(["run", "g.rag", "--json", "--no-checkpoints"], dir);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout.trim().split("\n").at(-1)!).state).toEqual({ x: 42 });
    writeFileSync(join(dir, "rag.config.ts"), "export default {\n  models: {\n");
    const bad = ragProcess(["run", "g.rag", "--no-checkpoints"], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/failed to load config rag\.config\.ts: \S*rag\.config\.ts:3:1: error: Expected identifier but found end of file/);
    // A config copied out of its project (examples/ into a folder of one's own): its
    // `ragraph/config` cannot be found there, and the error says why and what to do.
    writeFileSync(join(dir, "rag.config.ts"), 'import { defineConfig } from "ragraph/config";\nexport default defineConfig({});\n');
    const away = ragProcess(["run", "g.rag", "--no-checkpoints"], dir);
    expect(away.code).toBe(2);
    expect(away.stderr).toMatch(/^error: failed to load config rag\.config\.ts: Cannot find (module|package) 'ragraph\/config'.* \(ragraph is not installed where the config lives: `npm install ragraph` there, or `npm install \/path\/to\/ragraph` for a checkout\)\n$/);
  }, 60_000); // three `rag` processes, one after another: seconds each on a loaded machine

  it("exits 2 on usage errors", async () => {
    expect((await rag(["run", "missing.rag"])).code).toBe(2);
    expect((await rag(["run", "examples/map_reduce.rag", "--input", "{nope"])).code).toBe(2);
    expect((await rag(["frobnicate"])).code).toBe(2);
  });
});

describe("rag check", () => {
  const typo = join(tmp, "support.rag");
  writeFileSync(typo, 'graph support {\n  start agent\n  node agent {\n    kind agent\n    model "default"\n    routes {\n      tool_call -> toolz\n      final -> END\n    }\n  }\n  node tools { kind tool_executor next agent }\n}\n');

  it("renders human diagnostics and exits 1", async () => {
    const r = await rag(["check", typo], tmp);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(["error[E-rag-unknown-node]: route target `toolz` does not exist", " --> support.rag:7:20", "  |", "7 |       tool_call -> toolz", "  |                    ^^^^^ unknown node", "  |", "help: did you mean `tools`?"].join("\n"));
  });

  it("prints JSON diagnostics with 1-based spans and fixes", async () => {
    const r = await rag(["check", typo, "--format", "json"], tmp);
    expect(r.code).toBe(1);
    const d = JSON.parse(r.stdout).find((x: { code: string }) => x.code === "E-rag-unknown-node");
    expect(d).toMatchObject({ severity: "error", code: "E-rag-unknown-node", file: "support.rag", span: { start: { line: 7, column: 20 }, end: { line: 7, column: 25 } }, help: "did you mean `tools`?" });
    expect(d.fixes[0].replacement).toBe("tools");
  });

  it("exits 0 for clean files, checking names against the config beside them", async () => {
    const r = await rag(["check", "examples/research_review.rag", "examples/support_agent.rag", "examples/map_reduce.rag"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("ok: 3 files checked");
  });

  it("checks against a --registry snapshot", async () => {
    writeFileSync(join(tmp, "reg.json"), JSON.stringify({ models: ["other"], tools: [], agents: [] }));
    const r = await rag(["check", "examples/support_agent.rag", "--registry", join(tmp, "reg.json"), "--format", "json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).map((d: { code: string }) => d.code)).toEqual(["E-rag-unknown-model", "E-rag-unknown-tool", "E-rag-unknown-tool"]);
  });
});

describe("rag compile", () => {
  it("prints the Blueprint IR with its hash", async () => {
    const r = await rag(["compile", "examples/research_review.rag"]);
    expect(r.code).toBe(0);
    const bp = JSON.parse(r.stdout);
    expect(bp.id).toBe("research_review");
    expect(bp.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(bp.nodes.map((n: { name: string; kind: string }) => `${n.name}:${n.kind}`)).toEqual(["supervisor:agent", "review:subagent"]);
    expect(bp.nodes[0].sends.map((s: { target: string; targetKind: string }) => `${s.target}:${s.targetKind}`)).toEqual(["research_agent:agent", "verifier_agent:agent"]);
  });

  it("selects a graph with --graph and fails for an unknown one", async () => {
    expect((await rag(["compile", "examples/map_reduce.rag", "--graph", "map_reduce"])).code).toBe(0);
    const r = await rag(["compile", "examples/map_reduce.rag", "--graph", "nope"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("graph `nope` is not declared in this file");
    expect(r.stderr).toContain("help: graphs in this file: `map_reduce`\n");
    const typo = await rag(["compile", "examples/map_reduce.rag", "--graph", "map_reduc"]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("help: did you mean `map_reduce`? (graphs in this file: `map_reduce`)\n");
  });
});
