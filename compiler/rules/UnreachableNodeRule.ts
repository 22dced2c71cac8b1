/**
 * A node that no path from START reaches never runs (`language.md` §2.3, §5: "an
 * unreachable node is a warning too"). Paths follow every way control passes: edges,
 * `next`, routes, `goto`, sends, joins, barriers and `on_error`. Skipped while the graph
 * has no entry (that is `E-rag-missing-start`) or a reference names no node (one
 * misspelled route target would otherwise make its intended target look unreachable).
 */
import { flowGraph } from "../analysis/flow.js";
import { parentGotoTargets } from "../analysis/parent-goto.js";
import type { Rule } from "./rule.js";
import { isFirstDeclaration } from "../resolve/resolve.js";

export const UnreachableNodeRule: Rule = (ctx) => ({
  graph(g) {
    const flow = flowGraph(g);
    if (!flow.hasEntry || !flow.complete) return;
    // Nodes a subgraph continues at with `goto parent.X`, and what they lead to, are reached too.
    let reached: ReadonlySet<string> = flow.reachable;
    const gotos = parentGotoTargets(ctx.program, g);
    if (gotos.size) {
      const more = new Set(flow.reachable);
      const work = [...gotos].filter(([n]) => more.has(n)).flatMap(([, ts]) => ts);
      while (work.length) {
        const x = work.pop()!;
        if (more.has(x)) continue;
        more.add(x);
        for (const e of flow.out.get(x) ?? []) work.push(e.to);
        const ts = gotos.get(x);
        if (ts) work.push(...ts);
      }
      reached = more;
    }
    for (let ni = 0, nl = g.nodeList; ni < nl.length; ni++) {
      const n = nl[ni]!;
      // first declarations only (as `uniqueNodes`), without building the list
      if (!n.name || reached.has(n.name) || !isFirstDeclaration(g, n)) continue;
      ctx.report("W-rag-unreachable-node", `node \`${n.name}\` is never reached`, n.decl.name.span, {
        label: "no path from START leads here",
        help: "route to it from another node (`next`, `routes`, an edge or a `send`), or remove it",
      });
    }
  },
});
