/**
 * The standard library: node kinds, providers (openai, scripted) and the standard
 * registry that installs them.
 */
export { standardRegistry, registryFromConfig } from "./registry.js";
export { STANDARD_KINDS } from "./kinds/index.js";
export { scripted, type ScriptedOptions, type ScriptedProvider, type ScriptedReply, type ScriptRule, type ScriptMatch } from "./providers/scripted.js";
export { openaiProvider, type OpenAIProviderOptions } from "./providers/openai.js";
