/**
 * A written `kind` is a node kind the registry grants (`E-rag-invalid-node-kind`), as
 * written or by its canonical spelling. Without a kind list, a word that is no built-in
 * kind is a warning (a registry may provide custom kinds).
 */
import { didYouMean } from "../../grammar/suggest.js";
import { ALL_KIND_SPELLINGS, canonicalKind, NODE_KINDS } from "../resolve/kinds.js";
import type { Rule } from "./rule.js";

export const NodeKindRule: Rule = (ctx) => ({
  node(n) {
    if (!n.kindItem) return;
    const granted = ctx.registry?.nodeKinds;
    // Without a kind list, a built-in kind is all there is to check, and `n.kind` already
    // holds the canonical one (runs for every node: the item is not read then).
    if (!granted && (NODE_KINDS as readonly string[]).includes(n.kind)) return;
    const k = n.kindItem.value;
    if (!k || !k.name) return;
    const canon = canonicalKind(k.name);
    if (granted) {
      if (granted.has(k.name) || (canon && granted.has(canon))) return;
      const s = didYouMean(k.name, granted);
      ctx.report("E-rag-invalid-node-kind", `\`${k.name}\` is not a node kind`, k.span, {
        label: "unknown kind",
        ...(s ? { help: `did you mean \`${s}\`?`, fixes: [{ span: k.span, replacement: s, description: `replace \`${k.name}\` with \`${s}\`` }] } : { help: `node kinds: ${[...granted].join(", ")}` }),
      });
      return;
    }
    if (canon) return;
    const s = didYouMean(k.name, ALL_KIND_SPELLINGS);
    // A custom kind may return a Command that goes anywhere and writes any field, so the
    // loop, join and never-written checks do not judge paths through this node: say so,
    // or a typo silently switches them off.
    const off = ` Until then \`${n.name}\` counts as a custom kind, which may go anywhere and write anything, so loops, joins and writes through it are not checked.`;
    ctx.report("W-rag-unknown-node-kind", `\`${k.name}\` is not a built-in node kind`, k.span, {
      label: "not built in",
      help: (s ? `did you mean \`${s}\`?` : `built-in kinds: ${ALL_KIND_SPELLINGS.join(", ")}.`) + off,
      ...(s ? { fixes: [{ span: k.span, replacement: s, description: `replace \`${k.name}\` with \`${s}\`` }] } : {}),
    });
  },
});
