/**
 * `rag init [DIR]`: scaffolds a runnable project — a `rag.config.ts` with the scripted
 * provider (no network, no API key), one example `.rag`, `.env.example` for real
 * providers, and a test (`npm test`, Node's test runner through tsx) that runs the
 * example. Refuses to overwrite existing files; an existing `package.json` or
 * `.gitignore` gets the scaffold's entries merged in (`init-merge.ts`).
 */
import { existsSync, lstatSync, readFileSync, statSync, writeFileSync, type Stats } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { readTextFile, TextFileError } from "../../runtime/read-text-file.js";
import { makeFolders } from "../../registry/make-folders.js";
import { CliError } from "../errors.js";
import { VERSION } from "../version.js";
import { mergeGitignore, mergePackageJson } from "./init-merge.js";

/** Largest `package.json` or `.gitignore` `rag init` merges into, bytes. */
export const MAX_MERGED_BYTES = 4 * 1024 * 1024;

/** Where the running ragraph lives and how a new project should depend on it. */
export interface RagraphSource {
  /** The `dependencies.ragraph` spec written into the scaffold's package.json: `^0.1.0`, or `file:/abs/path` for a checkout. */
  readonly spec: string;
  /** The checkout's folder when `spec` is a `file:` spec (ragraph is not on the npm registry), else undefined. */
  readonly checkout?: string;
  /** The project whose `node_modules` holds the running ragraph, when `spec` is the one that project installed it from. */
  readonly installedIn?: string;
  /** The `tsx` version range ragraph itself depends on (the scaffold's test runs through tsx). */
  readonly tsx: string;
}

/**
 * How the scaffold depends on ragraph. Run from a git checkout (a package root that is
 * not inside `node_modules` and has a `.git`), the project depends on that checkout by a
 * `file:` spec — ragraph is not published on the npm registry, where `^VERSION` would
 * fail `npm install` with E404. Installed into a project (`<project>/node_modules/ragraph`),
 * it depends on ragraph the way that project does — its lockfile's `resolved`, else its
 * package.json spec, a relative `file:` made absolute (`npm install ../ragraph-0.1.0.tgz`
 * then `npx rag init app` gives `app` the same tarball); found nowhere, `^VERSION`.
 * `override` (`rag init --ragraph SPEC`) wins over all.
 */
export function ragraphSource(override?: string, from: string = fileURLToPath(import.meta.url)): RagraphSource {
  let root: string | undefined;
  let tsx = "^4";
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown; dependencies?: Record<string, unknown> };
      if (pkg.name === "ragraph") {
        root = dir;
        if (typeof pkg.dependencies?.tsx === "string") tsx = pkg.dependencies.tsx;
        break;
      }
    } catch {
      // no package.json here: go up
    }
    if (dirname(dir) === dir) break;
  }
  if (override !== undefined) return { spec: override, tsx };
  const checkout = root !== undefined && !root.split(sep).includes("node_modules") && existsSync(join(root, ".git"));
  if (checkout) return { spec: `file:${root}`, checkout: root, tsx };
  const installed = root === undefined ? undefined : installedSpec(root);
  return installed ? { spec: installed.spec, installedIn: installed.project, tsx } : { spec: `^${VERSION}`, tsx };
}

