/**
 * `tool_executor`: executes the tool calls pending in the conversation — those of the
 * last assistant message that no tool message answers yet — and appends the results
 * (`language.md` §2.4). Read-only tools run in parallel, mutating ones in order. Only
 * the tools the node lists run: a call of any other tool gets "not available" back.
 */
import { pendingToolCalls, type NodeKindImplementation } from "../../registry/index.js";
import { history, runToolCalls } from "./conversation.js";

export const toolExecutorKind: NodeKindImplementation = async (task) => {
  const pending = pendingToolCalls(history(task));
  if (!pending) return { result: [] };
  // The tools this executor runs are the ones it binds (`tools [..]`): deny by default.
  // Calls an agent node asked for are approved as that node's `approve` list says, too.
  const results = await runToolCalls(task, pending.calls, pending.assistant.name !== undefined ? { requestedBy: pending.assistant.name } : {});
  return { result: results.map((m) => m.content), writes: task.messagesChannel ? [[task.messagesChannel, results]] : [] };
};
