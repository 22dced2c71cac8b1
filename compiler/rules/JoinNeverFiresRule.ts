/**
 * Joins that can never fire (`language.md` §2.1, §2.3), `E-rag-join-never-fires`:
 * - a barrier (`join [a, b] -> c`, or a `join` node's `sources`) with a source that no
 *   path from START reaches: the barrier waits for it forever;
 * - a barrier whose sources are alternative routes of one node that no loop re-enters:
 *   only one of them runs, so the others never arrive;
 * - `join X wait N` with N above the number of branches the node's `send` starts (when
 *   that number is fixed, i.e. no `for … in` comprehension).
 */
import type * as A from "../../grammar/rag/ast.js";
import type { Span } from "../../grammar/span.js";
import { flowGraph } from "../analysis/flow.js";
import { termination } from "../analysis/termination.js";
import type { ResolvedGraph } from "../resolve/resolve.js";
import { isFirstDeclaration } from "../resolve/resolve.js";
import type { Rule, RuleContext } from "./rule.js";

interface Barrier {
  readonly sources: readonly { readonly name: string; readonly span: Span }[];
  readonly target: string;
  readonly span: Span;
  readonly what: string;
}

function barriers(g: ResolvedGraph): Barrier[] {
  const out: Barrier[] = g.joinEdges.map((j) => ({
    sources: j.sources.filter((s) => s.name).map((s) => ({ name: s.name, span: s.span })),
    target: j.target.name,
    span: j.keyword.span,
    what: `\`join [${j.sources.map((s) => s.name).join(", ")}] -> ${j.target.name}\``,
  }));
  for (let ni = 0, nl = g.nodeList; ni < nl.length; ni++) {
    const n = nl[ni]!;
    if (!isFirstDeclaration(g, n) || n.kind !== "join") continue;
    const items = n.items.get("sources")?.value.items ?? [];
    const sources = items.flatMap((v) => (v.kind === "Word" && v.name ? [{ name: v.name, span: v.span }] : v.kind === "String" ? [{ name: v.value, span: v.span }] : []));
    if (sources.length) out.push({ sources, target: n.name, span: n.decl.name.span, what: `join node \`${n.name}\`` });
  }
  return out;
}

function checkBarrier(ctx: RuleContext, g: ResolvedGraph, b: Barrier): void {
  const flow = flowGraph(g);
  const known = b.sources.filter((s) => g.nodes.has(s.name));
  const missing = known.find((s) => !flow.reachable.has(s.name));
  if (missing) {
    ctx.report("E-rag-join-never-fires", `${b.what} never fires: \`${missing.name}\` is never reached`, missing.span, {
      label: "never runs, so it never arrives",
      labels: [{ span: b.span, message: "waits for every source" }],
      help: `route to \`${missing.name}\` from the fan-out, or drop it from the sources`,
    });
    return;
  }
  if (known.length < 2) return;
  const preds = known.map((s) => new Set((flow.into.get(s.name) ?? []).map((e) => e.from)));
  const only = preds.map((p) => (p.size === 1 ? [...p][0] : undefined));
  const router = only[0];
  if (router === undefined || !only.every((p) => p === router) || termination(g).onCycle(router)) return;
  const viaRoutes = known.every((s) => (flow.into.get(s.name) ?? []).every((e) => e.kind === "route" || e.kind === "when" || e.kind === "else"));
  if (!viaRoutes) return;
  ctx.report("E-rag-join-never-fires", `${b.what} never fires: its sources are alternative routes of \`${router}\``, b.span, {
    label: "waits for all of them",
    labels: known.map((s) => ({ span: s.span, message: `only runs when \`${router}\` picks it` })),
    help: `\`${router}\` takes one route per run, so only one source arrives; use \`next [${known.map((s) => s.name).join(", ")}]\` to run them all, or route each one to \`${b.target}\` directly`,
  });
}

function checkWait(ctx: RuleContext, n: { name: string; sends: readonly A.SendItem[] }, join: A.JoinItem): void {
  const w = join.wait;
  if (!w || typeof w.policy !== "number") return;
  const targets = n.sends.flatMap((s) => s.targets);
  if (!targets.length || targets.some((t) => t.forEach)) return;
  if (w.policy <= targets.length) return;
  ctx.report("E-rag-join-never-fires", `\`join ${join.target.name} wait ${w.policy}\` never fires: node \`${n.name}\` starts only ${targets.length} branch${targets.length === 1 ? "" : "es"}`, w.span, {
    label: `waits for ${w.policy}`,
    help: `wait for at most ${targets.length}, or \`wait all\``,
    fixes: [{ span: w.span, replacement: "all", description: "wait for all branches (`wait all`)" }],
  });
}

export const JoinNeverFiresRule: Rule = (ctx) => ({
  graph(g) {
    if (flowGraph(g).hasEntry && flowGraph(g).complete) for (const b of barriers(g)) checkBarrier(ctx, g, b);
  },
  node(n) {
    const join = n.items.get("join");
    if (join) checkWait(ctx, n, join);
  },
});
