/**
 * Rough edges of issue 14 §4: the documented rule for where `.rag/` lives (run data in
 * the working directory, approvals beside the config), `rag runs`
 * times labelled with their UTC offset, and `rag run x.ragsh` pointing to `rag repl`.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ragIn, root, scratchProject } from "../helpers/cli.js";

const PAUSES = 'graph ask {\n  start q\n  state { d: any }\n  node q {\n    kind interrupt\n    options ["yes", "no"]\n    writes d\n    routes {\n      yes -> END\n      no -> END\n    }\n  }\n}\n';

describe("where state lives", () => {
  it("a run keeps its checkpoints in the working directory; approvals go beside the config", async () => {
    const dir = scratchProject({});
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "sub", "rag.config.ts"), `import { defineConfig } from ${JSON.stringify(`${root}index.ts`)};\nexport default defineConfig({});\n`);
    writeFileSync(join(dir, "sub", "flow.rag"), PAUSES);
    const run = await ragIn(["run", "sub/flow.rag"], dir);
    expect(run.code).toBe(3);
    expect(existsSync(join(dir, ".rag", "checkpoints.db"))).toBe(true);
    expect(existsSync(join(dir, "sub", ".rag", "checkpoints.db"))).toBe(false);
    const approve = await ragIn(["approve", "sub/flow.rag"], dir);
    expect(approve.code).toBe(0);
    expect(existsSync(join(dir, "sub", ".rag", "approvals.json"))).toBe(true);
    expect(existsSync(join(dir, ".rag", "approvals.json"))).toBe(false);
  });
});

describe("rag runs", () => {
  it("labels times with the local UTC offset", async () => {
    const dir = scratchProject({ "flow.rag": PAUSES });
    expect((await ragIn(["run", "flow.rag"], dir)).code).toBe(3);
    const list = await ragIn(["runs"], dir, { TZ: "Asia/Kolkata" });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("UPDATED (local time)");
    expect(list.stdout).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+05:30/);
  });
});

describe("rag run FILE.ragsh", () => {
  it("points to rag repl", async () => {
    const dir = scratchProject({ "s.ragsh": 'print("hi")\n' });
    const r = await ragIn(["run", "s.ragsh"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: s.ragsh is a .ragsh script, not a graph: run it with `rag repl s.ragsh`");
  });
});
