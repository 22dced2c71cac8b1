/** Output validators named by `validate [..]` are registered (`E-rag-unknown-validator`). */
import { listNames } from "../resolve/resolve.js";
import { checkName } from "./known-names.js";
import type { Rule } from "./rule.js";

export const KnownValidatorRule: Rule = (ctx) => ({
  node(n) {
    for (const v of listNames(n.items.get("validate")?.value)) checkName(ctx, v.name, v.span, { granted: ctx.registry?.validators, code: "E-rag-unknown-validator", noun: "validator", owner: `node \`${n.name}\`` });
  },
});