/** How the project holding `root` (`<project>/node_modules/ragraph`) installed it, or undefined. */
function installedSpec(root: string): { spec: string; project: string } | undefined {
  const parts = root.split(sep);
  const at = parts.lastIndexOf("node_modules");
  if (at < 0 || parts.slice(at + 1).join(sep) !== "ragraph") return undefined;
  const project = parts.slice(0, at).join(sep) || sep;
  const read = (file: string): Record<string, unknown> | undefined => {
    try {
      return JSON.parse(readFileSync(join(project, file), "utf8")) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };
  const lock = read("package-lock.json") as { packages?: Record<string, { resolved?: unknown } | undefined> } | undefined;
  const pkg = read("package.json") as { dependencies?: Record<string, unknown>; devDependencies?: Record<string, unknown> } | undefined;
  const found = [lock?.packages?.["node_modules/ragraph"]?.resolved, pkg?.dependencies?.ragraph, pkg?.devDependencies?.ragraph].find((x): x is string => typeof x === "string" && x.length > 0);
  if (found === undefined) return undefined;
  // A registry URL (a published version, someday): the plain version range is what to write.
  if (/^https?:\/\/[^/]*registry/.test(found)) return undefined;
  return { spec: found.startsWith("file:") ? `file:${resolve(project, found.slice("file:".length))}` : found, project };
}

/** The scaffold: file name → text. `source` says how its package.json depends on ragraph (default: `^VERSION`). */
export function scaffold(source: RagraphSource = { spec: `^${VERSION}`, tsx: "^4" }): Record<string, string> {
  return {
    "package.json":
      JSON.stringify(
        {
          name: "my-rag-project",
          private: true,
          type: "module",
          scripts: { check: "rag check hello.rag", test: "node --import tsx --test hello.test.ts" },
          dependencies: { ragraph: source.spec },
          // the test runs through tsx; a `file:` dependency is linked, not installed, so
          // ragraph's own tsx is not hoisted into this project
          devDependencies: { tsx: source.tsx },
          // npm 11 warns about, and npm 12 skips, dependency install scripts not listed
          // here: better-sqlite3 builds the SQLite checkpointer's native binding with one
          // (msgpackr-extract: bullmq's optional faster serializer; esbuild: tsx's).
          allowScripts: { "better-sqlite3": true, esbuild: true, "msgpackr-extract": true },
        },
        null,
        2,
      ) + "\n",
    "rag.config.ts": `import { defineConfig, scripted } from "ragraph/config";

// The model \`default\` answers from a script: deterministic, offline, no API key.
// For a real model: { provider: "openai", model: "gpt-4o-mini" } (OPENAI_API_KEY in .env).
export default defineConfig({
  models: {
    default: {
      provider: scripted({
        name: "hello script",
        rules: [{ when: { node: "greet" }, reply: (req) => \`Hello, \${String(req.messages.at(-1)?.content).replace(/^Greet /, "")}!\` }],
      }),
    },
  },
  defaultInputs: { hello: { name: "world" } },
});
`,
    "hello.rag": `graph hello {
  start greet
  input { name: string }
  state { greeting: string }
  node greet {
    kind model
    model "default"
    prompt "Greet {{ input.name }}"
    writes greeting
    next END
  }
}
`,
    ".env.example": "# Copy to .env (rag loads it): keys for real providers.\nOPENAI_API_KEY=\nANTHROPIC_API_KEY=\n",
    ".gitignore": "node_modules/\n.rag/\n.env\n",
    "hello.test.ts": `import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { CompiledGraph, compileGraph, registryFromConfig } from "ragraph";
import config from "./rag.config.ts";

test("hello greets by name", async () => {
  const registry = registryFromConfig(config);
  const compiled = compileGraph(readFileSync(new URL("hello.rag", import.meta.url), "utf8"), { file: "hello.rag", registry: registry.view() });
  assert.ok(compiled.value, JSON.stringify(compiled.diagnostics));
  let last;
  for await (const event of new CompiledGraph(compiled.value, { registry }).stream({ name: "Ada" })) last = event;
  assert.equal(last?.type, "run_completed", JSON.stringify(last));
  assert.equal(last.state.greeting, "Hello, Ada!");
});
`,
  };
}

/** What `path` names (not followed: a symlink, even a dangling one, is itself), or undefined when nothing is there. */
function entry(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Writes the scaffold into `dir` (default: the current directory, created when missing);
 * exit 0, or 2 (a `CliError`) when a file exists or `dir` is a file or cannot be created.
 * `options.ragraph` is the `dependencies.ragraph` spec to write instead of the one
 * `ragraphSource` picks.
 */
export async function initCommand(dir: string | undefined, options: { readonly ragraph?: string; readonly json?: boolean } = {}): Promise<number> {
  const target = resolve(dir ?? ".");
  const source = ragraphSource(options.ragraph);
  const files = scaffold(source);
  const shown = relative(process.cwd(), target) || ".";
  if (existsSync(target) && !statSync(target).isDirectory()) throw new CliError(`rag init: ${shown} is a file, not a folder; nothing written`);
  // An existing package.json or .gitignore (`npm init -y` first) is merged into, not refused.
  const merged: string[] = [];
  const mergeInto = (name: "package.json" | ".gitignore"): void => {
    const path = join(target, name);
    const st = entry(path);
    if (!st) return;
    // Merged in place, so it must be the project's own file: a link (a cloned repository
    // can carry one) had the scaffold's lines written through it into the file it names,
    // and a FIFO blocked `rag init` for good.
    if (st.isSymbolicLink()) throw new CliError(`rag init: ${join(shown, name)} is a symbolic link; rag init merges only into a regular file there (replace the link with a copy); nothing written`);
    let existing: string;
    try {
      existing = readTextFile(path, MAX_MERGED_BYTES);
    } catch (err) {
      throw new CliError(`rag init: ${err instanceof TextFileError ? err.message.replace(path, join(shown, name)) : `cannot read ${join(shown, name)}: ${String(err)}`}; nothing written`);
    }
    if (name === "package.json") {
      const m = mergePackageJson(existing, files[name]!, join(shown, name), target);
      files[name] = m.text;
      merged.push(`  ${name} (added ${m.notes.length ? m.notes.join(", ") : "nothing: it had every entry"})\n`);
    } else {
      const text = mergeGitignore(existing, files[name]!);
      if (text === undefined) delete files[name];
      else files[name] = text;
      merged.push(`  ${name} (${text === undefined ? "had every line" : "lines added"})\n`);
    }
  };
  // lstat, not existsSync: a dangling symlink where a file goes would have the write land where it points.
  const clash = Object.keys(files).filter((f) => f !== "package.json" && f !== ".gitignore" && entry(join(target, f)) !== undefined);
  if (clash.length) throw new CliError(`rag init: ${clash.map((f) => join(shown, f)).join(", ")} already exist${clash.length === 1 ? "s" : ""}; nothing written`);
  mergeInto("package.json");
  mergeInto(".gitignore");
  try {
    // One level at a time (registry/make-folders.ts): Node's recursive mkdir never returned under /proc.
    makeFolders(target);
  } catch (err) {
    // A parent that is a file (ENOTDIR), no permission (EACCES), a read-only disk (EROFS),
    // a kernel file system that takes no new folders (ENOENT under an existing /proc).
    const e = err as NodeJS.ErrnoException;
    const refused = e.code === "ENOENT" && typeof e.path === "string" && existsSync(dirname(e.path)) ? ` (${dirname(e.path)} exists but takes no new folders: a kernel file system such as /proc or /sys holds no project)` : "";
    throw new CliError(`rag init: cannot create folder ${shown.startsWith("..") ? target : shown}: ${e.code ?? String(err)}${refused}; nothing written`);
  }
  for (const [name, text] of Object.entries(files)) {
    try {
      writeFileSync(join(target, name), text);
    } catch (err) {
      // A read-only file (EACCES) or a full disk (ENOSPC): one line, naming what is left unwritten.
      const left = Object.keys(files).slice(Object.keys(files).indexOf(name));
      throw new CliError(`rag init: cannot write ${join(shown, name)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}; not written: ${left.join(", ")}`);
    }
  }
  const created = Object.keys(files).filter((f) => !merged.some((m) => m.startsWith(`  ${f} `)));
  // A package.json that already depended on ragraph keeps its spec: nothing to say about the one written.
  const wroteSpec = !merged.some((m) => m.startsWith("  package.json ")) || merged.some((m) => m.startsWith("  package.json ") && m.includes("dependencies.ragraph"));
  const note = !wroteSpec
    ? ""
    : source.checkout
      ? `ragraph is not on the npm registry: package.json depends on this checkout (${source.spec}); \`rag init --ragraph SPEC\` writes another spec\n`
      : source.installedIn
        ? `package.json depends on ragraph as ${source.installedIn} does (${source.spec}); \`rag init --ragraph SPEC\` writes another spec\n`
        : "";
  const next = [...(shown === "." ? [] : [`cd ${shown}`]), "npm install", "npx rag run hello.rag", "npm test"];
  if (options.json) {
    const updated = Object.keys(files).filter((f) => merged.some((m) => m.startsWith(`  ${f} `)));
    process.stdout.write(JSON.stringify({ dir: shown, created, updated, ...(note ? { note: note.trim() } : {}), next }) + "\n");
    return 0;
  }
  process.stdout.write(`created ${created.length} files in ${shown}:\n${created.map((f) => `  ${f}\n`).join("")}${merged.length ? `updated:\n${merged.join("")}` : ""}${note}next:\n${shown === "." ? "" : `  cd ${shown}\n`}  npm install\n  npx rag run hello.rag\n  npm test\n`);
  return 0;
}
