/**
 * `tool_executor`: executes the tool calls pending in the conversation — those of the
 * last assistant message that no tool message answers yet — and appends the results
 * (`language.md` §2.4). Read-only tools run in parallel, mutating ones in order. Only
 * the tools the node lists run: a call of any other tool gets "not available" back.
 *
 * Which calls run is decided by who asked, as the runtime recorded it when the model
 * replied (`NodeTask.modelAsk`, `runtime/model-asks.ts`), never by the assistant message's
 * own fields, which any state write can forge (red team 11): a call runs only when a model
 * call of a `model` or `agent` node (of this run, or of a run enclosing it) made it as it
 * stands — same id, tool and arguments — and the tool was offered to that model and is
 * bound by this executor; the approve lists applied are that node's (and agent's), from
 * the blueprint, besides the config's `approval: "ask"`. A call no model made (a tool's
 * result, a `set`, the input, a resume value or `updateState` wrote the message) is not
 * run: its answer says so.
 *
 * A call a person approved with edited arguments is recorded as it ran: the assistant message is
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
import { isAskedCall, pendingToolCalls, type ChatMessage, type GotoTarget, type ModelAsk, type NodeKindImplementation, type NodeResult, type NodeTask, type ToolCall } from "../../registry/index.js";
import { asApproved, history, runToolCalls, unavailable, type ToolCommandOutcome } from "./conversation.js";

export const toolExecutorKind: NodeKindImplementation = async (task) => {
  const pending = pendingToolCalls(history(task));
  if (!pending) return { result: [] };
  // Who asked, as the runtime recorded it when the model replied (never the message's own
  // `name` or `approve`, which any state write can forge: red team 11).
  const ask = task.modelAsk(pending.assistant);
  const { run, refused } = vouched(task, pending.calls, ask);
  const commands: ToolCommandOutcome[] = [];
  const edits = new Map<string, Record<string, unknown>>();
  // The tools this executor runs are the ones it binds (`tools [..]`, the one authorisation
  // check in `runToolCalls`: deny by default), among those the asker's model was offered;
  // the asker's `approve` lists gate them besides the config's `ask` policy.
  const results = run.length ? await runToolCalls(task, run, { commands, edits, ...(ask?.approve.length ? { approve: ask.approve } : {}) }) : [];
  const answers = refused.length ? [...refused, ...results] : results;
  const recorded = edits.size ? [asApproved(pending.assistant, edits), ...answers] : answers;
  const writes: [string, unknown][] = task.messagesChannel && answers.length ? [[task.messagesChannel, recorded]] : [];
  const result = answers.map((m) => m.content);
  if (!commands.length) return { result, writes };
  return commandResult(commands, writes, result, task.messagesChannel);
};

/**
 * Splits pending calls into those a model asked for (`ask`: the call as the model made it,
 * same id, tool and arguments, of a tool its node offered it) and the refused rest, each
 * answered with a tool message that says why (the run goes on). Without `ask`, the
 * assistant message was not written by a model call of this run — a tool's result, a
 * `set`, the input, a resume value or `updateState` put it there — and none of its calls runs.
 */
function vouched(task: NodeTask, calls: readonly ToolCall[], ask: ModelAsk | undefined): { run: ToolCall[]; refused: ChatMessage[] } {
  const run: ToolCall[] = [];
  const refused: ChatMessage[] = [];
  for (const c of calls) {
    const made = ask?.calls.find((m) => m.id === c.id);
    if (!ask || !made || !isAskedCall(made, c)) {
      refused.push(refusal(task, c, `Error: tool \`${c.name}\` was not run: no model of this run made this call (it was written into the conversation by something else — a tool's result, a \`set\`, the input, a resume value or updateState), and a tool_executor runs only the calls a model made`));
    } else if (!ask.tools.includes(c.name)) refused.push(refusal(task, c, unavailable(task, c))); // the one authorisation check reports it when it refuses
    else run.push(c);
  }
  return { run, refused };
}

/** The tool message answering refused call `c` with `content` (a function, not a closure per run: tsx's keepNames names each with a `defineProperty`). */
function refusal(task: NodeTask, c: ToolCall, content: string): ChatMessage {
  return { id: task.newMessageId(), role: "tool", content, name: c.name, toolCallId: c.id };
}

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
