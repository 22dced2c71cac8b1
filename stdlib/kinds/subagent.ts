/**
 * `subagent`: runs a registered or inline agent as a child loop with a fresh
 * conversation: its system prompt, then its input (the node's `input` mapping, the send
 * arguments, or the parent state without conversations) as the user message, with an
 * inline agent's `attach` parts. The
 * answer goes to the agent's `writes` channel unless the node maps it, and the agent's
 * final message joins the parent conversation.
 */
import { capLimit } from "../../compiler/limit-caps.js";
import type { NodeKindImplementation } from "../../registry/index.js";
import { NodeError } from "../../runtime/errors.js";
import { attachmentParts } from "./attach.js";
import { agentLoop, asUserText, stateWithoutMessages } from "./conversation.js";

export const subagentKind: NodeKindImplementation = async (task) => {
  const n = task.node;
  const where = { graph: task.blueprint.id, node: n.name, taskId: task.taskId };
  // Exactly the agent the node binds (never one that merely shares the node's name).
  const name = n.agent;
  if (!name) throw new NodeError(`subagent node \`${n.name}\` names no \`agent\``, "permanent", where);
  task.requireCapability("agents", name);
  const inline = task.blueprint.agents.find((a) => a.name === name);
  const registered = task.registry.agents.get(name);
  if (!inline && !registered) throw new NodeError(`agent \`${name}\` is not registered`, "permanent", where);
  const model = n.model ?? inline?.model ?? registered?.model;
  const fileSteps = n.maxSteps ?? inline?.maxSteps;
  if (!model) throw new NodeError(`agent \`${name}\` names no model`, "permanent", where);
  const system = inline?.system ? task.render(inline.system) : registered?.system;
  const input = task.resolveInput() ?? stateWithoutMessages(task);
  if (registered?.input) {
    // The agent's declared input (issue 15 §1): checked before its first model call.
    const r = registered.input.safeParse(input);
    if (!r.success) throw new NodeError(`agent \`${name}\`: its input does not match the agent's input schema: ${r.error.issues.map((i) => `${i.message} at .${i.path.join(".")}`).join("; ")}`, "validation", where);
  }
  const prompt = inline?.prompt ? task.render(inline.prompt, { input }) : asUserText(input);
  // An inline agent's `attach` parts ride on its first user message (`language.md` §5.1).
  const parts = inline?.attach ? attachmentParts(task, inline.attach, { input }) : [];
  const start = [
    ...(system ? [{ id: `${task.taskId}#system`, role: "system" as const, content: system }] : []),
    { id: task.newMessageId(), role: "user" as const, content: prompt, ...(parts.length ? { parts } : {}) },
  ];
  const run = await agentLoop(task, start, {
    model,
    tools: inline?.tools ?? registered?.tools ?? [],
    // A file's `max_steps` is capped (`LIMIT_CAPS`); a registered agent's is the host's.
    maxSteps: fileSteps !== undefined ? capLimit("max_steps", fileSteps) : (registered?.maxSteps ?? 8),
    agent: name,
    ...(inline?.approve?.length ? { approve: inline.approve } : {}),
    ...(inline?.output ? { output: inline.output } : registered?.output ? { output: registered.output } : {}),
  });
  const channel = inline?.writes?.kind === "channel" ? inline.writes.channel : registered?.writes;
  return {
    result: run.result,
    ...(channel ? { resultChannel: channel } : {}),
    writes: task.messagesChannel ? [[task.messagesChannel, [run.final.assistant]]] : [],
  };
};
