/**
 * The Registry: every name a blueprint may bind, mapped to an implementation — models
 * (with capabilities and prices), tools, agents, graphs, scripts, route functions,
 * reducers, output validators and node kinds (`overview.md`, `language.md` intro).
 * A `.rag` file holds no host code; the registry is what grants power.
 */
import type { Blueprint, ModelCapabilities, PolicyView, RegistryView } from "../compiler/index.js";
import { BUILTIN_REDUCERS } from "../compiler/resolve/reducers.js";
import { KIND_ALIASES } from "../compiler/resolve/kinds.js";
import type { AgentDefinition } from "./agent.js";
import { knownModel } from "./known-models.js";
import { withKey } from "./copy.js";
import { composeChain, type CallContext, type ChatHandler, type ModelMiddleware } from "./middleware.js";
import { MemoryApprovalStore, type ApprovalStore } from "./approvals.js";
import type { AnswerCheckHook } from "./answer-check.js";
import type { NodeKindImplementation, NodeTask } from "./node-kind.js";
import type { ToolCall } from "./messages.js";
import type { ChatRequest, ChatResponse, ModelProvider } from "./provider.js";
import type { RegisteredModel } from "./registered-model.js";
import { DEFAULT_SESSION_POLICY, type SessionPolicy } from "./session-policy.js";
import type { ToolDefinition } from "./tool.js";
import { registrySignatures } from "./signatures.js";
import { RegistryError } from "./registry-error.js";

/** Options of `Registry.chat`. */
export interface RegistryChatOptions {
  readonly signal?: AbortSignal;
  readonly onToken?: (delta: string) => Promise<void>;
  readonly onToolCall?: (call: ToolCall) => Promise<void>;
  readonly context?: CallContext;
}

/**
 * Picks a route label from state (a router node's route function). It may carry the
 * labels it can return and a description (`routeFunction(fn, { labels })`); `rag registry
 * export` and the card show them to authors.
 */
export type RouteFunction = ((state: Readonly<Record<string, unknown>>, task: NodeTask) => string | Promise<string>) & {
  readonly labels?: readonly string[];
  readonly description?: string;
};

/** Declares a route function with the labels it may return (and a description), for signatures. */
export function routeFunction(fn: (state: Readonly<Record<string, unknown>>, task: NodeTask) => string | Promise<string>, info: { readonly labels?: readonly string[]; readonly description?: string }): RouteFunction {
  return Object.assign(fn, info);
}
/** Folds writes into a channel value (`aggregate "fn"`). Must be pure. */
export type ReducerFunction = (current: unknown, update: unknown) => unknown;
/**
 * Output validator (`validate [..]` on a node): sees the text of each reply of the node's
 * model calls and passes it, rejects it (the task fails with a permanent error naming
 * the validator and the reason) or filters it (replaces the text). May be async.
 */
export type OutputValidator = (
  text: string,
  context: { readonly node: string; readonly model: string },
) => OutputVerdict | Promise<OutputVerdict>;

export type OutputVerdict = { readonly pass: true } | { readonly reject: string } | { readonly filter: string };

/** Builds a provider for a model configured as `{ provider: "name", … }`. */
export type ProviderFactory = (model: { readonly name: string; readonly modelId: string; readonly options: Readonly<Record<string, unknown>> }) => ModelProvider;

export const DEFAULT_CAPABILITIES: ModelCapabilities = {
  tools: true,
  structuredOutput: true,
  // `vision` and `fileInput` stay undeclared (unknown) unless the catalog or the config says.
  thinking: false,
  contextWindow: 128_000,
  maxOutputTokens: 16_384,
};

export { RegistryError } from "./registry-error.js";
export type { ModelPrice, RegisteredModel } from "./registered-model.js";

export class Registry {
  readonly models = new Map<string, RegisteredModel>();
  readonly tools = new Map<string, ToolDefinition>();
  readonly agents = new Map<string, AgentDefinition>();
  readonly graphs = new Map<string, Blueprint>();
  /** `.ragsh` sources by name. */
  readonly scripts = new Map<string, string>();
  readonly routers = new Map<string, RouteFunction>();
  readonly reducers = new Map<string, ReducerFunction>();
  readonly validators = new Map<string, OutputValidator>();
  readonly nodeKinds = new Map<string, NodeKindImplementation>();
  /** How answers to questions of a payload `type` are judged before a resume records them (`registerAnswerCheck`). */
  readonly answerChecks = new Map<string, AnswerCheckHook>();
  /** Limits of `.ragsh` sessions run against this registry (`repl.md` §3). */
  sessionPolicy: SessionPolicy = DEFAULT_SESSION_POLICY;
  /** Factories for providers named by string in configs (`provider: "openai"`). */
  readonly providerFactories = new Map<string, ProviderFactory>();
  /**
   * The model-call chain, outermost first (`registry/middleware.ts`). Empty by default:
   * `standardRegistry()` installs the standard chain, `registryFromConfig` the configured one.
   */
  readonly middleware: ModelMiddleware[] = [];
  /** Capability allowlists and review gates (policy.ts); none = unrestricted. */
  policy: PolicyView | undefined;
  /**
   * The host's run limits (`RagConfig.limits`): defaults of the runs made with this
   * registry where `RunOptions` does not set them. A `.rag` file cannot change them.
   */
  runLimits: RunLimits = {};
  /** Approved blueprint hashes (approvals.ts); in memory unless the host sets a file store. */
  approvals: ApprovalStore = new MemoryApprovalStore();

