/**
 * The simulation registry: the same names and shapes as the real one (built from a
 * `rag registry export` snapshot), with stand-ins behind them — every model answers
 * through the simulation provider, every tool returns generated data (or a simulated
 * failure where the graph handles one), route functions, scripts and custom node kinds
 * choose among the node's route labels. A tool with a declared `result` schema returns one of
 * its generated variants (else a text). Everything is registered through the normal
 * `Registry` API, so binding, the policy, the authorisation checks (`RunAuthority`) and
 * tool approval policies apply exactly as in a real run. Graphs the snapshot only
 * describes get a one-node stand-in graph returning generated output.
 */
import { z } from "zod";
import { compileGraph, registryViewFromSnapshot, type Blueprint, type RegistrySnapshot } from "../compiler/index.js";
import { routeFunction, type NodeKindImplementation, type NodeTask, type Registry } from "../registry/index.js";
import { NodeError } from "../runtime/index.js";
import { installMiddleware, standardRegistry, STANDARD_KINDS } from "../stdlib/index.js";
import type { SimContext } from "./context.js";
import { generateVariants } from "./generate.js";
import { simulationProvider } from "./provider.js";

/** Node kind of the stand-in graphs (registry graphs known only by their signature). */
export const STAND_IN_GRAPH_KIND = "simulated_graph";

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function schemaOf(json: Record<string, unknown> | undefined): z.ZodType | undefined {
  if (!json) return undefined;
  try {
    return z.fromJSONSchema(json as Parameters<typeof z.fromJSONSchema>[0]);
  } catch {
    return z.any();
  }
}

function routeLabelsOf(task: NodeTask): string[] {
  return task.blueprint.edges.filter((e) => e.kind === "route" && e.from === task.node.name).map((e) => (e as { label: string }).label);
}

/** A choice among `labels` for `task` (none when there is no label). */
function chooseLabel(ctx: SimContext, task: NodeTask, labels: readonly string[], by: "router" | "model"): string | undefined {
  if (!labels.length) return undefined;
  const site = `${task.blueprint.id}.${task.node.name}`;
  return labels[ctx.trail.choose(site, `r:${ctx.trail.step}:${task.blueprint.id}:${task.run.step}:${task.taskId}`, by, labels)];
}

/** A stand-in node kind: a generated text result and, with route labels, one of them. */
function standInKind(ctx: SimContext, by: "router" | "model"): NodeKindImplementation {
  return async (task) => {
    const route = chooseLabel(ctx, task, routeLabelsOf(task), by);
    return { result: `simulated ${task.node.name}`, ...(route !== undefined ? { route } : {}) };
  };
}

/**
 * Builds the simulation registry for `snap`. `real` is the real registry when the
 * snapshot came from a config: its graphs (blueprints, which are data) and reducer
 * functions (pure) are kept; nothing else of it is used.
 */
