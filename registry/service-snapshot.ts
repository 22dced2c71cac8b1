/**
 * A registry as the language service sees it (`ServiceRegistrySnapshot`): the names the
 * compiler checks plus what editors show (tool descriptions and argument JSON Schemas,
 * model ids and capabilities, agents' models and tools). Also what a host posts to the
 * studio's Web Worker (`rag lsp` builds one per `rag.config.ts`).
 */
import type { ServiceRegistrySnapshot, ToolDetails } from "../language-service/index.js";
import type { Registry } from "./registry.js";
import { toolParameters, toolResultSchema } from "./tool.js";

/** The snapshot of `registry`: sorted name lists, tool JSON Schemas, model ids and capabilities, agents, graph hashes, policy. */
export function serviceSnapshot(registry: Registry): ServiceRegistrySnapshot {
  const view = registry.view();
  const list = (s: ReadonlySet<string> | null) => (s ? [...s].sort() : null);
  const tool_details: Record<string, ToolDetails> = {};
  for (const [name, def] of registry.tools) {
    let parameters: Record<string, unknown> | undefined;
    try {
      parameters = toolParameters(def);
    } catch {
      parameters = undefined; // a schema zod cannot export (e.g. a transform): shown without arguments
    }
    let result: Record<string, unknown> | undefined;
    try {
      result = toolResultSchema(def);
    } catch {
      result = undefined;
    }
    tool_details[name] = { description: def.description, ...(parameters ? { parameters } : {}), ...(result ? { result } : {}), read_only: def.readOnly ?? false, approval: def.approval ?? "auto" };
  }
  return {
    models: list(view.models),
    tools: list(view.tools),
    agents: list(view.agents),
    graphs: list(view.graphs),
    scripts: list(view.scripts),
    routers: list(view.routers),
    reducers: list(view.reducers),
    node_kinds: list(view.nodeKinds),
    validators: list(view.validators),
    tool_details,
    model_capabilities: Object.fromEntries([...registry.models].map(([n, m]) => [n, { ...m.capabilities }])),
    model_details: Object.fromEntries([...registry.models].map(([n, m]) => [n, { model_id: m.modelId }])),
    agent_details: Object.fromEntries(
      [...registry.agents].map(([n, a]) => [n, { model: a.model, ...(a.description ? { description: a.description } : {}), ...(a.tools ? { tools: [...a.tools] } : {}), ...(a.writes ? { writes: a.writes } : {}) }]),
    ),
    graph_details: Object.fromEntries([...registry.graphs].map(([n, bp]) => [n, { hash: bp.hash }])),
    ...(view.policy ? { policy: view.policy } : {}),
  };
}
