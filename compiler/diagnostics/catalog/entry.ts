/**
 * One entry of the diagnostics catalog (see ../catalog.ts).
 */
import type { RegistrySnapshot } from "../../registry-view.js";

export interface CatalogEntry {
  readonly code: string;
  /** Short title. */
  readonly title: string;
  /** What it means and how to fix it. */
  readonly meaning: string;
  /** A complete `.rag` program that triggers the code ("" only for internal errors). */
  readonly example: string;
  /** Registry names the example is checked against. */
  readonly exampleRegistry?: RegistrySnapshot;
}

/** The registry snapshot most capability examples use. */
export const EXAMPLE_REGISTRY: RegistrySnapshot = { models: ["default"], tools: ["search"], agents: ["researcher"], graphs: [], scripts: [], routers: [], reducers: ["append", "messages", "overwrite"], node_kinds: ["model", "agent", "tool_executor", "router", "subagent", "subgraph"], validators: [] };
