/**
 * Unique graph names: a file declares each graph once (`language.md` §2, §5).
 * Reported at the later declaration, with a label at the first.
 */
import type { Rule } from "./rule.js";

export const DuplicateGraphRule: Rule = (ctx) => ({
  program(p) {
    // graphByName holds the first graph of each name (the resolver's table, not a second one).
    if (p.graphByName.size === p.graphs.length) return; // every graph named, no name twice
    for (const g of p.graphs) {
      if (!g.name) continue;
      const prev = p.graphByName.get(g.name)!;
      if (prev === g) continue;
      ctx.report("E-rag-duplicate-graph", `graph \`${g.name}\` is declared twice`, g.decl.name.span, {
        label: "declared again here",
        labels: [{ span: prev.decl.name.span, message: "first declared here" }],
        help: "rename one of the graphs",
      });
    }
  },
});
