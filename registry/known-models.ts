/**
 * Known models: capabilities and list prices of common OpenAI and Anthropic models, so
 * `{ provider: "openai", model: "gpt-4o-mini" }` gets its context window, output limit
 * and price without the config spelling them out. A config's own `capabilities` and
 * `price` always win; models not listed get `DEFAULT_CAPABILITIES` and no price (no
 * cost is reported and a USD budget refuses to run them).
 *
 * Prices are USD per million tokens from the vendors' public pricing pages (standard
 * tier, text; checked 2025 — vendors change them, so pin your own in `rag.config.ts`
 * when the figure matters). Capabilities from the vendors' model pages.
 */
import type { ModelCapabilities } from "../compiler/index.js";
import type { ModelPrice } from "./registered-model.js";

export interface KnownModel {
  readonly capabilities: ModelCapabilities;
  readonly price: ModelPrice;
}

const openai = (contextWindow: number, maxOutputTokens: number, thinking: boolean, inputPerMTok: number, cachedInputPerMTok: number, outputPerMTok: number): KnownModel => ({
  capabilities: { tools: true, structuredOutput: true, vision: true, fileInput: true, thinking, contextWindow, maxOutputTokens },
  price: { inputPerMTok, cachedInputPerMTok, outputPerMTok },
});

const claude = (maxOutputTokens: number, inputPerMTok: number, outputPerMTok: number): KnownModel => ({
  capabilities: { tools: true, structuredOutput: true, vision: true, fileInput: true, thinking: true, contextWindow: 200_000, maxOutputTokens },
  // Cache reads bill at a tenth of the input price.
  price: { inputPerMTok, cachedInputPerMTok: inputPerMTok / 10, outputPerMTok },
});

/** Model id (or the id's prefix for dated snapshots such as `gpt-4o-2024-08-06`) → entry. */
export const KNOWN_MODELS: Readonly<Record<string, KnownModel>> = {
  "gpt-4o": openai(128_000, 16_384, false, 2.5, 1.25, 10),
  "gpt-4o-mini": openai(128_000, 16_384, false, 0.15, 0.075, 0.6),
  "gpt-4.1": openai(1_047_576, 32_768, false, 2, 0.5, 8),
  "gpt-4.1-mini": openai(1_047_576, 32_768, false, 0.4, 0.1, 1.6),
  "gpt-4.1-nano": openai(1_047_576, 32_768, false, 0.1, 0.025, 0.4),
  "o4-mini": openai(200_000, 100_000, true, 1.1, 0.275, 4.4),
  "gpt-5": openai(400_000, 128_000, true, 1.25, 0.125, 10),
  "gpt-5-mini": openai(400_000, 128_000, true, 0.25, 0.025, 2),
  "gpt-5-nano": openai(400_000, 128_000, true, 0.05, 0.005, 0.4),
  "claude-opus-4-1": claude(32_000, 15, 75),
  "claude-sonnet-4-5": claude(64_000, 3, 15),
  "claude-haiku-4-5": claude(64_000, 1, 5),
};

/** The catalog entry of a model id: an exact match, else the longest listed prefix followed by `-`. */
export function knownModel(modelId: string): KnownModel | undefined {
  const exact = KNOWN_MODELS[modelId];
  if (exact) return exact;
  let best: string | undefined;
  for (const id of Object.keys(KNOWN_MODELS)) if (modelId.startsWith(`${id}-`) && (!best || id.length > best.length)) best = id;
  return best ? KNOWN_MODELS[best] : undefined;
}
