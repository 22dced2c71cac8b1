/**
 * `--json` the same way everywhere (issue 14 §4): compile, approve, fmt, spec, check and
 * diff print JSON, `--format json` stays an alias, and a usage, compile or input error in
 * JSON mode is `{"error": {code, message, diagnostics?}}` on stdout. Also the shared file
 * walker (`rag check DIR`, globs) and `rag check`'s note when no registry was used.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonEvents, ragIn, scratchProject } from "../helpers/cli.js";

const OK = "graph g {\n  start a\n  state { n: number = 0 }\n  node a {\n    kind set\n    set { n: 1 }\n    next END\n  }\n}\n";
const BROKEN = "graph g {\n  start a\n  node a { next nowhere }\n}\n";
const UGLY = "graph g {   start a\n state { n: number = 0 }\n node a { kind set set { n: 1 } next END } }\n";

const onlyJson = (stdout: string) => JSON.parse(stdout);

describe("--json on every command", () => {
  it("rag compile --json: {blueprint, diagnostics}; a broken file is an {error} with its diagnostics", async () => {
    const dir = scratchProject({ "ok.rag": OK, "broken.rag": BROKEN });
    const ok = await ragIn(["compile", "ok.rag", "--json"], dir);
    expect(ok.code).toBe(0);
    const out = onlyJson(ok.stdout);
    expect(out.blueprint.id).toBe("g");
    expect(out.blueprint.hash).toMatch(/^sha256:/);
    expect(out.diagnostics).toEqual([]);
    const bad = await ragIn(["compile", "broken.rag", "--json"], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("");
    const err = onlyJson(bad.stdout).error;
    expect(err.code).toBe("compile");
    expect(err.diagnostics.map((d: { code: string }) => d.code)).toContain("E-rag-unknown-node");
  });

  it("rag approve --json lists what was approved", async () => {
    const dir = scratchProject({ "ok.rag": OK });
    const r = await ragIn(["approve", "ok.rag", "--json", "--by", "ana"], dir);
    expect(r.code).toBe(0);
    const out = onlyJson(r.stdout);
    expect(out.approvals).toHaveLength(1);
    expect(out.approvals[0]).toMatchObject({ graph: "g", status: "approved", approvedBy: "ana" });
    expect(out.file).toBe(join(".rag", "approvals.json"));
  });

  it("rag fmt --json reports each file; --check with --json too", async () => {
    const dir = scratchProject({ "ugly.rag": UGLY, "ok.rag": OK });
    const r = await ragIn(["fmt", "--check", "--json", "."], dir);
    expect(r.code).toBe(1);
    const out = onlyJson(r.stdout);
    expect(out.changed).toBe(1);
    expect(out.files).toEqual([
      { file: "ok.rag", status: "unchanged" },
      { file: "ugly.rag", status: "would_reformat" },
    ]);
    const plain = onlyJson((await ragIn(["fmt", "--json", "ugly.rag"], dir)).stdout);
    expect(plain.files[0].text).toContain("graph g {\n  start a\n");
  });

  it("rag spec --json prints the card and its size", async () => {
    const r = await ragIn(["spec", "--json"], scratchProject({}));
    const out = onlyJson(r.stdout);
    expect(out.card).toContain("graph");
    expect(out.tokens).toBeGreaterThan(100);
    expect(out.budget).toBeGreaterThan(0);
  });

  it("rag check --json equals --format json", async () => {
    const dir = scratchProject({ "broken.rag": BROKEN });
    const a = await ragIn(["check", "--json", "broken.rag"], dir);
    const b = await ragIn(["check", "--format", "json", "broken.rag"], dir);
    expect(a.code).toBe(1);
    expect(a.stdout).toBe(b.stdout);
    expect(onlyJson(a.stdout)[0].code).toBe("E-rag-unknown-node");
  });

  it("usage and input errors in JSON mode are JSON on stdout", async () => {
    const dir = scratchProject({ "ok.rag": OK });
    const usage = await ragIn(["compile", "--json"], dir);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe("");
    expect(onlyJson(usage.stdout).error).toMatchObject({ code: "usage" });
    expect(onlyJson(usage.stdout).error.message).toContain("missing required argument 'file'");
    const input = await ragIn(["run", "ok.rag", "--json", "--no-checkpoints", "--input", "[1]"], dir);
    expect(input.code).toBe(2);
    expect(onlyJson(input.stdout).error).toMatchObject({ code: "invalid_input", message: "--input must be a JSON object, like '{\"question\": \"…\"}'" });
    const missing = await ragIn(["check", "--json", "nope.rag"], dir);
    expect(onlyJson(missing.stdout).error.code).toBe("io");
    const compileErr = await ragIn(["run", "broken.rag", "--json", "--no-checkpoints"], scratchProject({ "broken.rag": BROKEN }));
    expect(compileErr.code).toBe(2);
    expect(compileErr.stderr).toBe("");
    expect(onlyJson(compileErr.stdout).error.code).toBe("compile");
  });
});

/**
 * Every command that takes `--json` (cli/commands/index.ts), each given an input it
 * refuses: stdout is exactly one JSON document `{"error": {code, message, diagnostics?}}`,
 * stderr is empty, and the exit status is the command's usual one.
 */
