/**
 * `tool_executor`: executes the tool calls pending in the conversation — those of the
 * last assistant message that no tool message answers yet — and appends the results
 * (`language.md` §2.4). Read-only tools run in parallel, mutating ones in order. Only
 * the tools the node lists run: a call of any other tool gets "not available" back. A call
 * a person approved with edited arguments is recorded as it ran: the assistant message is
 * written again (same id, so the `messages` reducer replaces it) with the edited call.
 *
 * A tool may return a command (`command({ update, goto, graph })`, LangGraph's `Command`
 * from a tool; ported from `ToolNode` in `libs/langgraph-core/src/prebuilt/tool_node.ts`):
 * its `update` is written with the results, in call order, and its `goto` runs next —
 * only to nodes the blueprint draws from this node (the runtime checks each target,
 * `RunAuthority.checkGoto`). Commands with `graph: "PARENT"` are merged into one command
 * for the graph that runs this one (updates and targets in call order, as `ToolNode`
 * merges its parent Sends); this graph's run then ends with the step.
 */
import { pendingToolCalls, type GotoTarget, type NodeKindImplementation, type NodeResult } from "../../registry/index.js";
import { asApproved, history, runToolCalls, type ToolCommandOutcome } from "./conversation.js";

export const toolExecutorKind: NodeKindImplementation = async (task) => {
  const pending = pendingToolCalls(history(task));
  if (!pending) return { result: [] };
  // The tools this executor runs are the ones it binds (`tools [..]`): deny by default.
  const commands: ToolCommandOutcome[] = [];
  const edits = new Map<string, Record<string, unknown>>();
  // Calls a model or agent node asked for are approved as that node's `approve` list says,
  // too: the list its message carries (a conversation handed to a subgraph's executor), or
  // the node of this graph its name gives.
  const asker = pending.assistant;
  const approve = Array.isArray(asker.approve) ? asker.approve.filter((t): t is string => typeof t === "string") : undefined;
  const results = await runToolCalls(task, pending.calls, { commands, edits, ...(asker.name !== undefined ? { requestedBy: asker.name } : {}), ...(approve?.length ? { approve } : {}) });
  const recorded = edits.size ? [asApproved(pending.assistant, edits), ...results] : results;
  const writes: [string, unknown][] = task.messagesChannel && results.length ? [[task.messagesChannel, recorded]] : [];
  const result = results.map((m) => m.content);
  if (!commands.length) return { result, writes };
  return commandResult(commands, writes, result, task.messagesChannel);
};

/** The node result of a turn in which tools returned commands. */
function commandResult(commands: ToolCommandOutcome[], writes: [string, unknown][], result: unknown[], messagesChannel: string | undefined): NodeResult {
  commands.sort((a, b) => a.index - b.index);
  const tools = [...new Set(commands.map((c) => c.call.name))];
  const parent = commands.filter((c) => c.command.graph === "PARENT");
  if (parent.length) {
    const parentWrites: [string, unknown][] = [];
    const goto: GotoTarget[] = [];
    for (const { command } of parent) {
      for (const [channel, value] of Object.entries(command.update ?? {})) parentWrites.push([channel, value]);
      goto.push(...command.targets());
    }
    return { graph: "PARENT", writes: parentWrites, goto, toolCommand: { tools } };
  }
  const goto: GotoTarget[] = [];
  for (const { command } of commands) {
    // The conversation channel's messages of a command answer its call (already among the results).
    for (const [channel, value] of Object.entries(command.update ?? {})) if (channel !== messagesChannel) writes.push([channel, value]);
    goto.push(...command.targets());
  }
  return goto.length ? { result, writes, goto, toolCommand: { tools } } : { result, writes };
}
