/**
 * Type names are built-in types (`string number integer boolean any messages`,
 * `list<T>`, `map<T>`) or schemas of the file (`E-rag-unknown-type`), and `list`/`map`
 * take exactly one type argument (`language.md` §2.2).
 */
import type * as A from "../../grammar/rag/ast.js";
import { didYouMean } from "../../grammar/suggest.js";
import type { Rule, RuleContext } from "./rule.js";

const SCALARS = new Set(["string", "number", "integer", "boolean", "any", "messages"]);

function checkType(ctx: RuleContext, t: A.TypeExpr): void {
  switch (t.kind) {
    case "OptionalType":
      return checkType(ctx, t.inner);
    case "ArrayType":
      return checkType(ctx, t.element);
    case "RecordType":
      for (const f of t.fields) checkType(ctx, f.type);
      return;
    case "EnumType":
      return;
    case "NamedType": {
      const name = t.name.name;
      if (!name) return;
      t.args.forEach((a) => checkType(ctx, a));
      if (name === "list" || name === "map") {
        if (t.args.length !== 1) ctx.report("E-rag-invalid-type", `\`${name}\` takes one type argument, as in \`${name}<string>\``, t.span, { label: `${t.args.length} arguments` });
        return;
      }
      if (t.args.length) ctx.report("E-rag-invalid-type", `\`${name}\` takes no type arguments`, t.span);
      if (SCALARS.has(name) || ctx.program.schemas.has(name)) return;
      const s = didYouMean(name, [...SCALARS, "list", "map", ...ctx.program.schemas.keys()]);
      ctx.report("E-rag-unknown-type", `type \`${name}\` is not a built-in type or a schema of this file`, t.name.span, {
        label: "unknown type",
        ...(s ? { help: `did you mean \`${s}\`?`, fixes: [{ span: t.name.span, replacement: s, description: `replace \`${name}\` with \`${s}\`` }] } : { help: `declare \`schema ${name} { … }\` or use a built-in type` }),
      });
    }
  }
}

export const KnownTypeRule: Rule = (ctx) => ({
  program(p) {
    for (const s of p.schemaList) for (const f of s.fields) checkType(ctx, f.type);
  },
  graph(g) {
    for (const f of g.fieldList) if (f.source.kind === "Field") checkType(ctx, f.source.type);
    for (const io of g.io) for (const f of io.fields) checkType(ctx, f.type);
  },
  node(n) {
    const out = n.items.get("output");
    if (!out) return;
    if (out.value.kind === "RecordType") checkType(ctx, out.value);
    else if (out.value.name && !ctx.program.schemas.has(out.value.name)) {
      const s = didYouMean(out.value.name, ctx.program.schemas.keys());
      ctx.report("E-rag-unknown-type", `output schema \`${out.value.name}\` is not declared`, out.value.span, { label: "unknown schema", help: s ? `did you mean \`${s}\`?` : `declare \`schema ${out.value.name} { … }\` or write the fields inline: \`output { answer: string }\`` });
    }
  },
});
