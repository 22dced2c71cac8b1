/**
 * What `args` holds in a send target's expressions (`language.md` §3, §4 `send`): the
 * argument maps of the `send` packets that start its tasks. A field every packet of the
 * graph gives, with one scalar kind (or list of one) in all of them, has that kind; any
 * other field — records and maps included — reads as
 * unknown (`any`). The record is open: a field no packet gives is not reported here
 * (`E-rag-missing-input` names a field a node needs and a packet lacks).
 *
 * `args` stays `any` where code may start the node with arguments of its own: in a graph
 * with a registry (custom) kind — whose Command may go to any node with a packet — and
 * for a node drawn from a `tool`, `tool_executor`, `subgraph` or `repl_agent` node (a
 * tool's Command, or a child's `graph: PARENT` command, may send a packet to it).
 */
import { graphCache } from "../analysis/graph-cache.js";
import { flowGraph } from "../analysis/flow.js";
import { packetsTo } from "../analysis/send-targets.js";
import type { RegistryView } from "../registry-view.js";
import { canonicalKind } from "../resolve/kinds.js";
import type { ResolvedGraph, ResolvedNode, ResolvedProgram } from "../resolve/resolve.js";
import { checkExpr, type Report } from "./check.js";
import { resultType } from "./result-type.js";
import { graphTypes, withForEach, withResult } from "./scope.js";
import { ANY, STRING, type ExprType } from "./types.js";

/** Per graph: whether code may send packets anywhere (a registry kind's Command). */
const dynamicSends = graphCache<boolean>();

const SILENT: Report = () => {};

/** Kinds whose tasks may send a packet to a node they are drawn to, from code (a tool's or a child's Command). */
const MAY_SEND: ReadonlySet<string> = new Set(["tool", "tool_executor", "subgraph", "repl_agent"]);

function isDynamic(g: ResolvedGraph): boolean {
  let r = dynamicSends.get(g);
  if (r === undefined) {
    r = g.nodeList.some((n) => canonicalKind(n.kind) === undefined);
    dynamicSends.set(g, r);
  }
  return r;
}

/**
 * What of a packet field's type `args` may promise: a scalar kind (a string without its
 * enum values: another packet may pass other ones), or a list of one; anything else
 * (records, maps: packets may pass records of other fields) is `any`.
 */
function plain(t: ExprType): ExprType {
  if (t.t === "string") return STRING;
  if (t.t === "number" || t.t === "boolean") return t;
  if (t.t === "list") return { t: "list", items: t.items.t === "list" ? ANY : plain(t.items) };
  return ANY;
}

/** Whether two `plain` types are the same. */
function same(a: ExprType, b: ExprType): boolean {
  return a.t === b.t && (a.t !== "list" || (b.t === "list" && a.items.t === b.items.t));
}

/** The type of `args` in node `n`'s expressions (see the module comment); `any` when it is not known. */
export function argsType(n: ResolvedNode, g: ResolvedGraph, p: ResolvedProgram, registry: RegistryView | undefined): ExprType {
  const sent = packetsTo(g).get(n.name);
  if (!sent?.length || isDynamic(g)) return ANY;
  for (const e of flowGraph(g).into.get(n.name) ?? []) {
    const from = g.nodes.get(e.from);
    if (from && MAY_SEND.has(canonicalKind(from.kind) ?? "")) return ANY;
  }
  let fields: Map<string, ExprType> | undefined;
  for (const { sender, target } of sent) {
    if (target.args?.kind !== "ExprMap") return ANY;
    const types = graphTypes(g, p);
    const after = withResult(types.scopes.after, resultType(sender, g, p, registry));
    const scope = target.forEach ? withForEach(after, target.forEach.variable.name, target.forEach.iterable) : after;
    const own = new Map<string, ExprType>();
    for (const e of target.args.entries) own.set(e.key.name, plain(checkExpr(e.value, scope, SILENT)));
    if (!fields) fields = own;
    else {
      for (const [k, t] of fields) {
        const o = own.get(k);
        if (!o || !same(t, o)) fields.set(k, ANY);
      }
    }
  }
  const known = new Map([...(fields ?? [])].filter(([, t]) => t.t !== "any"));
  return known.size ? { t: "record", fields: known, what: `the arguments of node \`${n.name}\``, open: true } : ANY;
}
