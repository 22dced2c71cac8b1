/**
 * Validation rules, after graphql-js: a rule is a plain function that takes the shared
 * context and returns a visitor. All rules run in one traversal (`runRules`); rules
 * report into the context and never throw — a rule that crashes anyway becomes an
 * `E-rag-internal` diagnostic on the declaration it was visiting (Langium's approach),
 * and the other rules still run.
 */
import type { DiagnosticExtras } from "../../grammar/diagnostic.js";
import type { LineIndex, Span } from "../../grammar/span.js";
import { forgetGraph } from "../analysis/graph-cache.js";
import { extrasWithoutEmptyNames, withoutEmptyNames } from "../diagnostics/unnamed.js";
import type { Provenance } from "../blueprint.js";
import type { RegistryView } from "../registry-view.js";
import type { ResolvedAgent, ResolvedGraph, ResolvedNode, ResolvedProgram } from "../resolve/resolve.js";

export interface RuleContext {
  readonly program: ResolvedProgram;
  /** The registry to bind names against; undefined = compile only (no capability binding). */
  readonly registry: RegistryView | undefined;
  /** Who or what wrote the source (`CompileOptions.provenance`, or the file's `rag:generated-by` pragma). */
  readonly provenance?: Provenance;
  /** The source text and its line index, for fixes that insert text. */
  readonly source: string;
  readonly lines: LineIndex;
  report(code: string, message: string, span: Span, extras?: DiagnosticExtras): void;
}

export interface RuleVisitor {
  program?(p: ResolvedProgram): void;
  graph?(g: ResolvedGraph): void;
  node?(n: ResolvedNode, g: ResolvedGraph): void;
  agent?(a: ResolvedAgent): void;
}

export type Rule = (ctx: RuleContext) => RuleVisitor;

/** Runs `rules` over the program in one traversal (no allocation per rule and node: this loop runs rules × nodes times). */
export function runRules(rules: readonly Rule[], given: RuleContext): void {
  // Recovery may leave a declaration without a name: no message may say "agent ``".
  const ctx: RuleContext = { ...given, report: (code, message, span, extras) => given.report(code, withoutEmptyNames(message), span, extrasWithoutEmptyNames(extras)) };
  const visitors = rules.map((rule) => ({ name: rule.name, v: rule(ctx) }));
  const crashed = (ruleName: string, span: Span, e: unknown) =>
    ctx.report("E-rag-internal", `internal error in rule ${ruleName}: ${e instanceof Error ? e.message : String(e)}`, span, {
      help: "this is a bug in ragraph, not in your file; please report it with the file",
    });
  for (const { name, v } of visitors) {
    if (!v.program) continue;
    try {
      v.program(ctx.program);
    } catch (e) {
      crashed(name, ctx.program.program.span, e);
    }
  }
  const agentVisitors = visitors.filter((x) => x.v.agent);
  for (const a of ctx.program.agentList) {
    for (const { name, v } of agentVisitors) {
      try {
        v.agent!(a);
      } catch (e) {
        crashed(name, a.decl.name.span, e);
      }
    }
  }
  // The graph methods likewise (they run once per graph: 20,000 times each in a file of
  // small graphs), by index, with no iterator or destructured pair per rule and graph.
  const graphVisitors = visitors.filter((x) => x.v.graph);
  const graphFns = graphVisitors.map((x) => x.v.graph!);
  const graphThis = graphVisitors.map((x) => x.v);
  // The node methods and their visitors as parallel arrays, read once: loading `v.node`
  // from ~40 visitor objects of as many shapes was a megamorphic property load per rule
  // and node (measured: ~3% of a warm 1,000-node compile).
  const nodeVisitors = visitors.filter((x) => x.v.node);
  const nodeFns = nodeVisitors.map((x) => x.v.node!);
  const nodeThis = nodeVisitors.map((x) => x.v);
  const graphs = ctx.program.graphs;
  for (let gi = 0; gi < graphs.length; gi++) {
    const g = graphs[gi]!;
    for (let j = 0; j < graphFns.length; j++) {
      try {
        graphFns[j]!.call(graphThis[j], g);
      } catch (e) {
        crashed(graphVisitors[j]!.name, g.decl.name.span, e);
      }
    }
    // indexed loops: this body runs rules × nodes times, often before the function is
    // optimized, where a for-of made an iterator result object per step
    const nodes = g.nodeList;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      for (let j = 0; j < nodeFns.length; j++) {
        try {
          nodeFns[j]!.call(nodeThis[j], n, g);
        } catch (e) {
          crashed(nodeVisitors[j]!.name, n.decl.name.span, e);
        }
      }
    }
    // Every rule has seen `g`: its cached analyses are garbage now (graph-cache.ts).
    forgetGraph(g);
  }
}
