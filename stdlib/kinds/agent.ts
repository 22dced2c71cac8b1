/**
 * `agent`: a model with tools. With `routes { tool_call -> X, final -> Y }` it does one
 * turn and routes (the tools run in a `tool_executor` node); without routes it runs its
 * own tool loop to a final answer, bounded by `max_steps` (`language.md` §2.4).
 */
import { capLimit } from "../../compiler/limit-caps.js";
import { withKey, type NodeKindImplementation } from "../../registry/index.js";
import { NodeError } from "../../runtime/errors.js";
import { agentLoop, buildConversation } from "./conversation.js";
import { chooseRoute, modelKind, routeLabels } from "./model.js";

export const agentKind: NodeKindImplementation = async (task) => {
  const n = task.node;
  if (!n.model) throw new NodeError(`agent node \`${n.name}\` has no \`model\``, "permanent", { graph: task.blueprint.id, node: n.name, taskId: task.taskId });
  const hasRoutes = task.blueprint.edges.some((e) => e.from === n.name && e.kind === "route");
  if (hasRoutes) {
    const r = await modelKind(task);
    const labels = routeLabels(task);
    return withKey(r, "route", r.route ?? chooseRoute(task, labels, undefined, false));
  }
  const conv = buildConversation(task, n.system ? task.render(n.system) : undefined, n.prompt ? task.render(n.prompt) : undefined);
  const run = await agentLoop(task, conv.messages, { model: n.model, tools: n.tools ?? [], maxSteps: capLimit("max_steps", n.maxSteps ?? 8), ...(n.output ? { output: n.output } : {}) });
  return { result: run.result, writes: task.messagesChannel ? [[task.messagesChannel, [...conv.created, ...run.created]]] : [] };
};
