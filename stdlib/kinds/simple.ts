/**
 * Small kinds: `tool` (one tool with mapped arguments), `router` (route function or
 * `when` routes), `set` (pure update; the runtime applies `set`), `join` (a barrier).
 */
import type { NodeKindImplementation } from "../../registry/index.js";
import { NodeError } from "../../runtime/index.js";

export const toolKind: NodeKindImplementation = async (task) => {
  const name = task.node.tool ?? task.node.tools?.[0];
  if (!name) throw new NodeError(`tool node \`${task.node.name}\` names no \`tool\``, "permanent", { graph: task.blueprint.id, node: task.node.name, taskId: task.taskId });
  const args = task.resolveInput() ?? {};
  return { result: await task.callTool(name, args) };
};

export const routerKind: NodeKindImplementation = async (task) => {
  if (!task.node.route) return {};
  const fn = task.registry.routers.get(task.node.route);
  if (!fn) throw new NodeError(`route function \`${task.node.route}\` is not registered`, "permanent", { graph: task.blueprint.id, node: task.node.name, taskId: task.taskId });
  const label = await fn(task.state, task);
  return { route: label, result: label };
};

export const setKind: NodeKindImplementation = async () => ({});

export const joinKind: NodeKindImplementation = async () => ({});
