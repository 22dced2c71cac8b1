/**
 * Unique node names within a graph (`language.md` §5). Reported at the later
 * declaration, with a label at the first.
 */
import type { Rule } from "./rule.js";

export const DuplicateNodeRule: Rule = (ctx) => ({
  graph(g) {
    if (g.nodes.size === g.nodeList.length) return; // every node named, no name twice
    for (let ni = 0, nl = g.nodeList; ni < nl.length; ni++) {
      const n = nl[ni]!;
      const first = g.nodes.get(n.name);
      if (!n.name || !first || first === n) continue;
      ctx.report("E-rag-duplicate-node", `node \`${n.name}\` is declared twice in graph \`${g.name}\``, n.decl.name.span, {
        label: "declared again here",
        labels: [{ span: first.decl.name.span, message: "first declared here" }],
        help: "rename one of the nodes, or merge their items",
      });
    }
  },
});
