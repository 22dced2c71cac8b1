/**
 * `command { goto parent.NODE }` continues in the graph that runs this one as a subgraph
 * (LangGraph's `Command.PARENT`). When graphs of the same file run it (`graph "x"` on a
 * node), each of them must have the node: otherwise `E-rag-unknown-parent-node`. A graph
 * no graph of the file runs may be run by a registered one, so it is not checked.
 */
import { didYouMean } from "../../grammar/suggest.js";
import { callersOf, parentGotos } from "../analysis/parent-goto.js";
import type { Rule } from "./rule.js";
import { nameList } from "./name-list.js";

export const ParentGotoRule: Rule = (ctx) => ({
  graph(g) {
    const gotos = parentGotos(g);
    if (!gotos.length) return;
    const callers = callersOf(ctx.program, g);
    for (const p of gotos) {
      for (const c of callers) {
        if (p.target === "END" || c.graph.nodes.has(p.target)) continue;
        const suggestion = didYouMean(p.target, c.graph.nodes.keys());
        ctx.report("E-rag-unknown-parent-node", `\`goto parent.${p.target}\`: graph \`${c.graph.name}\`, which runs \`${g.name}\` at node \`${c.node.name}\`, has no node \`${p.target}\``, p.span, {
          label: "no node of the parent graph",
          labels: [{ span: c.node.decl.name.span, message: `runs \`${g.name}\` here` }],
          ...(suggestion
            ? { help: `did you mean \`${suggestion}\`?`, fixes: [{ span: p.span, replacement: suggestion, description: `replace \`${p.target}\` with \`${suggestion}\`` }] }
            : { help: `nodes of graph \`${c.graph.name}\`: ${nameList(c.graph.nodes.keys(), c.graph.nodes.size)}` }),
        });
      }
    }
  },
});
