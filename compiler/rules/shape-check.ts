/**
 * The check behind the shape rules (issue 15 §1): an argument map (`input { … }`, a send
 * packet) against the JSON Schema of what it calls — a registered tool's arguments, a
 * registered agent's or graph's input. Reports, each on the smallest span:
 * - a key the schema does not list: `E-rag-unknown-argument`, with did-you-mean and a fix;
 * - a required parameter no key supplies: `E-rag-missing-input` (without a map, keys may
 *   come from same-named state fields when the callee receives the state);
 * - a value whose type is known and cannot be the parameter's: `E-rag-type-mismatch`
 *   (scalar kinds, lists, enum literals);
 * - a literal (or a list or object literal's items, nested) outside the parameter's range or pattern
 *   (`minimum`/`maximum`/`pattern`, `language.md` §4.1): `E-rag-constraint-violation`,
 *   naming the parameter — the runtime would fail the callee's input check.
 * With `valuesOnly` (the caller's own graphs, whose keys SendInputRule checks) only
 * values are checked.
 */
import type * as A from "../../grammar/rag/ast.js";
import type { Span } from "../../grammar/span.js";
import { didYouMean } from "../../grammar/suggest.js";
import { checkExpr, type ExprScope } from "../expr/check.js";
import { schemaType } from "../expr/schema-type.js";
import { describe, valueKind, type ExprType } from "../expr/types.js";
import { outsideEnum } from "../expr/write-clash.js";
import { compilePattern, PatternError } from "../pattern.js";
import { objectShape, schemaText, type JsonSchema } from "../signatures.js";
import type { RuleContext } from "./rule.js";

export interface ShapeCheck {
  /** The map's entries; undefined when the call has no map. */
  readonly map: A.ExprMap | undefined;
  readonly schema: JsonSchema | undefined;
  /** Scope the map's values are typed in. */
  readonly scope: ExprScope;
  /** The callee, for messages: "tool `search`". */
  readonly callee: string;
  /** The caller, for messages: "node `t` calls". */
  readonly how: string;
  /** Where to report a missing parameter when there is no map. */
  readonly at: Span;
  /** Without a map: names the callee receives anyway (the sender's state fields), else none. */
  readonly implicit?: ReadonlySet<string>;
  /** Check values only: no unknown-key or missing-key reports. */
  readonly valuesOnly?: boolean;
}

const SILENT = () => {};

/**
 * Why a value of type `v` cannot be a `want` described by the callee's schema, or
 * undefined: another kind (`valueKind`; an object parameter, or a list one given an
 * object, is left to the callee's own check), or a string none of whose known values the
 * parameter's enum allows (`outsideEnum`).
 */
function clash(v: ExprType, want: ExprType): string | undefined {
  const kw = valueKind(want);
  const kv = valueKind(v);
  if (!kw || !kv || kw === "object" || (kw === "list" && kv === "object")) return undefined;
  if (kw !== kv) return `${describe(want)}, not ${describe(v)}`;
  return outsideEnum(want, v) ? describe(want) : undefined;
}

/** `prop` without a `null` alternative (`anyOf: [T, {type: "null"}]` → T, optional fields). */
function nonNullable(prop: JsonSchema): JsonSchema {
  const any = prop.anyOf;
  if (!Array.isArray(any)) return prop;
  const rest = (any as JsonSchema[]).filter((x) => x?.type !== "null");
  return rest.length === 1 ? rest[0]! : prop;
}

/** A literal number (also `-3`) or string, or undefined. */
function literal(e: A.Expr): number | string | undefined {
  if (e.kind === "Number" || e.kind === "String") return e.value;
  if (e.kind === "Unary" && e.op === "-" && e.operand.kind === "Number") return -e.operand.value;
  return undefined;
}

/** Why literal `v` is outside `schema`'s range or pattern, or undefined (also when the pattern cannot be compiled). */
function outside(v: number | string, schema: JsonSchema): string | undefined {
  if (typeof v === "number" && (schema.type === "number" || schema.type === "integer")) {
    const lo = typeof schema.minimum === "number" ? schema.minimum : undefined;
    const hi = typeof schema.maximum === "number" ? schema.maximum : undefined;
    if ((lo !== undefined && v < lo) || (hi !== undefined && v > hi)) return `${v} is outside ${schemaText(schema)}`;
    if (schema.type === "integer" && !Number.isInteger(v)) return `${v} is not an integer`;
  }
  if (typeof v === "string" && schema.type === "string" && typeof schema.pattern === "string") {
    try {
      if (!compilePattern(schema.pattern).test(v)) return `${JSON.stringify(v)} does not match ${schemaText(schema)}`;
    } catch (err) {
      if (!(err instanceof PatternError)) throw err;
    }
  }
  return undefined;
}

