/**
 * A Registry with the standard library installed: every standard node kind and the
 * provider factories that configs name by string (`provider: "openai"`).
 */
import { applyConfig, Registry, type RagConfig } from "../registry/index.js";
import type { Blueprint } from "../compiler/index.js";
import { STANDARD_KINDS } from "./kinds/index.js";
import { openaiProvider } from "./providers/openai.js";

export function standardRegistry(): Registry {
  const r = new Registry();
  for (const [name, impl] of Object.entries(STANDARD_KINDS)) r.registerNodeKind(name, impl);
  r.providerFactories.set("openai", ({ options }) =>
    openaiProvider({
      ...(typeof options.apiKey === "string" ? { apiKey: options.apiKey } : {}),
      ...(typeof options.apiKeyEnv === "string" ? { apiKeyEnv: options.apiKeyEnv } : {}),
      ...(typeof options.baseURL === "string" ? { baseURL: options.baseURL } : {}),
      ...(typeof options.timeoutMs === "number" ? { timeoutMs: options.timeoutMs } : {}),
      ...(typeof options.maxRetries === "number" ? { maxRetries: options.maxRetries } : {}),
    }),
  );
  return r;
}

/** The standard registry with `config` applied (graph paths resolved by `loadGraph`). */
export function registryFromConfig(config: RagConfig, loadGraph?: (path: string, name: string) => Blueprint): Registry {
  return applyConfig(standardRegistry(), config, loadGraph);
}
