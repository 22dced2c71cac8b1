/**
 * The architecture mirrors the pipeline: a stage imports only from stages before it,
 * nothing imports `cli/`, and `grammar/`, `compiler/` and `language-service/` use no Node
 * built-ins (they run in a browser worker in the studio), and no modules import each
 * other's values in a cycle.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cycleWithin, importCycles, importGraph } from "../scripts/import-cycles.js";

const root = new URL("../", import.meta.url).pathname;
const STAGES = ["grammar", "compiler", "language-service", "registry", "runtime", "stdlib", "simulate", "scale", "repl", "server", "cli", "studio"] as const;
/** Stages each stage may import from (stdlib and repl may use runtime and registry). */
const ALLOWED: Record<(typeof STAGES)[number], string[]> = {
  grammar: [],
  compiler: ["grammar"],
  "language-service": ["grammar", "compiler"],
  registry: ["grammar", "compiler", "language-service"],
  runtime: ["grammar", "compiler", "language-service", "registry"],
  stdlib: ["grammar", "compiler", "language-service", "registry", "runtime"],
  simulate: ["grammar", "compiler", "language-service", "registry", "runtime", "stdlib"],
  scale: ["grammar", "compiler", "language-service", "registry", "runtime", "stdlib"],
  repl: ["grammar", "compiler", "language-service", "registry", "runtime", "stdlib"],
  server: ["grammar", "compiler", "language-service", "registry", "runtime", "stdlib", "scale", "repl"],
  cli: ["grammar", "compiler", "language-service", "registry", "runtime", "stdlib", "simulate", "scale", "repl", "server", "studio"],
  studio: ["grammar", "compiler", "language-service", "registry", "runtime", "stdlib", "repl"],
};
const BROWSER_SAFE_PACKAGES = new Set(["chevrotain", "string-width", "#chevrotain", "@noble/hashes"]);

function files(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(join(root, dir));
  } catch {
    return [];
  }
  return entries.flatMap((f) => {
    const p = join(dir, f);
    if (f === "node_modules") return [];
    return statSync(join(root, p)).isDirectory() ? files(p) : /\.(ts|tsx)$/.test(p) && !p.endsWith(".d.ts") ? [p] : [];
  });
}

