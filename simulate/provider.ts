/**
 * The simulation model provider: answers every model call with a reply built from the
 * request alone — a route label among `routeLabels`, a call of one offered tool (its
 * arguments generated from the tool's JSON Schema), or a final answer (structured output
 * generated from `output.schema`, else text) — the alternative picked by the run's
 * choice trail. It goes through the registry's middleware chain like any provider.
 */
import type { ChatRequest, ChatResponse, ModelProvider } from "../registry/index.js";
import { NodeError } from "../runtime/index.js";
import type { SimContext } from "./context.js";
import { generateVariants } from "./generate.js";

interface Alternative {
  readonly label: string;
  readonly route?: string;
  readonly tool?: { readonly name: string; readonly args: Record<string, unknown> };
  readonly value?: unknown;
}

/** Most alternatives of one model call (labels × final/tool calls × data variants). */
const MAX_ALTERNATIVES = 24;

/** Where a model call is asked (graph.node/agent): the site its loop turns count against. */
export function modelSite(r: ChatRequest): string {
  const m = r.metadata ?? {};
  return `${m.graph ?? "?"}.${m.node ?? "?"}${m.agent ? `/${m.agent}` : ""}`;
}

function alternatives(r: ChatRequest, ctx: SimContext): Alternative[] {
  const where = r.metadata?.agent ?? r.metadata?.node ?? "model";
  const finals: unknown[] = r.output ? generateVariants(r.output.schema, ctx.hints, where) : [`simulated reply of ${where}`, ...ctx.hints.strings.slice(0, 2)];
  const out: Alternative[] = [];
  for (const route of r.routeLabels?.length ? r.routeLabels : [undefined]) {
    finals.forEach((value, i) => out.push({ label: `${route ?? "final"}${finals.length > 1 ? ` #${i + 1}` : ""}`, ...(route !== undefined ? { route } : {}), value }));
    for (const t of r.tools ?? []) {
      const args = generateVariants(t.parameters, ctx.hints, t.name)[0];
      out.push({ label: `call ${t.name}`, tool: { name: t.name, args: args && typeof args === "object" && !Array.isArray(args) ? (args as Record<string, unknown>) : {} } });
    }
  }
  // Routes first, each with its first variant, so truncation drops data variants before routes.
  return out.slice(0, MAX_ALTERNATIVES);
}

/** The simulation provider over `ctx` (the current run's trail). */
export function simulationProvider(ctx: SimContext): ModelProvider {
  return {
    name: "simulate",
    async chat(request): Promise<ChatResponse> {
      const m = request.metadata ?? {};
      const site = modelSite(request);
      const turn = request.messages.filter((x) => x.role === "assistant").length;
      // The same question asked again (the task re-run after a pause) gets the same answer; the root
      // superstep tells apart the runs of a subgraph called again in a loop (its steps restart).
      const key = `m:${ctx.trail.step}:${m.graph}:${m.step}:${m.taskId}:${m.agent ?? ""}:${turn}`;
      if (turn === 0 && ctx.mayFail(m.graph, m.node)) {
        if (ctx.trail.choose(`fail:${site}`, `f${key}`, "failure", ["ok", "fail"]) === 1) {
          ctx.trail.failures--;
          throw new NodeError(`simulated failure of the model call of \`${m.node}\``, "permanent", { ...(m.graph ? { graph: m.graph } : {}), ...(m.node ? { node: m.node } : {}) });
        }
      }
      const alts = alternatives(request, ctx);
      const alt = alts[ctx.trail.choose(site, key, "model", alts.map((a) => a.label))];
      const text = alt.tool ? "" : typeof alt.value === "string" ? alt.value : JSON.stringify(alt.value);
      const toolCalls = alt.tool ? [{ id: `sim_${ctx.trail.step}_${String(m.taskId ?? "t").replace(/[^A-Za-z0-9_.-]/g, "_")}_${turn}`, name: alt.tool.name, arguments: alt.tool.args }] : undefined;
      return {
        message: { content: text, ...(toolCalls ? { toolCalls } : {}) },
        usage: { inputTokens: 0, outputTokens: 0 },
        finishReason: toolCalls ? "tool_calls" : "stop",
        ...(alt.route !== undefined ? { route: alt.route } : {}),
        ...(request.output && !alt.tool ? { structured: alt.value } : {}),
      };
    },
  };
}
