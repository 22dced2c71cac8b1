/**
 * A loop whose way out never changes (`language.md` §5): every edge out of a loop is a
 * `when`/`else` route (or the end of a `when` list without `else`), and the conditions
 * that decide them read only state fields that keep one value for the whole run — fields
 * nothing writes (`state { done: boolean = false }` with no `set { done: … }` anywhere:
 * a default, or a run's input, alone never changes), and `sum` fields whose every write
 * adds 0 (`set { n: 0 }`). Such a condition is the same on every turn: the run leaves at
 * the first check or never, and then cycles until the recursion limit fails it.
 * `W-rag-loop-exit-never-changes`, at the first deciding condition, with the fields named.
 *
 * Only judged where every writer is known (`hasHiddenWriters`: no tool's Command, custom
 * kind, subgraph or registered agent without `writes`), where the loop has no other way
 * out (a label route, `on_error`, `goto`, a send or join out of it), and where no person
 * can edit state on the way round (no interrupt node in the loop, no `interrupt` item).
 * `messages` fields are never judged (conversational nodes append to them).
 * A field `W-rag-state-never-written` reports (no default, not an input field, in a graph
 * with an `input { … }` block) is left to it: one warning per mistake.
 */
import type * as A from "../../grammar/rag/ast.js";
import { flowGraph, flowLoops, type FlowEdge } from "../analysis/flow.js";
import { hasHiddenWriters, inputFields, writtenValues } from "../analysis/writes.js";
import { canonicalReducer } from "../resolve/reducers.js";
import type { ResolvedGraph } from "../resolve/resolve.js";
import type { Rule, RuleContext } from "./rule.js";

/** Why each field keeps one value for a run, for fields that do. */
function frozenFields(g: ResolvedGraph, ctx: RuleContext): Map<string, string> {
  const written = writtenValues(g, ctx.program, ctx.registry);
  // The fields StateNeverWrittenRule judges when nothing writes them.
  const inputs = g.io.some((io) => io.direction === "input") ? inputFields(g) : undefined;
  const out = new Map<string, string>();
  for (const [name, f] of g.fields) {
    const src = f.source;
    if (src.kind !== "Field") continue;
    if (src.type.kind === "NamedType" && src.type.name.name === "messages") continue;
    const reducer = src.reducer ? canonicalReducer(src.reducer.name.name) : "overwrite";
    if (reducer === "messages") continue;
    const w = written.get(name);
    if (w === undefined) {
      if (inputs && src.default === undefined && !inputs.has(name)) continue;
      out.set(name, `nothing writes \`${name}\``);
    }
    else if (reducer === "sum" && w !== "any" && w.every((v) => v === 0)) out.set(name, `\`${name}\` is \`sum\` and every write adds 0`);
  }
  return out;
}

/**
 * The fields `e` reads when its value depends on nothing but literals and `state.F` of
 * frozen fields (pure functions and operators over them), collected into `out`; false otherwise.
 */
function constantReads(e: A.Expr, frozen: ReadonlyMap<string, string>, out: Set<string>): boolean {
  switch (e.kind) {
    case "String":
    case "Number":
    case "Boolean":
    case "Null":
      return true;
    case "Member":
      if (e.object.kind === "Name" && e.object.name === "state" && frozen.has(e.property.name)) {
        out.add(e.property.name);
        return true;
      }
      return e.object.kind !== "Name" && constantReads(e.object, frozen, out);
    case "Index":
      return constantReads(e.object, frozen, out) && constantReads(e.index, frozen, out);
    case "Call":
      return e.callee.kind === "Name" && e.args.every((a) => constantReads(a, frozen, out));
    case "Unary":
      return constantReads(e.operand, frozen, out);
    case "Binary":
      return constantReads(e.left, frozen, out) && constantReads(e.right, frozen, out);
    case "ListExpr":
      return e.items.every((a) => constantReads(a, frozen, out));
    default:
      return false;
  }
}

/** `W-rag-loop-exit-never-changes`: a loop whose every exit is a condition over fields no run changes (module comment above). */
export const LoopExitNeverChangesRule: Rule = (ctx) => ({
  graph(g) {
    // Judged only where some node decides by a condition (most graphs: none).
    if (g.interrupts.length || !g.nodeList.some((n) => n.items.get("routes")?.routes.some((r) => r.kind === "WhenRoute"))) return;
    const flow = flowGraph(g);
    if (!flow.hasEntry || !flow.complete) return;
    let frozen: Map<string, string> | undefined;
    let hidden: boolean | undefined;
    let order: Map<string, number> | undefined;
    for (const found of flowLoops(flow)) {
      // Members and their exits in source order, so the report does not depend on the traversal.
      order ??= new Map(g.nodeList.map((n, i) => [n.name, i] as const));
      const comp = [...found].sort((a, b) => order!.get(a)! - order!.get(b)!);
      const members = new Set(comp);
      const exits: FlowEdge[] = [];
      for (const m of comp) for (const e of flow.out.get(m) ?? []) if (!members.has(e.to)) exits.push(e);
      // No exit at all is E-rag-cycle-without-exit; any exit but a `when`/`else` may change.
      if (!exits.length || exits.some((e) => e.kind !== "when" && e.kind !== "else" && e.kind !== "end")) continue;
      if (comp.some((m) => g.nodes.get(m)?.kind === "interrupt")) continue;
      const deciding: A.WhenRoute[] = [];
      for (const from of new Set(exits.map((e) => e.from))) {
        const routes = g.nodes.get(from)?.items.get("routes")?.routes ?? [];
        const whens = routes.filter((r): r is A.WhenRoute => r.kind === "WhenRoute");
        if (!whens.length) deciding.length = 0;
        if (!whens.length) break;
        deciding.push(...whens);
      }
      if (!deciding.length) continue;
      if ((hidden ??= hasHiddenWriters(g, ctx.program))) return;
      frozen ??= frozenFields(g, ctx);
      const reads = new Set<string>();
      if (!deciding.every((r) => constantReads(r.condition, frozen!, reads))) continue;
      const first = deciding[0]!;
      const why = [...reads].map((f) => frozen!.get(f)!);
      const shown = comp.map((n) => `\`${n}\``).join(", ");
      ctx.report("W-rag-loop-exit-never-changes", `the loop through ${shown} decides its way out the same on every turn: ${why.length ? why.join("; ") : "its conditions read no state"}, so a run leaves at the first check or cycles until the recursion limit`, first.condition.span, {
        label: "same on every turn",
        labels: [...reads].map((f) => ({ span: (g.fields.get(f)!.source as A.Field).name.span, message: `\`${f}\` keeps one value for the run` })),
        help: reads.size ? `write ${[...reads].map((f) => `\`${f}\``).join(", ")} inside the loop (\`set { ${[...reads][0]}: … }\`, \`writes { ${[...reads][0]}: result.… }\`), or count with a \`sum\` field (\`set { n: 1 }\` adds one)` : "make the condition read state the loop changes",
      });
    }
  },
});
