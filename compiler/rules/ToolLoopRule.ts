/**
 * A tool loop that cannot make progress (`language.md` §2.4, "Semantics"): a `model` or
 * `agent` node routes `tool_call` to an executor, but the graph has no conversation
 * channel (a field of type `messages`). The executor then finds no pending calls and
 * records no results, the model is sent the same request every turn, asks for the same
 * tools again, and the run cycles until the recursion limit fails it. The compiler can
 * prove this from the declaration alone. It is a warning, not an error, only because
 * the reference dialect accepted such graphs (`language.md` §6); it is reported at the
 * `tool_call` label, with a fix that declares the channel.
 */
import type * as A from "../../grammar/rag/ast.js";
import type { ResolvedGraph } from "../resolve/resolve.js";
import { appendItemFix } from "./insert.js";
import type { Rule } from "./rule.js";

/** True when `g` declares a conversation channel (type `messages` or reducer `messages`). */
export function hasMessagesChannel(g: ResolvedGraph): boolean {
  return g.fieldList.some(({ source }) =>
    source.kind === "ChannelItem"
      ? source.reducer.name.name === "messages"
      : source.reducer?.name.name === "messages" || (source.type.kind === "NamedType" && source.type.name.name === "messages"),
  );
}

export const ToolLoopRule: Rule = (ctx) => ({
  node(n, g) {
    if (n.kind !== "model" && n.kind !== "agent") return;
    const routes = n.items.get("routes");
    const toolCall = routes?.routes.find((r): r is A.LabelRoute => r.kind === "LabelRoute" && r.label.name === "tool_call");
    if (!toolCall || !g.nodes.has(toolCall.target.name) || hasMessagesChannel(g)) return;
    const items = g.decl.items;
    const lastEnd = items.length ? items[items.length - 1].span.end.offset : g.decl.name.span.end.offset + 1;
    const fix = appendItemFix(ctx, g.decl.span, lastEnd, "channel messages messages", "declare the conversation channel `messages`");
    ctx.report("W-rag-tool-loop-without-messages", `node \`${n.name}\` routes \`tool_call\` to \`${toolCall.target.name}\`, but graph \`${g.name}\` has no \`messages\` channel to carry the calls and their results`, toolCall.label.span, {
      label: "this loop never sees a tool result",
      help: "declare the conversation channel, e.g. `channel messages messages` (or `state { messages: messages }`): without it every turn sends the model the same request and the run cycles to the recursion limit",
      ...(fix ? { fixes: [fix] } : {}),
    });
  },
});
