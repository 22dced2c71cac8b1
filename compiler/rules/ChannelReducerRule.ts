/**
 * `channel NAME REDUCER ARGS*` names its reducer (`language.md` §2.1, §5: "channel
 * missing reducer"). A channel is untyped, so the reducer is the only thing that says how
 * concurrent writes combine; leaving it out is `E-rag-missing-reducer`. The fix is
 * offered only where the choice is unambiguous: a channel called `messages` gets the
 * `messages` reducer.
 */
import type { Rule } from "./rule.js";

export const ChannelReducerRule: Rule = (ctx) => ({
  graph(g) {
    // The graph's fields, not all its items: channels with a name are fields, in source order.
    for (const f of g.fieldList) {
      const item = f.source;
      if (item.kind !== "ChannelItem" || !item.name.name || item.reducer.name.name) continue;
      const at = item.name.span.end;
      ctx.report("E-rag-missing-reducer", `channel \`${item.name.name}\` has no reducer`, item.name.span, {
        label: "say how writes to it combine",
        help: "write `channel NAME REDUCER`, e.g. `append` to collect every write, `overwrite` to keep the last, `messages` for a conversation",
        ...(item.name.name === "messages" ? { fixes: [{ span: { start: at, end: at }, replacement: " messages", description: "use the `messages` reducer" }] } : {}),
      });
    }
  },
});
