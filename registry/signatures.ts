/**
 * The shapes a registry grants (issue 15 §1), for the compiler's checks, the card's
 * "what you may use" and `rag registry export`: tool argument schemas (zod's JSON Schema
 * exporter, `toolParameters`) and result schemas (`toolResultSchema`), agents' input/output schemas and written channel,
 * graphs' input/output, route labels and script descriptions.
 */
import { fieldsSchema, type AgentSignature, type GraphSignature, type JsonSchema, type RegistrySignatures, type RouterSignature, type ScriptSignature, type ToolSignature } from "../compiler/signatures.js";
import type { Blueprint } from "../compiler/index.js";
import type { AgentDefinition } from "./agent.js";
import { toolParameters, toolResultSchema, type ToolDefinition } from "./tool.js";
import { zodSchema } from "./zod-schema.js";

/** The first `//` comment lines of a `.ragsh` source, as its description. */
export function scriptDescription(source: string): string | undefined {
  const lines: string[] = [];
  for (const line of source.split("\n")) {
    const m = /^\s*\/\/\s?(.*)$/.exec(line);
    if (!m) break;
    if (!m[1].startsWith("%%")) lines.push(m[1].trim());
  }
  const text = lines.join(" ").trim();
  return text || undefined;
}

/**
 * A tool's argument schema: `toolParameters`, or for a schema zod cannot export whole (a
 * `z.date()`, a custom type) its exportable part with the rest as any — such a tool is
 * refused where it is offered to a model (`prepareTools`), and must not make every
 * compile with the registry throw (it did: `registry.view()` failed with zod's error).
 */
export function toolArgs(t: ToolDefinition): JsonSchema {
  try {
    return toolParameters(t);
  } catch {
    return zodSchema(t.schema, "input");
  }
}

/**
 * The registry entries signatures are read from (`Registry` satisfies it; declared here so
 * that the registry, which calls `registrySignatures`, and this module do not import each other).
 */
export interface SignatureSources {
  readonly tools: ReadonlyMap<string, ToolDefinition>;
  readonly agents: ReadonlyMap<string, AgentDefinition>;
  readonly graphs: ReadonlyMap<string, Blueprint>;
  readonly routers: ReadonlyMap<string, { readonly labels?: readonly string[]; readonly description?: string }>;
  /** `.ragsh` sources by name. */
  readonly scripts: ReadonlyMap<string, string>;
}

/** Every signature of `registry` (null-prototype maps: names come from configs). Tool schemas are cached per definition (`toolParameters`). */
export function registrySignatures(registry: SignatureSources): RegistrySignatures {
  const tools: Record<string, ToolSignature> = Object.create(null);
  for (const [name, t] of registry.tools) {
    const result = toolResultSchema(t);
    tools[name] = { ...(t.description ? { description: t.description } : {}), args: toolArgs(t), ...(result ? { result } : {}), read_only: t.readOnly === true, approval: t.approval ?? "auto" };
  }
  const agents: Record<string, AgentSignature> = Object.create(null);
  for (const [name, a] of registry.agents) {
    agents[name] = {
      ...(a.description ? { description: a.description } : {}),
      model: a.model,
      tools: [...(a.tools ?? [])],
      ...(a.input ? { input: zodSchema(a.input, "input") } : {}),
      ...(a.output ? { output: zodSchema(a.output, "output") } : {}),
      ...(a.writes ? { writes: a.writes } : {}),
      max_steps: a.maxSteps ?? 8,
    };
  }
  const graphs: Record<string, GraphSignature> = Object.create(null);
  for (const [name, bp] of registry.graphs) {
    const description = typeof bp.metadata.description === "string" ? bp.metadata.description : undefined;
    graphs[name] = {
      ...(description ? { description } : {}),
      ...(bp.input ? { input: fieldsSchema(bp.input, bp.schemas) } : {}),
      ...(bp.output ? { output: fieldsSchema(bp.output, bp.schemas) } : {}),
    };
  }
  const routers: Record<string, RouterSignature> = Object.create(null);
  for (const [name, r] of registry.routers) routers[name] = { ...(r.description ? { description: r.description } : {}), ...(r.labels ? { labels: [...r.labels] } : {}) };
  const scripts: Record<string, ScriptSignature> = Object.create(null);
  for (const [name, src] of registry.scripts) {
    const description = scriptDescription(src);
    scripts[name] = description ? { description } : {};
  }
  return { tools, agents, graphs, routers, scripts };
}
