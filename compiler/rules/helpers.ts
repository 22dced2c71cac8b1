/**
 * Helpers shared by several rules: node-reference checks with did-you-mean, and the
 * list of a node's routing sources.
 */
import type * as A from "../../grammar/rag/ast.js";
import { didYouMean } from "../../grammar/suggest.js";
import type { ResolvedGraph, ResolvedNode } from "../resolve/resolve.js";
import type { RuleContext } from "./rule.js";
import { nameList } from "./name-list.js";

/**
 * Reports `ref` when it names no node of `g` (`E-rag-unknown-node`), with a fix when
 * one name is close. `END` is a valid target; `START` never is.
 */
export function checkNodeRef(ctx: RuleContext, g: ResolvedGraph, ref: A.NodeRef | A.Identifier, what: string, allowEnd = true): void {
  const name = ref.name;
  if (!name) return;
  if (name === "END") {
    if (!allowEnd) ctx.report("E-rag-unknown-node", `${what} cannot be \`END\``, ref.span, { label: "`END` is not a node" });
    return;
  }
  if (name === "START") {
    ctx.report("E-rag-start-as-target", `${what} cannot be \`START\``, ref.span, { label: "`START` is never a target", help: "name the node to run instead" });
    return;
  }
  if (g.nodes.has(name)) return;
  const suggestion = didYouMean(name, withEnd(g.nodes.keys(), allowEnd));
  ctx.report("E-rag-unknown-node", `${what} \`${name}\` does not exist`, ref.span, {
    label: "unknown node",
    ...(suggestion !== undefined
      ? { help: `did you mean \`${suggestion}\`?`, fixes: [{ span: ref.span, replacement: suggestion, description: `replace \`${name}\` with \`${suggestion}\`` }] }
      : { help: g.nodes.size ? `nodes of graph \`${g.name}\`: ${nameList(g.nodes.keys(), g.nodes.size)}` : `graph \`${g.name}\` declares no nodes` }),
  });
}

/** A graph's node names, then `END` when it is allowed: read as iterated (no copy per unknown name). */
function* withEnd(nodes: Iterable<string>, allowEnd: boolean): Generator<string> {
  yield* nodes;
  if (allowEnd) yield "END";
}

/** One way a node chooses its successor. */
export interface RoutingSource {
  readonly what: "next" | "routes" | "command goto" | "edge";
  /** Where to point at it. */
  readonly span: A.NodeRef["span"];
}

/** How many routing sources `n` has (`routingSources`' length, without building the list: most nodes have one). */
export function routingSourceCount(n: ResolvedNode, g: ResolvedGraph): number {
  return (n.items.has("next") ? 1 : 0) + (n.items.has("routes") ? 1 : 0) + (n.items.get("command")?.goto ? 1 : 0) + (g.edgesFrom.get(n.name)?.length ?? 0);
}

/** The routing sources of `n` in source order: `next`, `routes`, `command goto`, top-level edges from it (`routingSourceCount` of them). */
export function routingSources(n: ResolvedNode, g: ResolvedGraph): RoutingSource[] {
  const out: RoutingSource[] = [];
  const next = n.items.get("next");
  if (next) out.push({ what: "next", span: next.keyword.span });
  const routes = n.items.get("routes");
  if (routes) out.push({ what: "routes", span: routes.keyword.span });
  const cmd = n.items.get("command");
  if (cmd?.goto) out.push({ what: "command goto", span: cmd.goto.span });
  for (const e of g.edgesFrom.get(n.name) ?? []) out.push({ what: "edge", span: e.from.span });
  return out.length > 1 ? out.sort(bySpanStart) : out;
}

const bySpanStart = (a: RoutingSource, b: RoutingSource): number => a.span.start.offset - b.span.start.offset;
