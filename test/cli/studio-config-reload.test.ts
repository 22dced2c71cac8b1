/**
 * `rag studio` follows its config: when `rag.config.ts`, or a project file it imports,
 * changes, the config is loaded again as it is on disk, and what starts from then on —
 * `GET /api/registry` (the page's names), checks, runs — uses it; a config that no
 * longer loads leaves the previous one in use and says why. A real `rag studio` process.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { root } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "rag-studio-reload-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const models = (names: string[]) => `export const models = ${JSON.stringify(Object.fromEntries(names.map((n) => [n, { provider: "openai", model: "gpt-4o-mini" }])))};\n`;

/** Polls `f` until it returns true (every 100 ms, at most `ms`). */
async function until(f: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("rag studio follows its config", () => {
  it("loads the config again when a file it imports or the config itself changes; a broken edit keeps the previous one", async () => {
    writeFileSync(join(dir, "models.ts"), models(["first"]));
    writeFileSync(join(dir, "rag.config.ts"), 'import { models } from "./models.ts";\nexport default { models };\n');
    writeFileSync(join(dir, "g.rag"), 'graph g { start a state { out: string } node a { kind model model "later" prompt "hi" writes out next END } }\n');
    const child = spawn(process.execPath, [join(root, "bin/rag.js"), "studio", dir, "--no-open", "--port", "0"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    try {
      await until(() => /http:\/\/\S+\?token=\S+/.test(stdout), 60_000);
      const url = new URL(/http:\/\/\S+\?token=\S+/.exec(stdout)![0]);
      const token = url.searchParams.get("token")!;
      const get = async (path: string) => (await fetch(new URL(path, url.origin), { headers: { authorization: `Bearer ${token}` } })).json() as Promise<{ registry: { models?: string[] } }>;
      const modelsNow = async () => (await get("/api/registry")).registry.models ?? [];
      expect(await modelsNow()).toEqual(["first"]);
      writeFileSync(join(dir, "models.ts"), models(["first", "later"]));
      await until(async () => (await modelsNow()).includes("later"));
      expect(stderr).toContain("changed: loaded again");
      // A config that no longer loads: the previous one stays, and stderr says why.
      writeFileSync(join(dir, "rag.config.ts"), "export default {{ broken\n");
      await until(() => stderr.includes("does not load"));
      expect(await modelsNow()).toEqual(["first", "later"]);
      // Fixed: loaded again.
      writeFileSync(join(dir, "rag.config.ts"), "export default { models: {} };\n");
      await until(async () => (await modelsNow()).length === 0);
    } finally {
      child.kill();
    }
  }, 90_000);
});

describe("rag studio without a config", () => {
  it("loads a rag.config.ts created in the workspace later", async () => {
    const ws = mkdtempSync(join(tmpdir(), "rag-studio-noconfig-"));
    const child = spawn(process.execPath, [join(root, "bin/rag.js"), "studio", ws, "--no-open", "--port", "0"], { cwd: ws, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", () => {});
    try {
      await until(() => /http:\/\/\S+\?token=\S+/.test(stdout), 60_000);
      const url = new URL(/http:\/\/\S+\?token=\S+/.exec(stdout)![0]);
      const modelsNow = async () => ((await (await fetch(new URL("/api/registry", url.origin), { headers: { authorization: `Bearer ${url.searchParams.get("token")}` } })).json()) as { registry: { models?: string[] } }).registry.models ?? [];
      expect(await modelsNow()).not.toContain("made");
      writeFileSync(join(ws, "rag.config.ts"), `export default { models: ${JSON.stringify({ made: { provider: "openai", model: "gpt-4o-mini" } })} };\n`);
      await until(async () => (await modelsNow()).includes("made"));
    } finally {
      child.kill();
      rmSync(ws, { recursive: true, force: true });
    }
  }, 90_000);
});

describe("Project.reloadConfig", () => {
  it("serves the new registry at once, and the console's next answer says its session started afresh", async () => {
    const { Project, Workspace } = await import("../../server/index.js");
    const { registryFromConfig } = await import("../../repl/index.js");
    const ws = mkdtempSync(join(tmpdir(), "rag-project-reload-"));
    const first = { models: { first: { provider: "openai", model: "gpt-4o-mini" } } };
    const project = new Project(new Workspace(ws), { path: undefined, config: first as never, registry: registryFromConfig(first as never) }, { approvals: join(ws, ".rag", "approvals.json") });
    try {
      expect((await project.replCell("x = 1")).ok).toBe(true);
      expect(project.languageSnapshot().registry.models).toEqual(["first"]);
      project.reloadConfig({ path: undefined, config: {}, registry: registryFromConfig({}) });
      expect(project.languageSnapshot().registry.models ?? []).toEqual([]);
      const next = await project.replCell("typeof x");
      expect(String(next.stdout)).toContain("the config changed, so this console started a new session");
      expect(String((await project.replCell("1")).stdout)).not.toContain("config changed");
    } finally {
      project.close();
      rmSync(ws, { recursive: true, force: true });
    }
  });
});
