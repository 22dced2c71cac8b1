/**
 * A send's `-> FIELD` takes what each branch returns (`language.md` §2.3;
 * runtime/task-writes.ts writes the branch's result into FIELD through its reducer): a
 * model node's or agent's reply text, its `output` record, a graph's `output`. A result
 * FIELD cannot take — reply text into a `sum` number or a `list<number>`, an `output`
 * record into a `list<string>` — is `E-rag-type-mismatch` on FIELD: `rag check` said ok
 * and the run failed at the first branch's write. Targets resolve as at run time
 * (`analysis/send-targets.ts`); unknown results are silent
 * (`expr/result-type.ts`, `expr/write-clash.ts`).
 */
import { agentResultType, graphResultType, resultType } from "../expr/result-type.js";
import { graphTypes } from "../expr/scope.js";
import { ANY, type ExprType } from "../expr/types.js";
import { writeClash } from "../expr/write-clash.js";
import { isFirstDeclaration } from "../resolve/resolve.js";
import { resolveSendTarget } from "../analysis/send-targets.js";
import type { Rule } from "./rule.js";

export const SendIntoRule: Rule = (ctx) => ({
  node(n, g) {
    if (!isFirstDeclaration(g, n) || !n.sends.length) return;
    for (const s of n.sends) {
      for (const t of s.targets) {
        const into = t.into;
        const name = t.target.name;
        if (!into || !name) continue;
        const f = graphTypes(g, ctx.program).fields.get(into.name);
        if (!f) continue; // an unknown field is WriteTargetRule's
        const ref = resolveSendTarget(name, g, ctx.program, ctx.registry);
        const result: ExprType =
          ref.kind === "node" ? resultType(ref.node, g, ctx.program, ctx.registry) : ref.kind === "agent" ? agentResultType(name, ctx.program, ctx.registry) : ref.kind === "graph" ? graphResultType(name, ctx.program, ctx.registry) : ANY;
        const what = ref.what;
        const why = writeClash(f, result);
        if (!why) continue;
        ctx.report("E-rag-type-mismatch", `field \`${into.name}\` ${why}: what each branch of ${what} returns`, into.span, {
          label: "type mismatch",
          help: result.t === "string" ? `a reply is text: collect it into a string field (\`list<string> append\`), or declare \`output { … }\` on ${what} for a structured result` : "collect the results into a field of their type (e.g. `list<T> append` of the result's type)",
        });
      }
    }
  },
});
