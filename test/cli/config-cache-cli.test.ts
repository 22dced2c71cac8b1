/**
 * `rag check` with a rag.config.ts that imports a local TypeScript file, as real processes
 * (the transpile cache, cli/config-cache.ts, is only used where Node cannot load
 * TypeScript by itself — not under vitest): the config is served from the cache, every
 * edit of the imported file is seen by the next command, and a mistake in it is still
 * reported against the config (and the file) by name.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rag, root } from "../helpers/cli.js";

let dir = "";
let cache = "";
const check = () => rag(["check", "flow.rag"], dir, { RAG_CONFIG_CACHE_DIR: cache });
const tools = (body: string) => writeFileSync(join(dir, "tools.ts"), `import { tool, z } from "ragraph/config";\nexport const tools = {\n${body}\n};\n`);
const lookup = (name: string) => `  ${name}: tool({ description: "Look a customer up.", schema: z.object({ email: z.string() }), readOnly: true, run: ({ email }) => ({ email }) }),`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rag-config-cache-cli-"));
  cache = join(dir, "cache");
  // `import "ragraph/config"` resolves as in an installed project: node_modules/ragraph.
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(root, join(dir, "node_modules", "ragraph"));
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  writeFileSync(join(dir, "flow.rag"), readFileSync(join(root, "examples/support_agent.rag"), "utf8").replaceAll("lookup_user", "lookup"));
  writeFileSync(
    join(dir, "rag.config.ts"),
    'import { defineConfig, scripted } from "ragraph/config";\nimport { tools } from "./tools.js";\n' +
      'export default defineConfig({ models: { default: { provider: scripted({ name: "s", rules: [] }), capabilities: { tools: true } } }, tools });\n',
  );
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The cache's one folder of this user, its index file (absolute) and the module file the index names. */
function cacheEntry(): { folder: string; index: string; module: string } {
  const folder = join(cache, readdirSync(cache)[0]!);
  const index = join(folder, readdirSync(folder).find((f) => f.endsWith(".json"))!);
  return { folder, index, module: (JSON.parse(readFileSync(index, "utf8")) as { module: string }).module };
}

describe("rag check with a config importing local TypeScript", () => {
  // A hit must import the module bundled by an earlier command, not bundle again: every
  // bundling writes a new module file (its name carries the process id) and renames a new
  // index into place. The probe: the cached module is edited behind the cache's back (its
  // inputs, which the entry checks, are untouched), so only a start that imports it sees
  // the edit; an edit of tools.ts must then be a miss that bundles the real file again.
  it("a second command with the same config imports the cached module without bundling; an edit of the imported .ts misses", () => {
    tools(lookup("lookup"));
    expect(check().code).toBe(0);
    const first = cacheEntry();
    const modules = () => readdirSync(first.folder).filter((f) => f.endsWith(".mjs")).sort();
    const before = { index: statSync(first.index), modules: modules() };
    const cachedModule = join(first.folder, first.module);
    writeFileSync(cachedModule, readFileSync(cachedModule, "utf8").replace(/\blookup:/, "lookupC:"));
    const hit = check();
    expect(hit.code).toBe(1);
    expect(hit.stderr).toContain("did you mean `lookupC`?");
    const after = statSync(first.index);
    expect([after.ino, after.mtimeMs]).toEqual([before.index.ino, before.index.mtimeMs]); // the index was not written again
    expect(cacheEntry().module).toBe(first.module);
    expect(modules()).toEqual(before.modules); // no module bundled
    // tools.ts edited: a miss, bundled again from the real file.
    tools(lookup("lookupT"));
    const miss = check();
    expect(miss.code).toBe(1);
    expect(miss.stderr).toContain("did you mean `lookupT`?");
    expect(cacheEntry().module).not.toBe(first.module);
    tools(lookup("lookup"));
    expect(check().code).toBe(0);
  }, 60_000);


  it("serves it from the transpile cache and sees each edit of the imported file", () => {
    tools(lookup("lookup"));
    const first = check();
    expect(first.stderr).toContain("ok: 1 file checked");
    expect(first.code).toBe(0);
    const index = readdirSync(join(cache, readdirSync(cache)[0]!)).find((f) => f.endsWith(".json"))!;
    const recorded = (JSON.parse(readFileSync(join(cache, readdirSync(cache)[0]!, index), "utf8")) as { inputs: { files: { path: string }[] } }).inputs.files.map((f) => f.path);
    expect(recorded).toContain(join(dir, "tools.ts"));
    // Renamed in tools.ts only: the graph's `lookup` is now unknown.
    tools(lookup("lookup2"));
    const renamed = check();
    expect(renamed.code).toBe(1);
    expect(renamed.stderr).toContain("tool `lookup` is not registered");
    expect(renamed.stderr).toContain("did you mean `lookup2`?");
    tools(lookup("lookup"));
    expect(check().code).toBe(0);
  }, 60_000);

  it("reports a bad value or a syntax error in the imported file against the config", () => {
    tools("  lookup: 5,");
    const bad = check();
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("config rag.config.ts is not valid (1 problem):\n  rag.config.ts: `tools.lookup`: expected a tool definition");
    tools("  lookup: tool({ description: ");
    const broken = check();
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^error: failed to load config rag\.config\.ts: .*tools\.ts:\d+:\d+/m);
  }, 60_000);
});
