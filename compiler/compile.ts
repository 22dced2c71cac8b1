/**
 * `compile`: `.rag` source → Blueprint IR per graph, plus every diagnostic
 * (`language.md` pipeline: lex → parse → resolve → rules → lower). Never throws for
 * any source text.
 */
import { afterSyntaxErrors } from "./after-syntax-errors.js";
import type { Program } from "../grammar/rag/ast.js";
import type { FrontEndLimits } from "../grammar/rag/limits.js";
import { resolveLimits } from "../grammar/rag/limits.js";
import { parseRag } from "../grammar/rag/parse.js";
import { sortDiagnostics, diagnostic, type Diagnostic, type Result } from "../grammar/diagnostic.js";
import { didYouMean, MAX_CELLS_PER_COMPILE, withSuggestionBudget } from "../grammar/suggest.js";
import { nameList } from "./rules/name-list.js";
import type { LineIndex } from "../grammar/span.js";
import type { Blueprint, Provenance } from "./blueprint.js";
import { lowerGraph, type GraphLowerOptions } from "./lower/graph.js";
import type { RegistryView } from "./registry-view.js";
import { resolveProgram, type ResolvedGraph, type ResolvedProgram } from "./resolve/resolve.js";
import { reviewRequired, type ApprovalView } from "./policy-view.js";
import { provenanceFromComments } from "./provenance.js";
import { runRules, standardRules } from "./rules/index.js";

export interface CompileOptions {
  /** File name, used in diagnostics and recorded in `Blueprint.source`. */
  readonly file?: string;
  /** Registry to bind names against; omit for syntax and graph structure only. */
  readonly registry?: RegistryView;
  /**
   * Who or what wrote the source (recorded in every blueprint, outside the hash).
   * Defaults to the file's `// rag:generated-by …` pragma (see provenance.ts).
   */
  readonly provenance?: Provenance;
  /**
   * Who or what wrote the source when the file has no `// rag:generated-by` pragma (the
   * CLI's `--provenance`): the pragma wins, as it does when the file runs (`rag run`
   * reads the pragma alone), so a flag cannot make a generated file look hand-written.
   * Ignored when `provenance` is given.
   */
  readonly defaultProvenance?: Provenance;
  /**
   * Approved blueprint hashes. When the registry's policy requires review for this
   * provenance, each compiled graph whose hash is not approved gets
   * `W-rag-review-required` (the runtime refuses to bind it).
   */
  readonly approvals?: ApprovalView;
  readonly limits?: Partial<FrontEndLimits>;
  /** When given, filled with the duration of each phase, ms (`npm run bench:compiler`, the studio). */
  readonly timings?: CompileTimings;
}

/** Wall time of each compile phase, ms: lex + parse + AST; resolve + rules; lowering + hashing. */
export interface CompileTimings {
  parse: number;
  check: number;
  lower: number;
}

export interface Compilation {
  readonly program: Program;
  /** Blueprints of the graphs that compiled without errors, in source order. */
  readonly blueprints: readonly Blueprint[];
  readonly lines: LineIndex;
}

/**
 * Compiles a `.rag` source: parse, resolve, the rules, lowering. The did-you-mean
 * suggestions of all its diagnostics together compare at most `MAX_CELLS_PER_COMPILE`
 * table cells (`withSuggestionBudget`): one per unknown name, each over every name in
 * scope, took a 130 kB file 221 s.
 */
export function compile(source: string, options: CompileOptions = {}): Result<Compilation> {
  return withSuggestionBudget(MAX_CELLS_PER_COMPILE, () => compileSource(source, options));
}

