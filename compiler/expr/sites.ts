/**
 * Where expressions occur in a node or inline agent, and which roots are in scope there
 * (`language.md` §3): `state`, `input`, `args` and `run` everywhere; `result` once the
 * node has run (`writes`, `set`, `command update`, `when` routes); a send
 * comprehension's variable inside that send target's arguments.
 */
import type * as A from "../../grammar/rag/ast.js";
import type { ItemTable } from "../resolve/resolve.js";

export type SiteKind = "template" | "input" | "writes" | "set" | "update" | "when" | "send" | "attach";

export interface ExprSite {
  readonly expr: A.Expr;
  readonly kind: SiteKind;
  /** True once the node has run (`result` is defined). */
  readonly afterRun: boolean;
  /** Names bound around the expression (a comprehension variable). */
  readonly locals: readonly string[];
  /** The comprehension this site is the iterable or an argument of. */
  readonly forEach?: { readonly variable: string; readonly iterable: A.Expr };
}

const NONE: readonly string[] = [];

/** Every expression of a node's (or inline agent's) items, in source order. */
export function exprSites(items: ItemTable, sends: readonly A.SendItem[]): ExprSite[] {
  const out: ExprSite[] = [];
  templateSites(items.get("system"), out);
  templateSites(items.get("prompt"), out);
  const input = items.get("input");
  if (input?.value.kind === "ExprMap") for (const e of input.value.entries) out.push({ expr: e.value, kind: "input", afterRun: false, locals: NONE });
  const writes = items.get("writes");
  if (writes?.value.kind === "ExprMap") for (const e of writes.value.entries) out.push({ expr: e.value, kind: "writes", afterRun: true, locals: NONE });
  for (const e of items.get("set")?.value.entries ?? []) out.push({ expr: e.value, kind: "set", afterRun: true, locals: NONE });
  for (const e of items.get("attach")?.value.entries ?? []) out.push({ expr: e.value, kind: "attach", afterRun: false, locals: NONE });
  for (const e of items.get("command")?.update?.entries ?? []) out.push({ expr: e.value, kind: "update", afterRun: true, locals: NONE });
  for (const r of items.get("routes")?.routes ?? []) if (r.kind === "WhenRoute") out.push({ expr: r.condition, kind: "when", afterRun: true, locals: NONE });
  for (const s of sends) {
    for (const t of s.targets) {
      const fe = t.forEach ? { variable: t.forEach.variable.name, iterable: t.forEach.iterable } : undefined;
      if (fe) out.push({ expr: fe.iterable, kind: "send", afterRun: true, locals: NONE });
      if (t.args?.kind === "ExprMap") for (const e of t.args.entries) out.push({ expr: e.value, kind: "send", afterRun: true, locals: fe ? [fe.variable] : NONE, ...(fe ? { forEach: fe } : {}) });
    }
  }
  return out;
}

/** The `{{ expr }}` parts of a `system`/`prompt` item (appended to `out` when given). */
export function templateSites(t: A.TemplateItem | undefined, out: ExprSite[] = []): ExprSite[] {
  if (!t) return out;
  for (const p of t.value.parts) if (p.kind === "Interpolation") out.push({ expr: p.expr, kind: "template", afterRun: false, locals: NONE });
  return out;
}

/** Calls `f` on `e` and every sub-expression, parents first. */
export function walkExpr(e: A.Expr, f: (e: A.Expr) => void): void {
  f(e);
  switch (e.kind) {
    case "Member":
      return walkExpr(e.object, f);
    case "Index":
      walkExpr(e.object, f);
      return walkExpr(e.index, f);
    case "Call":
      walkExpr(e.callee, f);
      for (const a of e.args) walkExpr(a, f);
      return;
    case "Unary":
      return walkExpr(e.operand, f);
    case "Binary":
      walkExpr(e.left, f);
      return walkExpr(e.right, f);
    case "ListExpr":
      for (const i of e.items) walkExpr(i, f);
      return;
    case "Comprehension":
      walkExpr(e.iterable, f);
      walkExpr(e.element, f);
      if (e.filter) walkExpr(e.filter, f);
      return;
    case "ObjectExpr":
      for (const en of e.entries) walkExpr(en.value, f);
      return;
    default:
      return;
  }
}

/** Keys read as `root.key` (or `root["key"]`) anywhere in `sites`, with their first span. */
export function rootReads(sites: readonly ExprSite[], root: string): Map<string, A.Expr["span"]> {
  return addRootReads(sites, root, new Map<string, A.Expr["span"]>());
}

/**
 * Adds to `out` the keys read as `root.key` (or `root["key"]`) in `sites` that it does not
 * hold yet, with their first span, in the order `rootReads` lists them; returns `out`.
 * (One map for many nodes' sites: `rootReads` per node and a merge made a map per node.)
 */
export function addRootReads(sites: readonly ExprSite[], root: string, out: Map<string, A.Expr["span"]>): Map<string, A.Expr["span"]> {
  for (let i = 0; i < sites.length; i++) addReads(sites[i]!.expr, root, out);
  return out;
}

/** `addRootReads` of one expression: parents first, as `walkExpr` visits them (no closure per call). */
function addReads(e: A.Expr, root: string, out: Map<string, A.Expr["span"]>): void {
  switch (e.kind) {
    case "Member":
      if (e.object.kind === "Name" && e.object.name === root && e.property.name && !out.has(e.property.name)) out.set(e.property.name, e.property.span);
      return addReads(e.object, root, out);
    case "Index":
      if (e.object.kind === "Name" && e.object.name === root && e.index.kind === "String" && !out.has(e.index.value)) out.set(e.index.value, e.index.span);
      addReads(e.object, root, out);
      return addReads(e.index, root, out);
    case "Call":
      addReads(e.callee, root, out);
      for (const a of e.args) addReads(a, root, out);
      return;
    case "Unary":
      return addReads(e.operand, root, out);
    case "Binary":
      addReads(e.left, root, out);
      return addReads(e.right, root, out);
    case "ListExpr":
      for (const i of e.items) addReads(i, root, out);
      return;
    case "Comprehension":
      addReads(e.iterable, root, out);
      addReads(e.element, root, out);
      if (e.filter) addReads(e.filter, root, out);
      return;
    case "ObjectExpr":
      for (const en of e.entries) addReads(en.value, root, out);
      return;
    default:
      return;
  }
}
