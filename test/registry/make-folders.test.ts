/**
 * `makeFolders` (registry/make-folders.ts), ragraph's one `mkdir -p`: Node's recursive
 * mkdir never returned under /proc (`rag init /proc/x` hung), so nothing else in the
 * sources may use it.
 */
import { readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeFolders } from "../../registry/make-folders.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const root = new URL("../../", import.meta.url).pathname;

/** A recursive mkdir call: its arguments may hold parentheses (`dirname(path)`). */
const RECURSIVE_MKDIR = /\bmkdir(Sync)?\([\s\S]{0,200}?recursive\s*:\s*true/;

describe("makeFolders", () => {
  it("makes the missing folders, with the mode asked for; an existing folder (or a link to one) is fine", () => {
    const dir = scratchDir("rag-mf-");
    makeFolders(join(dir, "a", "b", "c"), 0o700);
    expect(statSync(join(dir, "a", "b", "c")).isDirectory()).toBe(true);
    expect(statSync(join(dir, "a")).mode & 0o777).toBe(0o700);
    makeFolders(join(dir, "a", "b"));
    symlinkSync(join(dir, "a"), join(dir, "link"));
    makeFolders(join(dir, "link", "d"));
    expect(statSync(join(dir, "a", "d")).isDirectory()).toBe(true);
  });

  it("refuses a file on the way (ENOTDIR) or at the place (EEXIST), naming it", () => {
    const dir = scratchDir("rag-mf-");
    writeFileSync(join(dir, "f"), "");
    expect(() => makeFolders(join(dir, "f", "x"))).toThrow(expect.objectContaining({ code: "ENOTDIR" }));
    expect(() => makeFolders(join(dir, "f"))).toThrow(expect.objectContaining({ code: "EEXIST", path: join(dir, "f") }));
    expect(readFileSync(join(dir, "f"), "utf8")).toBe("");
  });

  it("a dangling link on the way is an error, not a loop", () => {
    const dir = scratchDir("rag-mf-");
    symlinkSync(join(dir, "nowhere"), join(dir, "dangling"));
    expect(() => makeFolders(join(dir, "dangling", "x"))).toThrow(expect.objectContaining({ code: "EEXIST" }));
    expect(readdirSync(dir)).toEqual(["dangling"]);
  });

  it.skipIf(process.platform !== "linux")("under /proc: ENOENT naming the folder, at once", () => {
    expect(() => makeFolders("/proc/rag-mf-x/y")).toThrow(expect.objectContaining({ code: "ENOENT", path: "/proc/rag-mf-x", message: expect.stringContaining("/proc exists but takes no new folders") }));
  });

  it("is the only recursive mkdir in the sources", () => {
    // Also the usual form, whose first argument has parentheses of its own.
    expect(RECURSIVE_MKDIR.test("mkdirSync(dirname(path), { recursive: true })")).toBe(true);
    const found: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) {
          if (e.name !== "node_modules" && !e.name.startsWith(".") && e.name !== "dist" && e.name !== "test" && e.name !== "bench") walk(p);
        } else if (/\.tsx?$/.test(e.name) && p !== join("registry", "make-folders.ts") && RECURSIVE_MKDIR.test(readFileSync(join(root, p), "utf8"))) found.push(p);
      }
    };
    walk(".");
    expect(found).toEqual([]);
  });
});