function imports(file: string): string[] {
  const src = readFileSync(join(root, file), "utf8");
  return [...src.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']/g), ...src.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
}

describe("architecture", () => {
  for (const stage of STAGES) {
    it(`${stage}/ imports only from earlier stages`, () => {
      const bad: string[] = [];
      for (const f of files(stage)) {
        for (const spec of imports(f)) {
          if (!spec.startsWith(".")) continue;
          const target = join(f, "..", spec).split("/")[0];
          if (target !== stage && (STAGES as readonly string[]).includes(target) && !ALLOWED[stage].includes(target)) bad.push(`${f} → ${spec}`);
        }
      }
      expect(bad).toEqual([]);
    });
  }

  for (const stage of ["grammar", "compiler", "language-service"]) {
    it(`${stage}/ uses no Node built-ins and only browser-safe packages`, () => {
      const bad: string[] = [];
      for (const f of files(stage)) {
        for (const spec of imports(f)) {
          if (spec.startsWith(".")) continue;
          const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
          if (spec.startsWith("node:") || builtinModules.includes(pkg) || !BROWSER_SAFE_PACKAGES.has(pkg)) bad.push(`${f} → ${spec}`);
        }
        if (/\bprocess\.|\bBuffer\b|\brequire\(/.test(readFileSync(join(root, f), "utf8"))) bad.push(`${f} uses a Node global`);
      }
      expect(bad).toEqual([]);
    });
  }

  it("studio/app/ (the browser bundle) imports nothing Node-only", () => {
    const bad: string[] = [];
    for (const f of files("studio/app")) {
      for (const spec of imports(f)) {
        const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
        if (spec.startsWith("node:") || builtinModules.includes(pkg)) bad.push(`${f} → ${spec}`);
        // The page's language worker bundles the browser-safe stages (grammar/, compiler/,
        // language-service/; test/robustness/browser-bundle.test.ts); everything else is the server's.
        if (spec.startsWith(".") && !["studio", "grammar", "compiler", "language-service"].includes(join(f, "..", spec).split("/")[0])) bad.push(`${f} → ${spec} (the page talks to the server over the API)`);
      }
      if (/\bprocess\.|\bBuffer\b|\brequire\(/.test(readFileSync(join(root, f), "utf8"))) bad.push(`${f} uses a Node global`);
    }
    expect(files("studio/app").length).toBeGreaterThan(3);
    expect(bad).toEqual([]);
  });

  // Type-only imports are erased, so only value imports can form a load-order cycle.
  it("`ragraph/config` (loaded by every command that reads a rag.config.ts) does not reach the diagnostics renderer", () => {
    // A value import of `compiler/index.js` from a module `config.ts` reaches pulls in
    // everything the compiler's index re-exports with top-level effects — the renderer and
    // string-width (an Intl.Segmenter set-up) among them: `capLimit` imported that way from
    // stdlib/kinds made every `rag check` ≈ 50 ms slower. Import the module itself instead.
    // `import { type A, type B } from …` is erased like `import type`.
    const typeOnly = (stmt: string): boolean => {
      const names = /^[^{]*\{([^}]*)\}/.exec(stmt.trim())?.[1].split(",").map((x) => x.trim()).filter(Boolean);
      return !!names?.length && names.every((x) => x.startsWith("type ")) && !/^\s*(import|export)\s+\w+\s*,/.test(stmt.trim());
    };
    const seen = new Set<string>();
    const via = new Map<string, string>();
    const queue = ["config.ts"];
    while (queue.length) {
      const f = queue.shift()!;
      if (seen.has(f)) continue;
      seen.add(f);
      const src = readFileSync(join(root, f), "utf8");
      for (const m of src.matchAll(/(?:^|\n)\s*(import|export)\s+(type\s)?[^;]*?from\s+["'](\.[^"']+)["']/g)) {
        if (m[2] || typeOnly(m[0])) continue;
        const dep = join(f, "..", m[3]).replace(/\.js$/, ".ts");
        if (!via.has(dep)) via.set(dep, f);
        queue.push(dep);
      }
    }
    const path = (f: string): string => (via.has(f) ? `${path(via.get(f)!)} → ${f}` : f);
    for (const heavy of ["compiler/diagnostics/render.ts", "compiler/diagnostics/line-window.ts"]) expect(seen.has(heavy) ? path(heavy) : "not reached").toBe("not reached");
  });

  // scripts/import-cycles.ts reads every import with the TypeScript parser: `import type`,
  // `import { type A }` and `export type … from` are erased (type-level), `import "./x.js"`
  // loads the module, `await import()` runs after both modules have loaded.
  let built: ReturnType<typeof importGraph> | undefined;
  const graph = (): ReturnType<typeof importGraph> => (built ??= importGraph(root));

  it("no module is part of a cycle of value imports (within or across stages)", () => {
    expect(graph().files.length).toBeGreaterThan(200);
    expect(graph().files).toContain("runtime/run.ts");
    expect(importCycles(graph(), new Set(["value"])).map((c) => c.loop.map((s) => `${s.from} → ${s.to}`).join(", "))).toEqual([]);
  });

  it("runtime/ has no import cycle at all, type-only imports included", () => {
    // Types the loop, the task runner and the branch runners share live in leaf modules
    // (loop-graph.ts, task-env.ts, branch-runner.ts), so no module of runtime/ needs one
    // that needs it back, even for a type.
    const cycles = importCycles(graph(), new Set(["value", "type"])).filter((c) => cycleWithin(c, ["runtime"]));
    expect(cycles.map((c) => c.loop.map((s) => `${s.from} -${s.kind}→ ${s.to}`).join(", "))).toEqual([]);
  });

  it("repl/ has no import cycle at all, and registry/ only the registry ↔ node-kind contract", () => {
    // The built-ins see the session through SessionCore (session-core.ts), goto targets and
    // run identity live in leaf modules (registry/goto.ts, run-info.ts), and signatures read
    // a structural SignatureSources. What is left is inherent: the Registry holds node kinds,
    // and a node kind's task carries the Registry (both type-only).
    const loops = (stage: string) =>
      importCycles(graph(), new Set(["value", "type"]))
        .filter((c) => cycleWithin(c, [stage]))
        .map((c) => c.loop.map((s) => `${s.from} -${s.kind}→ ${s.to}`).join(", "));
    expect(loops("repl")).toEqual([]);
    expect(loops("registry")).toEqual(["registry/node-kind.ts -type→ registry/registry.ts, registry/registry.ts -type→ registry/node-kind.ts"]);
  });
});
