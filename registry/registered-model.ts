/**
 * A model as the registry holds it (`Registry.models`): its provider, the id sent to it,
 * what it can do and what it costs. Its own module, below `registry.ts`, so the catalog
 * of known models and the model middleware can name these without the registry class.
 */
import type { ModelCapabilities } from "../compiler/index.js";
import type { ModelProvider, Usage } from "./provider.js";

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

/**
 * Cost in USD of `usage` at `price` (USD per million tokens). Cached input tokens are
 * part of `inputTokens` and billed at `cachedInputPerMTok` (the input price when
 * absent); reasoning tokens are part of `outputTokens` (billed as output, as OpenAI and
 * Anthropic do).
 */
export function priceUsage(usage: Usage, price: ModelPrice): number {
  const cached = Math.min(usage.cachedTokens ?? 0, usage.inputTokens);
  const usd = ((usage.inputTokens - cached) * price.inputPerMTok + cached * (price.cachedInputPerMTok ?? price.inputPerMTok) + usage.outputTokens * price.outputPerMTok) / 1_000_000;
  return Math.round(usd * 1e10) / 1e10;
}
