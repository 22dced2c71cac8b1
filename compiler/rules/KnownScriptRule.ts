/** Scripts named by `script "x"` are registered `.ragsh` scripts (`E-rag-unknown-script`). */
import { checkName } from "./known-names.js";
import type { Rule } from "./rule.js";

export const KnownScriptRule: Rule = (ctx) => ({
  node(n) {
    const s = n.items.get("script");
    if (s) checkName(ctx, s.value.value, s.value.span, { granted: ctx.registry?.scripts, code: "E-rag-unknown-script", noun: "script", owner: `node \`${n.name}\`` });
  },
});