/**
 * Reports literals of `e` that break `schema`'s range or pattern: `e` itself, a list
 * literal's items, an object literal's fields (named `key.field`), nested up to 16 deep.
 */
function checkConstraint(ctx: RuleContext, e: A.Expr, schema: JsonSchema, key: string, callee: string, depth = 0): void {
  if (depth > 16) return;
  if (e.kind === "ListExpr") {
    if (schema.type !== "array" || schema.items === null || typeof schema.items !== "object") return;
    for (const x of e.items) checkConstraint(ctx, x, nonNullable(schema.items as JsonSchema), key, callee, depth + 1);
    return;
  }
  if (e.kind === "ObjectExpr") {
    const shape = objectShape(schema);
    for (const en of shape ? e.entries : []) {
      const prop = shape!.properties.get(en.key.name);
      if (prop) checkConstraint(ctx, en.value, nonNullable(prop), `${key}.${en.key.name}`, callee, depth + 1);
    }
    return;
  }
  const v = literal(e);
  const why = v === undefined ? undefined : outside(v, schema);
  if (why) ctx.report("E-rag-constraint-violation", `parameter \`${key}\` of ${callee}: ${why}`, e.span, { label: "outside the parameter's type", help: `${callee} checks its input against its declared types at run time and would fail` });
}

export function checkShape(ctx: RuleContext, c: ShapeCheck): void {
  const shape = objectShape(c.schema);
  if (!shape) return;
  const params = [...shape.properties].map(([k, v]) => `${k}${shape.required.has(k) ? "" : "?"}: ${schemaText(v)}`).join(", ");
  const given = new Set<string>();
  for (const en of c.map?.entries ?? []) {
    const key = en.key.name;
    if (!key) continue;
    given.add(key);
    const prop = shape.properties.get(key);
    if (!prop) {
      if (!shape.closed || c.valuesOnly) continue;
      const free = [...shape.properties.keys()].filter((k) => !c.map!.entries.some((x) => x.key.name === k));
      const s = didYouMean(key, free) ?? didYouMean(key, shape.properties.keys());
      ctx.report("E-rag-unknown-argument", `${c.callee} has no parameter \`${key}\``, en.key.span, {
        label: "unknown parameter",
        help: s ? `did you mean \`${s}\`? (${c.callee} takes (${params}))` : `${c.callee} takes (${params})`,
        ...(s ? { fixes: [{ span: en.key.span, replacement: s, description: `replace \`${key}\` with \`${s}\`` }] } : {}),
      });
      continue;
    }
    const want = schemaType(prop, `parameter \`${key}\``);
    const v = checkExpr(en.value, c.scope, SILENT);
    const why = clash(v, want);
    if (why) ctx.report("E-rag-type-mismatch", `parameter \`${key}\` of ${c.callee} must be ${why}`, en.value.span, { label: "type mismatch", help: `${c.callee} takes (${params})` });
    else checkConstraint(ctx, en.value, nonNullable(prop), key, c.callee);
  }
  if (c.valuesOnly) return;
  const have = c.map ? given : (c.implicit ?? new Set<string>());
  // A key close to a missing one was already reported as unknown, with its fix.
  const missing = [...shape.required].filter((k) => !have.has(k) && !(c.map && [...given].some((g) => !shape.properties.has(g) && didYouMean(g, [k]) === k)));
  if (!missing.length) return;
  const names = missing.map((k) => `\`${k}\``).join(", ");
  ctx.report("E-rag-missing-input", `${c.how} ${c.callee} without ${names}: ${missing.length === 1 ? "it is" : "they are"} required`, c.map?.span ?? c.at, {
    label: `missing ${names}`,
    help: c.map ? `add ${missing.map((k) => `\`${k}: …\``).join(", ")} to the map (${c.callee} takes (${params}))` : `map ${missing.length === 1 ? "it" : "them"}: \`input { ${missing.map((k) => `${k}: …`).join(", ")} }\` (${c.callee} takes (${params}))`,
  });
}
