/**
 * A state field's default has the field's type (`language.md` §4.1): `n: number = "one"`,
 * `tags: list<string> = [1, 2]`, `status: "open" | "closed" = "new"` and
 * `user: { age: number } = { age: "x" }` are `E-rag-type-mismatch`, pointing at the
 * offending value (the item of a list, the entry of a record). The state starts with that
 * value unchecked, so the first write that copies it elsewhere, or the caller that reads it
 * as the declared type, fails instead. Ranges and patterns of defaults are
 * TypeConstraintRule's; kinds come from `expr/write-clash.ts`, and only known types are
 * compared (a registered schema or `any` is silent).
 */
import type * as A from "../../grammar/rag/ast.js";
import { BOOLEAN, describe, literalType, NULL, NUMBER, typeOf, type ExprType } from "../expr/types.js";
import { shown, valueClash } from "../expr/write-clash.js";
import type { ResolvedProgram } from "../resolve/resolve.js";
import type { Rule, RuleContext } from "./rule.js";

/** The type of a default value as itself (a list's or block's own kind; its parts are checked one by one). */
function valueType(v: A.Value): ExprType | undefined {
  switch (v.kind) {
    case "String":
      return literalType(v.value);
    case "Number":
    case "Duration":
      return NUMBER;
    case "Boolean":
      return BOOLEAN;
    case "Null":
      return NULL;
    case "List":
      return { t: "list", items: { t: "any" } };
    case "Block":
      return { t: "record", fields: new Map(), what: "a record" };
    default:
      return undefined; // a bare word: not a value the checks know
  }
}

/** Reports the first part of `v` that `t` cannot hold; returns whether one was reported. */
function check(ctx: RuleContext, field: string, t: ExprType, v: A.Value, depth: number, item = false): boolean {
  if (depth > 16) return false;
  const vt = valueType(v);
  const why = vt && valueClash(t, vt, "its default is");
  if (why) {
    const message = item ? `the items of field \`${field}\` are each ${describe(t)}, but its default has ${shown(vt)}` : `field \`${field}\` ${why}`;
    ctx.report("E-rag-type-mismatch", message, v.span, {
      label: "type mismatch",
      help: "write a default of the field's type, or change the type; the state starts with the default unchecked, and the first write or caller that reads it as the declared type fails",
    });
    return true;
  }
  if (v.kind === "List" && t.t === "list") {
    for (const item of v.items) if (check(ctx, field, t.items, item, depth + 1, true)) return true;
  } else if (v.kind === "Block" && t.t === "record") {
    for (const e of v.entries) {
      const ft = t.fields.get(e.key.name);
      if (ft && check(ctx, `${field}.${e.key.name}`, ft, e.value, depth + 1)) return true;
    }
  } else if (v.kind === "Block" && t.t === "map") {
    for (const e of v.entries) if (check(ctx, `${field}.${e.key.name}`, t.values, e.value, depth + 1)) return true;
  }
  return false;
}

function checkField(ctx: RuleContext, f: A.Field, p: ResolvedProgram): void {
  if (f.default) check(ctx, f.name.name, typeOf(f.type, p), f.default, 0);
}

export const DefaultTypeRule: Rule = (ctx) => ({
  graph(g) {
    for (const f of g.fieldList) if (f.source.kind === "Field") checkField(ctx, f.source, ctx.program);
  },
});
