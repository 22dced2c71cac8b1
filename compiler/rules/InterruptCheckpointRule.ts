/**
 * Interrupts need a checkpoint to resume from (`runtime.md` §4: "interrupts require a
 * checkpointer and a thread id; without one the compiler or run fails clearly";
 * `language.md` §5: "checkpoint policy incompatible with interrupts"). A graph that
 * pauses — an `interrupt` (`human`) node, `interrupt before/after [..]`, or the
 * `interrupt manual` policy — is `E-rag-interrupt-without-checkpointer` when it turns
 * checkpoints off (`checkpoint none|never` on the graph or in `defaults`, or on a node
 * that pauses), or when the registry declares that no checkpointer is configured.
 */
import type { Span } from "../../grammar/span.js";
import type { Rule } from "./rule.js";
import { isFirstDeclaration } from "../resolve/resolve.js";

const OFF = new Set(["none", "never"]);

export const InterruptCheckpointRule: Rule = (ctx) => ({
  graph(g) {
    const pauses: { span: Span; what: string; node?: string }[] = [];
    for (const it of g.interrupts) for (const n of it.nodes) if (n.name) pauses.push({ span: it.keyword.span, what: `\`interrupt ${it.when}\``, node: n.name });
    for (const p of g.policies) if (p.policy === "interrupt" && p.value.name === "manual") pauses.push({ span: p.keyword.span, what: "`interrupt manual`" });
    for (let ni = 0, nl = g.nodeList; ni < nl.length; ni++) {
      const n = nl[ni]!;
      if (n.kind === "interrupt" && isFirstDeclaration(g, n)) pauses.push({ span: n.decl.name.span, what: `interrupt node \`${n.name}\``, node: n.name });
    }
    if (!pauses.length) return;

    const graphOff = g.policies.find((p) => p.policy === "checkpoint" && OFF.has(p.value.name));
    const defaultsOff = g.configs.flatMap((c) => (c.config === "defaults" ? c.value.entries : [])).find((e) => e.key.name === "checkpoint" && e.value.kind === "Word" && OFF.has(e.value.name));
    const off = graphOff ? { span: graphOff.value.span, text: `\`checkpoint ${graphOff.value.name}\`` } : defaultsOff ? { span: defaultsOff.span, text: "`checkpoint` in `defaults`" } : undefined;
    if (off) {
      ctx.report("E-rag-interrupt-without-checkpointer", `graph \`${g.name}\` pauses for a human but turns checkpoints off (${off.text})`, off.span, {
        label: "no checkpoint to resume from",
        labels: pauses.map((p) => ({ span: p.span, message: `${p.what} pauses here` })),
        help: "an interrupted run resumes from its last checkpoint; use `checkpoint sync`, `async` or `exit`, or remove the interrupts",
      });
    }
    for (const p of pauses) {
      const node = p.node ? g.nodes.get(p.node) : undefined;
      const c = node?.items.get("checkpoint");
      if (c && OFF.has(c.value.name)) {
        ctx.report("E-rag-interrupt-without-checkpointer", `node \`${node!.name}\` pauses for a human but turns checkpoints off`, c.value.span, {
          label: "no checkpoint to resume from",
          labels: [{ span: p.span, message: `${p.what} pauses here` }],
          help: "remove `checkpoint none` from this node, or do not pause at it",
        });
      }
    }
    if (ctx.registry?.checkpointer === false && !off) {
      ctx.report("E-rag-interrupt-without-checkpointer", `graph \`${g.name}\` pauses for a human, but there is no checkpointer to resume from`, pauses[0].span, {
        label: "pauses here",
        help: "run with a checkpointer (the CLI's default `.rag/checkpoints.db`, not `--no-checkpoints`), or remove the interrupts",
      });
    }
  },
});
