/**
 * Reducers are registry names (`language.md` §2.2): built-ins are registered by default
 * and a registry may narrow them. With a registry that lists reducers, the reducer as
 * written (or its canonical spelling) and the function of `aggregate "fn"` must be
 * listed (`E-rag-unknown-reducer`). Without one, a word that is no built-in reducer is
 * a warning (a registry may still provide it).
 */
import type * as A from "../../grammar/rag/ast.js";
import { didYouMean } from "../../grammar/suggest.js";
import { BUILTIN_REDUCERS, canonicalReducer } from "../resolve/reducers.js";
import type { Rule, RuleContext } from "./rule.js";

function check(ctx: RuleContext, r: A.ReducerSpec): void {
  const name = r.name.name;
  if (!name) return;
  const granted = ctx.registry?.reducers;
  if (granted) {
    const canon = canonicalReducer(name);
    if (!granted.has(name) && !(canon && granted.has(canon))) {
      const s = didYouMean(name, granted);
      ctx.report("E-rag-unknown-reducer", `reducer \`${name}\` is not registered`, r.name.span, {
        label: "unknown reducer",
        ...(s ? { help: `did you mean \`${s}\`?`, fixes: [{ span: r.name.span, replacement: s, description: `replace \`${name}\` with \`${s}\`` }] } : { help: granted.size ? `registered reducers: ${[...granted].sort().join(", ")}` : "this registry grants no reducers" }),
      });
      return;
    }
    const fnArg = r.args[0];
    if ((canon === "aggregate") && fnArg?.kind === "String" && !granted.has(fnArg.value)) {
      ctx.report("E-rag-unknown-reducer", `reducer function \`${fnArg.value}\` is not registered`, fnArg.span, { label: "unknown reducer function" });
    }
    return;
  }
  if (!BUILTIN_REDUCERS.has(name)) {
    const s = didYouMean(name, BUILTIN_REDUCERS);
    ctx.report("W-rag-unknown-reducer", `\`${name}\` is not a built-in reducer`, r.name.span, {
      label: "not built in",
      help: s ? `did you mean \`${s}\`? (a registry may also provide \`${name}\`)` : "built-in reducers: " + [...BUILTIN_REDUCERS].join(", "),
      ...(s ? { fixes: [{ span: r.name.span, replacement: s, description: `replace \`${name}\` with \`${s}\`` }] } : {}),
    });
  }
}

export const KnownReducerRule: Rule = (ctx) => ({
  graph(g) {
    for (const f of g.fieldList) {
      if (f.source.kind === "ChannelItem") check(ctx, f.source.reducer);
      else if (f.source.reducer) check(ctx, f.source.reducer);
    }
  },
});
