/** Model capabilities, `allow` declarations, policy and review gates (`language.md` §2.1, §5). */
import type { CatalogEntry } from "./entry.js";
import { EXAMPLE_REGISTRY as REG } from "./entry.js";

export const POLICY: readonly CatalogEntry[] = [
  {
    code: "E-rag-model-capability",
    title: "model lacks a capability the node needs",
    meaning: "The node needs tool calling (an agent with `tools`, a `tool_call` route), structured output (`output`, or custom route labels on a model/agent node), more output tokens (`max_output_tokens` in `metadata`/`defaults`) or more context (`context_tokens`, or the fixed text of `system` + `prompt`) than the registry says its model has. Names node, model and capability.",
    example: 'graph g { start a node a { kind model model "small" output { answer: string } next END } }',
    exampleRegistry: { ...REG, models: ["small"], model_capabilities: { small: { structuredOutput: false } } },
  },
  {
    code: "W-rag-attach-unsupported",
    title: "attached parts the model does not take",
    meaning: "A node or inline agent attaches images (`attach { image: … }`) to a model whose capabilities declare `vision: false`, or files to one declaring `fileInput: false`. A warning: the provider may accept them anyway. Models whose capabilities are unknown, or do not declare the capability, are not checked (models of the known-model catalog declare both).",
    example: 'graph g { start a state { photo: string } node a { model "small" prompt "Describe it" attach { image: state.photo } next END } }',
    exampleRegistry: { ...REG, models: ["small"], model_capabilities: { small: { vision: false } } },
  },
  {
    code: "E-rag-budget-unpriced",
    title: "USD budget on a model without a price",
    meaning: "A node or inline agent runs under a `usd` budget (its own, or its graph's `budget`, `per_node` or `defaults { budget }`) but its model has no price in the registry. The budget fails closed: the first call of that model fails the run. Declare `price: { inputPerMTok, outputPerMTok }` for the model in rag.config.ts (known OpenAI and Anthropic models have one), bind a priced model, or limit `tokens` instead. Only models the registry knows to be unpriced are reported.",
    example: 'graph g { start a budget { usd: 1.00 } node a { model "small" prompt "Hi" next END } }',
    exampleRegistry: { ...REG, models: ["small"], model_prices: {} },
  },
  {
    code: "E-rag-disallowed-capability",
    title: "disallowed capability",
    meaning: "The graph binds a name outside its own `allow KIND [..]` list, or outside the allowlist of the registry's policy (narrower for untrusted, generated blueprints), or its `allow` list asks for what the policy withholds. The message names the list or the policy.",
    example: 'graph g { start a allow tools ["search"] node a { kind agent model "default" tools ["search", "shell"] next END } }',
    exampleRegistry: { ...REG, tools: ["search", "shell"] },
  },
  {
    code: "W-rag-review-required",
    title: "generated graph requires review",
    meaning: "The registry's policy requires review for this blueprint (it was generated — see the `// rag:generated-by` pragma and `compile(…, { provenance })` — or the policy reviews every blueprint), and its hash is not approved: it will not run until someone reads it and approves this exact version (`rag approve FILE`). Any semantic change gives a new hash and needs a new approval.",
    example: "// rag:generated-by model author=gpt-4o-mini\ngraph g { start a node a { next END } }",
    exampleRegistry: { ...REG, policy: { name: "reviewed", untrusted: ["model"], review: "untrusted" } },
  },
];
