/**
 * A state field or channel named `__name__` (`E-rag-reserved-field`). The runtime keeps its
 * own records among a task's pending writes under such names (`__task__`, `__interrupt__`,
 * `__spend__`, …; LangGraph reserves `__start__`, `__end__`, `__interrupt__` the same way):
 * after a crash, a field of that form had its writes read back as those records (a
 * `__spend__` write counted as budget spend) and dropped from the restored task. Binding
 * refuses such a Blueprint too (`CompiledGraph`); this rule says so at the name, before.
 */
import type { Rule } from "./rule.js";

/** True for names the runtime reserves for its own records: `__` at both ends. */
/** Whether a state field name has the form `__name__`, which the runtime reserves for its own records (`__spend__`, `__task__`, …). */
export const isReservedFieldName = (name: string): boolean => name.length >= 2 && name.startsWith("__") && name.endsWith("__");

export const ReservedFieldRule: Rule = (ctx) => ({
  graph(g) {
    for (const f of g.fieldList) {
      if (!isReservedFieldName(f.name.name)) continue;
      const bare = f.name.name.replace(/^_+|_+$/g, "") || "value";
      ctx.report("E-rag-reserved-field", `state field \`${f.name.name}\` has a name of the form \`__name__\`, which the runtime reserves for its own records`, f.name.span, {
        label: "reserved",
        help: `rename it, e.g. \`${bare}\``,
      });
    }
  },
});