function compileSource(source: string, options: CompileOptions): Result<Compilation> {
  const timings = options.timings;
  let t0 = timings ? performance.now() : 0;
  const lap = (phase: keyof CompileTimings) => {
    if (!timings) return;
    const now = performance.now();
    timings[phase] = now - t0;
    t0 = now;
  };
  const parsed = parseRag(source, { ...(options.file !== undefined ? { file: options.file } : {}), ...(options.limits ? { limits: options.limits } : {}) });
  lap("parse");
  const resolved = resolveProgram(parsed.value);
  const ruleDiagnostics: Diagnostic[] = [];
  const limits = resolveLimits(options.limits);
  const firstItem = parsed.value.items[0]?.span.start.offset ?? source.length;
  const provenance = options.provenance ?? provenanceFromComments(parsed.value.comments, firstItem) ?? options.defaultProvenance;
  runRules(standardRules(limits.nodesPerGraph), {
    program: resolved,
    registry: options.registry,
    source,
    lines: parsed.lines,
    ...(provenance ? { provenance } : {}),
    report: (code, message, span, extras) => ruleDiagnostics.push(diagnostic(code, message, span, options.file !== undefined ? { file: options.file, ...extras } : extras)),
  });
  lap("check");
  // While the file does not parse, the checks' echoes of the syntax error are held back.
  const errorsBefore = [...parsed.diagnostics, ...afterSyntaxErrors(parsed.value, parsed.diagnostics, ruleDiagnostics)];
  const blueprints = lowerAll(resolved, errorsBefore, { ...options, ...(provenance ? { provenance } : {}) }, (g, e) =>
    errorsBefore.push(diagnostic("E-rag-internal", `internal error while lowering graph \`${g.name}\`: ${e instanceof Error ? e.message : String(e)}`, g.decl.name.span, {
      ...(options.file !== undefined ? { file: options.file } : {}),
      help: "this is a bug in ragraph, not in your file; please report it with the file",
    })),
  );
  const review: Diagnostic[] = [];
  if (reviewRequired(options.registry?.policy, provenance)) {
    for (const bp of blueprints) {
      if (options.approvals?.isApproved(bp.hash)) continue;
      const g = resolved.graphByName.get(bp.id)!;
      const who = provenance ? `${provenance.generatedBy}${provenance.author ? ` (${provenance.author})` : ""}` : "";
      review.push(diagnostic("W-rag-review-required", `graph \`${bp.id}\` ${who ? `was generated by ${who} and ` : ""}needs review: it runs only once its hash is approved`, g.decl.name.span, {
        ...(options.file !== undefined ? { file: options.file } : {}),
        label: bp.hash.slice(0, 19) + "…",
        help: `policy \`${options.registry!.policy!.name}\` requires review; read the graph, then approve this exact version with \`rag approve ${options.file ?? "FILE"}${resolved.graphs.length > 1 ? ` --graph ${bp.id}` : ""}\` (any later change needs a new approval)`,
      }));
    }
  }
  const diagnostics = sortDiagnostics([...errorsBefore, ...review]);
  lap("lower");
  return { value: { program: parsed.value, blueprints, lines: parsed.lines }, diagnostics };
}

