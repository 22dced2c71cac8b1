/**
 * A reachable node from which no path reaches END (`language.md` §5: "no path to END").
 * Every path from such a node runs into a loop with no way out; the loop itself is
 * `E-rag-cycle-without-exit`. This rule reports where the doomed part begins: doomed
 * nodes outside the loop that some non-doomed node (or START) leads to.
 */
import { flowGraph, START } from "../analysis/flow.js";
import { loopAhead, termination } from "../analysis/termination.js";
import type { Rule } from "./rule.js";
import { isFirstDeclaration } from "../resolve/resolve.js";

export const NoPathToEndRule: Rule = (ctx) => ({
  graph(g) {
    const flow = flowGraph(g);
    const t = termination(g);
    for (let ni = 0, nl = g.nodeList; ni < nl.length; ni++) {
      const n = nl[ni]!;
      if (!isFirstDeclaration(g, n) || !t.doomed.has(n.name) || t.loopOf.has(n.name)) continue;
      const entered = (flow.into.get(n.name) ?? []).some((e) => e.from === START || !t.doomed.has(e.from));
      if (!entered) continue;
      const loop = loopAhead(g, n.name);
      const first = loop ? g.nodes.get(loop.members[0]) : undefined;
      ctx.report("E-rag-no-path-to-end", `node \`${n.name}\` can never reach END`, n.decl.name.span, {
        label: "every path from here loops forever",
        ...(loop && first ? { labels: [{ span: first.decl.name.span, message: `into the loop ${loop.cycle.map((x) => `\`${x}\``).join(" → ")}, which has no way out` }] } : {}),
        help: "give the loop ahead a route out (to END or to a node that ends), or route this node elsewhere",
      });
    }
  },
});
