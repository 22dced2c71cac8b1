/**
 * The expression scopes of a graph (`language.md` §3), shared by the expression rule
 * and the shape rules: `state` is the graph's state (typed fields; `channel`s are `any`),
 * `input` the graph's `input { … }` (`any` when it declares none), `args` is `any`, `run`
 * is `{id, thread, step}`, and `result` — once the node has run — has the type
 * `resultType` gives it.
 */
import type { ReducerName } from "../blueprint.js";
import { canonicalReducer } from "../resolve/reducers.js";
import type { ResolvedGraph, ResolvedProgram } from "../resolve/resolve.js";
import type * as A from "../../grammar/rag/ast.js";
import { checkExpr, withRoot, type ExprScope, type Report } from "./check.js";
import { ANY, NUMBER, recordOf, STRING, typeOf, type ExprType } from "./types.js";
import { graphCache } from "../analysis/graph-cache.js";

const RUN: ExprType = { t: "record", what: "`run`", fields: new Map([["id", STRING], ["thread", STRING], ["step", NUMBER]]) };
const RESULT_LATER = "`result` is the node's result, so it exists only after the node ran: in `writes`, `set`, `command update`, `when` routes and send arguments";

export interface GraphTypes {
  readonly scopes: Scopes;
  readonly state: ExprType;
  /** Per field: its type and its built-in reducer (canonical name, `overwrite` when one write replaces the value; undefined for a registered one). */
  readonly fields: ReadonlyMap<string, FieldType>;
  readonly input: ExprType;
}

/** What the checks know of a state field. */
export interface FieldType {
  readonly type: ExprType;
  readonly reducer: ReducerName | undefined;
}

/** The scopes of one owner: before the node ran (templates, `input`) and after (`result` defined, as `any`). */
export interface Scopes {
  readonly before: ExprScope;
  readonly after: ExprScope;
}

const cache = graphCache<GraphTypes>();

const SILENT: Report = () => {};

export function graphTypes(g: ResolvedGraph, p: ResolvedProgram): GraphTypes {
  let t = cache.get(g);
  if (t) return t;
  const fields = new Map<string, FieldType>();
  for (const [name, f] of g.fields) {
    const src = f.source;
    if (src.kind === "ChannelItem") {
      const reducer = canonicalReducer(src.reducer.name.name);
      fields.set(name, { type: ANY, reducer });
    } else {
      const reducer = src.reducer ? canonicalReducer(src.reducer.name.name) : "overwrite";
      fields.set(name, { type: typeOf(src.type, p), reducer });
    }
  }
  const inputs = g.io.filter((i) => i.direction === "input").flatMap((i) => i.fields);
  const state: ExprType = { t: "record", what: `the state of graph \`${g.name}\``, fields: new Map([...fields].map(([k, v]) => [k, v.type])) };
  const input = inputs.length ? recordOf(inputs, p, `the input of graph \`${g.name}\``) : ANY;
  t = { scopes: scopes(state, input, `graph \`${g.name}\``), state, fields, input };
  cache.set(g, t);
  return t;
}

export function scopes(state: ExprType, input: ExprType, owner: string): Scopes {
  const roots = new Map<string, ExprType>([["state", state], ["input", input], ["args", ANY], ["run", RUN]]);
  return {
    before: { roots, owner, absent: new Map([["result", RESULT_LATER]]) },
    after: { roots: new Map([...roots, ["result", ANY]]), owner },
  };
}

/** `scope` with `result` of type `t` (unchanged when `t` is unknown: `after` has `result` as `any`). */
export function withResult(scope: ExprScope, t: ExprType): ExprScope {
  return t.t === "any" ? scope : withRoot(scope, "result", t);
}

/**
 * `scope` with a send's `for VARIABLE in ITERABLE` variable: the iterable's item type
 * when it is a list, else `any` (the iterable's own mistakes are reported where it is checked).
 */
export function withForEach(scope: ExprScope, variable: string, iterable: A.Expr): ExprScope {
  const it = checkExpr(iterable, scope, SILENT);
  return withRoot(scope, variable, it.t === "list" ? it.items : ANY);
}
