/**
 * What the compiler needs to know about a registry: which names it grants, per
 * capability kind, and what each model can do. The compiler cannot import `registry/`
 * (it comes later in the pipeline), so it defines this view and `Registry` implements it.
 *
 * A category that is `null` is not checked (compat corpus README: the reference's
 * minimal gate bound only models and tools).
 */
import type { PolicyView } from "./policy-view.js";
import { RegistrySnapshotError, snapshotProblem } from "./snapshot-check.js";
import type { RegistrySignatures } from "./signatures.js";

/** Model capabilities (`runtime.md` §7); token counts in tokens. */
export interface ModelCapabilities {
  readonly tools: boolean;
  readonly structuredOutput: boolean;
  /** Image input (`attach { image: … }`); undefined = not declared (unknown: nothing is checked). */
  readonly vision?: boolean;
  /** File input (`attach { file: … }`, e.g. PDF documents); undefined = not declared (unknown). */
  readonly fileInput?: boolean;
  readonly thinking: boolean;
  /** Context window, tokens. */
  readonly contextWindow: number;
  /** Maximum output tokens per call. */
  readonly maxOutputTokens: number;
}

export interface RegistryView {
  readonly models: ReadonlySet<string> | null;
  readonly tools: ReadonlySet<string> | null;
  readonly agents: ReadonlySet<string> | null;
  readonly graphs: ReadonlySet<string> | null;
  readonly scripts: ReadonlySet<string> | null;
  /** Route functions. */
  readonly routers: ReadonlySet<string> | null;
  readonly reducers: ReadonlySet<string> | null;
  readonly nodeKinds: ReadonlySet<string> | null;
  readonly validators: ReadonlySet<string> | null;
  /** Capabilities of a registered model, when known. */
  modelCapabilities?(name: string): ModelCapabilities | undefined;
  /** A registered model's price; null when it has none (a USD `budget` on it fails the run); undefined when unknown. */
  modelPrice?(name: string): SnapshotModelPrice | null | undefined;
  /** The state channel a registered agent writes its result to, when it declares one. */
  agentWrites?(name: string): string | undefined;
  /** False when the host has no checkpointer (interrupts cannot resume); undefined = unknown. */
  readonly checkpointer?: boolean;
  /** The registry's policy: capability allowlists and review gates. */
  readonly policy?: PolicyView;
  /** Shapes of what the registry grants (issue 15 §1); names without an entry are not shape-checked. */
  readonly signatures?: RegistrySignatures;
}

/** JSON snapshot of a registry (`rag check --registry FILE.json`); lists of names, `null` = unchecked. */
export interface RegistrySnapshot {
  /** Format version of `rag registry export` (1); absent in hand-written name lists. */
  version?: number;
  models?: string[] | null;
  tools?: string[] | null;
  agents?: string[] | null;
  graphs?: string[] | null;
  scripts?: string[] | null;
  routers?: string[] | null;
  reducers?: string[] | null;
  node_kinds?: string[] | null;
  validators?: string[] | null;
  /** Capabilities of registered models, by name (missing keys take the defaults below). */
  model_capabilities?: Record<string, Partial<ModelCapabilities>>;
  /** List prices of the models that have one, USD per million tokens (a USD `budget` needs one). */
  model_prices?: Record<string, SnapshotModelPrice>;
  /** False when the host has no checkpointer. */
  checkpointer?: boolean;
  /** The policy, with missing keys defaulted (`untrusted: []`, `review: "none"`). */
  policy?: Partial<PolicyView>;
  /** Shapes by kind and name (`rag registry export`): tool arguments, agents' and graphs' input/output, route labels. */
  signatures?: RegistrySignatures;
}

/** A model's price in a snapshot: USD per million input, output and cached input tokens. */
export interface SnapshotModelPrice {
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
  readonly cachedInputPerMTok?: number;
}

/** Capabilities assumed for a model a snapshot lists without details (those of `registry/registry.ts`). */
export const SNAPSHOT_MODEL_DEFAULTS: ModelCapabilities = { tools: true, structuredOutput: true, thinking: false, contextWindow: 128_000, maxOutputTokens: 16_384 };

const set = (xs: string[] | null | undefined) => (xs === null || xs === undefined ? null : new Set(xs));

/**
 * A null-prototype copy of `o`'s own entries: a snapshot's maps are looked up by names a
 * `.rag` file writes, and a snapshot made in code or parsed by `JSON.parse` (the studio's
 * worker) has `Object.prototype` behind them — `agent "constructor"` found a signature.
 */
function own<T>(o: Readonly<Record<string, T>> | undefined): Record<string, T> | undefined {
  if (o === undefined || o === null) return undefined;
  const out: Record<string, T> = Object.create(null);
  for (const k of Object.keys(o)) out[k] = o[k]!;
  return out;
}

/** `s.signatures` with every map null-prototype (`own`). */
function ownSignatures(sig: NonNullable<RegistrySnapshot["signatures"]>): NonNullable<RegistrySnapshot["signatures"]> {
  const out: Record<string, unknown> = Object.create(null);
  for (const k of Object.keys(sig) as (keyof typeof sig)[]) out[k] = own(sig[k] as Readonly<Record<string, unknown>> | undefined);
  return out as NonNullable<RegistrySnapshot["signatures"]>;
}

/**
 * A view over a snapshot of names.
 * @throws RegistrySnapshotError when the snapshot's shape is wrong (`snapshotProblem`: a
 *   name list that is not a list, a malformed policy, model capability or price).
 */
export function registryViewFromSnapshot(s: RegistrySnapshot): RegistryView {
  const problem = snapshotProblem(s);
  if (problem !== undefined) throw new RegistrySnapshotError(`registry snapshot: ${problem}`);
  const caps = own(s.model_capabilities ?? undefined);
  const prices = own(s.model_prices ?? undefined);
  const signatures = s.signatures ? ownSignatures(s.signatures) : undefined;
  return {
    models: set(s.models),
    tools: set(s.tools),
    agents: set(s.agents),
    graphs: set(s.graphs),
    scripts: set(s.scripts),
    routers: set(s.routers),
    reducers: set(s.reducers),
    nodeKinds: set(s.node_kinds),
    validators: set(s.validators),
    ...(caps ? { modelCapabilities: (name: string) => (caps[name] ? { ...SNAPSHOT_MODEL_DEFAULTS, ...caps[name] } : undefined) } : {}),
    ...(prices ? { modelPrice: (name: string) => prices[name] ?? (s.models?.includes(name) ? null : undefined) } : {}),
    ...(signatures ? { signatures, agentWrites: (name: string) => signatures.agents?.[name]?.writes } : {}),
    ...(s.checkpointer !== undefined ? { checkpointer: s.checkpointer } : {}),
    ...(s.policy ? { policy: { name: s.policy.name ?? "policy", allow: s.policy.allow ?? {}, untrustedAllow: s.policy.untrustedAllow ?? {}, untrusted: s.policy.untrusted ?? [], review: s.policy.review ?? "none" } } : {}),
  };
}