  /**
   * Registers a model. Capabilities and price not given come from the catalog of known
   * models (`registry/known-models.ts`) by model id, then from `DEFAULT_CAPABILITIES`.
   */
  registerModel(name: string, model: Omit<RegisteredModel, "name" | "capabilities"> & { capabilities?: Partial<ModelCapabilities> }): this {
    const known = knownModel(model.modelId);
    const price = model.price ?? known?.price;
    this.models.set(name, { ...model, name, capabilities: { ...DEFAULT_CAPABILITIES, ...known?.capabilities, ...model.capabilities }, ...(price ? { price } : {}) });
    return this;
  }

  /**
   * Calls model `model` through the middleware chain. `request.model` is replaced by
   * the registered model id.
   *
   * @throws RegistryError for an unregistered model; whatever the chain raises
   *   (`NodeError`s with an error class, aborts).
   */
  async chat(model: string | RegisteredModel, request: Omit<ChatRequest, "model"> & { readonly model?: string }, options: RegistryChatOptions = {}): Promise<ChatResponse> {
    const m = typeof model === "string" ? this.model(model) : model;
    const req = withKey(request, "model", m.modelId);
    if (Object.hasOwn(options, "__proto__")) return this.handler()({ model: m, request: req, ...options });
    // The options' keys after the literal's, as the spread above adds them (without its generic copy per call).
    return this.handler()(Object.assign({ model: m, request: req }, options));
  }

  /** The composed chain, rebuilt only when `middleware` changed since the last call (wrapping it per call cost every model call a closure per layer). */
  private handler(): ChatHandler {
    const mw = this.middleware;
    const c = this.composed;
    if (c && c.of.length === mw.length && c.of.every((x, i) => x === mw[i])) return c.handler;
    const handler = composeChain(mw);
    this.composed = { of: [...mw], handler };
    return handler;
  }

  private composed: { readonly of: readonly ModelMiddleware[]; readonly handler: ChatHandler } | undefined;

  registerTool(name: string, def: ToolDefinition): this {
    this.tools.set(name, def);
    return this;
  }

  registerAgent(name: string, def: AgentDefinition): this {
    this.agents.set(name, def);
    return this;
  }

  registerGraph(name: string, blueprint: Blueprint): this {
    this.graphs.set(name, blueprint);
    return this;
  }

  registerNodeKind(name: string, impl: NodeKindImplementation): this {
    this.nodeKinds.set(name, impl);
    return this;
  }

  /**
   * Registers how answers to interrupts whose payload has `type: payloadType` are judged
   * (`answer-check.ts`): the runtime calls `check` for each such answer where a resume is
   * accepted and refuses the resume with the reason it returns. One check per type; a
   * later registration replaces it.
   */
  registerAnswerCheck(payloadType: string, check: AnswerCheckHook): this {
    this.answerChecks.set(payloadType, check);
    return this;
  }

  /** The model registered as `name`; throws `RegistryError` when absent. */
  model(name: string): RegisteredModel {
    const m = this.models.get(name);
    if (!m) throw new RegistryError(`model \`${name}\` is not registered`);
    return m;
  }

  /** The names this registry grants, for the compiler (`RegistryView`). */
  view(): RegistryView {
    const kinds = new Set(this.nodeKinds.keys());
    for (const [alias, canon] of Object.entries(KIND_ALIASES)) if (kinds.has(canon)) kinds.add(alias);
    return {
      models: new Set(this.models.keys()),
      tools: new Set(this.tools.keys()),
      agents: new Set(this.agents.keys()),
      graphs: new Set(this.graphs.keys()),
      scripts: new Set(this.scripts.keys()),
      routers: new Set(this.routers.keys()),
      reducers: new Set([...BUILTIN_REDUCERS, ...this.reducers.keys()]),
      nodeKinds: kinds,
      validators: new Set(this.validators.keys()),
      modelCapabilities: (name) => this.models.get(name)?.capabilities,
      modelPrice: (name) => (this.models.has(name) ? (this.models.get(name)!.price ?? null) : undefined),
      agentWrites: (name) => this.agents.get(name)?.writes,
      ...(this.policy ? { policy: this.policy } : {}),
      signatures: registrySignatures(this),
    };
  }
}

/** Run limits a host sets for every run of a registry (`RagConfig.limits`). */
export interface RunLimits {
  /** Most Send packets one task's fan-out may dispatch (default 10,000; `RunOptions.maxSendPackets` wins). */
  readonly maxSendPackets?: number;
  /** Most bytes of JSON a run's whole state may hold (default 512 MiB; `RunOptions.maxStateBytes` wins). */
  readonly maxStateBytes?: number;
  /** Most child runs (subgraph calls, graph sends, agents) a run tree may start over its life (default 10,000; `RunOptions.maxChildRuns` wins). */
  readonly maxChildRuns?: number;
}
