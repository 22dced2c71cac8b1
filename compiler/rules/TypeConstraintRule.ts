/**
 * Ranges and patterns in types (`language.md` §4.1): `number(0..1)`, `integer(1..10)`,
 * `string(/^[A-Z]{3}$/)`.
 *
 * - A range belongs on `number` or `integer`, a pattern on `string`; a range's minimum
 *   may not exceed its maximum, and an `integer` range has integer bounds
 *   (`E-rag-invalid-type-constraint`).
 * - A pattern must compile for the linear-time matcher (compiler/pattern.ts): no
 *   backreferences, lookaround or word boundaries, within the size bounds
 *   (`E-rag-invalid-pattern`, pointing into the pattern).
 * - Literal writes are checked statically (`E-rag-constraint-violation`): a field's
 *   default, and `set`, `writes { … }` and `command update` entries whose value is a
 *   literal number or string (or a list of them, for a list field).
 *
 * The runtime checks every other write (schema.ts).
 */
import type * as A from "../../grammar/rag/ast.js";
import type { Span } from "../../grammar/span.js";
import { compilePattern, PatternError, type SafePattern } from "../pattern.js";
import type { ResolvedGraph } from "../resolve/resolve.js";
import type { Rule, RuleContext } from "./rule.js";

/** The constraint of a scalar type, with the type word, or undefined. */
interface Constraint {
  readonly base: string;
  readonly k: A.TypeConstraint;
  readonly pattern?: SafePattern;
}

function text(c: Constraint): string {
  const k = c.k;
  return k.kind === "Pattern" ? `${c.base}(/${k.source}/)` : `${c.base}(${k.min?.raw ?? ""}..${k.max?.raw ?? ""})`;
}

/** Validates one type's constraints (recursively); returns nothing, reports problems. */
function checkType(ctx: RuleContext, t: A.TypeExpr, depth = 0): void {
  if (depth > 64) return;
  switch (t.kind) {
    case "OptionalType":
      return checkType(ctx, t.inner, depth + 1);
    case "ArrayType":
      return checkType(ctx, t.element, depth + 1);
    case "RecordType":
      for (const f of t.fields) checkType(ctx, f.type, depth + 1);
      return;
    case "EnumType":
      return;
    case "NamedType": {
      t.args.forEach((a) => checkType(ctx, a, depth + 1));
      const k = t.constraint;
      if (!k || !t.name.name) return;
      const name = t.name.name;
      if (k.kind === "Pattern") {
        if (name !== "string") {
          ctx.report("E-rag-invalid-type-constraint", `a pattern constrains a \`string\`, not \`${name}\``, k.span, { label: "pattern on a non-string type", help: "write `string(/…/)`; ranges are for numbers: `number(0..1)`" });
          return;
        }
        patternOf(ctx, k);
        return;
      }
      if (name !== "number" && name !== "integer") {
        ctx.report("E-rag-invalid-type-constraint", `a range constrains a \`number\` or an \`integer\`, not \`${name}\``, k.span, { label: "range on a non-numeric type", help: name === "string" ? "constrain a string with a pattern: `string(/^.{1,200}$/)`" : "write e.g. `number(0..1)` or `integer(1..10)`" });
        return;
      }
      if (!k.min && !k.max) ctx.report("E-rag-invalid-type-constraint", "a range needs at least one bound", k.span, { label: "empty range", help: "write `number(0..1)`, `integer(1..)` or `number(..100)`" });
      else if (k.min && k.max && k.min.value > k.max.value) ctx.report("E-rag-invalid-type-constraint", `the range ${k.min.raw}..${k.max.raw} is empty: its minimum exceeds its maximum`, k.span, { label: "empty range", help: `did you mean \`${name}(${k.max.raw}..${k.min.raw})\`?`, fixes: [{ span: k.span, replacement: `(${k.max.raw}..${k.min.raw})`, description: "swap the bounds" }] });
      else if (name === "integer" && [k.min, k.max].some((b) => b && !Number.isInteger(b.value))) ctx.report("E-rag-invalid-type-constraint", "an `integer` range has integer bounds", k.span, { label: "fractional bound", help: "use whole numbers, or `number(…)` for fractions" });
    }
  }
}

/** The compiled pattern, or undefined after reporting why it cannot be used. */
function patternOf(ctx: RuleContext | undefined, k: A.TypeConstraint & { kind: "Pattern" }): SafePattern | undefined {
  try {
    return compilePattern(k.source);
  } catch (e) {
    if (!(e instanceof PatternError)) throw e;
    if (ctx) {
      // The pattern's token is `/…/`: offset + 1 skips the opening slash (patterns are one line).
      const at = k.span.start.offset + 1 + e.offset;
      const col = k.span.start.column + 1 + e.offset;
      const point: Span = { start: { line: k.span.start.line, column: col, offset: at }, end: { line: k.span.start.line, column: col + 1, offset: at + 1 } };
      ctx.report("E-rag-invalid-pattern", `invalid pattern /${k.source}/: ${e.message}`, point, { label: "here", help: "patterns are JavaScript regular expressions without backreferences, lookaround or `\\b`; they are matched in linear time" });
    }
    return undefined;
  }
}

