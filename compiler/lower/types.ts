/**
 * Types and fields → IR (`TypeSpec`, `FieldSpec`, `language.md` §2.2). Default reducer:
 * `messages` for the `messages` type, `overwrite` otherwise.
 */
import type * as A from "../../grammar/rag/ast.js";
import type { FieldSpec, Json, ReducerSpec, ScalarTypeName, TypeSpec } from "../blueprint.js";
import { canonicalReducer } from "../resolve/reducers.js";
import { valueToJson } from "./values.js";

const SCALARS = new Set<string>(["string", "number", "integer", "boolean", "any", "messages"]);

export function lowerType(t: A.TypeExpr, schemasUsed: Set<string>): TypeSpec {
  switch (t.kind) {
    case "OptionalType":
      return { ...lowerType(t.inner, schemasUsed), optional: true };
    case "ArrayType":
      return { type: "list", items: lowerType(t.element, schemasUsed) };
    case "RecordType":
      return { type: "record", fields: t.fields.map((f) => lowerField(f, schemasUsed)) };
    case "EnumType":
      return { type: "enum", values: t.values.map((v) => v.value) };
    case "NamedType": {
      const n = t.name.name;
      if (n === "list") return { type: "list", items: t.args[0] ? lowerType(t.args[0], schemasUsed) : { type: "any" } };
      if (n === "map") return { type: "map", values: t.args[0] ? lowerType(t.args[0], schemasUsed) : { type: "any" } };
      if (SCALARS.has(n)) {
        const k = t.constraint;
        if (k?.kind === "Range" && (n === "number" || n === "integer")) return { type: n, ...(k.min ? { min: k.min.value } : {}), ...(k.max ? { max: k.max.value } : {}) };
        if (k?.kind === "Pattern" && n === "string") return { type: n, pattern: k.source };
        return { type: n as ScalarTypeName };
      }
      schemasUsed.add(n);
      return { type: "ref", name: n };
    }
  }
}

export function lowerReducer(r: A.ReducerSpec | undefined, type: TypeSpec): ReducerSpec {
  if (!r) return { name: type.type === "messages" ? "messages" : "overwrite", args: [] };
  const word = r.name.name;
  const args: Json[] = r.args.map((a) => valueToJson(a));
  const canon = canonicalReducer(word);
  if (canon === "aggregate") {
    const fn = word === "reducer" || word === "aggregate" ? (typeof args[0] === "string" ? args[0] : undefined) : undefined;
    return { name: "aggregate", args: fn !== undefined ? args.slice(1) : args, ...(fn !== undefined ? { fn } : {}) };
  }
  // An unknown reducer word (allowed when unchecked) is kept as a registered function name.
  if (!canon) return { name: "aggregate", args, fn: word };
  return { name: canon, args };
}

export function lowerField(f: A.Field, schemasUsed: Set<string>): FieldSpec {
  const type = lowerType(f.type, schemasUsed);
  return {
    name: f.name.name,
    type,
    reducer: lowerReducer(f.reducer, type),
    ...(f.default ? { default: valueToJson(f.default) } : {}),
    span: f.span,
  };
}

/** `channel NAME REDUCER ARGS*`: a field of type `any` (or `messages` for the messages reducer). */
export function lowerChannel(c: A.ChannelItem): FieldSpec {
  const type: TypeSpec = c.reducer.name.name === "messages" ? { type: "messages" } : { type: "any" };
  return { name: c.name.name, type, reducer: lowerReducer(c.reducer, type), span: c.span };
}
