/**
 * A graph's `output { … }` field names a state field (`language.md` §2.1): the run's output
 * is built as `state[name]` per output field (runtime/run.ts), so a field no state field or
 * channel backs — a typo (`answr`), or an `input` field the state does not declare — is
 * returned as null by every run, and every caller reads null. `W-rag-unbacked-output-field`
 * on the field's name, with a did-you-mean fix to a close state field. A warning, not an
 * error: the compatibility corpus holds such graphs as valid.
 */
import { didYouMean } from "../../grammar/suggest.js";
import type { Rule } from "./rule.js";

export const UnbackedOutputRule: Rule = (ctx) => ({
  graph(g) {
    for (const io of g.io) {
      if (io.direction !== "output") continue;
      for (const f of io.fields) {
        const name = f.name.name;
        if (!name || g.fields.has(name)) continue;
        const s = didYouMean(name, g.fields.keys());
        ctx.report("W-rag-unbacked-output-field", `output field \`${name}\` of graph \`${g.name}\` names no state field: every run returns it as null`, f.name.span, {
          label: "no state field of this name",
          ...(s
            ? { help: `did you mean \`${s}\`?`, fixes: [{ span: f.name.span, replacement: s, description: `replace \`${name}\` with \`${s}\`` }] }
            : { help: `the output copies state fields by name: declare \`${name}\` in \`state { … }\` and write it, or drop it from the output` }),
        });
      }
    }
  },
});
