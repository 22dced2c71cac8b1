/**
 * Hover: Markdown about the word under the cursor — a node (its kind and what it
 * binds), a state field or channel (type and reducer), a schema, graph or agent of the
 * file, a registry name (a tool's description and argument JSON Schema, a model's id
 * and capabilities, an agent's model and tools), a kind, a reducer, a built-in
 * function's signature, an expression root, or an item keyword.
 */
import { COMMON_ITEMS, FUNCTIONS, KIND_ITEMS, canonicalKind, canonicalReducer } from "../compiler/index.js";
import type { Ast, Span } from "../grammar/index.js";
import { walkAst, type AnyNode } from "./ast-walk.js";
import { GRAPH_ITEM_DOCS, KIND_DOCS, NODE_ITEM_DOCS, REDUCER_DOCS, ROOT_DOCS, TOP_DOCS, TYPE_DOCS } from "./docs.js";
import type { Document } from "./document.js";
import type { Occurrence } from "./occurrences.js";
import { spanContains, toOffset, toRange } from "./positions.js";
import type { ServiceRegistrySnapshot } from "./snapshot.js";
import type { LsHover, LsPosition } from "./types.js";

const GRAPH_ITEM_KINDS = new Set(["StartItem", "StateItem", "ChannelItem", "IoItem", "ConfigItem", "TagsItem", "AllowItem", "NodeDecl", "JoinEdgeItem", "InterruptAroundItem", "PolicyItem"]);
const TOP_KINDS = new Set(["GraphDecl", "AgentDecl", "SchemaDecl"]);

export function hover(doc: Document, p: LsPosition, registry: ServiceRegistrySnapshot | undefined): LsHover | null {
  const offset = toOffset(doc.lines, p);
  const o = doc.symbols.at(offset);
  if (o) {
    const md = occurrenceDoc(doc, o, registry);
    return md ? { contents: { kind: "markdown", value: md }, range: toRange(o.span) } : null;
  }
  let found: { md: string; span: Span } | undefined;
  walkAst(doc.program, (n, key, parent) => {
    if (found || !spanContains(n.span, offset) || n.span.end.offset === n.span.start.offset) return;
    if (n.kind === "Identifier" && key === "keyword" && parent) {
      const word = n.name as string;
      const table = TOP_KINDS.has(parent.kind) ? TOP_DOCS : GRAPH_ITEM_KINDS.has(parent.kind) ? GRAPH_ITEM_DOCS : NODE_ITEM_DOCS;
      const d = table[word];
      if (d) found = { md: `**\`${word}\`** — ${d.doc}`, span: n.span };
    } else if (n.kind === "Name" && ROOT_DOCS[n.name as string]) {
      found = { md: `**\`${n.name as string}\`** — ${ROOT_DOCS[n.name as string]}`, span: n.span };
    } else if (n.kind === "NamedType") {
      const id = n.name as Ast.Identifier;
      if (TYPE_DOCS[id.name] && spanContains(id.span, offset)) found = { md: `**\`${id.name}\`** (type) — ${TYPE_DOCS[id.name]}`, span: id.span };
    }
  });
  return found ? { contents: { kind: "markdown", value: found.md }, range: toRange(found.span) } : null;
}

