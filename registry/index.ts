/**
 * The registry stage: what a blueprint may bind (models, tools, agents, graphs,
 * scripts, route functions, reducers, validators, node kinds) and the contracts those
 * implementations meet; config loading (`defineConfig`).
 */
export { routeFunction, Registry, RegistryError, DEFAULT_CAPABILITIES, type ModelPrice, type OutputValidator, type OutputVerdict, type ProviderFactory, type ReducerFunction, type RegisteredModel, type RegistryChatOptions, type RouteFunction, type RunLimits } from "./registry.js";
export { KNOWN_MODELS, knownModel, type KnownModel } from "./known-models.js";
export { priceUsage } from "./registered-model.js";
export {
  composeChain,
  providerHandler,
  type BudgetConfig,
  type BudgetLimit,
  type CacheConfig,
  type CallContext,
  type ChatHandler,
  type CircuitBreakerConfig,
  type MiddlewareConfig,
  type ModelCall,
  type ModelMiddleware,
  type RateLimitConfig,
  type ResponseCacheStore,
  type RetryConfig,
  type TelemetryConfig,
} from "./middleware.js";
export { CallMeter, type AttemptAdmission, type OutputGuard } from "./call-meter.js";
export { INPUT_FLOOR_CHARS_PER_TOKEN, messageChars, raiseToFloor, replyChars, requestChars, usageFloor } from "./usage-floor.js";
export { LinkedLedger } from "./linked-ledger.js";
export type { GateLimit, GateLimits, GateRefusal, SpendGate } from "./spend-gate.js";
export { addSpend, isSpendCount, JointLedger, readSpend, SpendBook, SpendCountError, spentOf, type Spend, type SpendCounts, type SpendLedger } from "./spend.js";
export { applyConfig, defineConfig, type ModelConfig, type RagConfig } from "./config.js";
export { BudgetConfigSchema, checkConfigPart, ConfigError, keyPath, RagConfigSchema, RateLimitConfigSchema, validateConfig, type ConfigIssue } from "./config-schema.js";
export { isMadeOverwrite, OVERWRITE, overwrite, overwriteOf, type OverwriteValue } from "./overwrite.js";
export { withKey } from "./copy.js";
export { command, isToolCommand, checkToolResult, tool, ToolCommand, toolParameters, toolResultSchema, type ToolCommandSpec, type ToolContext, type ToolDefinition } from "./tool.js";
export type { AgentDefinition } from "./agent.js";
export { isAskedCall, isChatMessage, pendingToolCalls, sealToolCall, toolCallFingerprint, type AskedCall, type ChatMessage, type ModelAsk, type ContentPart, type Role, type ToolCall } from "./messages.js";
export { estimateTokens, estimateTokensOfLength, type ChatOptions, type StreamCallbacks, type ChatRequest, type ChatResponse, type ModelProvider, type RequestMetadata, type ToolDescriptor, type Usage } from "./provider.js";
export { payloadType } from "./answer-check.js";
export type { AnswerCheckHook, AskedQuestion } from "./answer-check.js";
export type { CapabilityOptions, ChildRunResult, ModelReply, NodeKindImplementation, NodeResult, NodeTask } from "./node-kind.js";
export type { GotoTarget, SendCommand } from "./goto.js";
export type { RunInfo } from "./run-info.js";
export { DEFAULT_UNTRUSTED, resolvePolicy, type PolicyConfig } from "./policy.js";
export { APPROVED_SOURCE_MAX_CHARS, MemoryApprovalStore, type Approval, type ApprovalBy, type ApprovalStore } from "./approvals.js";
export { FileApprovalStore } from "./approvals-file.js";
export { approveBlueprint, reviewStatus, type ReviewStatus } from "./review.js";
export { DEFAULT_SESSION_POLICY, sessionPolicy, SessionPolicyError, SessionPolicySchema, type SessionPolicy } from "./session-policy.js";
export { serviceSnapshot } from "./service-snapshot.js";
export { exportRegistry, REGISTRY_SNAPSHOT_VERSION } from "./export.js";
export { registrySignatures, scriptDescription, toolArgs } from "./signatures.js";
