/**
 * Red team 4: `rag run --replay FILE` read its cassette with a bare `readFileSync` and
 * `JSON.parse`, unlike every other file a flag names (`--input @FILE`, `--registry`):
 * `--replay /dev/zero` grew the process past 2.6 GB in a minute and kept reading, a FIFO
 * blocked the run before it started, and the JSON kept `__proto__` keys and any nesting
 * (its replies reach tools and state; its requests are compared recursively when a
 * request was not recorded). Now it is read with the bounded reader (regular files, at
 * most `MAX_CASSETTE_BYTES`) and parsed as untrusted JSON.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Cassette, CassetteError } from "../../stdlib/providers/cassette.js";
import { ragAsync, root, scratchProject } from "../helpers/cli.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const CONFIG = `import { defineConfig, scripted } from ${JSON.stringify(join(root, "index.ts"))};
export default defineConfig({ models: { default: { provider: scripted({ rules: [{ reply: () => "hello" }] }) } } });
`;
const GRAPH = 'graph m { start a node a { kind model model "default" prompt "hi" next END } }\n';

async function replay(file: string) {
  const dir = scratchProject({ "rag.config.ts": CONFIG, "m.rag": GRAPH });
  const run = ragAsync(["run", "m.rag", "--no-checkpoints", "--replay", file], dir);
  const timer = setTimeout(() => run.child.kill("SIGKILL"), 20_000);
  const r = await run.done;
  clearTimeout(timer);
  return r;
}

describe("rag run --replay reads its cassette as every CLI file is read", () => {
  it("/dev/zero is refused at once (it was read until the heap gave out)", async () => {
    const r = await replay("/dev/zero");
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read cassette \/dev\/zero: not a regular file/);
  }, 30_000);

  it("a FIFO with no writer is refused at once (it blocked the run)", async () => {
    const dir = scratchDir("rt4-cas-");
    const fifo = join(dir, "c.json");
    execFileSync("mkfifo", [fifo]);
    const r = await replay(fifo);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a regular file/);
  }, 30_000);
});

describe("Cassette.load parses untrusted JSON", () => {
  const file = (text: string) => {
    const p = join(scratchDir("rt4-cas-"), "c.json");
    writeFileSync(p, text);
    return p;
  };

  it("a __proto__ key in a recorded reply is refused, naming the file", () => {
    const p = file('{"version":1,"entries":[{"model":"m","provider":"x","key":"k","request":{},"response":{"content":"","toolCalls":[{"name":"t","arguments":{"__proto__":{"admin":true}}}]}}]}');
    expect(() => Cassette.load(p)).toThrow(CassetteError);
    expect(() => Cassette.load(p)).toThrow(/__proto__/);
  });

  it("a 100,000-deep request is refused before anything walks it", () => {
    const p = file(`{"version":1,"entries":[{"model":"m","provider":"x","key":"k","request":${"[".repeat(100_000)}${"]".repeat(100_000)},"response":{"content":""}}]}`);
    expect(() => Cassette.load(p)).toThrow(/deeper than 256/);
  });

  it("a well-formed cassette still loads, with null-prototype objects", () => {
    const c = Cassette.load(file('{"version":1,"entries":[{"model":"m","provider":"x","key":"k","request":{"messages":[]},"response":{"content":"hi"}}]}'));
    expect(c.entries).toHaveLength(1);
    expect(Object.getPrototypeOf(c.entries[0])).toBeNull();
  });
});
