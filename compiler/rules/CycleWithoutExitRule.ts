/**
 * A loop with no edge out of it (`language.md` §5: "cycle without exit or limit"): once
 * a run enters it, it cycles until the recursion limit fails the run
 * (`RecursionLimitError`), so a `recursion_limit` does not make it valid. Reported once
 * per loop, at the edge that closes it, with a label on every other edge of the loop.
 */
import type { Span } from "../../grammar/span.js";
import { flowGraph } from "../analysis/flow.js";
import { termination } from "../analysis/termination.js";
import type { Rule } from "./rule.js";

export const CycleWithoutExitRule: Rule = (ctx) => ({
  graph(g) {
    const flow = flowGraph(g);
    for (const loop of termination(g).loops) {
      const steps: { from: string; to: string; span: Span }[] = [];
      for (let i = 0; i + 1 < loop.cycle.length; i++) {
        const from = loop.cycle[i];
        const to = loop.cycle[i + 1];
        const e = flow.out.get(from)?.find((x) => x.to === to);
        if (e) steps.push({ from, to, span: e.span });
      }
      const closing = steps[steps.length - 1];
      const shown = cycleText(loop.cycle);
      const where = closing?.span ?? g.nodes.get(loop.members[0])!.decl.name.span;
      ctx.report("E-rag-cycle-without-exit", `the loop ${shown} has no way out`, where, {
        label: "closes the loop",
        labels: steps.slice(0, -1).map((s) => ({ span: s.span, message: `\`${s.from}\` → \`${s.to}\`` })),
        help: "every run that gets here cycles until the recursion limit fails it; add a route out of the loop (e.g. `when state.done -> END`, or a label route to a node outside it)",
      });
    }
  },
});

/** The loop as `a` → `b` → … → `a`; a long loop shows its first 8 and last 2 steps and counts the rest. */
function cycleText(cycle: readonly string[]): string {
  const q = (n: string) => `\`${n}\``;
  if (cycle.length <= 12) return cycle.map(q).join(" → ");
  return [...cycle.slice(0, 8).map(q), `… (${cycle.length - 10} more)`, ...cycle.slice(-2).map(q)].join(" → ");
}
