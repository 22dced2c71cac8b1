/**
 * `ragraph/config`: what a `rag.config.ts` needs (`defineConfig`, `tool`, `command`,
 * `routeFunction`, `z`, the providers and standard tools), without the rest of the public
 * API. `import … from "ragraph"` gives the same bindings (the same objects: both re-export
 * the same modules) but evaluates everything index.ts re-exports, including the REPL, the
 * language service and the simulator; this entry loads only the registry and stdlib
 * stages a config uses, so `rag check` with a config starts faster (issue 14 §3).
 */
import "./stdlib/node-sha256.js";

export { defineConfig, tool, command, routeFunction, type RagConfig, type ModelConfig, type ToolDefinition, type ToolContext, type AgentDefinition, type ChatMessage, type ModelProvider, type MiddlewareConfig, type OutputValidator, type PolicyConfig } from "./registry/index.js";
export { scripted, openaiProvider, anthropicProvider, httpGet, fileTools, calculator, now, eventObserver } from "./stdlib/index.js";
export { z } from "zod";
