/**
 * Small kinds: `tool` (one tool with mapped arguments), `router` (route function or
 * `when` routes), `set` (pure update; the runtime applies `set`), `join` (a barrier).
 */
import { isToolCommand, type NodeKindImplementation } from "../../registry/index.js";
import { NodeError } from "../../runtime/errors.js";
import { approveCalls } from "./approval.js";

export const toolKind: NodeKindImplementation = async (task) => {
  const name = task.node.tool ?? task.node.tools?.[0];
  if (!name) throw new NodeError(`tool node \`${task.node.name}\` names no \`tool\``, "permanent", { graph: task.blueprint.id, node: task.node.name, taskId: task.taskId });
  const args = task.resolveInput() ?? {};
  const [decision] = approveCalls(task, [{ id: task.taskId, name, arguments: (args && typeof args === "object" && !Array.isArray(args) ? args : { input: args }) as Record<string, unknown> }], false);
  if (decision && !decision.approved) throw new NodeError(`tool \`${name}\` was not run: ${decision.reason}`, "permanent", { graph: task.blueprint.id, node: task.node.name, taskId: task.taskId });
  const out = await task.callTool(name, decision ? decision.args : args, decision ? { approved: true } : {});
  if (!isToolCommand(out)) return { result: out };
  // A command (LangGraph's `Command` from a tool): its update is written, its goto checked and run.
  const writes = Object.entries(out.update ?? {});
  const goto = out.targets();
  const toolCommand = { tools: [name] };
  if (out.graph === "PARENT") return { graph: "PARENT", writes, goto, toolCommand };
  return { ...(out.content !== undefined ? { result: out.content } : {}), writes, ...(goto.length ? { goto, toolCommand } : {}) };
};

export const routerKind: NodeKindImplementation = async (task) => {
  if (!task.node.route) return {};
  task.requireCapability("routers", task.node.route);
  const fn = task.registry.routers.get(task.node.route);
  if (!fn) throw new NodeError(`route function \`${task.node.route}\` is not registered`, "permanent", { graph: task.blueprint.id, node: task.node.name, taskId: task.taskId });
  const label = await fn(task.state, task);
  return { route: label, result: label };
};

export const setKind: NodeKindImplementation = async () => ({});

export const joinKind: NodeKindImplementation = async () => ({});