export function simulationRegistry(snap: RegistrySnapshot, ctx: SimContext, real?: Registry): Registry {
  const r = standardRegistry();
  installMiddleware(r, { cache: false, retry: false, telemetry: false });
  const provider = simulationProvider(ctx);
  for (const name of snap.models ?? []) {
    // The price too: a USD `budget` fails closed on a model without one, as in a real run.
    const price = snap.model_prices?.[name] ?? real?.models.get(name)?.price;
    r.registerModel(name, { provider, modelId: name, ...(snap.model_capabilities?.[name] ? { capabilities: snap.model_capabilities[name] } : {}), ...(price ? { price: { ...price } } : {}) });
  }
  const sig = snap.signatures;
  for (const name of snap.tools ?? []) {
    const t = sig?.tools?.[name];
    // The declared result shape is kept: the compiler types `result` with it, the runtime checks what the stand-in returns.
    const result = schemaOf(t?.result);
    r.registerTool(name, {
      description: t?.description ?? `simulated ${name}`,
      schema: schemaOf(t?.args) ?? z.any(),
      ...(result ? { result } : {}),
      readOnly: t?.read_only === true,
      approval: t?.approval ?? "auto",
      run: (_args, tctx) => {
        if (ctx.mayFail(undefined, tctx.node)) {
          // A model's call id is stable when a task re-runs after a pause; a tool node's call happens once.
          const key = tctx.callId ? `t:${tctx.runId}:${tctx.node}:${tctx.callId}` : `t:${tctx.node}:${ctx.trail.records.length}`;
          if (ctx.trail.choose(`fail:tool.${name}@${tctx.node}`, key, "failure", ["ok", "fail"]) === 1) {
            ctx.trail.failures--;
            throw new NodeError(`simulated failure of tool \`${name}\``, "permanent", { node: tctx.node });
          }
        }
        if (!t?.result) return `simulated result of ${name}`;
        // A declared result shape: one of its generated variants, a choice like a model's reply.
        const generated = generateVariants(t.result, ctx.hints, name);
        const fit = result ? generated.filter((v) => result.safeParse(v).success) : generated;
        const variants = fit.length ? fit : generated;
        if (variants.length < 2) return variants[0];
        const key = tctx.callId ? `tr:${tctx.runId}:${tctx.node}:${tctx.callId}` : `tr:${tctx.node}:${ctx.trail.records.length}`;
        return variants[ctx.trail.choose(`tool.${name}@${tctx.node}`, key, "tool", variants.map((_, k) => `result #${k + 1}`))];
      },
    });
  }
  for (const name of snap.agents ?? []) {
    const a = sig?.agents?.[name];
    const input = schemaOf(a?.input);
    const output = schemaOf(a?.output);
    r.registerAgent(name, {
      model: a?.model ?? "",
      tools: a?.tools ?? [],
      ...(a?.writes ? { writes: a.writes } : {}),
      maxSteps: a?.max_steps ?? 8,
      ...(input ? { input } : {}),
      ...(output ? { output } : {}),
      ...(a?.description ? { description: a.description } : {}),
    });
  }
  for (const name of snap.routers ?? []) {
    const labels = sig?.routers?.[name]?.labels;
    r.routers.set(name, routeFunction((_state, task) => chooseLabel(ctx, task, labels?.length ? labels : routeLabelsOf(task), "router") ?? "", { ...(labels ? { labels } : {}) }));
  }
  for (const name of snap.scripts ?? []) r.scripts.set(name, `// simulated ${name}`);
  for (const name of snap.validators ?? []) r.validators.set(name, () => ({ pass: true }));
  for (const name of snap.reducers ?? []) {
    if (r.reducers.has(name)) continue;
    const fn = real?.reducers.get(name);
    if (fn) r.reducers.set(name, fn);
  }
  const standard = new Set(Object.keys(STANDARD_KINDS));
  for (const kind of snap.node_kinds ?? []) if (!standard.has(kind) && !r.nodeKinds.has(kind)) r.registerNodeKind(kind, standInKind(ctx, "model"));
  r.registerNodeKind(STAND_IN_GRAPH_KIND, async (task) => {
    const schema = sig?.graphs?.[task.blueprint.id]?.output;
    const variants = generateVariants(schema, ctx.hints, task.blueprint.id);
    const i = ctx.trail.choose(`${task.blueprint.id}`, `g:${ctx.trail.step}:${task.blueprint.id}:${task.run.step}:${task.taskId}`, "model", variants.map((_, k) => `result #${k + 1}`));
    return { result: variants[i] };
  });
  if (!r.nodeKinds.has("repl_agent")) r.registerNodeKind("repl_agent", standInKind(ctx, "model"));
  for (const name of snap.graphs ?? []) {
    const bp = real?.graphs.get(name) ?? (IDENT.test(name) ? standInGraph(name, r) : undefined);
    if (bp) r.registerGraph(name, bp);
  }
  const policy = registryViewFromSnapshot(snap).policy;
  if (policy) r.policy = policy;
  return r;
}

/** A graph `name` whose one node returns generated output (the registry graph's declared output). */
function standInGraph(name: string, r: Registry): Blueprint | undefined {
  const source = `graph ${name} { state { result: any } start run node run { kind ${STAND_IN_GRAPH_KIND} writes result next END } }`;
  const c = compileGraph(source, { registry: r.view() });
  return c.value ?? undefined;
}
