/**
 * Writes land in declared state: `writes X`, the keys of `writes {…}` and `set {…}`,
 * and a send's `-> channel` name a field of the graph's state (`E-rag-unknown-field`,
 * with did-you-mean). Keys of a reference `command { update {…} }` that name no field
 * only warn (`W-rag-unknown-field`): the reference dialect had no typed state.
 */
import type { Identifier } from "../../grammar/rag/ast.js";
import { didYouMean } from "../../grammar/suggest.js";
import type { ResolvedGraph } from "../resolve/resolve.js";
import { callersOf } from "../analysis/parent-goto.js";
import type { Rule, RuleContext } from "./rule.js";

function check(ctx: RuleContext, g: ResolvedGraph, id: Identifier, what: string, code = "E-rag-unknown-field"): void {
  if (!id.name || g.fields.has(id.name)) return;
  const s = didYouMean(id.name, g.fields.keys());
  ctx.report(code, `${what} \`${id.name}\` is not a state field of graph \`${g.name}\``, id.span, {
    label: "no such field",
    ...(s
      ? { help: `did you mean \`${s}\`?`, fixes: [{ span: id.span, replacement: s, description: `replace \`${id.name}\` with \`${s}\`` }] }
      : { help: `declare it: \`channel ${id.name} overwrite\` or a field in \`state { … }\`` }),
  });
}

export const WriteTargetRule: Rule = (ctx) => ({
  node(n, g) {
    const w = n.items.get("writes");
    if (w) {
      if (w.value.kind === "Identifier") check(ctx, g, w.value, "`writes` target");
      else for (const e of w.value.entries) check(ctx, g, e.key, "`writes` key");
    }
    for (const e of n.items.get("set")?.value.entries ?? []) check(ctx, g, e.key, "`set` key");
    for (const s of n.sends) for (const t of s.targets) if (t.into) check(ctx, g, t.into, "send result channel");
    const command = n.items.get("command");
    // `goto parent.X`: the update is written to the parent graph(s) of this file that run this one
    const targets = command?.parent ? callersOf(ctx.program, g).map((c) => c.graph) : [g];
    for (const e of command?.update?.entries ?? []) for (const t of targets) check(ctx, t, e.key, "`update` key", "W-rag-unknown-field");
  },
});
