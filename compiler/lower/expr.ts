/**
 * Expressions and templates → IR (`ExprSpec`, `TemplateSpec`). Pure translation; the
 * rules have already reported what is wrong.
 */
import type * as A from "../../grammar/rag/ast.js";
import type { ExprEntrySpec, ExprSpec, Json, TemplateSpec } from "../blueprint.js";

export function lowerExpr(e: A.Expr): ExprSpec {
  const span = e.span;
  switch (e.kind) {
    case "String":
      return { op: "lit", value: e.value, span };
    case "Number":
      return { op: "lit", value: e.value, span };
    case "Boolean":
      return { op: "lit", value: e.value, span };
    case "Null":
      return { op: "lit", value: null, span };
    case "Name":
      return { op: "var", name: e.name, span };
    case "Member":
      return { op: "get", object: lowerExpr(e.object), key: e.property.name, span };
    case "Index":
      return { op: "index", object: lowerExpr(e.object), index: lowerExpr(e.index), span };
    case "Call":
      return { op: "call", fn: e.callee.kind === "Name" ? e.callee.name : "", args: e.args.map(lowerExpr), span };
    case "Unary":
      return { op: e.op === "not" ? "not" : "neg", arg: lowerExpr(e.operand), span };
    case "Binary":
      return { op: "bin", operator: e.op, left: lowerExpr(e.left), right: lowerExpr(e.right), span };
    case "ListExpr":
      return { op: "list", items: e.items.map(lowerExpr), span };
    case "ObjectExpr":
      return { op: "object", entries: lowerEntries(e.entries), span };
    case "Comprehension":
      return { op: "comp", variable: e.variable.name, iterable: lowerExpr(e.iterable), element: lowerExpr(e.element), ...(e.filter ? { filter: lowerExpr(e.filter) } : {}), span };
  }
}

// Module-level callbacks: these run per node, and a closure made per call costs (more so
// under tsx, the benchmark's runner, which also names each one).
const lowerEntry = (en: A.ExprEntry): ExprEntrySpec => ({ key: en.key.name, value: lowerExpr(en.value) });
const lowerPart = (p: A.Template["parts"][number]): TemplateSpec["parts"][number] => (p.kind === "Text" ? { text: p.text } : { expr: lowerExpr(p.expr) });

export function lowerEntries(entries: readonly A.ExprEntry[]): ExprEntrySpec[] {
  return entries.map(lowerEntry);
}

export function lowerTemplate(t: A.Template): TemplateSpec {
  return {
    text: t.literal.value,
    parts: t.parts.map(lowerPart),
    span: t.span,
  };
}

/** The JSON value of a constant expression, or undefined when it is not constant. */
export function constantValue(e: ExprSpec): Json | undefined {
  if (e.op === "lit") return e.value;
  if (e.op === "list") {
    const items = e.items.map(constantValue);
    return items.every((i) => i !== undefined) ? (items as Json[]) : undefined;
  }
  return undefined;
}
