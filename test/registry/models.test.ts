/**
 * Models in the registry: capabilities and prices declared per model, else from the
 * catalog of known models (dated snapshots included), else the defaults; what the
 * compiler's capability check sees; cost from the price table.
 */
import { describe, expect, it } from "vitest";
import { applyConfig, DEFAULT_CAPABILITIES, knownModel, priceUsage, Registry } from "../../registry/index.js";
import { scripted, standardRegistry } from "../../stdlib/index.js";

const provider = scripted({ rules: [{ reply: "x" }] });

describe("model capabilities and prices", () => {
  it("fills capabilities and price from the catalog by model id, dated snapshots included; declarations win", () => {
    const r = new Registry();
    r.registerModel("mini", { provider, modelId: "gpt-4o-mini-2024-07-18" });
    expect(r.model("mini").capabilities).toEqual({ tools: true, structuredOutput: true, vision: true, fileInput: true, thinking: false, contextWindow: 128_000, maxOutputTokens: 16_384 });
    expect(r.model("mini").price).toEqual({ inputPerMTok: 0.15, cachedInputPerMTok: 0.075, outputPerMTok: 0.6 });
    r.registerModel("own", { provider, modelId: "gpt-4o-mini", capabilities: { vision: false, maxOutputTokens: 1000 }, price: { inputPerMTok: 9, outputPerMTok: 9 } });
    expect(r.model("own").capabilities).toMatchObject({ vision: false, maxOutputTokens: 1000, contextWindow: 128_000 });
    expect(r.model("own").price).toEqual({ inputPerMTok: 9, outputPerMTok: 9 });
    r.registerModel("local", { provider, modelId: "llama3.1:8b" });
    expect(r.model("local").capabilities).toEqual(DEFAULT_CAPABILITIES);
    expect(r.model("local").price).toBeUndefined();
    expect(knownModel("gpt-4o-mini")).toBe(knownModel("gpt-4o-mini-2024-07-18"));
    expect(knownModel("gpt-4o-2024-08-06")?.price.inputPerMTok).toBe(2.5);
    expect(knownModel("gpt-4")).toBeUndefined();
  });

  it("config models by provider name get the catalog's data; the compiler sees the capabilities", () => {
    const r = applyConfig(standardRegistry(), {
      models: {
        claude: { provider: "anthropic", model: "claude-sonnet-4-5-20250929", options: { apiKey: "k" } },
        local: { provider: "openai", model: "qwen2.5", options: { baseURL: "http://127.0.0.1:11434/v1" }, capabilities: { tools: false, contextWindow: 32_768 } },
      },
    });
    expect(r.model("claude").provider.name).toBe("anthropic");
    expect(r.model("claude").modelId).toBe("claude-sonnet-4-5-20250929");
    expect(r.view().modelCapabilities!("claude")).toMatchObject({ thinking: true, contextWindow: 200_000, maxOutputTokens: 64_000 });
    expect(r.view().modelCapabilities!("local")).toMatchObject({ tools: false, contextWindow: 32_768, structuredOutput: true });
    expect(() => applyConfig(standardRegistry(), { models: { x: { provider: "gemini" } } })).toThrow("model `x`: unknown provider `gemini` (known: openai, anthropic)");
    // A newcomer's `provider: "scripted"` (it is a function) is told how to write it.
    expect(() => applyConfig(standardRegistry(), { models: { x: { provider: "scripted" } } })).toThrow('model `x`: unknown provider `scripted` (known: openai, anthropic); the scripted provider is a function: `provider: scripted({ name, rules })` with `import { scripted } from "ragraph/config"`');
    // A capability the budget and the compiler read is a positive whole number or a flag:
    // `maxOutputTokens: true` capped every reply at one token (the budget takes the smaller).
    const provider = scripted({ rules: [{ reply: "x" }] });
    const caps = (c: Record<string, unknown>) => () => applyConfig(standardRegistry(), { models: { m: { provider, capabilities: c as never } } });
    expect(caps({ maxOutputTokens: true })).toThrow("`models.m.capabilities.maxOutputTokens`: expected number, got boolean true");
    expect(caps({ maxOutputTokens: 0 })).toThrow("`models.m.capabilities.maxOutputTokens`");
    expect(caps({ contextWindow: -5 })).toThrow("`models.m.capabilities.contextWindow`");
    expect(caps({ vision: 1 })).toThrow("`models.m.capabilities.vision`");
    expect(caps({ maxOutputTokens: 4096, vision: true, custom: 3 })).not.toThrow();
  });

  it("prices usage: cached input at the cached rate, reasoning inside output", () => {
    const price = { inputPerMTok: 2, cachedInputPerMTok: 0.5, outputPerMTok: 8 };
    expect(priceUsage({ inputTokens: 1_000_000, outputTokens: 0 }, price)).toBe(2);
    expect(priceUsage({ inputTokens: 1_000_000, outputTokens: 500_000, cachedTokens: 400_000, reasoningTokens: 100_000 }, price)).toBeCloseTo(0.6 * 2 + 0.4 * 0.5 + 0.5 * 8, 10);
    expect(priceUsage({ inputTokens: 100, outputTokens: 0, cachedTokens: 100 }, { inputPerMTok: 1, outputPerMTok: 1 })).toBeCloseTo(0.0001, 12);
  });
});
