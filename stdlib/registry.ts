/**
 * A Registry with the standard library installed: every standard node kind, the
 * provider factories that configs name by string (`provider: "openai"`,
 * `provider: "anthropic"`), and the standard middleware chain (`stdlib/middleware`).
 */
import { applyConfig, Registry, RegistryError, type RagConfig } from "../registry/index.js";
import type { Blueprint } from "../compiler/index.js";
import { toolApprovalAnswerCheck } from "./kinds/approval.js";
import { STANDARD_KINDS } from "./kinds/index.js";
import { installMiddleware } from "./middleware/index.js";
import { anthropicProvider } from "./providers/anthropic.js";
import { openaiProvider } from "./providers/openai.js";

type Options = Readonly<Record<string, unknown>>;

const str = (o: Options, k: string) => (typeof o[k] === "string" ? { [k]: o[k] as string } : {});
const num = (o: Options, k: string) => (typeof o[k] === "number" ? { [k]: o[k] as number } : {});
const headers = (o: Options) => {
  const h = o.defaultHeaders;
  if (h === undefined) return {};
  if (!h || typeof h !== "object" || Object.values(h).some((v) => typeof v !== "string")) throw new RegistryError("provider option `defaultHeaders` must be an object of strings");
  return { defaultHeaders: h as Record<string, string> };
};

export function standardRegistry(): Registry {
  const r = new Registry();
  for (const [name, impl] of Object.entries(STANDARD_KINDS)) r.registerNodeKind(name, impl);
  r.registerAnswerCheck("tool_approval", toolApprovalAnswerCheck);
  r.providerFactories.set("openai", ({ options: o }) =>
    openaiProvider({ ...str(o, "apiKey"), ...str(o, "apiKeyEnv"), ...str(o, "baseURL"), ...str(o, "organization"), ...num(o, "timeoutMs"), ...num(o, "maxRetries"), ...headers(o), ...(o.streamUsage === false ? { streamUsage: false } : {}), ...(o.stream === false ? { stream: false } : {}) }),
  );
  r.providerFactories.set("anthropic", ({ options: o }) =>
    anthropicProvider({ ...str(o, "apiKey"), ...str(o, "apiKeyEnv"), ...str(o, "baseURL"), ...num(o, "timeoutMs"), ...num(o, "maxRetries"), ...num(o, "defaultMaxTokens"), ...headers(o), ...(o.sdkTelemetry === true ? { sdkTelemetry: true } : {}) }),
  );
  installMiddleware(r);
  return r;
}

/** The standard registry with `config` applied (graph paths resolved by `loadGraph`) and its middleware chain installed. */
export function registryFromConfig(config: RagConfig, loadGraph?: (path: string, name: string) => Blueprint): Registry {
  const r = applyConfig(standardRegistry(), config, loadGraph);
  return installMiddleware(r, config.middleware);
}