/** Lowers every graph free of errors, subgraphs of the file before their callers. */
function lowerAll(resolved: ResolvedProgram, diagnostics: readonly Diagnostic[], options: CompileOptions, failed: (g: ResolvedGraph, e: unknown) => void): Blueprint[] {
  // Start offsets of the errors, sorted: a graph is clean when none falls in its span
  // (a binary search per graph; scanning every error per graph was quadratic).
  const errorAt: number[] = [];
  for (const d of diagnostics) if (d.severity === "error") errorAt.push(d.span.start.offset);
  errorAt.sort((a, b) => a - b);
  const clean = (g: ResolvedGraph) => {
    const from = g.decl.span.start.offset;
    let lo = 0;
    let hi = errorAt.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (errorAt[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    return lo === errorAt.length || errorAt[lo]! >= g.decl.span.end.offset;
  };
  // Per graph entered: its blueprint once lowered, null before that or when lowering failed.
  const done = new Map<ResolvedGraph, Blueprint | null>();
  // The hashes of the graphs lowered so far, by name, read from `done` (no second map).
  const hashOf = (name: string) => {
    const g = resolved.graphByName.get(name);
    return g ? done.get(g)?.hash : undefined;
  };
  const hashes = { has: (name: string) => hashOf(name) !== undefined, get: hashOf };
  const graphOptions: GraphLowerOptions = {
    graphHashes: hashes,
    ...(options.provenance ? { provenance: options.provenance } : {}),
    ...(options.file !== undefined ? { file: options.file } : {}),
  };
  // Depth-first, callees before callers, with an explicit stack: a chain of thousands of
  // subgraphs must not overflow the call stack (issue 10 §3).
  const stack: { readonly g: ResolvedGraph; readonly deps: readonly string[]; i: number }[] = [];
  const enter = (g: ResolvedGraph) => {
    if (done.has(g) || !clean(g) || resolved.graphByName.get(g.name) !== g) return;
    done.set(g, null);
    stack.push({ g, deps: dependencies(g), i: 0 });
  };
  const lowerOne = (g: ResolvedGraph) => {
    let bp: Blueprint;
    try {
      bp = lowerGraph(g, { program: resolved, registry: options.registry, schemasUsed: new Set(), agentsUsed: new Set() }, graphOptions);
    } catch (e) {
      failed(g, e);
      return;
    }
    done.set(g, bp);
  };
  for (const root of resolved.graphs) {
    enter(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.i < top.deps.length) {
        const d = resolved.graphByName.get(top.deps[top.i++]!);
        if (d && d !== top.g) enter(d);
        continue;
      }
      stack.pop();
      lowerOne(top.g);
    }
  }
  const out: Blueprint[] = [];
  for (const g of resolved.graphs) {
    const bp = done.get(g);
    if (bp) out.push(bp);
  }
  return out;
}

/** Names of same-file graphs that `g` may call (subgraph nodes and graph send targets). */
function dependencies(g: ResolvedGraph): string[] {
  const out: string[] = [];
  // Indexed loops: this runs once per graph (20,000 times for a file of small graphs),
  // mostly before it is optimized, where each for-of made an iterator and its results.
  const nodes = g.nodeList;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    const gi = n.items.get("graph") ?? (n.modelMeaning === "graph" ? n.items.get("model") : undefined);
    if (gi) out.push(gi.value.value);
    const graphs = n.items.get("graphs")?.value.items;
    if (graphs) {
      for (let j = 0; j < graphs.length; j++) {
        const v = graphs[j]!;
        if (v.kind === "String") out.push(v.value);
      }
    }
    const sends = n.sends;
    for (let j = 0; j < sends.length; j++) {
      const targets = sends[j]!.targets;
      for (let k = 0; k < targets.length; k++) out.push(targets[k]!.target.name);
    }
  }
  return out;
}

/**
 * Compiles and picks one graph: `graph` by name, else the first graph of the file.
 * Errors for a missing graph name are diagnostics (`E-rag-unknown-graph`).
 */
/** Help for `--graph NAME` naming no graph of the file: did-you-mean when one is close, and the file's graphs. */
function graphHelp(name: string, names: readonly string[]): string {
  const list = `graphs in this file: ${nameList(names, names.length)}`;
  const near = didYouMean(name, names);
  return near === undefined ? list : `did you mean \`${near}\`? (${list})`;
}

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
        help: graphs.length ? graphHelp(options.graph, graphs.map((g) => g.name.name)) : "the file declares no graph",
      }));
    }
  } else {
    const firstName = graphs[0]?.name.name;
    bp = r.value.blueprints.find((b) => b.id === firstName);
    if (!graphs.length) ds.push(diagnostic("E-rag-no-graph", "the file declares no graph", program.span, options.file !== undefined ? { file: options.file } : {}));
  }
  return { value: ds.some((d) => d.severity === "error") ? undefined : bp, diagnostics: ds, compilation: r.value };
}