const FAILING: readonly { readonly args: readonly string[]; readonly code: string; readonly exit: number; readonly says?: string }[] = [
  { args: ["check", "nope.rag"], code: "io", exit: 2 },
  { args: ["compile", "broken.rag"], code: "compile", exit: 1 },
  { args: ["run", "broken.rag", "--no-checkpoints"], code: "compile", exit: 2 },
  { args: ["resume", "t1"], code: "usage", exit: 2, says: "no checkpoints at" },
  { args: ["runs"], code: "usage", exit: 2, says: "no checkpoints at" },
  { args: ["runs", "list"], code: "usage", exit: 2, says: "no checkpoints at" },
  { args: ["runs", "show", "t1"], code: "usage", exit: 2, says: "no checkpoints at" },
  { args: ["runs", "state", "t1"], code: "usage", exit: 2, says: "no checkpoints at" },
  { args: ["runs", "fork", "t1", "c1"], code: "usage", exit: 2, says: "no checkpoints at" },
  { args: ["runs", "update", "t1", "--values", "{}"], code: "usage", exit: 2, says: "no checkpoints at" },
  { args: ["fmt", "nope.rag"], code: "io", exit: 2 },
  { args: ["graph", "broken.rag"], code: "compile", exit: 1 },
  { args: ["diff", "broken.rag", "ok.rag"], code: "compile", exit: 2 },
  { args: ["spec", "--config", "nope.ts"], code: "config", exit: 2 },
  { args: ["approve", "broken.rag"], code: "compile", exit: 1 },
  { args: ["repl", "nope.ragsh"], code: "io", exit: 2 },
  { args: ["simulate", "broken.rag"], code: "compile", exit: 2 },
  { args: ["author", "a task"], code: "usage", exit: 2, says: "the registry has no model" },
];

describe("--json failures are one {error} document on stdout and nothing on stderr, for every command", () => {
  const dir = () => scratchProject({ "ok.rag": OK, "broken.rag": BROKEN });
  it.each(FAILING.map((c) => ({ ...c, name: c.args.join(" ") })))("rag $name --json: $code", async ({ args, code, exit, says }) => {
    const r = await ragIn([...args, "--json"], dir());
    expect({ exit: r.code, stderr: r.stderr }).toEqual({ exit, stderr: "" });
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    const err = onlyJson(r.stdout).error;
    expect(err).toMatchObject({ code, message: expect.any(String) });
    if (says !== undefined) expect(err.message).toContain(says);
    if (code === "compile") expect(err.diagnostics.map((d: { code: string }) => d.code)).toContain("E-rag-unknown-node");
  });

  it("rag graph --json is --format json (the GraphView); a clash with another --format is a usage error", async () => {
    const d = dir();
    const a = await ragIn(["graph", "ok.rag", "--json"], d);
    const b = await ragIn(["graph", "ok.rag", "--format", "json"], d);
    expect([a.code, a.stderr]).toEqual([0, ""]);
    expect(a.stdout).toBe(b.stdout);
    expect(onlyJson(a.stdout)).toMatchObject({ id: "g", nodes: expect.any(Array), edges: expect.any(Array) });
    const broken = await ragIn(["graph", "broken.rag", "--format", "json"], d);
    expect([broken.code, broken.stderr, onlyJson(broken.stdout).error.code]).toEqual([1, "", "compile"]);
    const clash = await ragIn(["graph", "ok.rag", "--json", "--format", "dot"], d);
    expect([clash.code, onlyJson(clash.stdout).error]).toEqual([2, { code: "usage", message: "--json and --format dot exclude each other" }]);
    // Human mode is unchanged: the diagnostics drawn on stderr, nothing on stdout.
    const human = await ragIn(["graph", "broken.rag"], d);
    expect([human.code, human.stdout]).toEqual([1, ""]);
    expect(human.stderr).toContain("error[E-rag-unknown-node]");
  });

  it("rag diff --format json: a side that does not compile is a compile error with its diagnostics", async () => {
    const r = await ragIn(["diff", "ok.rag", "broken.rag", "--format", "json"], dir());
    expect([r.code, r.stderr]).toEqual([2, ""]);
    expect(onlyJson(r.stdout).error).toMatchObject({ code: "compile", message: "broken.rag does not compile; no diff", diagnostics: [{ code: "E-rag-unknown-node", file: "broken.rag" }] });
  });

  it("rag repl --json: a :load that fails ends the stream with session_failed saying why (diagnostics included), nothing on stderr", async () => {
    const d = scratchProject({ "broken.rag": BROKEN, "load.ragsh": ":load broken.rag\n", "missing.ragsh": ":load nope.rag\n" });
    const r = await ragIn(["repl", "load.ragsh", "--json"], d);
    expect([r.code, r.stderr]).toEqual([1, ""]);
    expect(jsonEvents(r.stdout).at(-1)).toMatchObject({ type: "session_failed", error: "broken.rag does not compile", diagnostics: [{ code: "E-rag-unknown-node" }] });
    const missing = await ragIn(["repl", "missing.ragsh", "--json"], d);
    expect([missing.code, missing.stderr]).toEqual([1, ""]);
    expect(jsonEvents(missing.stdout).at(-1)).toMatchObject({ type: "session_failed", error: expect.stringContaining("nope.rag: no such file") });
  });
});

