/**
 * The standard library: node kinds, providers (openai, anthropic, scripted, record /
 * replay), the model-call middleware chain, built-in tools, OpenTelemetry tracing, and
 * the standard registry that installs them.
 */
export { standardRegistry, registryFromConfig } from "./registry.js";
export { STANDARD_KINDS } from "./kinds/index.js";
export { scripted, type ScriptedOptions, type ScriptedProvider, type ScriptedReply, type ScriptRule, type ScriptMatch } from "./providers/scripted.js";
export { openaiProvider, type OpenAIProviderOptions } from "./providers/openai.js";
export { anthropicProvider, type AnthropicProviderOptions } from "./providers/anthropic.js";
export * from "./middleware/index.js";
export * from "./tools/index.js";
export { approvalArgsLines, isToolApproval, toolApprovalLines, type ApprovalTextLimits } from "./approval-text.js";
