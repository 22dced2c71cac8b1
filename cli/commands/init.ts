/**
 * `rag init [DIR]`: scaffolds a runnable project — a `rag.config.ts` with the scripted
 * provider (no network, no API key), one example `.rag`, `.env.example` for real
 * providers, and a test (`npm test`, Node's test runner through tsx) that runs the
 * example. Refuses to overwrite existing files.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { CliError } from "../errors.js";
import { VERSION } from "../version.js";

/** The scaffold: file name → text. */
export function scaffold(): Record<string, string> {
  return {
    "package.json": JSON.stringify({ name: "my-rag-project", private: true, type: "module", scripts: { check: "rag check hello.rag", test: "node --import tsx --test hello.test.ts" }, dependencies: { ragraph: `^${VERSION}` } }, null, 2) + "\n",
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

/** Writes the scaffold into `dir` (default: the current directory); exit 0, or 2 when a file exists. */
export async function initCommand(dir: string | undefined): Promise<number> {
  const target = resolve(dir ?? ".");
  const files = scaffold();
  const clash = Object.keys(files).filter((f) => existsSync(join(target, f)));
  if (clash.length) throw new CliError(`rag init: ${clash.map((f) => join(relative(process.cwd(), target) || ".", f)).join(", ")} already exist${clash.length === 1 ? "s" : ""}; nothing written`);
  mkdirSync(target, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(target, name), text);
  const shown = relative(process.cwd(), target) || ".";
  process.stdout.write(`created ${Object.keys(files).length} files in ${shown}:\n${Object.keys(files).map((f) => `  ${f}\n`).join("")}next:\n${shown === "." ? "" : `  cd ${shown}\n`}  npm install\n  npx rag run hello.rag\n  npm test\n`);
  return 0;
}
