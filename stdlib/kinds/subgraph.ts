/**
 * `subgraph`: runs another graph (of the same file or the registry) as a child run with
 * its own state; its input is the node's `input` mapping or the send arguments (or the
 * parent state without conversations), and its output becomes the node's result.
 */
import type { NodeKindImplementation } from "../../registry/index.js";
import { NodeError } from "../../runtime/errors.js";
import { stateWithoutMessages } from "./conversation.js";

export const subgraphKind: NodeKindImplementation = async (task) => {
  const graph = task.node.graph;
  if (!graph) throw new NodeError(`subgraph node \`${task.node.name}\` names no graph`, "permanent", { graph: task.blueprint.id, node: task.node.name, taskId: task.taskId });
  const input = task.resolveInput();
  const childInput = input && typeof input === "object" && !Array.isArray(input) ? (input as Record<string, unknown>) : input === undefined ? stateWithoutMessages(task) : { input };
  const r = await task.runGraph(graph, childInput);
  return { result: r.output };
};
