/**
 * A model as the registry holds it (`Registry.models`): its provider, the id sent to it,
 * what it can do and what it costs. Its own module, below `registry.ts`, so the catalog
 * of known models and the model middleware can name these without the registry class.
 */
import type { ModelCapabilities } from "../compiler/index.js";
import type { ModelProvider } from "./provider.js";

/** USD per million tokens. */
export interface ModelPrice {
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
  readonly cachedInputPerMTok?: number;
}

export interface RegisteredModel {
  readonly name: string;
  readonly provider: ModelProvider;
  /** Model id sent to the provider. */
  readonly modelId: string;
  /** What the model can do: declared, else from the catalog of known models, else `DEFAULT_CAPABILITIES`. */
  readonly capabilities: ModelCapabilities;
  /** USD per million tokens: declared, else from the catalog; without one no cost is reported. */
  readonly price?: ModelPrice;
}
