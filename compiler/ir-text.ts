/**
 * Source-like text for pieces of the Blueprint IR (`language.md` §2.2, §3): expressions,
 * types, reducers, templates. Used where the IR is shown to people (`rag graph` edge
 * labels, `rag diff`). Parentheses follow the grammar's precedence.
 */
import type { ExprSpec, FieldSpec, Json, ReducerSpec, TemplateSpec, TypeSpec } from "./blueprint.js";

const LEVEL: Readonly<Record<string, number>> = { or: 1, and: 2, "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4, in: 4, "+": 5, "-": 5, "*": 6, "/": 6, "%": 6 };

function level(e: ExprSpec): number {
  if (e.op === "bin") return LEVEL[e.operator];
  if (e.op === "not") return 3;
  if (e.op === "neg") return 7;
  if (e.op === "lit" && typeof e.value === "number" && e.value < 0) return 7;
  return 8;
}

function wrap(e: ExprSpec, min: number): string {
  const t = exprSpecText(e);
  return level(e) < min ? `(${t})` : t;
}

/** An expression as source text (`len(state.items) > 2`). */
export function exprSpecText(e: ExprSpec): string {
  switch (e.op) {
    case "lit":
      return jsonText(e.value);
    case "var":
      return e.name;
    case "get":
      return `${wrap(e.object, 8)}.${e.key}`;
    case "index":
      return `${wrap(e.object, 8)}[${exprSpecText(e.index)}]`;
    case "call":
      return `${e.fn}(${e.args.map(exprSpecText).join(", ")})`;
    case "not":
      return `not ${wrap(e.arg, 3)}`;
    case "neg":
      return `-${wrap(e.arg, 7)}`;
    case "bin": {
      const l = LEVEL[e.operator];
      return `${wrap(e.left, l === 4 ? 5 : l)} ${e.operator} ${wrap(e.right, l + 1)}`;
    }
    case "list":
      return `[${e.items.map(exprSpecText).join(", ")}]`;
    case "comp":
      return `[${exprSpecText(e.element)} for ${e.variable} in ${exprSpecText(e.iterable)}${e.filter ? ` if ${exprSpecText(e.filter)}` : ""}]`;
    case "object":
      return e.entries.length ? `{ ${e.entries.map((en) => `${en.key}: ${exprSpecText(en.value)}`).join(", ")} }` : "{}";
  }
}

/** A JSON value as `.rag` literal text. */
export function jsonText(v: Json): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(jsonText).join(", ")}]`;
  const entries = Object.entries(v);
  return entries.length ? `{ ${entries.map(([k, x]) => `${k}: ${jsonText(x)}`).join(", ")} }` : "{}";
}

/** A type as source text (`list<string>?`, `"a" | "b"`). */
export function typeSpecText(t: TypeSpec): string {
  const opt = t.optional ? "?" : "";
  switch (t.type) {
    case "list":
      return `list<${typeSpecText(t.items)}>${opt}`;
    case "map":
      return `map<${typeSpecText(t.values)}>${opt}`;
    case "record":
      return `{ ${t.fields.map(fieldSpecText).join(", ")} }${opt}`;
    case "enum":
      return t.values.map((v) => JSON.stringify(v)).join(" | ") + opt;
    case "ref":
      return t.name + opt;
    default:
      return t.type + constraintText(t) + opt;
  }
}

/** `(0..1)`, `(/^[A-Z]{3}$/)` or "" (`language.md` §4.1). */
export function constraintText(t: TypeSpec): string {
  if (!("min" in t || "max" in t || "pattern" in t)) return "";
  const s = t as { min?: number; max?: number; pattern?: string };
  return s.pattern !== undefined ? `(/${s.pattern}/)` : `(${s.min ?? ""}..${s.max ?? ""})`;
}

/** `append`, `barrier 2`, `aggregate "fn"`. */
export function reducerSpecText(r: ReducerSpec): string {
  return [r.name, ...(r.fn !== undefined ? [JSON.stringify(r.fn)] : []), ...r.args.map(jsonText)].join(" ");
}

/** `name: type reducer = default` (the reducer only when it is not the default one). */
export function fieldSpecText(f: FieldSpec): string {
  const implicit = f.reducer.args.length === 0 && f.reducer.fn === undefined && f.reducer.name === (f.type.type === "messages" ? "messages" : "overwrite");
  return `${f.name}: ${typeSpecText(f.type)}${implicit ? "" : " " + reducerSpecText(f.reducer)}${f.default !== undefined ? " = " + jsonText(f.default) : ""}`;
}

/** A template's text as written, `{{ }}` included. */
export function templateSpecText(t: TemplateSpec): string {
  return t.parts.map((p) => ("text" in p ? p.text.replace(/\{\{/g, "\\{{") : `{{ ${exprSpecText(p.expr)} }}`)).join("");
}
