/**
 * The published package (issue 14 §2): built as `prepack` builds it (tsconfig.build.json
 * for the declarations, scripts/bundle.mjs for the JavaScript),
 * packed with `npm pack`, installed from the tarball into a new project with no network
 * (`npm ci --offline` from a lockfile built from this repository's, so every dependency
 * comes from the npm cache `npm ci` filled), then used as a newcomer would: `import
 * "ragraph"` from plain `.mjs` under Node (no tsx), a `.ts` file type-checked by `tsc`,
 * and `rag` from `node_modules/.bin` loading a `rag.config.ts`.
 *
 * Slow by nature (a full `tsc` build and an install): everything is done once, in
 * `beforeAll`. Install scripts are skipped (better-sqlite3 would download a binary or
 * compile for minutes): runs use `--no-checkpoints` until the studio test has checked the
 * message for the missing native module; then it and the last test copy this checkout's.
 */
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildStudio } from "../../studio/build.js";

const root = new URL("../../", import.meta.url).pathname;
const run = promisify(execFile);
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const SLOW = 300_000;

let work = "";
let project = "";
let packed: string[] = [];

/** A command's output; on failure, an error carrying its stdout and stderr. */
async function sh(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  try {
    return await run(cmd, args, { cwd, env: { ...process.env, NO_COLOR: "1", ...env }, maxBuffer: 64 << 20 });
  } catch (e) {
    const x = e as Error & { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(" ")} failed in ${cwd}: ${x.message}\n${x.stdout ?? ""}\n${x.stderr ?? ""}`);
  }
}

/** package-lock.json of a project depending on the tarball only, pinned to this repository's lockfile. */
function projectLock(tarball: string): object {
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean; link?: boolean; dependencies?: object; engines?: object }> };
  const own = lock.packages[""];
  const integrity = "sha512-" + createHash("sha512").update(readFileSync(tarball)).digest("base64");
  const spec = `file:${tarball}`;
  const packages: Record<string, object> = {
    "": { name: "newcomer", dependencies: { ragraph: spec } },
    "node_modules/ragraph": { version: "0.1.0", resolved: spec, integrity, dependencies: own.dependencies, bin: { rag: "bin/rag.js" }, engines: own.engines },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path !== "" && !entry.dev && !entry.link) packages[path] = entry;
  return { name: "newcomer", lockfileVersion: 3, requires: true, packages };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "rag-pack-"));
  const stage = join(work, "stage");
  mkdirSync(stage);
  for (const f of ["package.json", "README.md", "bin", "types", "docs"]) cpSync(join(root, f), join(stage, f), { recursive: true });
  // What `npm run build` does, with the output outside the repository. `--noCheck`: the
  // same JavaScript and declarations in half the time; the sources' types are checked by
  // `npm test`'s own `tsc --noEmit` pass, and the shipped declarations by the test below.
  await sh(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json"), "--outDir", join(stage, "dist"), "--noCheck"], root);
  await sh(process.execPath, [join(root, "scripts/bundle.mjs"), join(stage, "dist/bundle")], root);
  // The studio page, as `npm run build` writes it into dist/studio/ (the same build; the
  // temp cache of it when another test built it already).
  cpSync(await buildStudio(), join(stage, "dist/studio"), { recursive: true });
  const { stdout } = await sh(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", work, stage], work);
  const [info] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  packed = info.files.map((f) => f.path);
  const tarball = join(work, info.filename);

  project = join(work, "newcomer");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "newcomer", private: true, type: "module", dependencies: { ragraph: `file:${tarball}` } }));
  writeFileSync(join(project, "package-lock.json"), JSON.stringify(projectLock(tarball)));
  await sh(npm, ["ci", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], project);
}, SLOW);

// The build, the tarball and the installed project (a few hundred MB with node_modules):
// removing them is disk work that took over vitest's default 20 s hook limit on a busy
// machine, so the hook gets the same allowance as the build (cleanup, not a timed check).
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
}, SLOW);

describe("npm pack", () => {
  it("ships the bundled JavaScript with declarations, the bin and the chevrotain shim; no sources or tests", () => {
    for (const f of ["dist/studio/index.html", "dist/studio/app.js", "dist/studio/lang.worker.js", "dist/bundle/index.js", "dist/bundle/config.js", "dist/bundle/scale.js", "dist/bundle/cli/main.js", "dist/index.d.ts", "dist/config.d.ts", "dist/scale.d.ts", "bin/rag.js", "types/chevrotain.mjs", "types/chevrotain.d.ts", "package.json", "README.md"]) expect(packed).toContain(f);
    // The JavaScript is the bundle only: a few dozen files, not one per source module.
    const js = packed.filter((f) => f.startsWith("dist/") && !f.startsWith("dist/studio/") && f.endsWith(".js"));
    expect(js.filter((f) => !f.startsWith("dist/bundle/"))).toEqual([]);
    expect(js.length).toBeLessThan(100);
    expect(packed.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
    expect(packed.filter((f) => f.startsWith("test/") || f.startsWith("cli/"))).toEqual([]);
  });
});

describe("installed from the tarball", () => {
  it("imports from a plain .mjs file under Node, with no TypeScript loader", async () => {
    writeFileSync(join(project, "use.mjs"), 'import { compileGraph, defineConfig, tool, z } from "ragraph";\nimport * as light from "ragraph/config";\nconst r = compileGraph("graph g { start a node a { next END } }");\nconsole.log(JSON.stringify({ id: r.value.id, hash: r.value.hash.slice(0, 7), config: typeof defineConfig, zod: typeof z.object, same: light.defineConfig === defineConfig && light.tool === tool && light.z === z }));\n');
    const { stdout } = await sh(process.execPath, ["use.mjs"], project);
    expect(JSON.parse(stdout)).toEqual({ id: "g", hash: "sha256:", config: "function", zod: "function", same: true });
  });

  it("type-checks a .ts file against the shipped declarations (strict, no skipLibCheck)", async () => {
    writeFileSync(
      join(project, "use.ts"),
      [
        'import { compileGraph, type Blueprint } from "ragraph";',
        'import { defineConfig, tool, z } from "ragraph/config";',
        'const bp: Blueprint | undefined = compileGraph("graph g { start a node a { next END } }").value;',
        "export const id: string | undefined = bp?.id;",
        "// @ts-expect-error a blueprint's id is a string: the declarations are real types, not any",
        "export const wrong: number | undefined = bp?.id;",
        'export default defineConfig({ tools: { echo: tool({ description: "echo", schema: z.object({ s: z.string() }), run: async ({ s }) => s.toUpperCase() }) } });',
        "",
      ].join("\n"),
    );
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", strict: true, noEmit: true }, files: ["use.ts"] }));
    await sh(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "."], project);
  }, 120_000);

  it("`ragraph/scale` imports from a plain .mjs file; `ragraph` alone loads none of pg, bullmq or ioredis", async () => {
    // Those packages are CommonJS loaded by `require` (the bundle's externals): what is loaded is in require.cache.
    writeFileSync(
      join(project, "use-scale.mjs"),
      [
        'import { createRequire } from "node:module";',
        "const cache = createRequire(import.meta.url).cache;",
        "const services = () => [...new Set(Object.keys(cache).map((p) => /[\\\\/]node_modules[\\\\/](pg|bullmq|ioredis)[\\\\/]/.exec(p)?.[1]).filter(Boolean))].sort();",
        'const main = await import("ragraph");',
        "const before = services();",
        'const scale = await import("ragraph/scale");',
        "console.log(JSON.stringify({ main: typeof main.CompiledGraph, before, after: services(), classes: [scale.PostgresCheckpointer, scale.RunWorker, scale.QueueRunSubmitter].map((c) => c.name), url: scale.parsePostgresUrl(\"postgres://app@db:5432/x?schema=prod\").schema, redis: scale.isRedisUrl(\"redis://q:6379\") }));",
        "",
      ].join("\n"),
    );
    const { stdout } = await sh(process.execPath, ["use-scale.mjs"], project);
    expect(JSON.parse(stdout)).toEqual({ main: "function", before: [], after: ["bullmq", "ioredis", "pg"], classes: ["PostgresCheckpointer", "RunWorker", "QueueRunSubmitter"], url: "prod", redis: true });
  });

  it("type-checks a .ts file using `ragraph/scale` with `ragraph`'s registry and Checkpointer (strict, no skipLibCheck)", async () => {
    writeFileSync(
      join(project, "use-scale.ts"),
      [
        'import { standardRegistry, type Checkpointer } from "ragraph";',
        'import { PostgresCheckpointer, QueueRunSubmitter, RunWorker, ThreadBusyError, type RunHandle, type SubmitRun } from "ragraph/scale";',
        "export function pool(pg: string, queue: string): { worker: RunWorker; runs: QueueRunSubmitter; checkpoints: Checkpointer } {",
        '  const checkpointer = new PostgresCheckpointer(pg, { schema: "prod" });',
        "  return { worker: new RunWorker({ queue, checkpointer, registry: standardRegistry(), concurrency: 8 }), runs: new QueueRunSubmitter(queue, { checkpoints: checkpointer }), checkpoints: checkpointer };",
        "}",
        "export const submit = (runs: QueueRunSubmitter, job: SubmitRun): Promise<RunHandle> => runs.submit(job);",
        'export const busy = (e: unknown): boolean => e instanceof ThreadBusyError && e.code === "thread_busy";',
        "// @ts-expect-error a worker checkpoints to the shared Postgres store, not to any Checkpointer",
        'export const wrong = (c: Checkpointer) => new RunWorker({ queue: "redis://q:6379", checkpointer: c, registry: standardRegistry() });',
        "",
      ].join("\n"),
    );
    // ioredis's own declarations import `redis-errors`, whose types it lists as a dev
    // dependency only: without skipLibCheck a project declares it (docs/deploy.md). The
    // package's own declarations (and @types/pg, a dependency) are checked in full.
    writeFileSync(join(project, "redis-errors.d.ts"), 'declare module "redis-errors";\n');
    writeFileSync(join(project, "tsconfig.scale.json"), JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", strict: true, noEmit: true }, files: ["use-scale.ts", "redis-errors.d.ts"] }));
    await sh(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.scale.json"], project);
  }, 120_000);

  it("runs `rag` from node_modules/.bin, loading the project's rag.config.ts", async () => {
    const rag = join(project, "node_modules/.bin/rag");
    expect((await sh(rag, ["--version"], project)).stdout.trim()).toBe("0.1.0");
    writeFileSync(join(project, "g.rag"), 'graph g {\n  start a\n  state { x: string }\n  node a { kind tool tool "shout" input { s: "hi" } writes x next END }\n}\n');
    writeFileSync(
      join(project, "rag.config.ts"),
      'import { defineConfig, tool, z } from "ragraph";\nconst shout = tool({ description: "upper-case", schema: z.object({ s: z.string() }), run: async ({ s }: { s: string }) => s.toUpperCase() });\nexport default defineConfig({ tools: { shout } });\n',
    );
    expect((await sh(rag, ["check", "g.rag"], project)).stderr).toContain("ok: 1 file checked");
    const { stdout } = await sh(rag, ["run", "g.rag", "--no-checkpoints", "--json"], project);
    expect(JSON.parse(stdout.trim().split("\n").at(-1)!)).toMatchObject({ type: "run_completed", state: { x: "HI" } });
    // An edited config is seen at once (the transpile cache is keyed by the text), here
    // through the light `ragraph/config` entry.
    writeFileSync(
      join(project, "rag.config.ts"),
      'import { defineConfig, tool, z } from "ragraph/config";\nconst shout = tool({ description: "lower-case", schema: z.object({ s: z.string() }), run: async ({ s }: { s: string }) => s.toLowerCase() + "!" });\nexport default defineConfig({ tools: { shout } });\n',
    );
    const again = await sh(rag, ["run", "g.rag", "--no-checkpoints", "--json"], project);
    expect(JSON.parse(again.stdout.trim().split("\n").at(-1)!)).toMatchObject({ type: "run_completed", state: { x: "hi!" } });
  }, 60_000);

  it("`rag check` with a config loads ragraph as a few bundle files, the config's `ragraph` the CLI's own", async () => {
    // Every module URL Node resolves, logged by a resolve hook (NODE_OPTIONS reaches the
    // `rag` process through its shebang).
    const log = join(project, "modules.log");
    writeFileSync(join(project, "log-hook.mjs"), 'import { appendFileSync } from "node:fs";\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(process.env.MODULES_LOG, r.url + "\\n"); return r; }\n');
    writeFileSync(join(project, "log-modules.mjs"), 'import { register } from "node:module";\nregister("./log-hook.mjs", import.meta.url);\n');
    writeFileSync(
      join(project, "rag.config.ts"),
      'import { defineConfig, tool, z } from "ragraph";\nimport { command } from "ragraph/config";\nconst shout = tool({ description: "upper-case", schema: z.object({ s: z.string() }), run: async ({ s }: { s: string }) => s.toUpperCase() });\nexport const commandKind = typeof command;\nexport default defineConfig({ tools: { shout } });\n',
    );
    const { stderr } = await sh(join(project, "node_modules/.bin/rag"), ["check", "g.rag"], project, { NODE_OPTIONS: `--import=${join(project, "log-modules.mjs")}`, MODULES_LOG: log });
    expect(stderr).toContain("ok: 1 file checked");
    const pkg = join(project, "node_modules/ragraph") + "/";
    const own = [...new Set(readFileSync(log, "utf8").trim().split("\n"))].filter((u) => u.startsWith("file:")).map((u) => new URL(u).pathname).filter((p) => p.startsWith(pkg)).map((p) => p.slice(pkg.length));
    // The CLI (its chunks are scripts dist/bundle/loader.js links, not ES modules Node
    // resolves) and both entries the config imports, all from the one bundle: each module
    // of the library exists once in it, so the config's classes and registries are the CLI's.
    expect(own).toEqual(expect.arrayContaining(["bin/rag.js", "dist/bundle/loader.js", "dist/bundle/index.js", "dist/bundle/config.js"]));
    expect(own.filter((p) => !p.startsWith("dist/bundle/") && p !== "bin/rag.js" && p !== "types/chevrotain.mjs")).toEqual([]);
    expect(own.length).toBeLessThan(50);
  }, 60_000);

  it("`rag studio` serves the page the package ships (no app sources to build it from)", async () => {
    // Installed without install scripts, better-sqlite3 has no native module: one line
    // saying so and how to fix it, not an internal error.
    const missing = await run(join(project, "node_modules/.bin/rag"), ["studio", ".", "--no-open", "--port", "0"], { cwd: project, env: { ...process.env, NO_COLOR: "1" } }).then(
      () => ({ code: 0, stderr: "" }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: cannot open the checkpoint database .*better-sqlite3's native module is not built .*npm rebuild better-sqlite3`\n$/);
    // The native module this repository built (the same better-sqlite3 version, from its lockfile).
    const release = join(project, "node_modules/better-sqlite3/build/Release");
    mkdirSync(release, { recursive: true });
    cpSync(join(root, "node_modules/better-sqlite3/build/Release/better_sqlite3.node"), join(release, "better_sqlite3.node"));
    const child = spawn(join(project, "node_modules/.bin/rag"), ["studio", ".", "--no-open", "--port", "0"], { cwd: project, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    try {
      let out = "";
      let err = "";
      child.stderr.on("data", (d: Buffer) => (err += d));
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (d: Buffer) => {
          out += d;
          const m = /http:\/\/\S+\?token=\S+/.exec(out);
          if (m) resolve(m[0]);
        });
        child.on("exit", (code) => reject(new Error(`rag studio exited with ${code}:\n${out}\n${err}`)));
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('<script type="module" src="/app.js">');
      const token = new URL(url).searchParams.get("token")!;
      const app = await fetch(new URL("/app.js", url), { headers: { authorization: `Bearer ${token}` } });
      expect(app.status).toBe(200);
      expect((await app.text()).length).toBeGreaterThan(100);
      expect(err).toBe("");
    } finally {
      child.kill("SIGINT");
    }
  }, 60_000);
  it("`rag run` pauses into the default SQLite checkpoints (.rag/checkpoints.db); `rag runs` lists the thread and `rag resume` finishes it", async () => {
    const rag = join(project, "node_modules/.bin/rag");
    // What better-sqlite3's install script makes (a prebuilt binary download, or a
    // compile): the same version's native module from this checkout's install.
    const release = join(project, "node_modules/better-sqlite3/build/Release");
    mkdirSync(release, { recursive: true });
    cpSync(join(root, "node_modules/better-sqlite3/build/Release/better_sqlite3.node"), join(release, "better_sqlite3.node"));
    writeFileSync(join(project, "ask.rag"), 'graph ask {\n  start q\n  state { answer: string }\n  node q {\n    kind interrupt\n    prompt "Go?"\n    options ["yes", "no"]\n    writes answer\n    routes { yes -> END  no -> END }\n  }\n}\n');
    const paused = await run(rag, ["run", "ask.rag", "--thread", "t1", "--json"], { cwd: project, env: { ...process.env, NO_COLOR: "1" } }).then(
      () => ({ code: 0 }),
      (e: { code: number }) => e,
    );
    expect(paused.code).toBe(3);
    expect(existsSync(join(project, ".rag/checkpoints.db"))).toBe(true);
    const list = JSON.parse((await sh(rag, ["runs", "--json"], project)).stdout) as { threadId: string; status: string }[];
    expect(list.find((t) => t.threadId === "t1")?.status).toBe("interrupted");
    const done = await sh(rag, ["resume", "t1", "--resume", '"yes"', "--json"], project);
    expect(JSON.parse(done.stdout.trim().split("\n").at(-1)!)).toMatchObject({ type: "run_completed", state: { answer: "yes" } });
  }, 60_000);
});
