/**
 * Completion: what may be written at the cursor, from the token context
 * (completion-context.ts), the document's declarations and the registry snapshot.
 * Node items are those valid for the node's kind (`KIND_ITEMS`, the table behind
 * `W-rag-item-unused`), so completion never proposes an item the compiler would flag.
 */
import { BUILTIN_REDUCERS, COMMON_ITEMS, FUNCTIONS, KIND_ALIASES, KIND_ITEMS, NODE_KINDS, canonicalKind, type NodeKind } from "../compiler/index.js";
import { DEFAULT_LIMITS, type Ast } from "../grammar/index.js";
import { completionContext, kw, wordEnd, type CompletionContext, type Frame, type Tok } from "./completion-context.js";
import { CAPABILITY_WORDS, DURABILITY_WORDS, GRAPH_ITEM_DOCS, KIND_DOCS, NODE_ITEM_DOCS, REDUCER_DOCS, ROOT_DOCS, TOP_DOCS, TYPE_DOCS, type WordDoc } from "./docs.js";
import type { Document } from "./document.js";
import { offsetsToRange, toOffset } from "./positions.js";
import type { ServiceRegistrySnapshot } from "./snapshot.js";
import { CompletionKind, type LsCompletionItem, type LsCompletionKind, type LsCompletionList, type LsPosition, type LsRange } from "./types.js";

/** Words after which a node item takes an argument (so the next word is that argument, not a new item). */
const TAKES_ARG = new Set(["kind", "model", "agent", "graph", "script", "tool", "route", "writes", "next", "join", "goto", "output", "checkpoint", "timeout", "max_steps", "blocking", "optional", "defer", "persistent", "cache", "wait", "on_error", "start", "channel", "interrupt", "allow"]);
const NAME_BINDINGS: Record<string, string> = { model: "model", agent: "agent", graph: "graph", script: "script", tool: "tool", route: "router" };

interface Env {
  readonly doc: Document;
  readonly registry: ServiceRegistrySnapshot | undefined;
  readonly ctx: CompletionContext;
  readonly range: LsRange;
  readonly graph: Ast.GraphDecl | undefined;
}

export function complete(doc: Document, p: LsPosition, registry: ServiceRegistrySnapshot | undefined): LsCompletionList {
  // A file past the compiler's size limit is refused whole (E-rag-limit-exceeded): nothing to
  // complete, and no lexing of megabytes before the cursor on every keystroke.
  if (doc.text.length > DEFAULT_LIMITS.sourceSize) return { isIncomplete: false, items: [] };
  const offset = toOffset(doc.lines, p);
  const ctx = completionContext(doc.text, offset);
  if (ctx.comment) return { isIncomplete: false, items: [] };
  const graphFrame = ctx.frames.find((f): f is Extract<Frame, { kind: "graph" }> => f.kind === "graph");
  const graph = graphFrame ? doc.program.items.find((i): i is Ast.GraphDecl => i.kind === "GraphDecl" && i.name.name === graphFrame.name) : undefined;
  const range = offsetsToRange(doc.lines, ctx.wordStart, wordEnd(doc.text, offset));
  const env: Env = { doc, registry, ctx, range, graph };
  const items = ctx.string ? inString(env, offset) : inCode(env);
  return { isIncomplete: false, items: dedupe(items) };
}

