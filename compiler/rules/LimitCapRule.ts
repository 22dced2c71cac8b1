/**
 * A numeric limit of the file stays under its cap (`LIMIT_CAPS`, `language.md` §2.1):
 * `defaults { recursion_limit }`, `retry { max_attempts }` (a node's or the defaults'),
 * `max_steps` of a node or an inline agent. Past the cap the limit bounds nothing — a
 * model-written `recursion_limit 1e9` loop or `max_attempts 1e6` retry would call models
 * without end — so it is an error (`E-rag-limit-too-large`) on the number at fault. The
 * runtime clamps a Blueprint that bypassed the compiler to the same caps.
 */
import type * as A from "../../grammar/rag/ast.js";
import { LIMIT_CAPS } from "../limit-caps.js";
import type { Rule, RuleContext } from "./rule.js";

const fmt = (n: number) => n.toLocaleString("en-US");

function check(ctx: RuleContext, key: keyof typeof LIMIT_CAPS, v: A.Value | A.BooleanLiteral | undefined): void {
  if (!v || v.kind !== "Number" || !(v.value > LIMIT_CAPS[key])) return;
  ctx.report("E-rag-limit-too-large", `\`${key}\` is ${v.raw}; the most a file may set is ${fmt(LIMIT_CAPS[key])}`, v.span, {
    label: "above the cap",
    help: key === "recursion_limit" ? "a run this long wants an explicit exit, or a host option (`recursionLimit`)" : `at most ${fmt(LIMIT_CAPS[key])}`,
  });
}

/** `max_attempts` inside a `retry { … }` block. */
function retryBlock(ctx: RuleContext, v: A.Value | A.BooleanLiteral | undefined): void {
  if (v?.kind === "Block") for (const e of v.entries) if (e.key.name === "max_attempts") check(ctx, "max_attempts", e.value);
}

export const LimitCapRule: Rule = (ctx) => ({
  graph(g) {
    for (const c of g.configs) {
      if (c.config !== "defaults") continue;
      for (const e of c.value.entries) {
        if (e.key.name === "recursion_limit") check(ctx, "recursion_limit", e.value);
        // `retry: 5` is `max_attempts 5` too.
        else if (e.key.name === "retry") e.value.kind === "Number" ? check(ctx, "max_attempts", e.value) : retryBlock(ctx, e.value);
      }
    }
  },
  node(n) {
    const r = n.items.get("retry");
    if (r) retryBlock(ctx, r.value);
    check(ctx, "max_steps", n.items.get("max_steps")?.value);
  },
  agent(a) {
    check(ctx, "max_steps", a.items.get("max_steps")?.value);
  },
});
