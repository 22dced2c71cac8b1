/**
 * Red team 8: the graph files a config names (`graphs: { name: "./file.rag" }`) as the
 * studio loads them. `rag run` reads them with the CLI's bounded reader (regular files of
 * at most 16 MiB); `rag studio` read them with a bare `readFileSync` at start and at every
 * config reload — a graph path that was a FIFO blocked the server, a link to /dev/zero
 * read until the heap gave out, and a 20 MiB file was read whole and compiled. They are
 * read as a `:load` reads a `.rag` file now, and refused naming the file.
 */
import { execFileSync } from "node:child_process";
import { truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigLoadError, loadStudioConfig } from "../../server/index.js";
import { scratchDir } from "../helpers/scratch-dirs.js";


describe("red team 8: rag studio reads the graph files its config names bounded", () => {
  it("a graph file over the size bound is refused, naming the file, before it is read", async () => {
    const dir = scratchDir("rt8-studio-graph-");
    writeFileSync(join(dir, "big.rag"), "");
    truncateSync(join(dir, "big.rag"), 20 * 1024 * 1024);
    writeFileSync(join(dir, "rag.config.mjs"), 'export default { graphs: { big: "./big.rag" } };\n');
    const err = await loadStudioConfig(dir, join(dir, "rag.config.mjs")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigLoadError);
    expect(String((err as Error).message)).toMatch(/big\.rag.*over the limit/);
  });

  it("a graph file that is a FIFO is refused, not waited on", async () => {
    const dir = scratchDir("rt8-studio-fifo-");
    execFileSync("mkfifo", [join(dir, "pipe.rag")]);
    writeFileSync(join(dir, "rag.config.mjs"), 'export default { graphs: { pipe: "./pipe.rag" } };\n');
    const err = await loadStudioConfig(dir, join(dir, "rag.config.mjs")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigLoadError);
    expect(String((err as Error).message)).toMatch(/pipe\.rag.*not a regular file/);
  });
});
