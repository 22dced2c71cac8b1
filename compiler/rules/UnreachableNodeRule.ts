/**
 * A node that no path from START reaches never runs (`language.md` §2.3, §5: "an
 * unreachable node is a warning too"). Paths follow every way control passes: edges,
 * `next`, routes, `goto`, sends, joins, barriers and `on_error`. Skipped while the graph
 * has no entry (that is `E-rag-missing-start`) or a reference names no node (one
 * misspelled route target would otherwise make its intended target look unreachable).
 */
import { flowGraph, uniqueNodes } from "../analysis/flow.js";
import { parentGotoTargets } from "../analysis/parent-goto.js";
import type { Rule } from "./rule.js";

export const UnreachableNodeRule: Rule = (ctx) => ({
  graph(g) {
    const flow = flowGraph(g);
    if (!flow.hasEntry || !flow.complete) return;
    // Nodes a subgraph continues at with `goto parent.X`, and what they lead to, are reached too.
    const reached = new Set(flow.reachable);
    const work = [...parentGotoTargets(ctx.program, g)].filter(([n]) => reached.has(n)).flatMap(([, ts]) => ts);
    while (work.length) {
      const x = work.pop()!;
      if (reached.has(x)) continue;
      reached.add(x);
      for (const e of flow.out.get(x) ?? []) work.push(e.to);
      for (const [n, ts] of parentGotoTargets(ctx.program, g)) if (n === x) work.push(...ts);
    }
    for (const n of uniqueNodes(g)) {
      if (reached.has(n.name)) continue;
      ctx.report("W-rag-unreachable-node", `node \`${n.name}\` is never reached`, n.decl.name.span, {
        label: "no path from START leads here",
        help: "route to it from another node (`next`, `routes`, an edge or a `send`), or remove it",
      });
    }
  },
});
