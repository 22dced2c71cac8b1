/**
 * A `:reset data` line inside a `.ragsh` script says what it did, as the prompt's and the
 * console's own `:reset data` do (`resetNote`): the script runner dropped the names it
 * kept and the prompt and console printed "variables cleared" for it.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadFile, type LoadHooks } from "../../repl/directives.js";
import { registryFromConfig, Session } from "../../repl/index.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

describe("a script's :reset lines", () => {
  it("report what they kept: `:reset data` keeps plain data, `:reset` clears everything", async () => {
    const dir = scratchDir("ragsh-reset-");
    writeFileSync(join(dir, "s.ragsh"), "let n = 1\n// %%\n:reset data\n// %%\nlet m = n + 1\n// %%\n:reset\n");
    const session = new Session({ registry: registryFromConfig({} as never) });
    const notes: string[] = [];
    const hooks: LoadHooks = { cell: async (source) => (await session.runCell(source)).ok, loaded: () => true, error: () => undefined, reset: (_file, note) => void notes.push(note) };
    expect(await loadFile(session, join(dir, "s.ragsh"), hooks)).toBe(true);
    expect(notes).toEqual(["functions cleared, data kept (n)", "variables cleared"]);
  });
});
