/**
 * Red team 9: `rag repl`'s history file is `.rag/repl_history` of the project, a folder a
 * cloned repository may fill. It was read with `existsSync` + `readFileSync` and written
 * with a bare `writeFileSync`: a link planted there to `~/.bashrc` had every typed cell
 * written over that file at exit (and a link to /dev/zero hung the prompt at start). The
 * file is read only when regular and bounded, and replaced by rename.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { PromptView, runPrompt } from "../../repl/prompt.js";
import { Session } from "../../repl/session.js";
import { standardRegistry } from "../../stdlib/index.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

describe("red team 9: the prompt's history file", () => {
  it("a link planted at its name is neither read nor written through", async () => {
    const project = scratchDir("rt9-hist-");
    const outside = join(scratchDir("rt9-hist-out-"), "bashrc");
    writeFileSync(outside, "export SECRET_FROM_OUTSIDE=1\n");
    mkdirSync(join(project, ".rag"));
    const historyFile = join(project, ".rag", "repl_history");
    symlinkSync(outside, historyFile);
    const input = new PassThrough();
    const output = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
    output.resume();
    const done = runPrompt({ session: new Session({ registry: standardRegistry() }), input, output, colors: false, historyFile }, new PromptView(output, false));
    input.write("let a = 1\r");
    input.write(":quit\r");
    expect(await done).toBe(0);
    expect(readFileSync(outside, "utf8")).toBe("export SECRET_FROM_OUTSIDE=1\n");
    const kept = readFileSync(historyFile, "utf8");
    expect(kept).toContain("let a = 1");
    expect(kept).not.toContain("SECRET_FROM_OUTSIDE");
  });

  /** Runs the prompt on `historyFile` with one cell typed, then `:quit`. */
  async function typeOneCell(historyFile: string, historyRoot: string): Promise<void> {
    const input = new PassThrough();
    const output = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
    output.resume();
    const done = runPrompt({ session: new Session({ registry: standardRegistry() }), input, output, colors: false, historyFile, historyRoot }, new PromptView(output, false));
    input.write("let token = \"sk-secret\"\r");
    input.write(":quit\r");
    expect(await done).toBe(0);
  }

  it("nothing is written when the project's .rag folder is a link", async () => {
    const project = scratchDir("rt9-hist-");
    const away = scratchDir("rt9-hist-away-");
    symlinkSync(away, join(project, ".rag"));
    await typeOneCell(join(project, ".rag", "repl_history"), project);
    expect(existsSync(join(away, "repl_history"))).toBe(false);
    expect(readdirSync(away)).toEqual([]); // nor anything else (a temporary file) through the link
  });

  it("the file is private to the user (a typed cell may hold a key)", async () => {
    const project = scratchDir("rt9-hist-");
    const historyFile = join(project, ".rag", "repl_history");
    mkdirSync(join(project, ".rag"));
    writeFileSync(historyFile, "", { mode: 0o644 });
    await typeOneCell(historyFile, project);
    expect(readFileSync(historyFile, "utf8")).toContain("sk-secret");
    expect(statSync(historyFile).mode & 0o777).toBe(0o600);
  });
});
