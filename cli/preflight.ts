/**
 * Before a run starts: problems that would make every call of a model the run uses fail
 * (a provider's `preflight()`, e.g. a missing API key), so `rag run` reports them at
 * once instead of after retries mid-run (issue 14 §4).
 */
import type { Blueprint } from "../compiler/index.js";
import type { Registry } from "../registry/index.js";
import type { CompiledGraph } from "../runtime/index.js";
import { CliError } from "./errors.js";

/**
 * The registry models `bp` (and the same-file graphs and registered agents it reaches)
 * may call: its `capabilities.models`, its inline agents' models, and the models of the
 * registered agents it binds.
 */
export function modelsUsed(bp: Blueprint, registry: Registry, siblings: ReadonlyMap<string, Blueprint> = new Map()): Set<string> {
  const models = new Set<string>();
  const seen = new Set<string>();
  const visit = (b: Blueprint) => {
    if (seen.has(b.id)) return;
    seen.add(b.id);
    for (const m of b.capabilities.models) models.add(m);
    for (const a of b.capabilities.agents) {
      const agent = registry.agents.get(a);
      if (agent) models.add(agent.model);
    }
    for (const g of [...b.capabilities.graphs, ...siblings.keys()]) {
      const child = siblings.get(g) ?? registry.graphs.get(g);
      if (child) visit(child);
    }
  };
  visit(bp);
  return models;
}

/** @throws CliError (exit 2) listing each model whose provider reports a problem. */
export function preflightGraph(graph: CompiledGraph): void {
  const problems: string[] = [];
  for (const name of [...modelsUsed(graph.blueprint, graph.registry, graph.options.graphs)].sort()) {
    const m = graph.registry.models.get(name);
    const problem = m?.provider.preflight?.();
    if (problem) problems.push(`model \`${name}\` (${m!.provider.name}): ${problem}`);
  }
  if (problems.length) throw new CliError(`cannot start the run:\n  ${problems.join("\n  ")}`, 2);
}
