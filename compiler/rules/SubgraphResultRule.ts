/**
 * `result.x` after a subgraph node whose graph (of the same file) declares no `output`
 * (`language.md` §7: a subgraph's `result` is its graph's `output` record; without one it
 * is whatever the child's last task returned — null after a `set` node, the reply text
 * after a model). The read type-checks (the result is unknown) and then writes null at run
 * time, which a typed channel refuses mid-run. `W-rag-subgraph-result-undeclared` points
 * at the read; its fix declares the fields in the child graph (`output { x: T }`, `T` the
 * child's state field type) when each field read is a state field of the child.
 * A registered graph's output comes from its signature (`ExpressionRule` checks it).
 */
import type * as A from "../../grammar/rag/ast.js";
import { exprSites, walkExpr } from "../expr/sites.js";
import { appendItemFix } from "./insert.js";
import type { Rule } from "./rule.js";

export const SubgraphResultRule: Rule = (ctx) => ({
  node(n) {
    if (n.kind !== "subgraph") return;
    const name = (n.items.get("graph") ?? (n.modelMeaning === "graph" ? n.items.get("model") : undefined))?.value.value;
    const child = name === undefined ? undefined : ctx.program.graphByName.get(name);
    if (!child || child.io.some((i) => i.direction === "output")) return;
    const reads: A.MemberExpr[] = [];
    for (const site of exprSites(n.items, n.sends)) {
      if (!site.afterRun) continue;
      walkExpr(site.expr, (e) => {
        if (e.kind === "Member" && e.object.kind === "Name" && e.object.name === "result" && !site.locals.includes("result")) reads.push(e);
      });
    }
    if (!reads.length) return;
    const fields = [...new Set(reads.map((r) => r.property.name))];
    const types = fields.map((f) => {
      const source = child.fields.get(f)?.source;
      return source?.kind === "Field" ? `${f}: ${ctx.source.slice(source.type.span.start.offset, source.type.span.end.offset)}` : undefined;
    });
    const items = child.decl.items;
    const lastEnd = items.length ? items[items.length - 1]!.span.end.offset : child.decl.name.span.end.offset + 1;
    const declared = types.every((t) => t !== undefined) ? `output { ${types.join(", ")} }` : undefined;
    const fix = declared ? appendItemFix(ctx, child.decl.span, lastEnd, declared, `declare \`${declared}\` in graph \`${child.name}\``) : undefined;
    for (const read of reads) {
      ctx.report("W-rag-subgraph-result-undeclared", `graph \`${child.name}\` declares no \`output\`, so \`result.${read.property.name}\` after node \`${n.name}\` reads whatever the child's last task returned (null after a \`set\` node)`, read.span, {
        label: "may be null at run time",
        labels: [{ span: child.decl.name.span, message: "no `output { … }` here" }],
        help: declared ? `declare what the graph returns: \`${declared}\` in graph \`${child.name}\` (output fields are read from its final state)` : `declare what graph \`${child.name}\` returns with \`output { … }\`, naming fields of its state`,
        ...(fix ? { fixes: [fix] } : {}),
      });
    }
  },
});
