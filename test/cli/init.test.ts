/**
 * `rag init [DIR]` (issue 14 §2): the scaffold is a runnable project — `rag check` and
 * `rag run` pass on it, and its own test passes — and existing files are never
 * overwritten. The project resolves `ragraph` to this checkout (a symlink, with the
 * "ragraph-source" condition), as an installed package would be resolved.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ragraphSource } from "../../cli/commands/init.js";
import { VERSION } from "../../cli/version.js";
import { rag, ragIn, root } from "../helpers/cli.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

describe("rag init", () => {
  it("scaffolds a project whose example checks, runs and passes its own test", async () => {
    const parent = scratchDir("rag-init-");
    const r = await ragIn(["init", "proj"], parent);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("created 6 files in proj:");
    const dir = join(parent, "proj");
    expect(readFileSync(join(dir, ".env.example"), "utf8")).toContain("OPENAI_API_KEY=");
    // ragraph is not on the npm registry: from a checkout, the project depends on it by path
    // (`^0.1.0` made `npm install` fail with E404); the test's tsx is the project's own
    const checkout = root.replace(/\/$/, "");
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(pkg.dependencies.ragraph).toBe(`file:${checkout}`);
    expect(pkg.devDependencies.tsx).toMatch(/^\^4\./);
    // npm 12 skips install scripts a project does not allow: the SQLite binding needs its own
    expect((pkg as unknown as { allowScripts: Record<string, boolean> }).allowScripts).toEqual({ "better-sqlite3": true, esbuild: true, "msgpackr-extract": true });
    expect(r.stdout).toContain(`ragraph is not on the npm registry: package.json depends on this checkout (file:${checkout})`);
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(root, join(dir, "node_modules/ragraph"));
    symlinkSync(join(root, "node_modules/tsx"), join(dir, "node_modules/tsx"));
    const check = await ragIn(["check", "hello.rag"], dir);
    expect(check.stderr).toContain("ok: 1 file checked");
    const test = spawnSync(process.execPath, ["--conditions=ragraph-source", "--import", "tsx", "--test", "hello.test.ts"], { cwd: dir, encoding: "utf8", timeout: 60_000 });
    expect(test.stdout).toContain("# pass 1");
    expect(test.status).toBe(0);
  }, 60_000);

  it("writes the ragraph spec --ragraph gives, and ^VERSION when ragraph runs from an installed package", async () => {
    const dir = scratchDir("rag-init-");
    const r = await ragIn(["init", "--ragraph", "^9.9.9"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("not on the npm registry");
    expect((JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies.ragraph).toBe("^9.9.9");
    // an installed copy (no .git, under node_modules) of a project that does not say how
    // it got it (a global install, say) is depended on by version
    const bare = scratchDir("rag-init-");
    const installed = join(bare, "node_modules", "ragraph");
    mkdirSync(join(installed, "dist"), { recursive: true });
    writeFileSync(join(installed, "package.json"), JSON.stringify({ name: "ragraph", dependencies: { tsx: "^4.1.0" } }));
    expect(ragraphSource(undefined, join(installed, "dist", "main.js"))).toEqual({ spec: `^${VERSION}`, tsx: "^4.1.0" });
  });

  it("run from a copy installed from a tarball, depends on that tarball (by absolute path), not on the unpublished ^VERSION", async () => {
    // `npm install ../ragraph-0.1.0.tgz` in `app`, then `npx rag init ../next`.
    const parent = scratchDir("rag-init-");
    const app = join(parent, "app");
    const installed = join(app, "node_modules", "ragraph");
    mkdirSync(join(installed, "dist"), { recursive: true });
    writeFileSync(join(installed, "package.json"), JSON.stringify({ name: "ragraph", dependencies: { tsx: "^4.1.0" } }));
    writeFileSync(join(app, "package.json"), JSON.stringify({ dependencies: { ragraph: "file:../ragraph-0.1.0.tgz" } }));
    const tarball = join(parent, "ragraph-0.1.0.tgz");
    expect(ragraphSource(undefined, join(installed, "dist", "main.js"))).toEqual({ spec: `file:${tarball}`, installedIn: app, tsx: "^4.1.0" });
    // The lockfile's `resolved` is what was installed; it wins over the package.json range.
    writeFileSync(join(app, "package.json"), JSON.stringify({ dependencies: { ragraph: "*" } }));
    writeFileSync(join(app, "package-lock.json"), JSON.stringify({ lockfileVersion: 3, packages: { "node_modules/ragraph": { version: "0.1.0", resolved: "file:../ragraph-0.1.0.tgz" } } }));
    expect(ragraphSource(undefined, join(installed, "dist", "main.js")).spec).toBe(`file:${tarball}`);
  });

  it("refuses to overwrite, naming the files, and writes nothing", async () => {
    const dir = scratchDir("rag-init-");
    writeFileSync(join(dir, "hello.rag"), "mine\n");
    const r = await ragIn(["init"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: rag init: hello.rag already exists; nothing written\n");
    expect(readFileSync(join(dir, "hello.rag"), "utf8")).toBe("mine\n");
  });

  it("in a folder made by `npm init -y` (package.json, .gitignore), merges into them and the project passes its own test", async () => {
    const dir = scratchDir("rag-init-");
    const npmInit = { name: "shop", version: "1.0.0", main: "index.js", scripts: { test: 'echo "Error: no test specified" && exit 1', start: "node server.mjs" }, keywords: [], license: "ISC", type: "commonjs", dependencies: { ragraph: "file:../ragraph-0.1.0.tgz" } };
    writeFileSync(join(dir, "package.json"), JSON.stringify(npmInit, null, 2) + "\n");
    writeFileSync(join(dir, ".gitignore"), "node_modules\ndist/\n");
    const r = await ragIn(["init"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("created 4 files in .:");
    expect(r.stdout).toContain('updated:\n  package.json (added "type": "module" (the scaffold is ES modules), devDependencies.tsx, scripts.check, scripts.test, allowScripts.better-sqlite3, allowScripts.esbuild, allowScripts.msgpackr-extract)\n  .gitignore (lines added)\n');
    // the user's spec is kept, so nothing is said about the one rag init would write
    expect(r.stdout).not.toContain("depends on");
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Record<string, Record<string, string> | string>;
    expect(pkg).toMatchObject({ name: "shop", version: "1.0.0", license: "ISC", type: "module", dependencies: { ragraph: "file:../ragraph-0.1.0.tgz" }, scripts: { start: "node server.mjs", check: "rag check hello.rag", test: "node --import tsx --test hello.test.ts" } });
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toBe("node_modules\ndist/\n.rag/\n.env\n");
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(root, join(dir, "node_modules/ragraph"));
    symlinkSync(join(root, "node_modules/tsx"), join(dir, "node_modules/tsx"));
    expect((await ragIn(["check", "hello.rag"], dir)).stderr).toContain("ok: 1 file checked");
    const test = spawnSync(process.execPath, ["--conditions=ragraph-source", "--import", "tsx", "--test", "hello.test.ts"], { cwd: dir, encoding: "utf8", timeout: 60_000 });
    expect(test.stdout).toContain("# pass 1");
    // run again: every entry is there, and the example files now clash
    expect((await ragIn(["init"], dir)).stderr).toBe("error: rag init: rag.config.ts, hello.rag, .env.example, hello.test.ts already exist; nothing written\n");
  }, 60_000);

  it("refuses a CommonJS package.json beside .js files (setting type module would change them), and a package.json that is not JSON; nothing written", async () => {
    const dir = scratchDir("rag-init-");
    const original = JSON.stringify({ name: "app", type: "commonjs" });
    writeFileSync(join(dir, "package.json"), original);
    writeFileSync(join(dir, "index.js"), "module.exports = 1;\n");
    const r = await ragIn(["init"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: rag init: package\.json does not say "type": "module" and the folder has JavaScript files \(index\.js\).*nothing written\n$/);
    expect(readFileSync(join(dir, "package.json"), "utf8")).toBe(original);
    const bad = scratchDir("rag-init-");
    writeFileSync(join(bad, "package.json"), "{ name: 1 ");
    const b = await ragIn(["init"], bad);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^error: rag init: package\.json is not valid JSON \(.*\); nothing written\n$/);
    expect(existsSync(join(bad, "hello.rag"))).toBe(false);
  });

  it("in the ragraph checkout itself (a newcomer's `npx rag init` after `npm ci`), refuses: ragraph would depend on itself; nothing written", async () => {
    const dir = scratchDir("rag-init-");
    const original = JSON.stringify({ name: "ragraph", type: "module", dependencies: { zod: "^4" } }, null, 2);
    writeFileSync(join(dir, "package.json"), original);
    const r = await ragIn(["init"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: rag init: package.json is ragraph's own package.json; a project goes in a folder of its own: rag init my-project; nothing written\n");
    expect(readFileSync(join(dir, "package.json"), "utf8")).toBe(original);
    expect(existsSync(join(dir, "hello.rag"))).toBe(false);
  });

  it("keeps a package the folder already lists in the other dependency section where it is (no tsx twice)", async () => {
    const dir = scratchDir("rag-init-");
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "app", type: "module", dependencies: { tsx: "^4.0.0" } }));
    const r = await ragIn(["init"], dir);
    expect(r.code).toBe(0);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    expect(pkg.dependencies.tsx).toBe("^4.0.0");
    expect(pkg.devDependencies?.tsx).toBeUndefined();
    expect(pkg.dependencies.ragraph).toBe(`file:${root.replace(/\/$/, "")}`);
  });

  it("a package.json or .gitignore it cannot read is one line, not a stack trace, and nothing is written", async () => {
    for (const name of ["package.json", ".gitignore"]) {
      const dir = scratchDir("rag-init-");
      mkdirSync(join(dir, name)); // a folder where the file is: EISDIR, as root too
      const r = await ragIn(["init"], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`error: rag init: cannot read ${name}: it is a directory; nothing written\n`);
      expect(existsSync(join(dir, "hello.rag"))).toBe(false);
    }
  });

  // A separate process: Node's recursive mkdir spun for good under /proc (ENOENT for the
  // new folder read as "parent missing"); the timeout only stops a hang (code null).
  it.skipIf(process.platform !== "linux")("a folder under /proc is refused at once with one line naming it, exit 2 (it hung)", () => {
    const cwd = scratchDir("rag-init-");
    for (const target of ["/proc/rag-init-x", "/proc/rag-init-x/app"]) {
      const r = rag(["init", target], cwd, {}, 20_000);
      expect(r.code, target).toBe(2);
      expect(r.stderr).toBe(`error: rag init: cannot create folder ${target}: ENOENT (/proc exists but takes no new folders: a kernel file system such as /proc or /sys holds no project); nothing written\n`);
    }
  });

  it("a dangling symlink where a scaffold file goes is a clash: nothing is written through it", async () => {
    const dir = scratchDir("rag-init-");
    const elsewhere = join(scratchDir("rag-elsewhere-"), "planted.rag");
    symlinkSync(elsewhere, join(dir, "hello.rag"));
    const r = await ragIn(["init"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: rag init: hello.rag already exists; nothing written\n");
    expect(existsSync(elsewhere)).toBe(false);
  });

  it("a file it cannot write is one line naming it and what is left unwritten, not a stack trace", async () => {
    // A folder whose path is just under PATH_MAX (4,096 bytes): it can be created, but no
    // file in it can be (ENAMETOOLONG), as root too, unlike a read-only file.
    const base = scratchDir("rag-init-");
    let deep = base;
    while (deep.length < 3_800) deep = join(deep, "d".repeat(200));
    deep = join(deep, "e".repeat(4_092 - deep.length - 1));
    const r = await ragIn(["init", deep], base);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: rag init: cannot write \S+\/\S+: ENAMETOOLONG; not written: \S+(, \S+)+\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("refuses a DIR that is a file, or under a file, with a one-line error and no stack trace", async () => {
    const dir = scratchDir("rag-init-");
    writeFileSync(join(dir, "notes.txt"), "mine\n");
    const r = await ragIn(["init", "notes.txt"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: rag init: notes.txt is a file, not a folder; nothing written\n");
    const under = await ragIn(["init", "notes.txt/proj"], dir);
    expect(under.code).toBe(2);
    expect(under.stderr).toBe("error: rag init: cannot create folder notes.txt/proj: ENOTDIR; nothing written\n");
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("mine\n");
  });
});
