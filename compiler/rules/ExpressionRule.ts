/**
 * Static checks on every expression and `{{ }}` template of a node or inline agent
 * (`language.md` §2.2, §3; the checks themselves are in ../expr/check.ts). Roots:
 * `state` is the graph's state (typed fields; `channel`s are `any`), `input` the
 * graph's `input { … }` (`any` when it declares none), `args` is `any`, `run` is
 * `{id, thread, step}`. `result` exists only once the node has run, with the type its
 * kind gives it (`expr/result-type.ts`: a declared `output`, a registered agent's or
 * graph's output signature, a model's reply text), so `result.answr` is caught. A write
 * (`set`, `writes {…}`, `command update`, `writes FIELD`) of a known type the field cannot
 * take — a value of another kind into an `overwrite` field (a string into a number, a record
 * into a string, a scalar into a map), a string literal outside an enum, a non-number into
 * `sum`/`min`/`max`, an item of another kind into an `append`/`union` list, a scalar into
 * `merge` — is `E-rag-type-mismatch` too (`expr/write-clash.ts`; the runtime's check would
 * fail the task).
 *
 * Inline agents may serve several graphs, so in their templates `state` and `input`
 * are `any` and only names and functions are checked.
 */
import type * as A from "../../grammar/rag/ast.js";
import { checkExpr, withRoot, type ExprScope, type Report } from "../expr/check.js";
import { argsType } from "../expr/args-type.js";
import { packetsTo } from "../analysis/send-targets.js";
import { resultType } from "../expr/result-type.js";
import { graphTypes, scopes, withForEach, withResult, type GraphTypes } from "../expr/scope.js";
import { exprSites, rootReads, type ExprSite } from "../expr/sites.js";
import { ANY, type ExprType } from "../expr/types.js";
import { writeClash } from "../expr/write-clash.js";
import type { Rule } from "./rule.js";

/** Discards reports: for types computed only to type another expression. */
const SILENT: Report = () => {};

function checkSites(sites: readonly ExprSite[], before: ExprScope, after: ExprScope | undefined, report: Report): void {
  for (const site of sites) {
    const scope = site.afterRun ? after! : before;
    checkExpr(site.expr, site.forEach ? withForEach(scope, site.forEach.variable, site.forEach.iterable) : scope, report);
  }
}

function anyAfterRun(sites: readonly ExprSite[]): boolean {
  for (const s of sites) if (s.afterRun) return true;
  return false;
}

/** Writes of a known type into a field whose type or reducer cannot take them. */
function checkWrites(entries: readonly A.ExprEntry[], types: GraphTypes, scope: ExprScope, report: Report): void {
  for (const en of entries) {
    const f = types.fields.get(en.key.name);
    if (!f) continue;
    // A string literal is known to the letter (`literalType`): "done" into a `"open" | "closed"` field is caught.
    const why = writeClash(f, checkExpr(en.value, scope, SILENT));
    if (why) report("E-rag-type-mismatch", `field \`${en.key.name}\` ${why}`, en.value.span, { label: "type mismatch", help: "the runtime validates every write against the field's type and reducer and would fail the task" });
  }
}

/** `writes FIELD`: the node's result (of type `result`) into FIELD, which must be able to take it. */
function checkResultWrite(target: A.Identifier, kind: string, types: GraphTypes, result: ExprType, report: Report): void {
  const f = types.fields.get(target.name);
  const why = f && writeClash(f, result);
  if (why) {
    report("E-rag-type-mismatch", `field \`${target.name}\` ${why}: the result of this \`${kind}\` node`, target.span, {
      label: "type mismatch",
      help:
        kind === "tool_executor"
          ? "a tool executor's result is the replies to the calls as text, one string per call (whatever the tools return): collect it in a `list<string>` field"
          : result.t === "string"
            ? "a reply is text: write it to a string field, or declare `output { … }` on the node for a structured result and write its fields (`writes { n: result.n }`)"
            : "write it to a field of its type, or pick the part you need (`writes { x: result.x }`)",
    });
  }
}

export const ExpressionRule: Rule = (ctx) => {
  const report: Report = (code, message, span, extras) => ctx.report(code, message, span, extras);
  return {
    node(n, g) {
      const sites = exprSites(n.items, n.sends);
      const w = n.items.get("writes");
      const set = n.items.get("set")?.value.entries;
      const command = n.items.get("command");
      const update = command?.parent ? undefined : command?.update?.entries; // a parent's fields: not this graph's types
      const writes = set || w?.value.kind === "ExprMap" || update;
      // `writes FIELD`: the node's result goes to FIELD whole
      const target = w?.value.kind === "Identifier" ? w.value : undefined;
      // Nothing to check (most nodes of a big file): skip typing the graph and the result.
      if (!sites.length && !writes && !target) return;
      const types = graphTypes(g, ctx.program);
      // `result` is typed only when some site runs after the node or a write uses it (it costs).
      const result = writes || target || anyAfterRun(sites) ? resultType(n, g, ctx.program, ctx.registry) : ANY;
      // `args`: typed from the send packets that start the node (expr/args-type.ts), else any;
      // a node no packet is sent to is known at once (the walk over its sites costs).
      const args = packetsTo(g).has(n.name) && rootReads(sites, "args").size ? argsType(n, g, ctx.program, ctx.registry) : ANY;
      const before = args.t === "any" ? types.scopes.before : withRoot(types.scopes.before, "args", args);
      const after = writes || anyAfterRun(sites) ? withResult(args.t === "any" ? types.scopes.after : withRoot(types.scopes.after, "args", args), result) : undefined;
      checkSites(sites, before, after, report);
      if (writes) checkWrites(concat3(set, w?.value.kind === "ExprMap" ? w.value.entries : undefined, update), types, after!, report);
      if (target) checkResultWrite(target, n.kind, types, result, report);
    },
    agent(a) {
      const sc = scopes(ANY, ANY, `agent \`${a.name}\``);
      checkSites(exprSites(a.items, []), sc.before, sc.after, report);
    },
  };
};

/** The entries of up to three lists, in order (a loop, not spreads: this runs per node that writes). */
function concat3<T>(a: readonly T[] | undefined, b: readonly T[] | undefined, c: readonly T[] | undefined): T[] {
  const out: T[] = [];
  if (a) for (let i = 0; i < a.length; i++) out.push(a[i]!);
  if (b) for (let i = 0; i < b.length; i++) out.push(b[i]!);
  if (c) for (let i = 0; i < c.length; i++) out.push(c[i]!);
  return out;
}
