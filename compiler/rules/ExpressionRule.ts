/**
 * Static checks on every expression and `{{ }}` template of a node or inline agent
 * (`language.md` §2.2, §3; the checks themselves are in ../expr/check.ts). Roots:
 * `state` is the graph's state (typed fields; `channel`s are `any`), `input` the
 * graph's `input { … }` (`any` when it declares none), `args` and `result` are `any`,
 * `run` is `{id, thread, step}`. `result` exists only once the node has run. A write
 * (`set`, `writes {…}`, `command update`) of a known scalar into an `overwrite` field of
 * another known type is `E-rag-type-mismatch` too (the runtime's zod check would fail the task).
 *
 * Inline agents may serve several graphs, so in their templates `state` and `input`
 * are `any` and only names and functions are checked.
 */
import type * as A from "../../grammar/rag/ast.js";
import { checkExpr, type ExprScope, type Report } from "../expr/check.js";
import { exprSites, type ExprSite } from "../expr/sites.js";
import { ANY, describe, NUMBER, recordOf, STRING, typeOf, type ExprType } from "../expr/types.js";
import { canonicalReducer } from "../resolve/reducers.js";
import type { ResolvedGraph, ResolvedProgram } from "../resolve/resolve.js";
import type { Rule } from "./rule.js";

const RUN: ExprType = { t: "record", what: "`run`", fields: new Map([["id", STRING], ["thread", STRING], ["step", NUMBER]]) };
const RESULT_LATER = "`result` is the node's result, so it exists only after the node ran: in `writes`, `set`, `command update`, `when` routes and send arguments";

interface GraphTypes {
  readonly scopes: Scopes;
  readonly state: ExprType;
  /** Per field: its type, and whether one write replaces the value (`overwrite`). */
  readonly fields: ReadonlyMap<string, { readonly type: ExprType; readonly overwrite: boolean }>;
  readonly input: ExprType;
}

const cache = new WeakMap<ResolvedGraph, GraphTypes>();

function graphTypes(g: ResolvedGraph, p: ResolvedProgram): GraphTypes {
  let t = cache.get(g);
  if (t) return t;
  const fields = new Map<string, { type: ExprType; overwrite: boolean }>();
  for (const [name, f] of g.fields) {
    const src = f.source;
    if (src.kind === "ChannelItem") fields.set(name, { type: ANY, overwrite: canonicalReducer(src.reducer.name.name) === "overwrite" });
    else fields.set(name, { type: typeOf(src.type, p), overwrite: src.reducer ? canonicalReducer(src.reducer.name.name) === "overwrite" : true });
  }
  const inputs = g.io.filter((i) => i.direction === "input").flatMap((i) => i.fields);
  const state: ExprType = { t: "record", what: `the state of graph \`${g.name}\``, fields: new Map([...fields].map(([k, v]) => [k, v.type])) };
  const input = inputs.length ? recordOf(inputs, p, `the input of graph \`${g.name}\``) : ANY;
  t = { scopes: scopes(state, input, `graph \`${g.name}\``), state, fields, input };
  cache.set(g, t);
  return t;
}

/** The scopes of one owner: before the node ran (templates, `input`) and after (`result` defined). */
interface Scopes {
  readonly before: ExprScope;
  readonly after: ExprScope;
}

function scopes(state: ExprType, input: ExprType, owner: string): Scopes {
  const roots = new Map<string, ExprType>([["state", state], ["input", input], ["args", ANY], ["run", RUN]]);
  return {
    before: { roots, owner, absent: new Map([["result", RESULT_LATER]]) },
    after: { roots: new Map([...roots, ["result", ANY]]), owner },
  };
}

/** Discards reports: for types computed only to type another expression. */
const SILENT: Report = () => {};

function checkSites(sites: readonly ExprSite[], sc: Scopes, report: Report): void {
  for (const site of sites) {
    let scope = site.afterRun ? sc.after : sc.before;
    if (site.forEach) {
      const it = checkExpr(site.forEach.iterable, scope, SILENT);
      scope = { ...scope, roots: new Map([...scope.roots, [site.forEach.variable, it.t === "list" ? it.items : ANY]]) };
    }
    checkExpr(site.expr, scope, report);
  }
}

function scalar(t: ExprType): boolean {
  return t.t === "string" || t.t === "number" || t.t === "boolean";
}

/** Literal-ish writes of a known type into an overwrite field of another known type. */
function checkWrites(entries: readonly A.ExprEntry[], types: GraphTypes, scope: ExprScope, report: Report): void {
  for (const en of entries) {
    const f = types.fields.get(en.key.name);
    if (!f || !f.overwrite) continue;
    const v = checkExpr(en.value, scope, SILENT);
    const clash = (scalar(f.type) && scalar(v) && f.type.t !== v.t) || (f.type.t === "list" && scalar(v)) || (scalar(f.type) && v.t === "list");
    if (clash) report("E-rag-type-mismatch", `field \`${en.key.name}\` holds ${describe(f.type)}, but this writes ${describe(v)}`, en.value.span, { label: "type mismatch", help: "the runtime validates every write against the field's type and would fail the task" });
  }
}

export const ExpressionRule: Rule = (ctx) => {
  const report: Report = (code, message, span, extras) => ctx.report(code, message, span, extras);
  return {
    node(n, g) {
      const types = graphTypes(g, ctx.program);
      checkSites(exprSites(n.items, n.sends), types.scopes, report);
      const w = n.items.get("writes");
      const set = n.items.get("set")?.value.entries;
      const update = n.items.get("command")?.update?.entries;
      if (set || w?.value.kind === "ExprMap" || update) checkWrites([...(set ?? []), ...(w?.value.kind === "ExprMap" ? w.value.entries : []), ...(update ?? [])], types, types.scopes.after, report);
    },
    agent(a) {
      checkSites(exprSites(a.items, []), scopes(ANY, ANY, `agent \`${a.name}\``), report);
    },
  };
};
