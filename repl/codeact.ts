/**
 * The `repl_agent` node kind: a CodeAct loop (`repl.md` §6; after Wang et al.,
 * "Executable Code Actions Elicit Better LLM Agents", 2024, and Recursive Language
 * Models' REPL environment):
 *
 * 1. open a session bound to the node's state, messages and run metadata (the node's
 *    input is `context`); its capability calls go through the node's task, i.e. the
 *    runtime's harness;
 * 2. run the node's registered `script`, if it names one;
 * 3. with a `model`, prompt it with the functions the registry grants (the card below);
 * 4. run the ```` ```ragsh ```` blocks of each reply in order, and feed a compact result
 *    (stdout, values, errors with spans) back as the next message;
 * 5. stop when a cell calls `answer(…)` (or a reply has no code: its text is the answer)
 *    or after `max_steps` replies; route `final`, or the label a script emitted with
 *    `emit("route", "needs_review")`.
 *
 * Graphs the model writes are proposals: they reach the runtime only through
 * graph_define → graph_validate → graph_compile → graph_register, under the session
 * policy (review tokens for generated graphs).
 */
import { capLimit, PLAIN_STYLE, renderDiagnostics, type CapabilityKind } from "../compiler/index.js";
import { LineIndex } from "../grammar/span.js";
import { toolArgs, type ChatMessage, type NodeKindImplementation, type NodeTask, type Registry } from "../registry/index.js";
import { NodeError } from "../runtime/index.js";
import { history } from "../stdlib/kinds/conversation.js";
import { nodeHost } from "./host.js";
import { Session, type CellResult } from "./session.js";
import { formatValue } from "./boundary.js";
import { fencedBlocks } from "./fences.js";

/** The fenced ```ragsh blocks of a model reply, in order (linear time: `fencedBlocks`). */
export function extractBlocks(text: string): string[] {
  return fencedBlocks(text, "ragsh").map((b) => b.body);
}

/** What a model sees after its code ran: per cell, status, stdout, value and errors with spans (bounded). */
export function compactResult(results: readonly CellResult[], max = 2_000): string {
  return results
    .map((r) => {
      const lines = [`[${r.cellId}] ${r.ok ? "ok" : "failed"} (${Math.round(r.elapsedMs)} ms)`];
      if (r.stdout) lines.push(`stdout:\n${clip(r.stdout.trimEnd(), max)}`);
      if (r.ok && r.value !== undefined) lines.push(`value: ${clip(formatValue(r.value as never, max), max)}`);
      if (r.calls.length) lines.push(`calls: ${r.calls.map((c) => `${c.capability}(${c.target}) ${c.ok ? "ok" : "failed"}`).join(", ")}`);
      if (r.diagnostics.length) lines.push(renderDiagnostics(r.diagnostics, { lines: new LineIndex(r.source), file: r.file }, PLAIN_STYLE));
      if (r.finalAnswer !== undefined) lines.push("answer recorded.");
      return lines.join("\n");
    })
    .join("\n\n");
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}… (${s.length - max} more characters)` : s;
}

/**
 * The functions card a CodeAct model is prompted with, generated from the registry:
 * only the models, tools, agents and graphs `granted` (the node's binding under the
 * graph's `allow` lists and the policy) are listed — the others would be refused.
 */
export function functionsCard(registry: Registry, graphs: readonly string[] = [...registry.graphs.keys()], granted: (kind: CapabilityKind, name: string) => boolean = () => true): string {
  const tools = [...registry.tools].filter(([name]) => granted("tools", name)).map(([name, t]) => `  - ${name}: ${t.description} Arguments (JSON Schema): ${JSON.stringify(toolArgs(t))}`);
  const agents = [...registry.agents].filter(([name]) => granted("agents", name)).map(([name, a]) => `  - ${name}${a.description ? `: ${a.description}` : ""}`);
  const models = [...registry.models.keys()].filter((name) => granted("models", name));
  return [
    "You work in a .ragsh session: a small JavaScript subset (let/const, if/while/for-of, functions, arrows, template strings, objects, lists and their usual methods). There is no import, require, eval, process, timers, filesystem or network: reach the world only through these functions, which return their results directly (no await needed):",
    "  model_query({model, prompt, system?, output?}) → text (or data, with an `output` JSON Schema)",
    "  model_query_batched([request, …]) → results in order (null for a failed item)",
    "  agent_query({agent, input}) / agent_query_batched([…])",
    "  tool_call({tool, arguments}) / tool_call_batched([…])",
    "  graph_define({name, source}) → draft; graph_validate(draft) → {ok, diagnostics, rendered}; graph_compile(draft) → compiled; graph_diff(a, b); graph_register({name, graph, review?}); graph_run({graph, input, thread?}) → {output, state, history}",
    "  print(…), emit(name, data), show_vars(), answer(value)",
    "  context (your input), state, messages, history, run",
    `Models: ${models.join(", ") || "none"}`,
    `Tools:\n${tools.join("\n") || "  none"}`,
    `Agents:\n${agents.join("\n") || "  none"}`,
    `Graphs: ${graphs.join(", ") || "none"}`,
    "Write code in ```ragsh fenced blocks; each runs in order and you see its output, value and errors (with line:column). Variables persist between steps. When you have the result, call answer(value).",
  ].join("\n");
}

