/**
 * `writeProjectFile` (registry/project-file.ts), the one writer of files kept in a folder
 * a cloned repository may fill (the REPL history, the studio's kept blueprints): the
 * folders below the project are real folders or nothing is written, a link at the file's
 * name is replaced, and the mode asked for holds on every write.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeProjectFile } from "../../registry/project-file.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

describe("writeProjectFile", () => {
  it("makes the folders below the root and writes the file", () => {
    const root = scratchDir("rag-pf-");
    expect(writeProjectFile(join(root, ".rag", "approved", "x.json"), "{}", { root })).toBe(true);
    expect(readFileSync(join(root, ".rag", "approved", "x.json"), "utf8")).toBe("{}");
  });

  it("writes nothing when a folder between the root and the file is a link (not only the last one)", () => {
    const root = scratchDir("rag-pf-");
    const away = scratchDir("rag-pf-away-");
    mkdirSync(join(away, "approved"));
    symlinkSync(away, join(root, ".rag"));
    expect(writeProjectFile(join(root, ".rag", "approved", "x.json"), "{}", { root })).toBe(false);
    expect(writeProjectFile(join(root, ".rag", "repl_history"), "cell", { root })).toBe(false);
    expect(readdirSync(away)).toEqual(["approved"]);
    expect(readdirSync(join(away, "approved"))).toEqual([]);
  });

  it("writes nothing when a folder on the way is a file", () => {
    const root = scratchDir("rag-pf-");
    writeFileSync(join(root, ".rag"), "");
    expect(writeProjectFile(join(root, ".rag", "repl_history"), "cell", { root })).toBe(false);
  });

  it("replaces a link at the file's name instead of writing through it", () => {
    const root = scratchDir("rag-pf-");
    const outside = join(scratchDir("rag-pf-out-"), "bashrc");
    writeFileSync(outside, "keep\n");
    mkdirSync(join(root, ".rag"));
    symlinkSync(outside, join(root, ".rag", "repl_history"));
    expect(writeProjectFile(join(root, ".rag", "repl_history"), "cell\n", { root, mode: 0o600 })).toBe(true);
    expect(readFileSync(outside, "utf8")).toBe("keep\n");
    expect(lstatSync(join(root, ".rag", "repl_history")).isFile()).toBe(true);
  });

  it("gives the file the mode asked for, also when it replaces a more open one", () => {
    const root = scratchDir("rag-pf-");
    const file = join(root, ".rag", "repl_history");
    mkdirSync(join(root, ".rag"));
    writeFileSync(file, "old", { mode: 0o644 });
    expect(writeProjectFile(file, "new", { root, mode: 0o600 })).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8")).toBe("new");
  });

  it("refuses a path outside the root (a caller's mistake)", () => {
    const root = scratchDir("rag-pf-");
    expect(() => writeProjectFile(join(root, "..", "elsewhere.txt"), "x", { root })).toThrow(/not inside/);
    expect(existsSync(join(root, "..", "elsewhere.txt"))).toBe(false);
  });
});