describe("rag check over folders and globs", () => {
  it("checks a directory like rag fmt does, and a quoted glob, noting that names were not checked", async () => {
    const dir = scratchProject({ "a.rag": OK });
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "sub", "b.rag"), OK);
    writeFileSync(join(dir, "sub", "notes.txt"), "not a graph");
    const all = await ragIn(["check", "."], dir);
    expect(all.code).toBe(0);
    expect(all.stderr).toContain("ok: 2 files checked");
    expect(all.stderr).toContain("note: registry names (models, tools, agents, graphs, …) were not checked: no rag.config.ts beside the file; pass --config or --registry to check them");
    const glob = await ragIn(["check", "sub/*.rag"], dir);
    expect(glob.code).toBe(0);
    expect(glob.stderr).toContain("ok: 1 file checked");
    const none = await ragIn(["check", "nothing/**/*.rag"], dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("error: no file matches nothing/**/*.rag");
    // A folder with no .rag file is the same mistake as a glob that matches nothing.
    mkdirSync(join(dir, "empty"));
    for (const cmd of [["check"], ["fmt", "--check"]]) {
      const empty = await ragIn([...cmd, "empty"], dir);
      expect(empty.code).toBe(2);
      expect(empty.stderr).toBe("error: no .rag file in empty\n");
    }
    // A .ragsh script named where a graph goes: one line pointing at `rag repl`, not "expected `graph`".
    writeFileSync(join(dir, "cells.ragsh"), "let x = 1\n");
    for (const cmd of [["check"], ["fmt", "--check"]]) {
      const script = await ragIn([...cmd, "cells.ragsh"], dir);
      expect([script.code, script.stderr]).toEqual([2, "error: cells.ragsh is a .ragsh script, not a .rag graph: run it with `rag repl cells.ragsh`\n"]);
    }
    // With no argument, both take the working directory, as `tsc` or `prettier .` users expect.
    const here = await ragIn(["check"], dir);
    expect([here.code, here.stderr]).toEqual([0, expect.stringContaining("ok: 2 files checked")]);
    const fmtHere = await ragIn(["fmt", "--check"], join(dir, "sub"));
    expect([fmtHere.code, fmtHere.stderr + fmtHere.stdout]).toEqual([0, expect.stringContaining("1 file already formatted")]);
  });
});

describe("--json on registry export and init", () => {
  it("rag registry export --json prints the snapshot; with --out, {out}", async () => {
    const dir = scratchProject({});
    const r = await ragIn(["registry", "export", "--json"], dir);
    expect(r.code).toBe(0);
    expect(typeof onlyJson(r.stdout)).toBe("object");
    const w = await ragIn(["registry", "export", "--json", "--out", "reg.json"], dir);
    expect(w.code).toBe(0);
    expect(onlyJson(w.stdout)).toEqual({ out: "reg.json" });
    expect(readFileSync(join(dir, "reg.json"), "utf8")).toBe(r.stdout);
  });

  it("rag init --json lists what was created and what to run next; a clash is an {error}", async () => {
    const dir = scratchProject({});
    const r = await ragIn(["init", "proj", "--json"], dir);
    expect(r.code).toBe(0);
    const out = onlyJson(r.stdout);
    expect(out.dir).toBe("proj");
    expect(out.created).toEqual(expect.arrayContaining(["rag.config.ts", "hello.rag", "package.json"]));
    expect(out.updated).toEqual([]);
    expect(out.next).toEqual(["cd proj", "npm install", "npx rag run hello.rag", "npm test"]);
    const again = await ragIn(["init", "proj", "--json"], dir);
    expect(again.code).toBe(2);
    expect(onlyJson(again.stdout).error.message).toContain("already exist");
  });
});

describe("rag registry export --out with no name", () => {
  it("is a usage mistake (exit 2), not a silent print to stdout", async () => {
    const r = await ragIn(["registry", "export", "--out", ""], scratchProject({}));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("--out needs a file name");
  });
});
