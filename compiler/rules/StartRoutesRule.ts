/**
 * A conditional entry (`start routes { when … -> a  else -> b }`, LangGraph's conditional
 * edges from START) chooses its first node by conditions on the input state: a labelled
 * route needs a node's route function to choose it, so it is `E-rag-start-route-label`.
 * The conditions are checked like any node's (`state`, `input`, `run`; no `result`, no
 * `args`: nothing has run yet). Unknown targets are `E-rag-unknown-start` (StartRule).
 */
import { checkExpr, type Report } from "../expr/check.js";
import { graphTypes } from "../expr/scope.js";
import type { Rule } from "./rule.js";

export const StartRoutesRule: Rule = (ctx) => {
  const report: Report = (code, message, span, extras) => ctx.report(code, message, span, extras);
  return {
    graph(g) {
      for (const s of g.starts) {
        if (!s.routes) continue;
        const before = graphTypes(g, ctx.program).scopes.before;
        for (const r of s.routes.routes) {
          if (r.kind === "WhenRoute") checkExpr(r.condition, before, report);
          if (r.kind !== "LabelRoute") continue;
          ctx.report("E-rag-start-route-label", `\`start routes\` cannot choose the labelled route \`${r.label.name}\`: nothing has run to choose it`, r.label.span, {
            label: "labelled route",
            help: `write a condition instead: \`when … -> ${r.target.name}\` (or \`else -> ${r.target.name}\`)`,
          });
        }
      }
    },
  };
};