const asText = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v ?? null));

/** The `repl_agent` node kind (see the module comment). */
export const replAgentKind: NodeKindImplementation = async (task: NodeTask) => {
  const n = task.node;
  const where = { graph: task.blueprint.id, node: n.name, taskId: task.taskId };
  const policy = task.registry.sessionPolicy;
  if (task.run.depth + 1 > policy.maxDepth) throw new NodeError(`node \`${n.name}\`: a session here would nest ${task.run.depth + 1} levels deep; the limit (maxDepth) is ${policy.maxDepth} [E-ragsh-depth-limit]`, "permanent", where);
  const input = task.resolveInput() ?? (Object.keys(task.input).length ? task.input : null);
  const session = new Session({
    registry: task.registry,
    context: input,
    state: withoutConversation(task),
    messages: history(task),
    author: "model",
    host: (_emit, forward, checkpointer) => nodeHost(task, forward, checkpointer),
    parent: { rootRunId: task.run.rootRunId, parentRunId: task.run.runId, depth: task.run.depth, namespace: task.run.namespace },
    sink: (e) => task.emit(e.type, e),
  });
  try {
    if (n.script) {
      task.requireCapability("scripts", n.script);
      const source = task.registry.scripts.get(n.script);
      if (source === undefined) throw new NodeError(`script \`${n.script}\` is not registered`, "permanent", where);
      const r = await session.runCell(source, { file: `${n.script}.ragsh` });
      if (!r.ok && !n.model) throw new NodeError(`script \`${n.script}\` failed: ${compactResult([r])}`, "permanent", where);
    }
    let finalText: string | undefined;
    if (n.model && !session.answered) {
      const granted = (kind: CapabilityKind, name: string) => task.authorize(kind, name, { caller: "codeact" }).allowed;
      const graphs = [...session.capabilityNames().graphs].filter((g) => !task.registry.graphs.has(g) || granted("graphs", g));
      const system = [functionsCard(task.registry, graphs, granted), n.system ? task.render(n.system) : ""].filter(Boolean).join("\n\n");
      const messages: ChatMessage[] = [
        { id: `${task.taskId}#system`, role: "system", content: system },
        { id: task.newMessageId(), role: "user", content: n.prompt ? task.render(n.prompt) : asText(input) },
      ];
      const maxSteps = capLimit("max_steps", n.maxSteps ?? 8);
      for (let step = 1; step <= maxSteps && !session.answered; step++) {
        const reply = await task.callModel(n.model, { messages: [...messages] });
        messages.push(reply.assistant);
        const blocks = extractBlocks(reply.assistant.content);
        if (!blocks.length) {
          finalText = reply.assistant.content;
          break;
        }
        const results: CellResult[] = [];
        for (const block of blocks) {
          results.push(await session.runCell(block));
          if (session.answered) break;
        }
        if (!session.answered) messages.push({ id: task.newMessageId(), role: "user", content: compactResult(results) });
      }
    }
    session.end();
    if (!session.answered && finalText === undefined) {
      const declared = new Set(task.blueprint.edges.flatMap((e) => (e.kind === "route" && e.from === n.name ? [e.label] : [])));
      if (declared.has("max_steps")) return { result: null, route: "max_steps" };
      throw new NodeError(`node \`${n.name}\` did not call answer(…) within ${capLimit("max_steps", n.maxSteps ?? 8)} steps (max_steps)`, "permanent", where);
    }
    const result = session.answered ? session.finalAnswer : finalText;
    // `final` only where the node routes by label; a node with `next` just goes on.
    const routes = task.blueprint.edges.some((e) => e.kind === "route" && e.from === n.name);
    const route = session.routeLabel ?? (routes ? "final" : undefined);
    // The conversation channel gets the answer, not the code that produced it.
    const final: ChatMessage = { id: task.newMessageId(), role: "assistant", content: asText(result), name: n.name };
    return { result, ...(route !== undefined ? { route } : {}), writes: task.messagesChannel ? [[task.messagesChannel, [final]]] : [] };
  } catch (e) {
    session.end(e instanceof Error ? e.message : String(e));
    throw e;
  }
};

/** State without `messages` channels (they are bound separately as `messages`). */
function withoutConversation(task: NodeTask): Record<string, unknown> {
  return Object.fromEntries(Object.entries(task.state).filter(([k]) => k !== task.messagesChannel));
}

/** Installs the REPL's node kinds (`repl_agent`) into `registry`. */
export function withRepl(registry: Registry): Registry {
  registry.registerNodeKind("repl_agent", replAgentKind);
  return registry;
}
