/**
 * `rag registry export` (issue 15 §1): the snapshot of the examples' registry carries
 * names and shapes; `rag check --registry` and `rag spec --registry|--config` use it.
 * In-process (no spawned CLI): the command functions, stdout and stderr captured.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { checkCommand } from "../../cli/commands/check.js";
import { registryExportCommand } from "../../cli/commands/registry.js";
import { specCommand } from "../../cli/commands/spec.js";
import { CliError } from "../../cli/errors.js";
import { loadConfig, readSnapshotFile } from "../../cli/files.js";
import { exportRegistry } from "../../registry/index.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const root = new URL("../../", import.meta.url).pathname;
const config = join(root, "examples/rag.config.ts");
const tmp = scratchDir("rag-registry-export-");

function capture() {
  let out = "";
  let err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => ((err += String(s)), true));
  return { out: () => out, err: () => err };
}
afterEach(() => vi.restoreAllMocks());

describe("rag registry export", () => {
  it("writes names and shapes: tool schemas and flags, agents' written channels, model capabilities", async () => {
    const file = join(tmp, "reg.json");
    const io = capture();
    expect(await registryExportCommand({ config, out: file })).toBe(0);
    expect(io.err()).toContain(`wrote ${file}`);
    const snap = JSON.parse(readFileSync(file, "utf8"));
    expect(snap.version).toBe(1);
    expect(snap.tools).toEqual(["lookup_order", "lookup_user", "read_repo", "refund", "search"]);
    expect(snap.signatures.tools.search).toEqual({
      description: "Search the project notes; returns matching notes.",
      args: { type: "object", properties: { query: { type: "string", description: "what to look for" } }, required: ["query"] },
      read_only: true,
      approval: "auto",
    });
    expect(snap.signatures.agents.research_agent).toMatchObject({ model: "default", writes: "findings", max_steps: 8 });
    expect(snap.model_capabilities.default).toMatchObject({ tools: true, maxOutputTokens: 4096 });
    // The file reads back as a snapshot (what --registry takes).
    expect(readSnapshotFile(file).signatures?.tools?.lookup_user?.args).toMatchObject({ required: ["email"] });
  });

  it("`rag check --registry` checks shapes from the snapshot", async () => {
    const file = join(tmp, "reg2.json");
    capture();
    await registryExportCommand({ config, out: file });
    vi.restoreAllMocks();
    const src = join(tmp, "t.rag");
    writeFileSync(src, 'graph g {\n  start t\n  channel hits append\n  node t { kind tool tool "search" input { qurey: "joins" } writes hits next END }\n}\n');
    const io = capture();
    expect(await checkCommand([src], { registry: file, format: "json" })).toBe(1);
    const [d] = JSON.parse(io.out());
    expect(d).toMatchObject({ code: "E-rag-unknown-argument", span: { start: { line: 4, column: 44 } }, fixes: [{ replacement: "query" }] });
  });

  it("`rag spec --config` ends the card with the registry's signatures", async () => {
    const io = capture();
    expect(await specCommand({ config })).toBe(0);
    const card = io.out();
    expect(card).toContain("## What you may use");
    expect(card).toContain('- tool "search"(query: string) [read-only]. Search the project notes; returns matching notes.');
    expect(card).toContain('- agent "research_agent"(…) -> string [writes findings].');
    expect(card).toContain('- model "default": tools, output; 128k context');
  });

  it("without a config, says on stderr that the export holds the built-ins only", async () => {
    const dir = process.cwd();
    process.chdir(tmp);
    try {
      const io = capture();
      expect(await registryExportCommand({})).toBe(0);
      expect(JSON.parse(io.out()).models).toEqual([]);
      expect(io.err()).toContain("note: no rag.config.ts in the working directory and no --config");
    } finally {
      process.chdir(dir);
    }
  });

  it("refuses a malformed snapshot naming the key", () => {
    const bad = join(tmp, "bad.json");
    writeFileSync(bad, JSON.stringify({ tools: ["x"], signatures: { tools: { x: { args: "nope" } } } }));
    expect(() => readSnapshotFile(bad)).toThrow(CliError);
    expect(() => readSnapshotFile(bad)).toThrow("`signatures.tools.x.args` must be a JSON Schema object");
    writeFileSync(bad, JSON.stringify({ toolz: ["x"] }));
    expect(() => readSnapshotFile(bad)).toThrow("unknown key `toolz`");
  });

  it("exports a config's registry in process, agent input schemas included", async () => {
    const { registry } = await loadConfig(config);
    const { z } = await import("zod");
    registry.registerAgent("critic", { model: "default", input: z.object({ draft: z.string() }), output: z.object({ ok: z.boolean() }) });
    const snap = exportRegistry(registry);
    expect(snap.signatures?.agents?.critic).toMatchObject({ input: { properties: { draft: { type: "string" } }, required: ["draft"] }, output: { required: ["ok"] } });
  });
});
