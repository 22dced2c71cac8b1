/**
 * `rag fmt`, `rag graph`, `rag diff` and `rag spec` as users run them: real processes
 * for the exit code of `fmt --check` and for standard input, the program bin/rag.js runs
 * (in-process) for the wiring of the others, the rest through the command modules
 * (spawning costs a second or more each).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { diffCommand } from "../../cli/commands/diff.js";
import { fmtCommand } from "../../cli/commands/fmt.js";
import { graphCommand } from "../../cli/commands/graph.js";
import { compileGraph } from "../../compiler/index.js";
import { ragIn, root } from "../helpers/cli.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const tmp = scratchDir("rag-tools-");

function rag(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [join(root, "bin/rag.js"), ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 30_000, ...(input !== undefined ? { input } : {}) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command module in-process, capturing what it writes. */
async function capture(run: () => Promise<number>) {
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s) => ((stdout += String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => ((stderr += String(s)), true));
  try {
    const code = await run();
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}
afterEach(() => vi.restoreAllMocks());

const messy = 'graph g{start a node a{kind sub_agent agent "x" blocking next END}}\n';
const tidy = 'graph g {\n  start a\n  node a {\n    kind subagent\n    agent "x"\n    blocking true\n    next END\n  }\n}\n';

describe("rag fmt", () => {
  it("--check lists files that would change and exits 1 (real process)", () => {
    const dir = mkdtempSync(join(tmp, "check-"));
    writeFileSync(join(dir, "messy.rag"), messy);
    writeFileSync(join(dir, "tidy.rag"), tidy);
    writeFileSync(join(dir, "notes.txt"), "not a .rag file");
    const r = rag(["fmt", "--check", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`would reformat ${join(dir, "messy.rag")}\n`);
    expect(r.stderr).toBe("1 of 2 files would be reformatted\n");
  });

  it("formats standard input with `-` (real process)", () => {
    expect(rag(["fmt", "-"], messy)).toEqual({ code: 0, stdout: tidy, stderr: "" });
  });

  it("refuses standard input past the source size limit, as it refuses such a file (real process)", () => {
    const r = rag(["fmt", "-"], "// " + "x".repeat(16 * 1024 * 1024) + "\n");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("cannot read <stdin>: more than 16777216 bytes");
  });

  it("prints, writes, and then finds nothing to do", async () => {
    const file = join(tmp, "w.rag");
    writeFileSync(file, messy);
    expect(await capture(() => fmtCommand([file], {}))).toEqual({ code: 0, stdout: tidy, stderr: "" });
    expect(readFileSync(file, "utf8")).toBe(messy);
    const w = await capture(() => fmtCommand([file], { write: true }));
    expect(w.code).toBe(0);
    expect(w.stdout).toMatch(/^formatted .*w\.rag\n$/);
    expect(readFileSync(file, "utf8")).toBe(tidy);
    expect((await capture(() => fmtCommand([file], { check: true }))).code).toBe(0);
    // Nothing left to write: one line says so, instead of no output at all.
    expect(await capture(() => fmtCommand([file], { write: true }))).toEqual({ code: 0, stdout: "", stderr: "ok: 1 file already formatted\n" });
  });

  it("refuses a file with syntax errors, leaves it unchanged and exits 1", async () => {
    const file = join(tmp, "broken.rag");
    const src = "graph g {\n  node a { bogus }\n";
    writeFileSync(file, src);
    const r = await capture(() => fmtCommand([file], { write: true }));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("error[E-rag-unexpected-token]: `bogus` is not a node item");
    expect(r.stderr).toMatch(/broken\.rag: not formatted \(\d+ errors?\)/);
    expect(readFileSync(file, "utf8")).toBe(src);
  });
});

describe("rag graph", () => {
  it("--format svg lays the graph out with Graphviz", async () => {
    const r = await ragIn(["graph", "examples/map_reduce.rag", "--format", "svg"], root);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("<svg");
    expect(r.stdout).toContain("<title>split&#45;&gt;worker</title>");
  });

  it("prints Mermaid by default and fails with diagnostics on a broken file", async () => {
    const m = await capture(() => graphCommand(join(root, "examples/support_agent.rag"), {}));
    expect(m.code).toBe(0);
    expect(m.stdout).toContain('n_agent -->|"tool_call"| n_tools');
    const file = join(tmp, "bad-graph.rag");
    writeFileSync(file, "graph g { start a node a { next ghost } }\n");
    const bad = await capture(() => graphCommand(file, { format: "dot" }));
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain("E-rag-unknown-node");
  });
});

describe("rag diff", () => {
  it("--format json exits 1 on a difference", async () => {
    const b = join(tmp, "b.rag");
    writeFileSync(b, readFileSync(join(root, "examples/map_reduce.rag"), "utf8").replace("writes combined", "writes summaries"));
    const r = await ragIn(["diff", "examples/map_reduce.rag", b, "--format", "json"], root);
    expect(r.code).toBe(1);
    const d = JSON.parse(r.stdout);
    expect(d.identical).toBe(false);
    expect(d.changes).toEqual([{ area: "node", op: "changed", subject: "reduce", fields: [{ field: "writes", before: { kind: "channel", channel: "combined" }, after: { kind: "channel", channel: "summaries" } }] }]);
  });

  it("compares a .rag file with the Blueprint JSON of `rag compile` and exits 0 when equal", async () => {
    const json = join(tmp, "support.json");
    // What `rag compile` prints: the blueprint as JSON.
    const src = readFileSync(join(root, "examples/support_agent.rag"), "utf8");
    writeFileSync(json, JSON.stringify(compileGraph(src, { file: "examples/support_agent.rag" }).value, null, 2));
    const r = await capture(() => diffCommand(json, join(root, "examples/support_agent.rag"), {}));
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toMatch(/^no semantic changes: support_agent sha256:[0-9a-f]{12} \(same hash\)\n$/);
    writeFileSync(join(tmp, "not-a-blueprint.json"), "{}");
    await expect(diffCommand(join(tmp, "not-a-blueprint.json"), json, {})).rejects.toThrow(/is not a Blueprint/);
  });
});

describe("rag spec", () => {
  it("prints the grammar card", async () => {
    const r = await ragIn(["spec"], root);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# \.rag grammar card\n/);
    expect(r.stdout).toContain("```rag\ngraph refunds {");
  });
});
