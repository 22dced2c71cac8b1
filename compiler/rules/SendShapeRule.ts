/**
 * SendShapeRule (issue 15 §1): a send packet matches the signature of what it runs — a
 * registered agent's or graph's input, or, for a node target without its own `input`
 * map, the callee of that node (a `tool` node's tool arguments, a `subagent`/`subgraph`
 * node's agent or graph input). Unknown parameters, missing required ones and values of
 * the wrong type are reported as in InputShapeRule (`shape-check.ts`). The packet's values
 * are typed after the sender ran, with the comprehension variable bound to the element
 * type. Targets resolve as at run time (`analysis/send-targets.ts`; a graph of this
 * file: its `input { … }` fields, values only — types, ranges and patterns). Reference
 * string arguments (`send w "path"`) are not checked.
 */
import { resultType } from "../expr/result-type.js";
import { graphTypes, withForEach, withResult } from "../expr/scope.js";
import { sendCallee } from "./InputShapeRule.js";
import { resolveSendTarget } from "../analysis/send-targets.js";
import type { Rule } from "./rule.js";
import { checkShape } from "./shape-check.js";
import { isFirstDeclaration } from "../resolve/resolve.js";

export const SendShapeRule: Rule = (ctx) => ({
  node(n, g) {
    if (!isFirstDeclaration(g, n) || !n.sends.length) return;
    const types = graphTypes(g, ctx.program);
    const after = withResult(types.scopes.after, resultType(n, g, ctx.program, ctx.registry));
    for (const s of n.sends) {
      for (const t of s.targets) {
        const name = t.target.name;
        if (!name || t.args?.kind === "String") continue;
        const callee = sendCallee(resolveSendTarget(name, g, ctx.program, ctx.registry), ctx.program, ctx.registry);
        if (!callee) continue;
        const scope = t.forEach ? withForEach(after, t.forEach.variable.name, t.forEach.iterable) : after;
        checkShape(ctx, {
          map: t.args,
          schema: callee.schema,
          scope,
          callee: callee.callee,
          how: `a send from node \`${n.name}\` runs`,
          at: t.target.span,
          ...(callee.passesState ? { implicit: new Set(g.fields.keys()) } : {}),
          ...(callee.valuesOnly ? { valuesOnly: true } : {}),
        });
      }
    }
  },
});
