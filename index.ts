/**
 * ragraph's public API: compile `.rag` source to Blueprints, register capabilities,
 * and run graphs. (`rag.config.ts` files import `defineConfig`, `tool` and `scripted`
 * from here.)
 */
import "./stdlib/node-sha256.js";

export { compile, compileGraph, registryViewFromSnapshot, renderDiagnostics, type Blueprint, type CompileOptions, type RegistryView } from "./compiler/index.js";
export { GraphBuilder, GraphBuilderError, START, END, t, Expr, parseExpression, type ExprInput, type ExprKit, type NodeOptions, type SendOptions, type StateOf, type InputOf } from "./compiler/index.js";
export { defineConfig, tool, routeFunction, exportRegistry, Registry, applyConfig, type RagConfig, type ModelConfig, type ToolDefinition, type AgentDefinition, type ChatMessage, type ModelProvider } from "./registry/index.js";
export { CompiledGraph, type RunEvent, type RunOptions, type RunResult } from "./runtime/index.js";
export { MemoryCheckpointer, SqliteCheckpointer, isInterrupt, type Checkpointer, type StateSnapshot, type ResumeCommand, type StreamMode } from "./runtime/index.js";
export { scripted, openaiProvider } from "./stdlib/index.js";
export { anthropicProvider, httpGet, fileTools, calculator, now, eventObserver } from "./stdlib/index.js";
export type { MiddlewareConfig, OutputValidator } from "./registry/index.js";
export { Session, withRepl, type CellResult, type SessionOptions } from "./repl/index.js";
export { standardRegistry, registryFromConfig } from "./repl/index.js";
export { z } from "zod";
export { applyFixes, fixAll, provenancePragma, type Provenance } from "./compiler/index.js";
export type { Diagnostic } from "./grammar/index.js";
export { approveBlueprint, reviewStatus, FileApprovalStore, MemoryApprovalStore, type ApprovalStore, type PolicyConfig } from "./registry/index.js";
export { PolicyError, ReviewRequiredError } from "./runtime/index.js";
export { createLanguageService, MONARCH_LANGUAGE, SEMANTIC_TOKENS_LEGEND, type LanguageService, type LanguageServiceOptions, type ServiceRegistrySnapshot } from "./language-service/index.js";
export { serviceSnapshot } from "./registry/index.js";
export { simulate, type SimulateOptions, type SimReport, type SimPath } from "./simulate/index.js";
