/**
 * Red team 6: `rag author` without `--out` names the file after the model's graph
 * (`<graph>.rag`) and refused only a path `existsSync` saw — which is false for a dangling
 * symbolic link. A link a cloned repository carried (`notes.rag -> ~/.ssh/authorized_keys`,
 * not there yet) took the model's text wherever it pointed once the model named its graph
 * `notes`. The file is now created exclusively (`wx`): any existing path, links included,
 * is refused with "exists; choose the file to write with --out".
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ragIn, root, scratchProject } from "../helpers/cli.js";
import { completion, startOpenAIServer, type OpenAIServer } from "../helpers/openai-server.js";

const config = (url: string) => `import { defineConfig } from ${JSON.stringify(join(root, "index.ts"))};
export default defineConfig({
  models: { writer: { provider: "openai", model: "gpt-4o-mini", options: { baseURL: ${JSON.stringify(url)}, apiKey: "test-key" } } },
});
`;
const reply = "```rag\ngraph notes {\n  // ssh-ed25519 AAAA attacker@example\n  start a\n  node a { kind set set { } next END }\n}\n```\n";

let server: OpenAIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("red team 6: rag author never writes through a link at the file it names", () => {
  it("refuses a dangling link named after the model's graph, and writes nothing where it points", async () => {
    server = await startOpenAIServer([{ body: completion({ content: reply }) }, { body: completion({ content: reply }) }, { body: completion({ content: reply }) }]);
    const dir = scratchProject({ "rag.config.ts": config(server.url) });
    mkdirSync(join(dir, "home"));
    const target = join(dir, "home", "authorized_keys");
    symlinkSync(target, join(dir, "notes.rag")); // dangling: the target does not exist yet
    const r = await ragIn(["author", "Keep notes.", "--rounds", "1"], dir);
    expect(existsSync(target)).toBe(false); // was created, holding the model's text
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("notes.rag exists; choose the file to write with --out");
    // With nothing in the way the file is written as before.
    const r2 = await ragIn(["author", "Keep notes.", "--rounds", "1", "--out", "mine.rag"], dir);
    expect(r2.code).toBe(0);
    expect(readFileSync(join(dir, "mine.rag"), "utf8")).toMatch(/^\/\/ rag:generated-by model/);
  }, 60_000);
});
