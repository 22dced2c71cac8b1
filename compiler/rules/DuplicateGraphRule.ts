/**
 * Unique graph names: a file declares each graph once (`language.md` §2, §5).
 * Reported at the later declaration, with a label at the first.
 */
import type { Rule } from "./rule.js";

export const DuplicateGraphRule: Rule = (ctx) => ({
  program(p) {
    const seen = new Map<string, (typeof p.graphs)[number]>();
    for (const g of p.graphs) {
      if (!g.name) continue;
      const prev = seen.get(g.name);
      if (!prev) {
        seen.set(g.name, g);
        continue;
      }
      ctx.report("E-rag-duplicate-graph", `graph \`${g.name}\` is declared twice`, g.decl.name.span, {
        label: "declared again here",
        labels: [{ span: prev.decl.name.span, message: "first declared here" }],
        help: "rename one of the graphs",
      });
    }
  },
});
