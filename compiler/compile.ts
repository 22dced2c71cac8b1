/**
 * `compile`: `.rag` source → Blueprint IR per graph, plus every diagnostic
 * (`language.md` pipeline: lex → parse → resolve → rules → lower). Never throws for
 * any source text.
 */
import type { Program } from "../grammar/rag/ast.js";
import type { FrontEndLimits } from "../grammar/rag/limits.js";
import { resolveLimits } from "../grammar/rag/limits.js";
import { parseRag } from "../grammar/rag/parse.js";
import { sortDiagnostics, diagnostic, type Diagnostic, type Result } from "../grammar/diagnostic.js";
import type { LineIndex } from "../grammar/span.js";
import type { Blueprint, Provenance } from "./blueprint.js";
import { lowerGraph } from "./lower/graph.js";
import type { RegistryView } from "./registry-view.js";
import { resolveProgram, type ResolvedGraph, type ResolvedProgram } from "./resolve/resolve.js";
import { runRules, standardRules } from "./rules/index.js";

export interface CompileOptions {
  /** File name, used in diagnostics and recorded in `Blueprint.source`. */
  readonly file?: string;
  /** Registry to bind names against; omit for syntax and graph structure only. */
  readonly registry?: RegistryView;
  /** Who or what wrote the source (recorded in every blueprint, outside the hash). */
  readonly provenance?: Provenance;
  readonly limits?: Partial<FrontEndLimits>;
}

export interface Compilation {
  readonly program: Program;
  /** Blueprints of the graphs that compiled without errors, in source order. */
  readonly blueprints: readonly Blueprint[];
  readonly lines: LineIndex;
}

export function compile(source: string, options: CompileOptions = {}): Result<Compilation> {
  const parsed = parseRag(source, { ...(options.file !== undefined ? { file: options.file } : {}), ...(options.limits ? { limits: options.limits } : {}) });
  const resolved = resolveProgram(parsed.value);
  const ruleDiagnostics: Diagnostic[] = [];
  const limits = resolveLimits(options.limits);
  runRules(standardRules(limits.nodesPerGraph), {
    program: resolved,
    registry: options.registry,
    source,
    lines: parsed.lines,
    ...(options.provenance ? { provenance: options.provenance } : {}),
    report: (code, message, span, extras) => ruleDiagnostics.push(diagnostic(code, message, span, options.file !== undefined ? { file: options.file, ...extras } : extras)),
  });
  const diagnostics = sortDiagnostics([...parsed.diagnostics, ...ruleDiagnostics]);
  const blueprints = lowerAll(resolved, diagnostics, options);
  return { value: { program: parsed.value, blueprints, lines: parsed.lines }, diagnostics };
}

/** Lowers every graph free of errors, subgraphs of the file before their callers. */
function lowerAll(resolved: ResolvedProgram, diagnostics: readonly Diagnostic[], options: CompileOptions): Blueprint[] {
  const errors = diagnostics.filter((d) => d.severity === "error");
  const clean = (g: ResolvedGraph) => !errors.some((d) => d.span.start.offset >= g.decl.span.start.offset && d.span.start.offset < g.decl.span.end.offset);
  const hashes = new Map<string, string>();
  const done = new Map<ResolvedGraph, Blueprint>();
  const visiting = new Set<ResolvedGraph>();
  const visit = (g: ResolvedGraph) => {
    if (done.has(g) || visiting.has(g) || !clean(g) || resolved.graphByName.get(g.name) !== g) return;
    visiting.add(g);
    for (const dep of dependencies(g)) {
      const d = resolved.graphByName.get(dep);
      if (d && d !== g) visit(d);
    }
    const bp = lowerGraph(g, { program: resolved, registry: options.registry, schemasUsed: new Set(), agentsUsed: new Set() }, {
      graphHashes: hashes,
      ...(options.provenance ? { provenance: options.provenance } : {}),
      ...(options.file !== undefined ? { file: options.file } : {}),
    });
    hashes.set(g.name, bp.hash);
    done.set(g, bp);
    visiting.delete(g);
  };
  for (const g of resolved.graphs) visit(g);
  return resolved.graphs.filter((g) => done.has(g)).map((g) => done.get(g)!);
}

/** Names of same-file graphs that `g` may call (subgraph nodes and graph send targets). */
function dependencies(g: ResolvedGraph): string[] {
  const out: string[] = [];
  for (const n of g.nodeList) {
    const gi = n.items.get("graph") ?? (n.modelMeaning === "graph" ? n.items.get("model") : undefined);
    if (gi) out.push(gi.value.value);
    for (const s of n.sends) for (const t of s.targets) out.push(t.target.name);
  }
  return out;
}

/**
 * Compiles and picks one graph: `graph` by name, else the first graph of the file.
 * Errors for a missing graph name are diagnostics (`E-rag-unknown-graph`).
 */
export function compileGraph(source: string, options: CompileOptions & { readonly graph?: string } = {}): Result<Blueprint | undefined> & { readonly compilation: Compilation } {
  const r = compile(source, options);
  const ds = [...r.diagnostics];
  const program = r.value.program;
  const graphs = program.items.filter((i) => i.kind === "GraphDecl");
  let bp: Blueprint | undefined;
  if (options.graph !== undefined) {
    bp = r.value.blueprints.find((b) => b.id === options.graph);
    if (!bp && !graphs.some((g) => g.name.name === options.graph)) {
      ds.push(diagnostic("E-rag-unknown-graph", `graph \`${options.graph}\` is not declared in this file`, program.span, {
        ...(options.file !== undefined ? { file: options.file } : {}),
        help: graphs.length ? `graphs in this file: ${graphs.map((g) => `\`${g.name.name}\``).join(", ")}` : "the file declares no graph",
      }));
    }
  } else {
    const firstName = graphs[0]?.name.name;
    bp = r.value.blueprints.find((b) => b.id === firstName);
    if (!graphs.length) ds.push(diagnostic("E-rag-no-graph", "the file declares no graph", program.span, options.file !== undefined ? { file: options.file } : {}));
  }
  return { value: ds.some((d) => d.severity === "error") ? undefined : bp, diagnostics: ds, compilation: r.value };
}
