/**
 * A counter that never counts (`language.md` §2.2): a `when` compares a number field
 * with a literal (`state.tries >= 3`), the field keeps the last write (`overwrite`, the
 * default), and every write to it in the graph is a constant (`set { tries: 1 }`). Then
 * the field only ever holds its default or those constants, and when none of them
 * satisfies the comparison the route is never taken — typically a retry loop whose
 * bound never comes true, which runs to the recursion limit. `W-rag-counter-never-counts`,
 * at the condition, with a fix when the writes are increments in spirit: declare the
 * field `sum`, so `set { tries: 1 }` adds one.
 *
 * Only when every write is visible and constant: a field written whole by a node's
 * result (`writes tries`), a send (`-> tries`), an agent's channel, or any non-literal
 * expression is not judged, and a field with no write at all is left alone; nor is an
 * input field, or any field of a graph with writers the file does not spell out (a node
 * kind that is not built in, a tool node, tool executor or agent with tools — a tool's
 * Command may update any field — or a registered agent without `writes`).
 */
import type * as A from "../../grammar/rag/ast.js";
import { hasHiddenWriters, inputFields, numberOf, writtenValues } from "../analysis/writes.js";
import { canonicalReducer } from "../resolve/reducers.js";
import type { Rule } from "./rule.js";

type Cmp = "<" | "<=" | ">" | ">=" | "==" | "!=";
const FLIP: Record<Cmp, Cmp> = { "<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!=" };

function holds(op: Cmp, a: number, b: number): boolean {
  switch (op) {
    case "<": return a < b;
    case "<=": return a <= b;
    case ">": return a > b;
    case ">=": return a >= b;
    case "==": return a === b;
    case "!=": return a !== b;
  }
}

/** `state.F` → F. */
function stateField(e: A.Expr): string | undefined {
  return e.kind === "Member" && e.object.kind === "Name" && e.object.name === "state" ? e.property.name : undefined;
}

/** `state.F OP n` or `n OP state.F`, normalised to `state.F OP n`. */
function comparison(e: A.Expr): { field: string; op: Cmp; n: number } | undefined {
  if (e.kind !== "Binary" || !(e.op in FLIP)) return undefined;
  const op = e.op as Cmp;
  const lf = stateField(e.left);
  const rn = numberOf(e.right);
  if (lf !== undefined && rn !== undefined) return { field: lf, op, n: rn };
  const rf = stateField(e.right);
  const ln = numberOf(e.left);
  if (rf !== undefined && ln !== undefined) return { field: rf, op: FLIP[op], n: ln };
  return undefined;
}

/** The comparisons of a condition joined by `and`/`or` (a never-true one is a dead part either way). */
function required(e: A.Expr, out: A.Expr[]): void {
  if (e.kind === "Binary" && (e.op === "and" || e.op === "or")) {
    required(e.left, out);
    required(e.right, out);
  } else out.push(e);
}

function numericDefault(f: A.Field): number | undefined {
  return f.default ? numberOf(f.default) : undefined;
}

export const CounterNeverCountsRule: Rule = (ctx) => ({
  graph(g) {
    let hidden: boolean | undefined;
    let inputs: Set<string> | undefined;
    let written: Map<string, number[] | "any"> | undefined;
    for (const n of g.nodeList) {
      for (const r of n.items.get("routes")?.routes ?? []) {
        if (r.kind !== "WhenRoute") continue;
        const parts: A.Expr[] = [];
        required(r.condition, parts);
        for (const p of parts) {
          const c = comparison(p);
          const f = c ? g.fields.get(c.field)?.source : undefined;
          if (!c || !f || f.kind !== "Field") continue;
          const type = f.type.kind === "NamedType" ? f.type.name.name : undefined;
          if (type !== "integer" && type !== "number") continue;
          if (f.reducer && canonicalReducer(f.reducer.name.name) !== "overwrite") continue;
          // A custom kind, a tool's Command or the run's input may set it: not judged.
          if ((hidden ??= hasHiddenWriters(g, ctx.program)) || (inputs ??= inputFields(g)).has(c.field)) continue;
          written ??= writtenValues(g, ctx.program, ctx.registry);
          const values = written.get(c.field);
          if (!values || values === "any") continue;
          const dflt = numericDefault(f);
          const can = [...new Set([...(dflt !== undefined ? [dflt] : []), ...values])];
          if (can.some((v) => holds(c.op, v, c.n))) continue;
          const increments = values.every((v) => v > 0);
          const at = f.type.span.end;
          ctx.report("W-rag-counter-never-counts", `\`state.${c.field} ${c.op} ${c.n}\` is never true: \`${c.field}\` keeps the last write, and every write sets a constant (${[...new Set(values)].join(", ")})`, p.span, {
            label: "never true",
            labels: [{ span: f.name.span, message: `\`${c.field}\` is overwritten` }],
            help: increments ? `to count, declare \`${c.field}: ${type} sum${dflt !== undefined ? ` = ${dflt}` : ""}\`, so each \`set { ${c.field}: ${values[0]} }\` adds` : `write \`state.${c.field} + 1\` to count, or declare the field \`sum\``,
            ...(increments ? { fixes: [{ span: { start: at, end: at }, replacement: " sum", description: `declare \`${c.field}\` with the \`sum\` reducer` }] } : {}),
          });
        }
      }
    }
  },
});
