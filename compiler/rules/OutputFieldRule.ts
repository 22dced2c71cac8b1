/**
 * A graph's `output { … }` field has the kind of the state field of the same name
 * (`language.md` §2.1; runtime/run.ts builds the output as `state[name]` per output
 * field, unchecked). One whose state field holds another kind (`output { total: number }`
 * over `state { total: string }`) returns that other kind to every caller — a parent
 * writing `result.total` into a number field fails — so it is `E-rag-type-mismatch` on
 * the output field's type; `check` said ok. Unknown types (`any`, channels) are silent.
 * An output field no state field backs (always null) is UnbackedOutputRule's warning.
 */
import { graphTypes, type GraphTypes } from "../expr/scope.js";
import { typeOf } from "../expr/types.js";
import { valueClash } from "../expr/write-clash.js";
import type { Rule } from "./rule.js";

export const OutputFieldRule: Rule = (ctx) => ({
  graph(g) {
    let fields: GraphTypes["fields"] | undefined;
    for (const io of g.io) {
      if (io.direction !== "output") continue;
      fields ??= graphTypes(g, ctx.program).fields;
      for (const f of io.fields) {
        const name = f.name.name;
        if (!name) continue;
        const state = fields.get(name);
        if (!state) continue; // always null: UnbackedOutputRule warns
        const why = valueClash(typeOf(f.type, ctx.program), state.type, "its state field holds", "promises");
        if (why) {
          ctx.report("E-rag-type-mismatch", `output field \`${name}\` of graph \`${g.name}\` ${why}`, f.type.span, {
            label: "type mismatch",
            help: `the output takes \`${name}\` from the state field of the same name, unchecked: give both the same type`,
          });
        }
      }
    }
  },
});