function occurrenceDoc(doc: Document, o: Occurrence, registry: ServiceRegistrySnapshot | undefined): string | undefined {
  const def = doc.symbols.byKey.get(o.key)?.find((x) => x.definition);
  const text = (s: Span) => doc.text.slice(s.start.offset, s.end.offset).replace(/\s+/g, " ");
  const program = doc.program;
  const declAt = <K extends string>(kind: K) => (def ? (findDecl(program, kind, def.span.start.offset) as (AnyNode & { kind: K }) | undefined) : undefined);
  switch (o.category) {
    case "node": {
      const n = declAt("NodeDecl") as unknown as Ast.NodeDecl | undefined;
      if (!n) return `**node** \`${o.name}\` — not declared in this graph`;
      return nodeSummary(n, text);
    }
    case "field": {
      if (!def) return `**state field** \`${o.name}\` — not declared in this graph`;
      const f = declAt("Field") as unknown as Ast.Field | undefined;
      const c = declAt("ChannelItem") as unknown as Ast.ChannelItem | undefined;
      if (c) {
        const r = c.reducer.name.name;
        return `**channel** \`${o.name}\`: \`any\`, reducer \`${text(c.reducer.span)}\`${reducerLine(r)}`;
      }
      if (f) {
        const type = text(f.type.span);
        const r = f.reducer?.name.name ?? (type === "messages" ? "messages" : "overwrite");
        return `**state field** \`${o.name}\`: \`${type}\`, reducer \`${f.reducer ? text(f.reducer.span) : r}\`${f.reducer ? "" : " (default)"}${f.default ? `, default \`${text(f.default.span)}\`` : ""}${reducerLine(r)}`;
      }
      return undefined;
    }
    case "input": {
      const f = declAt("Field") as unknown as Ast.Field | undefined;
      if (!f) {
        const declares = doc.symbols.occurrences.some((x) => x.category === "input" && x.definition && x.graph === o.graph);
        return declares ? `**run input** \`${o.name}\` — not a field of the graph's \`input { … }\`` : `**run input** \`${o.name}\` — the graph declares no \`input { … }\`, so any object is accepted (a missing key reads as null)`;
      }
      return `**run input** \`${o.name}\`: \`${text(f.type.span)}\`${f.default ? `, default \`${text(f.default.span)}\`` : ""}`;
    }
    case "schema": {
      const s = declAt("SchemaDecl") as unknown as Ast.SchemaDecl | undefined;
      if (!s) return `**schema** \`${o.name}\` — not declared in this file (a registered schema, or unknown)`;
      return `**schema** \`${o.name}\`\n\n\`\`\`rag\n${s.fields.map((f) => `${f.name.name} ${text(f.type.span)}`).join("\n")}\n\`\`\``;
    }
    case "graph": {
      const g = declAt("GraphDecl") as unknown as Ast.GraphDecl | undefined;
      if (g) return `**graph** \`${o.name}\` — ${g.items.filter((i) => i.kind === "NodeDecl").length} nodes, declared in this file`;
      const d = registry?.graph_details?.[o.name];
      return registryLine("graph", o.name, registry?.graphs) + (d?.description ? `\n\n${d.description}` : "") + (d?.hash ? `\n\nhash \`${d.hash}\`` : "");
    }
    case "agent": {
      const a = declAt("AgentDecl") as unknown as Ast.AgentDecl | undefined;
      if (a) return `**agent** \`${o.name}\` (inline)` + itemsLine(a.items, text);
      const d = registry?.agent_details?.[o.name];
      return registryLine("agent", o.name, registry?.agents) + (d?.description ? `\n\n${d.description}` : "") + (d?.model ? `\n\nmodel \`${d.model}\`` : "") + (d?.tools?.length ? `, tools ${d.tools.map((t) => `\`${t}\``).join(", ")}` : "") + (d?.writes ? `, writes \`${d.writes}\`` : "");
    }
    case "tool": {
      const d = registry?.tool_details?.[o.name];
      let md = registryLine("tool", o.name, registry?.tools);
      if (d?.description) md += `\n\n${d.description}`;
      if (d?.read_only !== undefined || d?.approval) md += `\n\n${d.read_only ? "read-only" : "mutating"}${d.approval ? `, approval \`${d.approval}\`` : ""}`;
      if (d?.parameters) md += `\n\narguments:\n\`\`\`json\n${JSON.stringify(d.parameters, null, 2)}\n\`\`\``;
      if (d?.result) md += `\n\nresult:\n\`\`\`json\n${JSON.stringify(d.result, null, 2)}\n\`\`\``;
      return md;
    }
    case "model": {
      const d = registry?.model_details?.[o.name];
      const caps = registry?.model_capabilities?.[o.name];
      let md = registryLine("model", o.name, registry?.models);
      if (d?.model_id) md += `\n\n\`${d.model_id}\`${d.provider ? ` via ${d.provider}` : ""}`;
      if (caps) md += `\n\n${Object.entries(caps).map(([k, v]) => `${k}: ${String(v)}`).join(", ")}`;
      return md;
    }
    case "script":
      return registryLine("script", o.name, registry?.scripts);
    case "router":
      return registryLine("route function", o.name, registry?.routers);
    case "validator":
      return registryLine("validator", o.name, registry?.validators);
    case "kind": {
      const k = canonicalKind(o.name);
      if (!k) return `**kind** \`${o.name}\` — not a built-in kind${registry?.node_kinds?.includes(o.name) ? " (registered)" : ""}`;
      return `**kind** \`${k}\` — ${KIND_DOCS[k]}\n\nitems: ${KIND_ITEMS[k].map((i) => `\`${i}\``).join(", ")} (and ${[...COMMON_ITEMS].filter((i) => i !== "kind").map((i) => `\`${i}\``).join(", ")})`;
    }
    case "reducer":
      return `**reducer** \`${o.name}\`${reducerLine(o.name)}`;
    case "function": {
      const f = FUNCTIONS[o.name];
      if (!f) return `\`${o.name}\` is not a built-in function`;
      const max = f.arity[1] === Infinity ? "…" : "";
      const params = f.params.slice(0, f.arity[1] === Infinity ? f.params.length : f.arity[1]).map((k, i) => `${i >= f.arity[0] ? "?" : ""}${k}`);
      return `\`\`\`\n${o.name}(${params.join(", ")}${max}) -> ${f.returns}\n\`\`\`\n${f.doc}`;
    }
    case "end":
      return o.name === "END" ? "**`END`** — the end of the graph (or of a send branch)" : "**`START`** — the graph's entry";
  }
}

