/**
 * `grammar/` and `compiler/` run in a browser worker (the studio), so they must not need
 * Node: esbuild bundles them for `platform: "browser"` (any import of a Node built-in
 * fails the build), and the bundle compiles the examples inside a bare V8 context that
 * has only web globals (`TextEncoder`, `URL`, `performance`, `console`) — no `process`,
 * `Buffer`, `require` or Node module at all.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createContext, runInContext } from "node:vm";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url).pathname;

async function bundle(entry: string): Promise<string> {
  const r = await build({
    stdin: { contents: entry, resolveDir: root, loader: "ts" },
    bundle: true,
    platform: "browser",
    format: "iife",
    globalName: "ragFrontEnd",
    write: false,
    logLevel: "silent",
    target: "es2022",
  });
  return r.outputFiles[0].text;
}

describe("browser bundle of grammar/ and compiler/", () => {
  it("builds for the browser and compiles every example in a context without Node globals", async () => {
    const code = await bundle(`export { compile, renderDiagnostics, fixAll } from "./compiler/index.ts"; export { parseRag } from "./grammar/index.ts";`);
    expect(code.length).toBeGreaterThan(10_000);
    const sandbox: Record<string, unknown> = { TextEncoder, TextDecoder, console, URL, performance };
    const ctx = createContext(sandbox);
    runInContext(code, ctx);
    expect(runInContext("typeof process + typeof require + typeof Buffer", ctx)).toBe("undefinedundefinedundefined");
    const dir = root + "examples/";
    for (const f of readdirSync(dir, { withFileTypes: true }).filter((x) => x.isFile() && x.name.endsWith(".rag")).map((x) => x.name)) {
      sandbox.source = readFileSync(dir + f, "utf8");
      const out = runInContext("JSON.stringify(ragFrontEnd.compile(source, { file: 'x.rag' }).value.blueprints.map((b) => b.hash))", ctx) as string;
      if (f !== "research_review.rag") expect(JSON.parse(out)[0], f).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
    sandbox.source = "graph g { start a node a { kind modle } }";
    const fixed = runInContext("ragFrontEnd.fixAll(source).text", ctx);
    expect(fixed).toBe("graph g { start a node a { kind model next END } }");
  }, 60_000);

  it("fails the build when the front end imports a Node built-in", async () => {
    await expect(bundle(`import { readFileSync } from "node:fs"; export * from "./compiler/index.ts"; export const f = readFileSync;`)).rejects.toThrow(/node:fs/);
  }, 60_000);
});
