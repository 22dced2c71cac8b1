/**
 * Unique field names: state fields and channels share one namespace (a channel is a
 * field of type `any`, `language.md` §2.2); input, output, record and schema fields
 * are unique within their block.
 */
import type { Field, Identifier } from "../../grammar/rag/ast.js";
import type { Rule, RuleContext } from "./rule.js";

function checkUnique(ctx: RuleContext, names: readonly Identifier[], where: string): void {
  const seen = new Map<string, Identifier>();
  for (const n of names) {
    if (!n.name) continue;
    const prev = seen.get(n.name);
    if (!prev) seen.set(n.name, n);
    else
      ctx.report("E-rag-duplicate-field", `field \`${n.name}\` is declared twice in ${where}`, n.span, {
        label: "declared again here",
        labels: [{ span: prev.span, message: "first declared here" }],
      });
  }
}

function checkRecords(ctx: RuleContext, fields: readonly Field[]): void {
  for (const f of fields) {
    let t = f.type;
    while (t.kind === "OptionalType" || t.kind === "ArrayType") t = t.kind === "OptionalType" ? t.inner : t.element;
    if (t.kind === "RecordType") {
      checkUnique(ctx, t.fields.map((x) => x.name), `record \`${f.name.name}\``);
      checkRecords(ctx, t.fields);
    }
  }
}

export const DuplicateFieldRule: Rule = (ctx) => ({
  program(p) {
    for (const s of p.schemaList) {
      checkUnique(ctx, s.fields.map((f) => f.name), `schema \`${s.name.name}\``);
      checkRecords(ctx, s.fields);
    }
  },
  graph(g) {
    // (a list of one field or none has no duplicate: skip building the name list)
    if (g.fieldList.length > 1) checkUnique(ctx, g.fieldList.map((f) => f.name), `the state of graph \`${g.name}\``);
    for (const f of g.fieldList) if (f.source.kind === "Field") checkRecords(ctx, [f.source]);
    for (const io of g.io) {
      if (io.fields.length > 1) checkUnique(ctx, io.fields.map((f) => f.name), `the ${io.direction} of graph \`${g.name}\``);
      checkRecords(ctx, io.fields);
    }
  },
  node(n) {
    const out = n.items.get("output");
    if (out && out.value.kind === "RecordType") {
      checkUnique(ctx, out.value.fields.map((f) => f.name), `the output of node \`${n.name}\``);
      checkRecords(ctx, out.value.fields);
    }
  },
});
