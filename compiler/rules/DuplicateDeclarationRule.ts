/**
 * Unique inline agent and schema names (`language.md` §2). Graphs are checked by
 * DuplicateGraphRule.
 */
import type { Identifier } from "../../grammar/rag/ast.js";
import type { Rule } from "./rule.js";

export const DuplicateDeclarationRule: Rule = (ctx) => ({
  program(p) {
    const check = (names: Identifier[], what: "agent" | "schema", code: "E-rag-duplicate-agent" | "E-rag-duplicate-schema") => {
      const seen = new Map<string, Identifier>();
      for (const n of names) {
        if (!n.name) continue;
        const prev = seen.get(n.name);
        if (!prev) seen.set(n.name, n);
        else ctx.report(code, `${what} \`${n.name}\` is declared twice`, n.span, { label: "declared again here", labels: [{ span: prev.span, message: "first declared here" }] });
      }
    };
    check(p.agentList.map((a) => a.decl.name), "agent", "E-rag-duplicate-agent");
    check(p.schemaList.map((s) => s.name), "schema", "E-rag-duplicate-schema");
  },
});
