/**
 * Validation rules, after graphql-js: a rule is a plain function that takes the shared
 * context and returns a visitor. All rules run in one traversal (`runRules`); rules
 * report into the context and never throw — a rule that crashes anyway becomes an
 * `E-rag-internal` diagnostic on the declaration it was visiting (Langium's approach),
 * and the other rules still run.
 */
import type { DiagnosticExtras } from "../../grammar/diagnostic.js";
import type { LineIndex, Span } from "../../grammar/span.js";
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

/** Runs `rules` over the program in one traversal. */
export function runRules(rules: readonly Rule[], ctx: RuleContext): void {
  const visitors = rules.map((rule) => ({ rule, v: rule(ctx) }));
  const guard = (ruleName: string, span: Span, f: () => void) => {
    try {
      f();
    } catch (e) {
      ctx.report("E-rag-internal", `internal error in rule ${ruleName}: ${e instanceof Error ? e.message : String(e)}`, span, {
        help: "this is a bug in ragraph, not in your file; please report it with the file",
      });
    }
  };
  for (const { rule, v } of visitors) if (v.program) guard(rule.name, ctx.program.program.span, () => v.program!(ctx.program));
  for (const a of ctx.program.agentList) for (const { rule, v } of visitors) if (v.agent) guard(rule.name, a.decl.name.span, () => v.agent!(a));
  for (const g of ctx.program.graphs) {
    for (const { rule, v } of visitors) if (v.graph) guard(rule.name, g.decl.name.span, () => v.graph!(g));
    for (const n of g.nodeList) for (const { rule, v } of visitors) if (v.node) guard(rule.name, n.decl.name.span, () => v.node!(n, g));
  }
}
