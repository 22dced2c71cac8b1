/**
 * A graph holds at most `limits.nodesPerGraph` nodes (`language.md` §1 limits); more is
 * `E-rag-limit-exceeded` rather than a slow or failing compile.
 */
import type { Rule } from "./rule.js";

export function nodeLimitRule(max: number): Rule {
  const NodeLimitRule: Rule = (ctx) => ({
    graph(g) {
      if (g.nodeList.length <= max) return;
      ctx.report("E-rag-limit-exceeded", `graph \`${g.name}\` has ${g.nodeList.length} nodes; the limit is ${max}`, g.decl.name.span, {
        label: "too many nodes",
        help: "split it into subgraphs, or raise the `nodesPerGraph` limit",
      });
    },
  });
  return NodeLimitRule;
}
