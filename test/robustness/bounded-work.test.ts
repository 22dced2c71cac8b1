/**
 * Issue 10 §3: work bounded before it starts — `read_file` reads at most `maxBytes`
 * (not the whole file), and `rag graph --format svg` refuses a graph too large for
 * Graphviz instead of aborting the process.
 */
import { closeSync, openSync, ftruncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { graphCommand, MAX_SVG_NODES } from "../../cli/commands/graph.js";
import { CliError } from "../../cli/errors.js";
import type { ToolContext } from "../../registry/index.js";
import { fileTools } from "../../stdlib/index.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const dir = scratchDir("rag-robust-bounded-");
const ctx: ToolContext = { signal: new AbortController().signal, runId: "r", threadId: "t", node: "n" };

describe("read_file with maxBytes", () => {
  it("a 5 GiB (sparse) file: returns the first bytes quickly, marked truncated", async () => {
    const f = join(dir, "huge.bin");
    const fd = openSync(f, "w");
    ftruncateSync(fd, 5 * 1024 ** 3);
    closeSync(fd);
    const { read_file } = fileTools({ root: dir, maxBytes: 16 });
    const t0 = performance.now();
    const r = (await read_file.run(read_file.schema.parse({ path: "huge.bin" }), ctx)) as { truncated: boolean; content: string; size: number };
    expect(r).toMatchObject({ truncated: true, size: 5 * 1024 ** 3 });
    expect(r.content).toBe("\u0000".repeat(16));
    expect(performance.now() - t0).toBeLessThan(10_000); // reading 5 GB would take far longer (or run out of memory)
  });

  it("a small file is returned whole", async () => {
    writeFileSync(join(dir, "a.txt"), "hello");
    const { read_file } = fileTools({ root: dir, maxBytes: 5 });
    expect(await read_file.run(read_file.schema.parse({ path: "a.txt" }), ctx)).toEqual({ path: "a.txt", size: 5, truncated: false, content: "hello" });
  });
});

describe("rag graph --format svg on a large graph", () => {
  it("500 nodes: refused with the reason and an alternative", async () => {
    const n = 500;
    const nodes = Array.from({ length: n }, (_, i) => `  node n${i} { kind set next ${i + 1 < n ? `n${i + 1}` : "END"} }`).join("\n");
    const f = join(dir, "dense.rag");
    writeFileSync(f, `graph dense {\n  state { k: any }\n  start n0\n${nodes}\n}\n`);
    const err = await graphCommand(f, { format: "svg" }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).message).toContain(`is too large to lay out as SVG (${n} nodes; the limit is ${MAX_SVG_NODES} nodes`);
    expect((err as CliError).message).toContain("use --format dot or mermaid");
  });
});
