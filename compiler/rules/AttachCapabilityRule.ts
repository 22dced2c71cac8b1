/**
 * `attach` needs a model that takes the parts (`language.md` §5.1; issue 15 §2):
 * `W-rag-attach-unsupported` when a node (or inline agent) attaches images to a model
 * whose capabilities declare `vision: false`, or files to one declaring
 * `fileInput: false`. A warning, not an error: the provider may still accept the part
 * (capabilities are the config's word, not the vendor's). Nothing is reported when the
 * registry does not know the model's capabilities, or the capability is not declared.
 *
 * The model is the one the call uses: a model/agent node's `model`; for an inline
 * agent, its own `model`, and for a `subagent` node running one, the node's `model`
 * override when it has one.
 */
import type * as A from "../../grammar/rag/ast.js";
import type { ModelCapabilities } from "../registry-view.js";
import type { ItemTable } from "../resolve/resolve.js";
import type { Rule, RuleContext } from "./rule.js";

const NEEDS = [
  { key: "image", what: "images", cap: "vision", ok: (c: ModelCapabilities) => c.vision !== false },
  { key: "file", what: "files", cap: "fileInput", ok: (c: ModelCapabilities) => c.fileInput !== false },
] as const;

function check(ctx: RuleContext, owner: string, attach: A.AttachItem, model: A.BindingItem): void {
  const caps = ctx.registry?.modelCapabilities?.(model.value.value);
  if (!caps) return;
  for (const need of NEEDS) {
    const entry = attach.value.entries.find((e) => e.key.name === need.key);
    if (!entry || entry.value.kind === "Null" || need.ok(caps)) continue;
    ctx.report("W-rag-attach-unsupported", `${owner} attaches ${need.what}, but model \`${model.value.value}\` declares no ${need.what === "images" ? "image" : "file"} input (\`${need.cap}: false\`)`, entry.key.span, {
      label: `${need.what} for a model without ${need.cap}`,
      labels: [{ span: model.value.span, message: `model \`${model.value.value}\`` }],
      help: `bind a model that takes ${need.what}, or set \`capabilities: { ${need.cap}: true }\` for \`${model.value.value}\` in rag.config.ts if it does`,
    });
  }
}

function attachOf(items: ItemTable): A.AttachItem | undefined {
  return items.get("attach");
}

export const AttachCapabilityRule: Rule = (ctx) => ({
  node(n) {
    const m = n.items.get("model");
    const own = attachOf(n.items);
    if (own && m && n.modelMeaning === "model" && (n.kind === "model" || n.kind === "agent")) check(ctx, `node \`${n.name}\``, own, m);
    // A subagent node's `model` overrides its inline agent's (that model is checked in `agent` below).
    const name = n.kind === "subagent" ? n.items.get("agent")?.value.value : undefined;
    const inline = name ? ctx.program.agents.get(name) : undefined;
    const inlineAttach = inline ? attachOf(inline.items) : undefined;
    if (inlineAttach && m && n.modelMeaning === "model") check(ctx, `node \`${n.name}\` (running agent \`${name}\`)`, inlineAttach, m);
  },
  agent(a) {
    const m = a.items.get("model");
    const attach = attachOf(a.items);
    if (m && attach) check(ctx, `agent \`${a.name}\``, attach, m);
  },
});
