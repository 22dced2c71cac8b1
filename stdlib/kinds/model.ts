/**
 * `model`: one model call (`language.md` §2.4). Its `tools` are offered to the model; the
 * calls it makes are run by the `tool_executor` its `tool_call` route reaches, which gates
 * those of `approve`-listed tools (`approval.ts`: the requesting node's list counts). A
 * call of a tool the model was not offered is answered here with "not available" (the
 * run goes on) and is never run. With route labels
 * other than the built-in ones, the model chooses among them (an LLM router); with
 * `output`, it returns structured data validated against the schema.
 */
import type { ChatRequest, NodeKindImplementation, NodeResult } from "../../registry/index.js";
import { NodeError } from "../../runtime/errors.js";
import { answerUnoffered, BUILTIN_LABELS, buildConversation, checkStructured, outputSchema, toolDescriptors } from "./conversation.js";

export const modelKind: NodeKindImplementation = async (task) => {
  const n = task.node;
  if (!n.model) throw new NodeError(`node \`${n.name}\` has no \`model\``, "permanent", { graph: task.blueprint.id, node: n.name, taskId: task.taskId });
  const conv = buildConversation(task, n.system ? task.render(n.system) : undefined, n.prompt ? task.render(n.prompt) : undefined);
  const labels = routeLabels(task);
  const out = n.output ? outputSchema(n.output, task) : undefined;
  const offered = n.tools?.length ? toolDescriptors(task, n.tools) : [];
  const tools = offered.length ? offered : undefined;
  // Optional keys assigned in order (conditional spreads in a literal copy generically, per model call).
  const request: { -readonly [K in keyof Omit<ChatRequest, "model">]: Omit<ChatRequest, "model">[K] } = { messages: conv.messages };
  if (tools) request.tools = tools;
  if (out) request.output = { name: out.name, schema: out.schema };
  if (labels.length) request.routeLabels = labels;
  const reply = await task.callModel(n.model, request);
  const result = out ? checkStructured(reply, out, task) : reply.assistant.content;
  const route = chooseRoute(task, labels, reply.route, Boolean(reply.assistant.toolCalls?.length));
  // Calls of tools the model was not offered are answered here, "not available", and never reach an executor.
  const refused = answerUnoffered(task, reply.assistant.toolCalls, offered);
  const r: { -readonly [K in keyof NodeResult]: NodeResult[K] } = { result, writes: task.messagesChannel ? [[task.messagesChannel, refused.length ? [...conv.created, reply.assistant, ...refused] : [...conv.created, reply.assistant]]] : [] };
  if (route !== undefined) r.route = route;
  return r;
};

type RouteEdges = readonly { kind: string; from: string; label?: string }[];

/** Per blueprint edge list and node: its declared route labels (a node's routes never change once built, and nodes run once per step). */
const declaredRoutes = new WeakMap<RouteEdges, Map<string, { readonly declared: ReadonlySet<string>; readonly labels: readonly string[] }>>();

function routesOf(edges: RouteEdges, node: string): { readonly declared: ReadonlySet<string>; readonly labels: readonly string[] } {
  let byNode = declaredRoutes.get(edges);
  if (!byNode) declaredRoutes.set(edges, (byNode = new Map()));
  let r = byNode.get(node);
  if (!r) {
    const all = edges.filter((e) => e.kind === "route" && e.from === node).map((e) => e.label as string);
    const custom = all.filter((l) => !BUILTIN_LABELS.has(l));
    r = { declared: new Set(all), labels: Object.freeze(custom.length ? all.filter((l) => l !== "tool_call" && l !== "error") : []) };
    byNode.set(node, r);
  }
  return r;
}

/** Labels the model must choose among: the node's route labels other than the built-in ones (plus `final` when mixed). */
export function routeLabels(task: { node: { name: string }; blueprint: { edges: RouteEdges } }): string[] {
  const labels = routesOf(task.blueprint.edges, task.node.name).labels;
  return labels.length ? [...labels] : [];
}

/** The label a model/agent turn takes: tool calls → `tool_call`, a chosen label, else `final`. */
export function chooseRoute(task: { node: { name: string }; blueprint: { edges: RouteEdges } }, labels: readonly string[], chosen: string | undefined, toolCalls: boolean): string | undefined {
  const declared = routesOf(task.blueprint.edges, task.node.name).declared;
  if (declared.size === 0) return undefined;
  if (toolCalls && declared.has("tool_call")) return "tool_call";
  if (labels.length) return chosen !== undefined && labels.includes(chosen) ? chosen : labels[0];
  return declared.has("final") ? "final" : undefined;
}
