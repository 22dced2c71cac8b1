/**
 * Import cycles among the package's own source files (test/, node_modules/, dist/ and
 * dot-folders left out), read with the TypeScript parser (syntax only, no type check).
 *
 * Each relative import is an edge of one kind:
 * - `value`: `import … from`, `export … from`, `import "./x.js"` — the target is loaded
 *   (evaluated) before the importer, so a cycle of these makes load order matter: a
 *   module may see another's `const`/`class` still uninitialised (a TDZ ReferenceError).
 * - `type`: `import type`, `export type … from`, `import { type A, type B }` and
 *   `import("./x.js").T` in a type position — erased by tsc/esbuild (under
 *   `verbatimModuleSyntax`, `import { type A }` may stay as a bare `import {}`; it binds
 *   nothing, so it cannot see an uninitialised binding either).
 * - `dynamic`: `await import("./x.js")` — loaded later, after both modules have run.
 *
 * Usage: `npx tsx scripts/import-cycles.ts [--values] [--check] [folder …]`
 *   folders  restrict the report to cycles whose every module lies in one of them
 *            (e.g. `registry repl runtime`); all source folders by default.
 *   --values only the cycles of value imports (the ones that can break loading).
 *   --check  exit 1 when a value cycle is found (for CI).
 * Prints one block per cycle: its modules, then one shortest loop with its edge kinds.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { Digraph, shortestPath } from "../compiler/analysis/digraph.js";
import { stronglyConnected } from "../compiler/analysis/scc.js";

/** How one module depends on another; see the file's doc comment. */
export type ImportKind = "value" | "type" | "dynamic";

/** One relative import between two source files (paths relative to the root, `/`-separated). */
export interface ImportEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: ImportKind;
}

/** A strongly connected set of modules and one shortest loop through them. */
export interface ImportCycle {
  /** The modules of the component, sorted. */
  readonly modules: readonly string[];
  /** One shortest loop `a → b → … → a` (first module repeated at the end), with each step's kind. */
  readonly loop: readonly { readonly from: string; readonly to: string; readonly kind: ImportKind }[];
}

const SKIPPED_DIRS = new Set(["test", "node_modules", "dist"]);

/** The `.ts`/`.tsx` files below `root` (declaration files and SKIPPED_DIRS left out), relative, `/`-separated. */
export function sourceFiles(root: string, dir = ""): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir)).sort()) {
    const rel = dir ? `${dir}/${name}` : name;
    if (name.startsWith(".") || (SKIPPED_DIRS.has(name) && statSync(join(root, rel)).isDirectory())) continue;
    if (statSync(join(root, rel)).isDirectory()) out.push(...sourceFiles(root, rel));
    else if (/\.tsx?$/.test(name) && !name.endsWith(".d.ts")) out.push(rel);
  }
  return out;
}

/** Whether an import/export clause binds only types (`import type`, or every named binding marked `type`). */
function typeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isImportDeclaration(node)) {
    const clause = node.importClause;
    if (!clause) return false; // `import "./x.js"` runs the module
    if (clause.isTypeOnly) return true;
    const named = clause.namedBindings;
    return !clause.name && !!named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
  }
  if (node.isTypeOnly) return true;
  const named = node.exportClause;
  return !!named && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

/** The relative module specifiers of one file's source text, with their kinds. */
export function importsOf(fileName: string, text: string): { specifier: string; kind: ImportKind }[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, fileName.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: { specifier: string; kind: ImportKind }[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, kind: typeOnly(node) ? "type" : "value" });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      found.push({ specifier: node.arguments[0].text, kind: "dynamic" });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, kind: "type" });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found.filter((f) => f.specifier.startsWith("."));
}

/** The file a relative specifier names (`./x.js` → `x.ts` or `x.tsx`), if it is one of `known`. */
function resolveSpecifier(from: string, specifier: string, known: ReadonlySet<string>): string | undefined {
  const base = join(from, "..", specifier).split("\\").join("/");
  const stem = base.replace(/\.(m?js|jsx)$/, "");
  for (const candidate of [base, `${stem}.ts`, `${stem}.tsx`, `${base}/index.ts`]) if (known.has(candidate)) return candidate;
  return undefined;
}