function inCode(env: Env): LsCompletionItem[] {
  const { ctx } = env;
  const frame = ctx.frames[ctx.frames.length - 1];
  const [p1, p2] = [ctx.local[ctx.local.length - 1], ctx.local[ctx.local.length - 2]];
  switch (frame.kind) {
    case "top":
      if (kw(p1, "graph", "agent", "schema")) return []; // a new name
      return words(env, TOP_DOCS, CompletionKind.Keyword);
    case "graph":
      if (kw(p1, "node", "channel") && !isArgAt(ctx.local, ctx.local.length - 1)) return []; // a new name
      if (kw(p1, "start")) return nodes(env, false);
      if (p1?.type === "Arrow") return nodes(env, true);
      if (kw(p1, "checkpoint")) return plain(env, DURABILITY_WORDS, CompletionKind.EnumMember);
      if (kw(p1, "interrupt")) return plain(env, ["before", "after", "manual", "auto"], CompletionKind.Keyword);
      if (kw(p1, "allow")) return plain(env, CAPABILITY_WORDS, CompletionKind.Keyword);
      if (kw(p2, "channel")) return reducers(env);
      if (awaitsArg(ctx.local)) return [];
      return [...words(env, GRAPH_ITEM_DOCS, CompletionKind.Keyword), ...nodes(env, false), item(env, "START", CompletionKind.Constant, "the graph's entry (`START -> node`)")];
    case "node":
      return inNode(env, frame, p1, p2);
    case "fields":
      return inFields(env, frame);
    case "exprMap":
      return entryHasColon(ctx.local, env) ? expression(env) : frame.keys === "fields" ? fields(env) : [];
    case "routes":
      if (p1?.type === "Arrow") return nodes(env, true);
      if (lineTokens(env).some((t) => kw(t, "when"))) return expression(env);
      return [
        item(env, "when", CompletionKind.Keyword, "a condition: `when expr -> node` (first true wins)", "when ${1} -> ${2}"),
        item(env, "else", CompletionKind.Keyword, "otherwise: `else -> node`", "else -> ${1:END}"),
        ...["tool_call", "final", "error"].map((l) => item(env, l, CompletionKind.EnumMember, "a built-in route label", `${l} -> \${1}`)),
      ];
    case "command":
      if (kw(p1, "goto")) return nodes(env, true);
      return [item(env, "goto", CompletionKind.Keyword, "where to go next", "goto ${1}"), item(env, "update", CompletionKind.Keyword, "a state update", "update { ${1}: ${2} }")];
    case "send":
      if (p1?.type === "Arrow") return fields(env);
      if (kw(p1, "in") || lineTokens(env).some((t) => kw(t, "in"))) return expression(env);
      if (!p1 || p1.type === "Comma" || p1.type === "LBracket") return sendTargets(env);
      return [];
    case "sends":
      return kw(p1, "send") ? nodes(env, false) : [item(env, "send", CompletionKind.Keyword, "one Send packet: `send target \"input\"`", "send ${1}")];
    case "list":
      return listNames(env, frame.of, true);
    case "expr":
      return expression(env);
    case "block":
      return [];
  }
}

function inNode(env: Env, frame: Extract<Frame, { kind: "node" }>, p1: Tok | undefined, p2: Tok | undefined): LsCompletionItem[] {
  const { ctx } = env;
  if (kw(p1, "kind") && !isArgAt(ctx.local, ctx.local.length - 1)) return kinds(env);
  if ((kw(p1, "next", "join", "goto") && !isArgAt(ctx.local, ctx.local.length - 1)) || p1?.type === "Arrow") return nodes(env, !kw(p1, "join"));
  if (kw(p1, "writes")) return fields(env);
  if (kw(p1, "output")) return schemas(env);
  if (kw(p1, "checkpoint")) return plain(env, DURABILITY_WORDS, CompletionKind.EnumMember);
  if (kw(p1, "blocking", "optional", "defer", "persistent", "cache")) return plain(env, ["true", "false"], CompletionKind.Constant);
  if (kw(p1, "wait")) return plain(env, ["all", "first"], CompletionKind.EnumMember);
  if (kw(p2, "join") && p1 && p1.type !== "LCurly") return [item(env, "wait", CompletionKind.Keyword, "join policy: all (default), first, or a quorum N", "wait ${1:all}")];
  if (p1 && NAME_BINDINGS[p1.image] && kw(p1, ...Object.keys(NAME_BINDINGS)) && !isArgAt(ctx.local, ctx.local.length - 1)) {
    return bindingNames(env, bindingCategory(p1.image, nodeKind(ctx.local, frame)), true);
  }
  if (awaitsArg(ctx.local)) return [];
  return nodeItems(env, nodeKind(ctx.local, frame));
}

function inFields(env: Env, frame: Extract<Frame, { kind: "fields" }>): LsCompletionItem[] {
  const line = lineTokens(env).filter((t) => t.type !== "Colon");
  const last = line[line.length - 1];
  if (last && (last.type === "Lt" || last.type === "Pipe")) return types(env);
  if (line.length === 1) return types(env);
  if (line.length === 2 && frame.owner === "state") return reducers(env);
  return [];
}

