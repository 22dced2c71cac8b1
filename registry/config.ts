/**
 * `rag.config.ts`: a module whose default export is `defineConfig({...})`, naming what
 * the registry grants (`overview.md`: models, tools, agents, graphs, policy,
 * checkpointer). Secrets come from the environment, never from the config.
 */
import type { Blueprint, ModelCapabilities } from "../compiler/index.js";
import type { AgentDefinition } from "./agent.js";
import type { MiddlewareConfig } from "./middleware.js";
import type { NodeKindImplementation } from "./node-kind.js";
import { resolvePolicy, type PolicyConfig } from "./policy.js";
import type { ModelProvider } from "./provider.js";
import { sessionPolicy, type SessionPolicy } from "./session-policy.js";
import { Registry, RegistryError, type ModelPrice, type OutputValidator, type ReducerFunction, type RouteFunction, type RunLimits } from "./registry.js";
import type { ToolDefinition } from "./tool.js";
import { validateConfig } from "./config-schema.js";

export interface ModelConfig {
  /** A provider instance (e.g. `scripted({...})`) or the name of a provider factory (`"openai"`). */
  readonly provider: ModelProvider | string;
  /** The provider's model id; defaults to the registry name. */
  readonly model?: string;
  readonly capabilities?: Partial<ModelCapabilities>;
  /** USD per million tokens, for cost accounting; default from the catalog of known models. */
  readonly price?: ModelPrice;
  /** Provider options (e.g. `baseURL`, `apiKeyEnv`). */
  readonly options?: Readonly<Record<string, unknown>>;
}

export interface RagConfig {
  readonly models?: Readonly<Record<string, ModelConfig>>;
  readonly tools?: Readonly<Record<string, ToolDefinition>>;
  readonly agents?: Readonly<Record<string, AgentDefinition>>;
  /** Graphs by name: a blueprint, or a path to a `.rag` file (resolved by the CLI relative to the config). */
  readonly graphs?: Readonly<Record<string, Blueprint | string>>;
  /** `.ragsh` script sources by name. */
  readonly scripts?: Readonly<Record<string, string>>;
  readonly routers?: Readonly<Record<string, RouteFunction>>;
  readonly reducers?: Readonly<Record<string, ReducerFunction>>;
  readonly validators?: Readonly<Record<string, OutputValidator>>;
  readonly nodeKinds?: Readonly<Record<string, NodeKindImplementation>>;
  /** The model-call harness: telemetry, budget, cache, retry, rate limits, circuit breaker (`registry/middleware.ts`). */
  readonly middleware?: MiddlewareConfig;
  /** Capability allowlists and review gates (policy.ts). */
  readonly policy?: PolicyConfig;
  /** Policy of `.ragsh` sessions: `rag repl` and `repl_agent` nodes (`repl.md` §3). */
  readonly repl?: Partial<SessionPolicy>;
  /** Default input per graph name for `rag run` when `--input` is not given. */
  readonly defaultInputs?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /**
   * Settings of `rag worker` processes loading this config (docs/deploy.md).
   * `distribute: "branches"` makes the `send` branches of every run the worker starts
   * BullMQ branch jobs any worker of the pool runs (as `--distribute branches`; the flag,
   * when given, wins); default `"none"` (a graph can still ask with `defaults { distribute: branches }`).
   */
  readonly worker?: { readonly distribute?: "none" | "branches" };
  /**
   * Limits of every run made with this config (`rag run`, `rag serve`, `rag worker`, the
   * studio): `maxSendPackets`, the most Send packets one fan-out may dispatch (default
   * 10,000); `maxStateBytes`, the most bytes of JSON a run's whole state may hold (default
   * 512 MiB); `maxChildRuns`, the most child runs a run tree may start (default 10,000). Host settings: a `.rag` file cannot raise them (docs/security.md).
   */
  readonly limits?: RunLimits;
}

/** Identity helper that types a config. */
export function defineConfig(config: RagConfig): RagConfig {
  return config;
}

/**
 * Registers everything `config` names into `registry`. Graph paths are resolved by
 * `loadGraph` (the CLI compiles the file); a string graph without a loader is an error.
 *
 * The config's shape is checked first (config-schema.ts): a tool whose `schema` is a
 * JSON Schema, `tools: { x: 5 }` or a misspelt key is refused before anything registers.
 *
 * @throws ConfigError (a RegistryError) naming each bad key path; RegistryError for an
 *   unknown provider factory or an unloadable graph.
 */
export function applyConfig(registry: Registry, config: RagConfig, loadGraph?: (path: string, name: string) => Blueprint): Registry {
  validateConfig(config);
  for (const [name, m] of Object.entries(config.models ?? {})) {
    const modelId = m.model ?? name;
    let provider: ModelProvider;
    if (typeof m.provider === "string") {
      const factory = registry.providerFactories.get(m.provider);
      if (!factory) {
        // `scripted` is a function of ragraph/config, not a provider name (docs/providers.md).
        const scripted = m.provider === "scripted" ? `; the scripted provider is a function: \`provider: scripted({ name, rules })\` with \`import { scripted } from "ragraph/config"\`` : "";
        throw new RegistryError(`model \`${name}\`: unknown provider \`${m.provider}\` (known: ${[...registry.providerFactories.keys()].join(", ") || "none"})${scripted}`);
      }
      provider = factory({ name, modelId, options: m.options ?? {} });
    } else provider = m.provider;
    registry.registerModel(name, { provider, modelId, ...(m.capabilities ? { capabilities: m.capabilities } : {}), ...(m.price ? { price: m.price } : {}) });
  }
  for (const [name, t] of Object.entries(config.tools ?? {})) registry.registerTool(name, t);
  for (const [name, a] of Object.entries(config.agents ?? {})) registry.registerAgent(name, a);
  for (const [name, s] of Object.entries(config.scripts ?? {})) registry.scripts.set(name, s);
  for (const [name, r] of Object.entries(config.routers ?? {})) registry.routers.set(name, r);
  for (const [name, r] of Object.entries(config.reducers ?? {})) registry.reducers.set(name, r);
  for (const [name, v] of Object.entries(config.validators ?? {})) registry.validators.set(name, v);
  for (const [name, k] of Object.entries(config.nodeKinds ?? {})) registry.registerNodeKind(name, k);
  if (config.policy) registry.policy = resolvePolicy(config.policy);
  if (config.repl) registry.sessionPolicy = sessionPolicy(config.repl);
  if (config.limits) registry.runLimits = { ...config.limits };
  for (const [name, g] of Object.entries(config.graphs ?? {})) {
    if (typeof g !== "string") registry.registerGraph(name, g);
    else if (loadGraph) registry.registerGraph(name, loadGraph(g, name));
    else throw new RegistryError(`graph \`${name}\`: a path (${g}) needs a loader; pass a blueprint instead`);
  }
  return registry;
}
