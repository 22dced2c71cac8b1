/**
 * One-line source text for expressions (`language.md` §3), types (§2.2), literals and
 * static values. Pure functions of the AST; parentheses are inserted from operator
 * precedence, so the text parses back to the same tree.
 */
import type * as A from "../rag/ast.js";
import { canonicalReducerWord, nameText, stringText } from "./canonical.js";

// Binding strength, loosest first (the grammar's levels: or, and, not, cmp, add, mul, unary, postfix).
const OR = 1;
const AND = 2;
const NOT = 3;
const CMP = 4;
const ADD = 5;
const MUL = 6;
const UNARY = 7;
const POSTFIX = 8;

const BINARY_LEVEL: Readonly<Record<A.BinaryOp, number>> = {
  or: OR,
  and: AND,
  "==": CMP,
  "!=": CMP,
  "<": CMP,
  "<=": CMP,
  ">": CMP,
  ">=": CMP,
  in: CMP,
  "+": ADD,
  "-": ADD,
  "*": MUL,
  "/": MUL,
  "%": MUL,
};

function level(e: A.Expr): number {
  switch (e.kind) {
    case "Binary":
      return BINARY_LEVEL[e.op];
    case "Unary":
      return e.op === "not" ? NOT : UNARY;
    case "Number":
      // `-3` is a literal but reads as a unary minus: `(-3).x`.
      return e.raw.startsWith("-") ? UNARY : POSTFIX;
    default:
      return POSTFIX;
  }
}

function wrap(e: A.Expr, min: number): string {
  const t = exprText(e);
  return level(e) < min ? `(${t})` : t;
}

/** An expression on one line. */
export function exprText(e: A.Expr): string {
  switch (e.kind) {
    case "String":
      return stringText(e);
    case "Number":
      return e.raw;
    case "Boolean":
      return e.value ? "true" : "false";
    case "Null":
      return "null";
    case "Name":
      return e.name;
    case "Member":
      return `${wrap(e.object, POSTFIX)}.${e.property.name}`;
    case "Index":
      return `${wrap(e.object, POSTFIX)}[${exprText(e.index)}]`;
    case "Call":
      return `${wrap(e.callee, POSTFIX)}(${e.args.map(exprText).join(", ")})`;
    case "Unary": {
      if (e.op === "not") return `not ${wrap(e.operand, NOT)}`;
      // `- 3` stays a unary minus; `-3` would read back as the literal -3.
      const operand = wrap(e.operand, UNARY);
      return e.operand.kind === "Number" && !e.operand.raw.startsWith("-") ? `- ${operand}` : `-${operand}`;
    }
    case "Binary": {
      const l = BINARY_LEVEL[e.op];
      // Comparisons do not chain (`a == b == c` is no expression): both sides bind tighter.
      const left = wrap(e.left, l === CMP ? l + 1 : l);
      const right = wrap(e.right, l + 1);
      return `${left} ${e.op} ${right}`;
    }
    case "ListExpr":
      return `[${e.items.map(exprText).join(", ")}]`;
    case "Comprehension": {
      // The iterable and filter end at `if` / `]`, so only a bare one needs no parentheses.
      const body = `${exprText(e.element)} for ${e.variable.name} in ${exprText(e.iterable)}${e.filter ? ` if ${exprText(e.filter)}` : ""}`;
      return e.bare ? body : `[${body}]`;
    }
    case "ObjectExpr":
      return e.entries.length ? `{ ${e.entries.map((en) => `${en.key.name}: ${exprText(en.value)}`).join(", ")} }` : "{}";
  }
}

/** A literal as written (numbers and durations keep their spelling). */
export function literalText(l: A.Literal): string {
  switch (l.kind) {
    case "String":
      return stringText(l);
    case "Number":
    case "Duration":
      return l.raw;
    case "Boolean":
      return l.value ? "true" : "false";
    case "Null":
      return "null";
  }
}

/** A static value (block entries, lists, defaults) on one line. */
export function valueText(v: A.Value): string {
  switch (v.kind) {
    case "Word":
      return v.arg ? `${v.name} ${valueText(v.arg)}` : v.name;
    case "List":
      return `[${v.items.map(valueText).join(", ")}]`;
    case "Block":
      return v.entries.length ? `{ ${v.entries.map((e) => `${e.key.name}: ${valueText(e.value)}`).join(", ")} }` : "{}";
    default:
      return literalText(v);
  }
}

/** A type on one line. */
export function typeText(t: A.TypeExpr): string {
  switch (t.kind) {
    case "NamedType": {
      const base = t.args.length ? `${t.name.name}<${t.args.map(typeText).join(", ")}>` : t.name.name;
      const k = t.constraint;
      if (!k) return base;
      return k.kind === "Pattern" ? `${base}(/${k.source}/)` : `${base}(${k.min?.raw ?? ""}..${k.max?.raw ?? ""})`;
    }
    case "ArrayType":
      return `${typeText(t.element)}[]`;
    case "OptionalType":
      return `${typeText(t.inner)}?`;
    case "EnumType":
      return t.values.map(stringText).join(" | ");
    case "RecordType":
      return t.fields.length ? `{ ${t.fields.map(fieldText).join(", ")} }` : "{}";
  }
}

/** `append`, `barrier 2`, `aggregate "fn"` (aliases in canonical spelling). */
export function reducerText(r: A.ReducerSpec): string {
  const args = r.args.map((a) => (a.kind === "List" ? valueText(a) : literalText(a)));
  return [canonicalReducerWord(r.name.name), ...args].join(" ");
}

/** `name: type reducer = default` on one line. */
export function fieldText(f: A.Field): string {
  return `${f.name.name}: ${typeText(f.type)}${f.reducer ? " " + reducerText(f.reducer) : ""}${f.default ? " = " + valueText(f.default) : ""}`;
}

export { nameText };
