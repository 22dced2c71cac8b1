/**
 * What the language service knows about a registry: the compiler's name snapshot
 * (`rag check --registry FILE.json`) plus the shapes editors show in completions and
 * hovers (a tool's description and argument JSON Schema, an agent's model and tools).
 * Plain JSON, so a host builds it once (cli/lsp from `rag.config.ts`, the studio from its
 * API) and posts it to a Web Worker unchanged.
 */
import { snapshotProblem, type RegistrySnapshot } from "../compiler/index.js";

/** A registered tool as editors show it. */
export interface ToolDetails {
  readonly description?: string;
  /** JSON Schema (draft 2020-12) of the tool's arguments, as offered to models. */
  readonly parameters?: Readonly<Record<string, unknown>>;
  /** JSON Schema of what the tool returns (its `result:` option), when declared. */
  readonly result?: Readonly<Record<string, unknown>>;
  readonly read_only?: boolean;
  readonly approval?: "auto" | "ask" | "deny";
}

/** A registered model as editors show it. */
export interface ModelDetails {
  /** The provider's model id, e.g. `gpt-4o-mini`. */
  readonly model_id?: string;
  readonly provider?: string;
}

/** A registered agent as editors show it. */
export interface AgentDetails {
  readonly description?: string;
  readonly model?: string;
  readonly tools?: readonly string[];
  /** The state channel its answer goes to. */
  readonly writes?: string;
}

/** A registered graph as editors show it. */
export interface GraphDetails {
  /** Blueprint hash. */
  readonly hash?: string;
  readonly description?: string;
}

/**
 * A registry snapshot for editors: the compiler's `RegistrySnapshot` (lists of names;
 * `null` or absent = not checked) and optional details by name.
 */
export interface ServiceRegistrySnapshot extends RegistrySnapshot {
  readonly tool_details?: Readonly<Record<string, ToolDetails>>;
  readonly model_details?: Readonly<Record<string, ModelDetails>>;
  readonly agent_details?: Readonly<Record<string, AgentDetails>>;
  readonly graph_details?: Readonly<Record<string, GraphDetails>>;
}

const DETAILS = ["tool_details", "model_details", "agent_details", "graph_details"] as const;

/**
 * The first problem with an editor snapshot's shape (the compiler's `snapshotProblem`, and
 * each `*_details` map mapping names to objects), or undefined.
 */
export function serviceSnapshotProblem(v: unknown): string | undefined {
  const problem = snapshotProblem(v);
  if (problem !== undefined) return problem;
  const o = v as Record<string, unknown>;
  for (const k of DETAILS) {
    const m = Object.hasOwn(o, k) ? o[k] : undefined;
    if (m === undefined) continue;
    const isRecord = (x: unknown) => x !== null && typeof x === "object" && !Array.isArray(x);
    if (!isRecord(m) || !Object.values(m as object).every(isRecord)) return `\`${k}\` must map names to objects`;
  }
  return undefined;
}