/** The constraint a write to a field of type `t` must meet: the type's own, or its items' for a list. */
function constraintOf(t: A.TypeExpr, item: boolean): Constraint | undefined {
  let x = t;
  while (x.kind === "OptionalType") x = x.inner;
  if (item) {
    if (x.kind === "ArrayType") x = x.element;
    else if (x.kind === "NamedType" && x.name.name === "list" && x.args[0]) x = x.args[0];
    else return undefined;
    while (x.kind === "OptionalType") x = x.inner;
  }
  if (x.kind !== "NamedType" || !x.constraint) return undefined;
  const k = x.constraint;
  const base = x.name.name;
  if (k.kind === "Pattern") {
    if (base !== "string") return undefined;
    const pattern = patternOf(undefined, k);
    return pattern ? { base, k, pattern } : undefined;
  }
  return base === "number" || base === "integer" ? { base, k } : undefined;
}

/** A literal's value: a number (also `-3`), a string, or undefined for anything else. */
function literal(e: A.Expr | A.Value): { value: number | string; span: Span } | undefined {
  if (e.kind === "Number" || e.kind === "String") return { value: e.value, span: e.span };
  if (e.kind === "Unary" && e.op === "-" && e.operand.kind === "Number") return { value: -e.operand.value, span: e.span };
  return undefined;
}

/** Why `v` breaks `c`, or undefined when it meets it (or is not of the constrained kind). */
function violation(c: Constraint, v: number | string): string | undefined {
  const k = c.k;
  if (k.kind === "Range") {
    if (typeof v !== "number") return undefined;
    if ((k.min && v < k.min.value) || (k.max && v > k.max.value)) return `${v} is outside ${text(c)}`;
    if (c.base === "integer" && !Number.isInteger(v)) return `${v} is not an integer`;
    return undefined;
  }
  if (typeof v !== "string" || !c.pattern || c.pattern.test(v)) return undefined;
  return `${JSON.stringify(v)} does not match ${text(c)}`;
}

function checkValue(ctx: RuleContext, field: string, where: string, c: Constraint, e: A.Expr | A.Value): void {
  const items = e.kind === "ListExpr" ? e.items : e.kind === "List" ? e.items : [e];
  for (const x of items) {
    const lit = literal(x);
    const why = lit && violation(c, lit.value);
    if (why) ctx.report("E-rag-constraint-violation", `${where} field \`${field}\`: ${why}`, lit!.span, { label: "outside the field's type", help: "the runtime checks every write against the field's type and would fail the task" });
  }
}

function checkWrites(ctx: RuleContext, g: ResolvedGraph, node: string, entries: readonly A.ExprEntry[]): void {
  for (const en of entries) {
    const f = g.fields.get(en.key.name);
    if (!f || f.source.kind !== "Field") continue;
    const item = f.source.reducer !== undefined && ["append", "union", "topic"].includes(f.source.reducer.name.name) && en.value.kind !== "ListExpr";
    const c = constraintOf(f.source.type, item) ?? (en.value.kind === "ListExpr" ? constraintOf(f.source.type, true) : undefined);
    if (c) checkValue(ctx, en.key.name, `graph \`${g.name}\`, node \`${node}\`:`, c, en.value);
  }
}

export const TypeConstraintRule: Rule = (ctx) => ({
  program(p) {
    for (const s of p.schemaList) for (const f of s.fields) checkType(ctx, f.type);
  },
  graph(g) {
    for (const f of g.fieldList) {
      if (f.source.kind !== "Field") continue;
      checkType(ctx, f.source.type);
      const c = f.source.default ? constraintOf(f.source.type, false) ?? (f.source.default.kind === "List" ? constraintOf(f.source.type, true) : undefined) : undefined;
      if (c && f.source.default) checkValue(ctx, f.source.name.name, `graph \`${g.name}\`: the default of`, c, f.source.default);
    }
    for (const io of g.io) for (const f of io.fields) checkType(ctx, f.type);
  },
  node(n, g) {
    const output = n.items.get("output");
    if (output?.value.kind === "RecordType") checkType(ctx, output.value);
    const resume = n.items.get("resume");
    if (resume?.value.kind === "RecordType") checkType(ctx, resume.value);
    const set = n.items.get("set")?.value.entries;
    const w = n.items.get("writes");
    const command = n.items.get("command");
    const update = command?.parent ? undefined : command?.update?.entries;
    // Most nodes write nothing: no list to build then.
    if (set || w?.value.kind === "ExprMap" || update) checkWrites(ctx, g, n.name, [...(set ?? []), ...(w?.value.kind === "ExprMap" ? w.value.entries : []), ...(update ?? [])]);
  },
});
