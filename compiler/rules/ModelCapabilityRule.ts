/**
 * A node needs what its model can do (`runtime.md` §7 model capabilities; issue 3
 * "compile-time capability check"), `E-rag-model-capability`, naming node, model and
 * the missing capability. Needs, where the source makes them certain:
 * - tool calling: an `agent` or `repl_agent` node (or inline agent) with `tools`, or a
 *   `tool_call` route;
 * - structured output: an `output` schema, or route labels other than `tool_call`,
 *   `final`, `error` on a `model`/`agent` node (the model picks one through a
 *   constrained structured field — an LLM router);
 * - output tokens: `max_output_tokens` in the node's `metadata` (or the graph's
 *   `defaults`) above the model's maximum;
 * - context: `context_tokens` there, or the fixed text of `system` + `prompt`
 *   (≈ 4 characters per token), above the model's context window.
 * Only models whose capabilities the registry reports are checked.
 */
import type * as A from "../../grammar/rag/ast.js";
import type { Span } from "../../grammar/span.js";
import type { ModelCapabilities } from "../registry-view.js";
import type { ItemTable, ResolvedGraph } from "../resolve/resolve.js";
import type { Rule, RuleContext } from "./rule.js";

const BUILTIN_LABELS = new Set(["tool_call", "final", "error"]);
/** Characters per token for the estimate of fixed prompt text (OpenAI's rule of thumb). */
const CHARS_PER_TOKEN = 4;

interface Need {
  readonly what: string;
  readonly ok: (c: ModelCapabilities) => boolean;
  readonly span: Span;
  readonly detail: (c: ModelCapabilities) => string;
}

function numberSetting(blocks: readonly (A.Block | undefined)[], key: string): { value: number; span: Span } | undefined {
  for (const b of blocks) {
    const e = b?.entries.find((x) => x.key.name === key);
    if (e && e.value.kind === "Number") return { value: e.value.value, span: e.span };
  }
  return undefined;
}

function needs(items: ItemTable, kind: string, g: ResolvedGraph | undefined): Need[] {
  const out: Need[] = [];
  const tools = items.get("tools");
  const routes = items.get("routes")?.routes ?? [];
  const labels = routes.filter((r): r is A.LabelRoute => r.kind === "LabelRoute");
  const toolCall = labels.find((r) => r.label.name === "tool_call");
  if ((kind === "agent" || kind === "repl_agent") && tools && tools.value.items.length) out.push({ what: "tool calling", ok: (c) => c.tools, span: tools.keyword.span, detail: () => "it does not support tools" });
  else if (toolCall) out.push({ what: "tool calling", ok: (c) => c.tools, span: toolCall.label.span, detail: () => "it does not support tools" });
  const output = items.get("output");
  if (output) out.push({ what: "structured output", ok: (c) => c.structuredOutput, span: output.keyword.span, detail: () => "it does not support structured output" });
  const custom = labels.find((r) => !BUILTIN_LABELS.has(r.label.name));
  if (!output && custom && (kind === "model" || kind === "agent")) out.push({ what: "structured output (to choose a route label)", ok: (c) => c.structuredOutput, span: custom.label.span, detail: () => "it does not support structured output" });
  const meta = items.get("metadata");
  const blocks = [meta?.value.kind === "Block" ? meta.value : undefined, ...(g?.configs.filter((c) => c.config === "defaults").map((c) => c.value) ?? [])];
  const maxOut = numberSetting(blocks, "max_output_tokens");
  if (maxOut) out.push({ what: `${maxOut.value} output tokens`, ok: (c) => maxOut.value <= c.maxOutputTokens, span: maxOut.span, detail: (c) => `it returns at most ${c.maxOutputTokens}` });
  const ctxTokens = numberSetting(blocks, "context_tokens");
  if (ctxTokens) out.push({ what: `a context of ${ctxTokens.value} tokens`, ok: (c) => ctxTokens.value <= c.contextWindow, span: ctxTokens.span, detail: (c) => `its context window is ${c.contextWindow} tokens` });
  const texts = [items.get("system"), items.get("prompt")].filter((t): t is A.TemplateItem => t !== undefined);
  const chars = texts.reduce((n, t) => n + t.value.parts.reduce((m, p) => m + (p.kind === "Text" ? p.text.length : 0), 0), 0);
  const estimate = Math.ceil(chars / CHARS_PER_TOKEN);
  if (texts.length && estimate > 0) out.push({ what: `about ${estimate} tokens of fixed prompt text`, ok: (c) => estimate <= c.contextWindow, span: texts[texts.length - 1].keyword.span, detail: (c) => `its context window is ${c.contextWindow} tokens` });
  return out;
}

function check(ctx: RuleContext, owner: string, items: ItemTable, kind: string, model: A.BindingItem, g: ResolvedGraph | undefined): void {
  const caps = ctx.registry?.modelCapabilities?.(model.value.value);
  if (!caps) return;
  for (const n of needs(items, kind, g)) {
    if (n.ok(caps)) continue;
    ctx.report("E-rag-model-capability", `${owner} needs ${n.what}, but model \`${model.value.value}\` cannot: ${n.detail(caps)}`, n.span, {
      label: `needs ${n.what}`,
      labels: [{ span: model.value.span, message: `model \`${model.value.value}\`` }],
      help: "bind a model that has the capability (its `capabilities` in rag.config.ts), or drop the need",
    });
  }
}

export const ModelCapabilityRule: Rule = (ctx) => ({
  node(n, g) {
    const m = n.items.get("model");
    // only models whose capabilities the registry reports are checked: without that, no owner string per node
    if (m && ctx.registry?.modelCapabilities && n.modelMeaning === "model" && (n.kind === "model" || n.kind === "agent" || n.kind === "repl_agent")) check(ctx, `node \`${n.name}\``, n.items, n.kind, m, g);
  },
  agent(a) {
    const m = a.items.get("model");
    if (m) check(ctx, `agent \`${a.name}\``, a.items, "agent", m, undefined);
  },
});
