/**
 * Static types for expression checks (`language.md` §2.2, §3): what a state field, an
 * input field or an expression is known to hold. `any` means unknown and silences every
 * check (untyped `channel`s, `args`, `result`, registry schemas), so the checks only
 * report what is certain.
 */
import type * as A from "../../grammar/rag/ast.js";
import type { ResolvedProgram } from "../resolve/resolve.js";

export type ExprType =
  | { readonly t: "any" }
  | { readonly t: "null" }
  /**
   * `values`: the only strings it can be — a declared enum (`"a" | "b"`), or, with
   * `literal`, the one string a literal spells (`literalType`; described as "a string").
   */
  | { readonly t: "string"; readonly values?: readonly string[]; readonly literal?: true }
  | { readonly t: "number" }
  | { readonly t: "boolean" }
  | { readonly t: "list"; readonly items: ExprType }
  | { readonly t: "map"; readonly values: ExprType }
  /** `open`: a field not among `fields` is unknown (`any`), not an error (a send target's `args`). */
  | { readonly t: "record"; readonly fields: ReadonlyMap<string, ExprType>; readonly what: string; readonly open?: true };

export const ANY: ExprType = { t: "any" };
export const STRING: ExprType = { t: "string" };
export const NUMBER: ExprType = { t: "number" };
export const BOOLEAN: ExprType = { t: "boolean" };
export const NULL: ExprType = { t: "null" };
const MESSAGE: ExprType = {
  t: "record",
  what: "a message",
  fields: new Map<string, ExprType>([["id", STRING], ["role", STRING], ["content", STRING], ["name", STRING], ["tool_calls", { t: "list", items: ANY }], ["tool_call_id", STRING]]),
};

/** The type of string literal `v`: a string known to the letter ("done" into a `"open" | "closed"` field is caught). */
export function literalType(v: string): ExprType {
  return { t: "string", values: [v], literal: true };
}

/** A string that can only be one of declared values (an enum), not a literal's own value. */
export function isEnum(t: ExprType): t is { readonly t: "string"; readonly values: readonly string[] } {
  return t.t === "string" && t.values !== undefined && !t.literal;
}

/** The runtime's kind of a value: a scalar's own, `list`, `object` (map or record), or undefined when unknown (`any`, null). */
export type ValueKind = "string" | "number" | "boolean" | "list" | "object";

/** The kind of a value of type `t` (`ValueKind`): what the runtime's checks and `==` tell apart. */
export function valueKind(t: ExprType): ValueKind | undefined {
  switch (t.t) {
    case "string":
    case "number":
    case "boolean":
    case "list":
      return t.t;
    case "map":
    case "record":
      return "object";
    default:
      return undefined;
  }
}

/** Whether `t` is a string, a number or a boolean. */
export function isScalar(t: ExprType): boolean {
  return t.t === "string" || t.t === "number" || t.t === "boolean";
}

/** The type a field declaration promises (optional types read as their inner type: null is always allowed). */
export function typeOf(t: A.TypeExpr, p: ResolvedProgram, depth = 0): ExprType {
  if (depth > 16) return ANY;
  switch (t.kind) {
    case "OptionalType":
      return typeOf(t.inner, p, depth + 1);
    case "ArrayType":
      return { t: "list", items: typeOf(t.element, p, depth + 1) };
    case "EnumType":
      return { t: "string", values: t.values.map((v) => v.value) };
    case "RecordType":
      return recordOf(t.fields, p, "the record", depth + 1);
    case "NamedType": {
      const n = t.name.name;
      const arg = t.args[0];
      switch (n) {
        case "string":
          return STRING;
        case "number":
        case "integer":
          return NUMBER;
        case "boolean":
          return BOOLEAN;
        case "messages":
          return { t: "list", items: MESSAGE };
        case "list":
          return { t: "list", items: arg ? typeOf(arg, p, depth + 1) : ANY };
        case "map":
          return { t: "map", values: arg ? typeOf(arg, p, depth + 1) : ANY };
        default: {
          const schema = p.schemas.get(n);
          return schema ? recordOf(schema.fields, p, `schema \`${n}\``, depth + 1) : ANY;
        }
      }
    }
  }
}

export function recordOf(fields: readonly A.Field[], p: ResolvedProgram, what: string, depth = 0): ExprType {
  const m = new Map<string, ExprType>();
  for (const f of fields) if (f.name.name && !m.has(f.name.name)) m.set(f.name.name, typeOf(f.type, p, depth));
  return { t: "record", fields: m, what };
}

/** Short name for messages: "a number", "a list", "one of \"a\", \"b\"". */
export function describe(t: ExprType): string {
  switch (t.t) {
    case "string":
      return t.values && !t.literal ? `one of ${t.values.map((v) => JSON.stringify(v)).join(", ")}` : "a string";
    case "number":
      return "a number";
    case "boolean":
      return "a boolean";
    case "null":
      return "null";
    case "list":
      return "a list";
    case "map":
      return "a map";
    case "record":
      return t.what === "the record" ? "a record" : t.what;
    case "any":
      return "any value";
  }
}

/** Whether a value of type `t` can be of kind `k` (unknown types can be anything). */
export function canBe(t: ExprType, k: ExprType["t"] | "mapish" | "seq" | "coll"): boolean {
  if (t.t === "any") return true;
  if (t.t === "null") return true;
  if (k === "mapish") return t.t === "map" || t.t === "record";
  if (k === "seq") return t.t === "string" || t.t === "list";
  if (k === "coll") return t.t === "string" || t.t === "list" || t.t === "map" || t.t === "record";
  if (k === "map") return t.t === "map" || t.t === "record";
  return t.t === k;
}
