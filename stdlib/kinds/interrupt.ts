/**
 * `interrupt` (`human`): pauses the run for a human (`language.md` §2.4, `runtime.md`
 * §4). The question is `{prompt, options}`; the resume value is the node's result, and
 * when the node has `options` it must pick one of them (the value itself, or its
 * `choice` / `route` field), which then selects the route of the same label. Without
 * `options`, the node's route labels are the options.
 *
 * With `resume { … }` (a typed answer) the question also carries the answer's JSON
 * Schema (`resume`), and the answer must match the type — it is the node's `result`, so
 * `writes { draft: result.text }` and `when result.ok -> …` routes read it. With both
 * `resume` and `options`, the answer is an object with `choice` plus the typed fields.
 */
import type { NodeKindImplementation } from "../../registry/index.js";
import { NodeError } from "../../runtime/errors.js";
import { chosenOption } from "../../runtime/interrupt.js";
import { resumeValidator, routeLabels, typedAnswer } from "../../runtime/resume-type.js";
import { outputSchema } from "./conversation.js";

/** The JSON Schema a typed question carries (`resume`), per node: made once. */
const resumeSchemas = new WeakMap<object, Record<string, unknown>>();

export const interruptKind: NodeKindImplementation = async (task) => {
  const n = task.node;
  const bp = task.blueprint;
  const labels = routeLabels(bp, n);
  const options = n.options?.length ? n.options : labels;
  const prompt = n.prompt ? task.render(n.prompt) : n.system ? task.render(n.system) : undefined;
  let typed: { schema: Record<string, unknown> } | undefined;
  const validator = resumeValidator(bp, n);
  if (validator) {
    let schema = resumeSchemas.get(n);
    if (!schema) resumeSchemas.set(n, (schema = outputSchema(validator, task, `${n.name}_resume`).schema));
    typed = { schema };
  }
  const raw = task.interrupt<unknown>({ ...(prompt !== undefined ? { prompt } : {}), ...(options.length ? { options } : {}), ...(typed ? { resume: typed.schema } : {}), node: n.name });
  let value = raw;
  if (n.resume) {
    // Judged where the answer was accepted too (`typedAnswerCheck`): this is the same check, for answers that came another way.
    const r = typedAnswer(bp, n, raw);
    if (!r.ok) throw new NodeError(r.why, "validation", { graph: bp.id, node: n.name, taskId: task.taskId });
    value = r.value;
  }
  if (!options.length) return { result: value };
  const choice = chosenOption(raw);
  if (choice === undefined || !options.includes(choice)) {
    throw new NodeError(`interrupt node \`${n.name}\` expects one of ${options.map((o) => JSON.stringify(o)).join(", ")}, got ${JSON.stringify(raw)}`, "validation", { graph: bp.id, node: n.name, taskId: task.taskId });
  }
  return { result: value, ...(labels.includes(choice) ? { route: choice } : {}) };
};
