/**
 * `interrupt` (`human`): pauses the run for a human (`language.md` §2.4, `runtime.md`
 * §4). The question is `{prompt, options}`; the resume value is the node's result, and
 * when the node has `options` it must pick one of them (the value itself, or its
 * `choice` / `route` field), which then selects the route of the same label. Without
 * `options`, the node's route labels are the options.
 */
import type { NodeKindImplementation } from "../../registry/index.js";
import { chosenOption, NodeError } from "../../runtime/index.js";

export const interruptKind: NodeKindImplementation = async (task) => {
  const n = task.node;
  const labels = task.blueprint.edges.filter((e) => e.kind === "route" && e.from === n.name).map((e) => (e as { label: string }).label);
  const options = n.options?.length ? n.options : labels;
  const prompt = n.prompt ? task.render(n.prompt) : n.system ? task.render(n.system) : undefined;
  const value = task.interrupt<unknown>({ ...(prompt !== undefined ? { prompt } : {}), ...(options.length ? { options } : {}), node: n.name });
  if (!options.length) return { result: value };
  const choice = chosenOption(value);
  if (choice === undefined || !options.includes(choice)) {
    throw new NodeError(`interrupt node \`${n.name}\` expects one of ${options.map((o) => JSON.stringify(o)).join(", ")}, got ${JSON.stringify(value)}`, "validation", { graph: task.blueprint.id, node: n.name, taskId: task.taskId });
  }
  return { result: value, ...(labels.includes(choice) ? { route: choice } : {}) };
};