/** Inside a string: registry names for bindings and lists, expressions inside `{{ }}` of templates. */
function inString(env: Env, offset: number): LsCompletionItem[] {
  const { ctx, doc } = env;
  const s = ctx.string!;
  const content = doc.text.slice(s.contentStart, offset);
  const open = content.lastIndexOf("{{");
  if (open >= 0 && open > content.lastIndexOf("}}")) {
    const inner = completionContext(content.slice(open + 2), content.length - open - 2);
    const base = s.contentStart + open + 2;
    const range = offsetsToRange(doc.lines, base + inner.wordStart, wordEnd(doc.text, offset));
    return expression({ ...env, range, ctx: { ...inner, frames: [{ kind: "expr" }] } });
  }
  if (/["'\n]/.test(content)) return [];
  // Replace the string's content up to its closing quote on this line.
  let end = offset;
  while (end < doc.text.length && !/["'\n\r]/.test(doc.text[end])) end++;
  const e2: Env = { ...env, range: offsetsToRange(doc.lines, s.contentStart, end) };
  const frame = ctx.frames[ctx.frames.length - 1];
  if (frame.kind === "list") return listNames(e2, frame.of, false);
  const b = s.before;
  if (frame.kind === "node" && b && NAME_BINDINGS[b.image] && kw(b, ...Object.keys(NAME_BINDINGS))) return bindingNames(e2, bindingCategory(b.image, nodeKind(ctx.local, frame)), false);
  if (kw(b, "aggregate", "reducer")) return names(e2, (env.registry?.reducers ?? []).filter((r) => !BUILTIN_REDUCERS.has(r)), CompletionKind.Function, "reducer function");
  return [];
}

// ───────────────────────────── sources of names ─────────────────────────────

function nodes(env: Env, withEnd: boolean): LsCompletionItem[] {
  const out = (env.graph?.items ?? [])
    .filter((i): i is Ast.NodeDecl => i.kind === "NodeDecl" && !!i.name.name)
    .map((n) => {
      const k = n.items.find((x): x is Ast.KindItem => x.kind === "KindItem");
      return item(env, n.name.name, CompletionKind.Function, `node${k ? ` (${canonicalKind(k.value.name) ?? k.value.name})` : ""}`);
    });
  // While an item is half written the parser may misread what follows (`start ⏎ node x`
  // reads `node` as the start target), so also take `node NAME {` from the graph's text.
  if (env.graph) {
    const text = env.doc.text.slice(env.graph.span.start.offset, env.graph.span.end.offset);
    for (const m of text.matchAll(/\bnode\s+([A-Za-z_][A-Za-z0-9_]*)\s*\{/g)) out.push(item(env, m[1], CompletionKind.Function, "node"));
  }
  if (withEnd) out.push(item(env, "END", CompletionKind.Constant, "the end of the graph or branch", undefined, "~"));
  return out;
}

function fields(env: Env): LsCompletionItem[] {
  const out: LsCompletionItem[] = [];
  for (const it of env.graph?.items ?? []) {
    if (it.kind === "ChannelItem" && it.name.name) out.push(item(env, it.name.name, CompletionKind.Field, `channel ${it.reducer.name.name}`));
    if (it.kind === "StateItem") for (const f of it.fields) if (f.name.name) out.push(item(env, f.name.name, CompletionKind.Field, slice(env, f.type) + (f.reducer ? ` ${f.reducer.name.name}` : "")));
  }
  return out;
}

function schemas(env: Env): LsCompletionItem[] {
  return env.doc.program.items.filter((i): i is Ast.SchemaDecl => i.kind === "SchemaDecl" && !!i.name.name).map((s) => item(env, s.name.name, CompletionKind.Struct, "schema"));
}

function types(env: Env): LsCompletionItem[] {
  return [...Object.entries(TYPE_DOCS).map(([t, d]) => item(env, t, CompletionKind.TypeParameter, d, t === "list" || t === "map" ? `${t}<\${1:string}>` : undefined)), ...schemas(env)];
}

function reducers(env: Env): LsCompletionItem[] {
  const allowed = env.registry?.reducers;
  return Object.entries(REDUCER_DOCS)
    .filter(([r]) => !allowed || allowed.includes(r))
    .map(([r, d]) => item(env, r, CompletionKind.EnumMember, d, r === "aggregate" || r === "reducer" ? `${r} "\${1}"` : undefined));
}

function kinds(env: Env): LsCompletionItem[] {
  const custom = (env.registry?.node_kinds ?? []).filter((k) => !canonicalKind(k));
  return [
    ...NODE_KINDS.map((k) => item(env, k, CompletionKind.EnumMember, KIND_DOCS[k])),
    ...Object.entries(KIND_ALIASES).map(([a, k]) => item(env, a, CompletionKind.EnumMember, `alias of \`${k}\``, undefined, "~")),
    ...custom.map((k) => item(env, k, CompletionKind.EnumMember, "registered node kind")),
  ];
}

function nodeItems(env: Env, kind: NodeKind | undefined): LsCompletionItem[] {
  const valid = kind ? new Set([...KIND_ITEMS[kind], ...COMMON_ITEMS]) : undefined;
  return Object.entries(NODE_ITEM_DOCS)
    .filter(([k]) => !valid || valid.has(k))
    .map(([k, d]) => item(env, k, CompletionKind.Keyword, d.doc, d.snippet));
}

function sendTargets(env: Env): LsCompletionItem[] {
  const program = env.doc.program;
  const agents = new Set([...program.items.filter((i) => i.kind === "AgentDecl").map((i) => i.name.name), ...(env.registry?.agents ?? [])]);
  const graphs = new Set([...program.items.filter((i) => i.kind === "GraphDecl").map((i) => i.name.name), ...(env.registry?.graphs ?? [])]);
  return [...nodes(env, false), ...[...agents].filter(Boolean).map((a) => item(env, a, CompletionKind.Class, "agent (implicit subagent)")), ...[...graphs].filter(Boolean).map((g) => item(env, g, CompletionKind.Module, "graph (implicit subgraph)"))];
}

/** Names for `model "…"`-style bindings; `quote` when the cursor is not yet inside a string. */
function bindingNames(env: Env, category: string, quote: boolean): LsCompletionItem[] {
  return listNames(env, category, quote);
}

function listNames(env: Env, of: string, quote: boolean): LsCompletionItem[] {
  const r = env.registry;
  const program = env.doc.program;
  const q = (xs: readonly string[], kind: LsCompletionKind, detail: string, docs?: (n: string) => string | undefined) => names(env, xs, kind, detail, quote, docs);
  switch (of) {
    case "node":
      return nodes(env, false);
    case "tool":
      return q(r?.tools ?? [], CompletionKind.Method, "tool", (n) => {
        const d = r?.tool_details?.[n];
        return d ? [d.description, d.parameters ? "```json\n" + JSON.stringify(d.parameters, null, 2) + "\n```" : undefined].filter(Boolean).join("\n\n") : undefined;
      });
    case "model":
      return q(r?.models ?? [], CompletionKind.Value, "model", (n) => r?.model_details?.[n]?.model_id);
    case "agent":
      return q([...program.items.filter((i) => i.kind === "AgentDecl").map((i) => i.name.name).filter(Boolean), ...(r?.agents ?? [])], CompletionKind.Class, "agent", (n) => r?.agent_details?.[n]?.description);
    case "graph":
      return q([...program.items.filter((i) => i.kind === "GraphDecl").map((i) => i.name.name).filter(Boolean), ...(r?.graphs ?? [])], CompletionKind.Module, "graph", (n) => r?.graph_details?.[n]?.description);
    case "script":
      return q(r?.scripts ?? [], CompletionKind.Module, "script");
    case "router":
      return q(r?.routers ?? [], CompletionKind.Function, "route function");
    case "validator":
      return q(r?.validators ?? [], CompletionKind.Function, "validator");
    case "reducer":
      return q(r?.reducers ?? [...BUILTIN_REDUCERS], CompletionKind.EnumMember, "reducer");
    default:
      return [];
  }
}

function expression(env: Env): LsCompletionItem[] {
  const local = env.ctx.local;
  const [p1, p2] = [local[local.length - 1], local[local.length - 2]];
  if (p1?.type === "Dot") {
    if (kw(p2, "state")) return fields(env);
    if (kw(p2, "input")) return (env.graph?.items ?? []).flatMap((i) => (i.kind === "IoItem" && i.direction === "input" ? i.fields.filter((f) => f.name.name).map((f) => item(env, f.name.name, CompletionKind.Property, `input ${slice(env, f.type)}`)) : []));
    if (kw(p2, "run")) return ["id", "thread", "step"].map((k) => item(env, k, CompletionKind.Property, "run"));
    return [];
  }
  return [
    ...Object.entries(ROOT_DOCS).map(([k, d]) => item(env, k, CompletionKind.Variable, d)),
    ...Object.entries(FUNCTIONS).map(([k, f]) => item(env, k, CompletionKind.Function, f.doc, `${k}(\${1})`)),
    ...["true", "false", "null"].map((k) => item(env, k, CompletionKind.Constant, "literal", undefined, "~")),
  ];
}

// ───────────────────────────── helpers ─────────────────────────────

/** What a `model`/`agent`/… binding names on a node of this kind (`model` names the graph of a subgraph, the function of a router). */
function bindingCategory(binding: string, kind: NodeKind | undefined): string {
  if (binding === "model" && kind === "subgraph") return "graph";
  if (binding === "model" && kind === "router") return "router";
  return NAME_BINDINGS[binding];
}

/** The node's kind from a `kind X` item among its tokens so far (agents are subagents' definitions: model-like). */
function nodeKind(local: readonly Tok[], frame: Extract<Frame, { kind: "node" }>): NodeKind | undefined {
  if (frame.agent) return "agent";
  let depth = 0;
  for (let i = 0; i < local.length - 1; i++) {
    const t = local[i];
    if (t.type === "LCurly" || t.type === "LBracket" || t.type === "LParen") depth++;
    else if (t.type === "RCurly" || t.type === "RBracket" || t.type === "RParen") depth--;
    else if (depth === 0 && kw(t, "kind") && local[i + 1].type !== "LCurly") return canonicalKind(local[i + 1].image);
  }
  return undefined;
}

/** True when the last token is a keyword still waiting for its argument (so the cursor does not start an item). */
function awaitsArg(local: readonly Tok[]): boolean {
  const t = local[local.length - 1];
  return !!t && TAKES_ARG.has(t.image) && t.type.startsWith("Kw_") && !isArgAt(local, local.length - 1);
}
/** True when token `i` is the argument of the keyword before it. */
function isArgAt(local: readonly Tok[], i: number): boolean {
  const t = local[i - 1];
  return !!t && TAKES_ARG.has(t.image) && t.type.startsWith("Kw_") && !isArgAt(local, i - 1);
}

/** Tokens of the innermost frame on the cursor's line. */
function lineTokens(env: Env): Tok[] {
  const line = env.doc.lines.position(env.ctx.wordStart).line;
  return env.ctx.local.filter((t) => env.doc.lines.position(t.start).line === line);
}

/** In `{ key: value … }`: whether the current entry already has its colon (so the cursor is in the value). */
function entryHasColon(local: readonly Tok[], env: Env): boolean {
  const line = env.doc.lines.position(env.ctx.wordStart).line;
  let depth = 0;
  for (let i = local.length - 1; i >= 0; i--) {
    const t = local[i];
    if (t.type === "RCurly" || t.type === "RBracket" || t.type === "RParen") depth++;
    else if (t.type === "LCurly" || t.type === "LBracket" || t.type === "LParen") depth--;
    if (depth > 0) continue;
    if (t.type === "Comma" || env.doc.lines.position(t.start).line !== line) return false;
    if (t.type === "Colon") return true;
  }
  return false;
}

function slice(env: Env, n: { span: Ast.Program["span"] }): string {
  return env.doc.text.slice(n.span.start.offset, n.span.end.offset).replace(/\s+/g, " ");
}

function item(env: Env, label: string, kind: LsCompletionKind, detail: string, snippet?: string, sortPrefix = ""): LsCompletionItem {
  return {
    label,
    kind,
    detail,
    textEdit: { range: env.range, newText: snippet ?? label },
    ...(snippet ? { insertTextFormat: 2 as const } : {}),
    ...(sortPrefix ? { sortText: sortPrefix + label } : {}),
  };
}

function words(env: Env, table: Readonly<Record<string, WordDoc>>, kind: LsCompletionKind): LsCompletionItem[] {
  return Object.entries(table).map(([k, d]) => item(env, k, kind, d.doc, d.snippet));
}

function plain(env: Env, list: readonly string[], kind: LsCompletionKind): LsCompletionItem[] {
  return list.map((w) => item(env, w, kind, ""));
}

function names(env: Env, list: readonly string[], kind: LsCompletionKind, detail: string, quote = false, docs?: (n: string) => string | undefined): LsCompletionItem[] {
  return list.map((n) => {
    const d = docs?.(n);
    return { ...item(env, n, kind, detail, quote ? `"${n.replace(/[\\"$}]/g, (c) => "\\" + c)}"` : undefined), ...(quote ? { insertTextFormat: 2 as const, filterText: `"${n}"` } : {}), ...(d ? { documentation: d } : {}) };
  });
}

function dedupe(items: LsCompletionItem[]): LsCompletionItem[] {
  const seen = new Set<string>();
  return items.filter((i) => (seen.has(i.label) ? false : (seen.add(i.label), true)));
}