function reducerLine(r: string): string {
  const c = canonicalReducer(r);
  const d = REDUCER_DOCS[r] ?? (c ? REDUCER_DOCS[c] : undefined);
  return d ? `\n\n${d}` : "";
}

function registryLine(what: string, name: string, names: readonly string[] | null | undefined): string {
  if (!names) return `**${what}** \`${name}\``;
  return names.includes(name) ? `**${what}** \`${name}\` (registry)` : `**${what}** \`${name}\` — not in the registry`;
}

function nodeSummary(n: Ast.NodeDecl, text: (s: Span) => string): string {
  const k = n.items.find((x): x is Ast.KindItem => x.kind === "KindItem");
  const kind = k ? (canonicalKind(k.value.name) ?? k.value.name) : undefined;
  return `**node** \`${n.name.name}\`${kind ? ` — kind \`${kind}\`${KIND_DOCS[kind] ? `: ${KIND_DOCS[kind]}` : ""}` : ""}` + itemsLine(n.items, text);
}

/** The short items of a node (bindings, routing), one per line. */
function itemsLine(items: readonly Ast.NodeItem[], text: (s: Span) => string): string {
  const keep = new Set(["BindingItem", "ListItem", "WritesItem", "NextItem", "JoinItem", "OnErrorItem"]);
  const lines = items.filter((i) => keep.has(i.kind)).map((i) => text(i.span)).filter((l) => l.length <= 100);
  return lines.length ? `\n\n\`\`\`rag\n${lines.join("\n")}\n\`\`\`` : "";
}

/** The declaration of `kind` whose name starts at `offset`. */
function findDecl(program: Ast.Program, kind: string, offset: number): AnyNode | undefined {
  let found: AnyNode | undefined;
  walkAst(program, (n) => {
    if (found || n.kind !== kind) return;
    const name = n.name as { span?: Span } | undefined;
    if (name?.span?.start.offset === offset) found = n;
  });
  return found;
}