/** Every relative import between the source files below `root`. */
export function importGraph(root: string): { files: string[]; edges: ImportEdge[] } {
  const files = sourceFiles(root);
  const known = new Set(files);
  const edges: ImportEdge[] = [];
  for (const from of files) {
    for (const { specifier, kind } of importsOf(from, readFileSync(join(root, from), "utf8"))) {
      const to = resolveSpecifier(from, specifier, known);
      if (to) edges.push({ from, to, kind });
    }
  }
  return { files, edges };
}

/**
 * The cycles of the import graph over the edges whose kind is in `kinds`: one per
 * strongly connected component of more than one module (or a module importing itself),
 * in a stable order (by first module).
 */
export function importCycles(graph: { files: readonly string[]; edges: readonly ImportEdge[] }, kinds: ReadonlySet<ImportKind>): ImportCycle[] {
  const number = new Map(graph.files.map((f, i) => [f, i]));
  const digraph = new Digraph(graph.files, { vertexOf: (v) => number.get(v) ?? -1 });
  const kindOf = new Map<string, ImportKind>();
  for (const e of graph.edges) {
    if (!kinds.has(e.kind)) continue;
    digraph.addDirectedEdge(e.from, e.to);
    // A pair imported both ways (value and type) is reported by its strongest kind.
    const key = `${e.from}\0${e.to}`;
    if (kindOf.get(key) !== "value") kindOf.set(key, e.kind);
  }
  const cycles: ImportCycle[] = [];
  for (const component of stronglyConnected(digraph, new Set(graph.files))) {
    const members = new Set(component);
    if (component.length === 1 && !digraph.outNeighbors(component[0]).includes(component[0])) continue;
    let best: string[] | null = null;
    for (const v of [...members].sort()) {
      for (const w of digraph.outNeighbors(v)) {
        if (!members.has(w)) continue;
        const back = shortestPath(digraph, w, v);
        if (back && (!best || back.length + 1 < best.length)) best = [v, ...back];
      }
    }
    const path = best ?? [component[0], component[0]];
    const loop = path.slice(1).map((to, i) => ({ from: path[i], to, kind: kindOf.get(`${path[i]}\0${to}`)! }));
    cycles.push({ modules: [...members].sort(), loop });
  }
  return cycles.sort((a, b) => a.modules[0].localeCompare(b.modules[0]));
}

/** Whether every module of `cycle` lies below one of `folders` (all do when `folders` is empty). */
export function cycleWithin(cycle: ImportCycle, folders: readonly string[]): boolean {
  return !folders.length || cycle.modules.every((m) => folders.some((d) => m.startsWith(`${d.replace(/\/$/, "")}/`)));
}

function main(argv: readonly string[]): number {
  const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
  const folders = argv.filter((a) => !a.startsWith("--")).map((a) => relative(root, resolve(a)) || a);
  const graph = importGraph(root);
  const values = importCycles(graph, new Set(["value"]));
  const all = argv.includes("--values") ? [] : importCycles(graph, new Set(["value", "type"]));
  const report = (title: string, cycles: ImportCycle[]): void => {
    const shown = cycles.filter((c) => cycleWithin(c, folders));
    console.log(`${title}: ${shown.length}`);
    for (const c of shown) {
      console.log(`  ${c.modules.length} modules: ${c.modules.join(", ")}`);
      console.log(`    ${c.loop.map((s) => `${s.from} -${s.kind}→`).join(" ")} ${c.loop[0]?.from ?? ""}`);
    }
  };
  console.log(`${graph.files.length} source files, ${graph.edges.length} relative imports`);
  report("value-import cycles (load order)", values);
  if (!argv.includes("--values")) report("cycles including type-only imports", all);
  return argv.includes("--check") && values.some((c) => cycleWithin(c, folders)) ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
