/**
 * Red team 9: `rag repl`'s history file is `.rag/repl_history` of the project, a folder a
 * cloned repository may fill. It was read with `existsSync` + `readFileSync` and written
 * with a bare `writeFileSync`: a link planted there to `~/.bashrc` had every typed cell
 * written over that file at exit (and a link to /dev/zero hung the prompt at start). The
 * file is read only when regular and bounded, and replaced by rename.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
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
});
