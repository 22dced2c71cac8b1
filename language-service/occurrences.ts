/**
 * The symbol index of one document: every place a name is declared or used, keyed by
 * what it names. Definition, references, rename, hover and document highlights all read
 * it. Built by one walk over the AST (recovered trees included; empty names skipped).
 *
 * Keys: `node:G:name` (G = the graph's index in the file, so two graphs may reuse a
 * node name), `field:G:name` (state fields and channels), `input:G:name` (fields of the
 * graph's `input { … }`, read as `input.name`), `schema:name`, `graph:name`,
 * `agent:name`, and registry names without declarations in the file: `model:`, `tool:`,
 * `script:`, `router:`, `validator:`, `reducer:`, `kind:`, `function:`.
 */
import type { Ast, Span } from "../grammar/index.js";
import { canonicalKind } from "../compiler/index.js";

/** What an occurrence names. */
export type SymbolCategory = "node" | "field" | "input" | "schema" | "graph" | "agent" | "model" | "tool" | "script" | "router" | "validator" | "reducer" | "kind" | "function" | "end";

export interface Occurrence {
  readonly key: string;
  readonly category: SymbolCategory;
  readonly name: string;
  /** The name as written: an identifier, or the text between a string's quotes. */
  readonly span: Span;
  readonly definition: boolean;
  /** The whole declaration, for definitions (document symbols, hover). */
  readonly declSpan?: Span;
  /** Index of the enclosing graph, -1 outside graphs. */
  readonly graph: number;
}

export interface SymbolIndex {
  readonly occurrences: readonly Occurrence[];
  /** Occurrences by key, in source order. */
  readonly byKey: ReadonlyMap<string, readonly Occurrence[]>;
  /** The occurrence covering `offset` (ends included), preferring the narrowest. */
  at(offset: number): Occurrence | undefined;
}

const SCALAR_TYPES = new Set(["string", "number", "integer", "boolean", "any", "messages", "list", "map"]);

/** Builds the index of `program`. */
export function buildIndex(program: Ast.Program): SymbolIndex {
  const out: Occurrence[] = [];
  const graphs = program.items.filter((i): i is Ast.GraphDecl => i.kind === "GraphDecl");
  const agentNames = new Set(program.items.filter((i) => i.kind === "AgentDecl").map((i) => i.name.name));
  const graphNames = new Set(graphs.map((g) => g.name.name));
  let g = -1;
  let nodeNames = new Set<string>();

  const add = (category: SymbolCategory, name: string, span: Span, definition = false, declSpan?: Span, key?: string) => {
    if (!name) return;
    const k = key ?? (category === "node" || category === "field" || category === "input" ? `${category}:${g}:${name}` : `${category}:${name}`);
    out.push({ key: k, category, name, span, definition, graph: g, ...(declSpan ? { declSpan } : {}) });
  };
  /** The span of a string literal's content (without its quotes). */
  const inner = (s: Ast.StringLiteral): Span => {
    const q = s.quote.length;
    if (s.raw.length < 2 * q || s.raw.includes("\\")) return s.span;
    const start = { line: s.span.start.line, column: s.span.start.column + q, offset: s.span.start.offset + q };
    const end = { line: s.span.end.line, column: s.span.end.column - q, offset: s.span.end.offset - q };
    return s.span.start.line === s.span.end.line ? { start, end } : s.span;
  };
  const str = (category: SymbolCategory, s: Ast.StringLiteral) => add(category, s.value, inner(s));
  const nodeRef = (r: Ast.NodeRef | Ast.Identifier) => {
    if (r.name === "END" || r.name === "START") add("end", r.name, r.span);
    else add("node", r.name, r.span);
  };
  const listItems = (category: SymbolCategory, list: Ast.ListValue) => {
    for (const v of list.items) {
      if (v.kind === "String") str(category, v);
      else if (v.kind === "Word") category === "node" ? nodeRef({ kind: "NodeRef", name: v.name, span: v.span }) : add(category, v.name, v.span);
    }
  };

  const expr = (e: Ast.Expr | undefined): void => {
    if (!e) return;
    switch (e.kind) {
      case "Member":
        if (e.object.kind === "Name" && e.object.name === "state") add("field", e.property.name, e.property.span);
        else if (e.object.kind === "Name" && e.object.name === "input" && g >= 0) add("input", e.property.name, e.property.span);
        else expr(e.object);
        return;
      case "Index":
        expr(e.object);
        expr(e.index);
        return;
      case "Call":
        if (e.callee.kind === "Name") add("function", e.callee.name, e.callee.span);
        else expr(e.callee);
        e.args.forEach(expr);
        return;
      case "Unary":
        expr(e.operand);
        return;
      case "Binary":
        expr(e.left);
        expr(e.right);
        return;
      case "ListExpr":
        e.items.forEach(expr);
        return;
      case "Comprehension":
        expr(e.iterable);
        expr(e.element);
        if (e.filter) expr(e.filter);
        return;
      case "ObjectExpr":
        for (const en of e.entries) expr(en.value);
        return;
      default:
        return;
    }
  };
  const exprMap = (m: Ast.ExprMap, keysAreFields: boolean) => {
    for (const en of m.entries) {
      if (keysAreFields) add("field", en.key.name, en.key.span);
      expr(en.value);
    }
  };
  const template = (t: Ast.Template) => {
    for (const p of t.parts) if (p.kind === "Interpolation") expr(p.expr);
  };
  const type = (t: Ast.TypeExpr): void => {
    switch (t.kind) {
      case "NamedType":
        if (!SCALAR_TYPES.has(t.name.name)) add("schema", t.name.name, t.name.span);
        t.args.forEach(type);
        return;
      case "ArrayType":
        type(t.element);
        return;
      case "OptionalType":
        type(t.inner);
        return;
      case "RecordType":
        t.fields.forEach((f) => field(f, false));
        return;
      case "EnumType":
        return;
    }
  };
  const field = (f: Ast.Field, isState: boolean) => {
    if (isState) add("field", f.name.name, f.name.span, true, f.span);
    type(f.type);
    if (f.reducer) add("reducer", f.reducer.name.name, f.reducer.name.span);
  };

  const nodeItems = (items: readonly Ast.NodeItem[], kind: string | undefined) => {
    for (const it of items) {
      switch (it.kind) {
        case "KindItem":
          add("kind", canonicalKind(it.value.name) ?? it.value.name, it.value.span);
          break;
        case "BindingItem": {
          const meaning: SymbolCategory =
            it.binding === "model" ? (kind === "subgraph" && !items.some((x) => x.kind === "BindingItem" && x.binding === "graph") ? "graph" : kind === "router" && !items.some((x) => x.kind === "BindingItem" && x.binding === "route") ? "router" : "model") : it.binding === "route" ? "router" : it.binding;
          str(meaning, it.value);
          break;
        }
        case "TemplateItem":
          template(it.value);
          break;
        case "ListItem": {
          const cat: Partial<Record<Ast.ListItem["list"], SymbolCategory>> = { tools: "tool", sources: "node", validate: "validator", models: "model", agents: "agent", graphs: "graph" };
          const c = cat[it.list];
          if (c) listItems(c, it.value);
          break;
        }
        case "InputItem":
          if (it.value.kind === "ExprMap") exprMap(it.value, false);
          break;
        case "OutputItem":
          if (it.value.kind === "Identifier") add("schema", it.value.name, it.value.span);
          else type(it.value);
          break;
        case "WritesItem":
          if (it.value.kind === "Identifier") add("field", it.value.name, it.value.span);
          else exprMap(it.value, true);
          break;
        case "SetItem":
          exprMap(it.value, true);
          break;
        case "AttachItem":
          exprMap(it.value, false);
          break;
        case "NextItem":
          it.targets.forEach(nodeRef);
          break;
        case "RoutesItem":
          for (const r of it.routes) {
            if (r.kind === "WhenRoute") expr(r.condition);
            nodeRef(r.target);
          }
          break;
        case "SendItem":
          for (const t of it.targets) {
            const n = t.target.name;
            add(nodeNames.has(n) ? "node" : agentNames.has(n) ? "agent" : graphNames.has(n) ? "graph" : "node", n, t.target.span);
            if (t.args?.kind === "ExprMap") exprMap(t.args, false);
            if (t.forEach) expr(t.forEach.iterable);
            if (t.into) add("field", t.into.name, t.into.span);
          }
          break;
        case "JoinItem":
          nodeRef(it.target);
          break;
        case "CommandItem":
          if (it.goto && !it.parent) nodeRef(it.goto); // `goto parent.X` names a node of another graph
          if (it.update) exprMap(it.update, true);
          break;
        case "OnErrorItem":
          nodeRef(it.target);
          break;
        default:
          break;
      }
    }
  };

  for (const top of program.items) {
    if (top.kind === "SchemaDecl") {
      g = -1;
      add("schema", top.name.name, top.name.span, true, top.span);
      top.fields.forEach((f) => field(f, false));
    } else if (top.kind === "AgentDecl") {
      g = -1;
      nodeNames = new Set();
      add("agent", top.name.name, top.name.span, true, top.span);
      nodeItems(top.items, "subagent");
    } else {
      g++;
      add("graph", top.name.name, top.name.span, true, top.span);
      nodeNames = new Set(top.items.filter((i): i is Ast.NodeDecl => i.kind === "NodeDecl").map((n) => n.name.name));
      for (const it of top.items) {
        switch (it.kind) {
          case "StartItem":
            if (it.target) nodeRef(it.target);
            for (const r of it.routes?.routes ?? []) {
              if (r.kind === "WhenRoute") expr(r.condition);
              nodeRef(r.target);
            }
            break;
          case "StateItem":
            it.fields.forEach((f) => field(f, true));
            break;
          case "ChannelItem":
            add("field", it.name.name, it.name.span, true, it.span);
            add("reducer", it.reducer.name.name, it.reducer.name.span);
            break;
          case "IoItem":
            for (const f of it.fields) {
              if (it.direction === "input") add("input", f.name.name, f.name.span, true, f.span);
              field(f, false);
            }
            break;
          case "AllowItem": {
            const cat: Record<string, SymbolCategory> = { models: "model", tools: "tool", agents: "agent", graphs: "graph", scripts: "script", reducers: "reducer", routers: "router", validators: "validator" };
            const c = cat[it.capability.name];
            if (c) listItems(c, it.value);
            break;
          }
          case "NodeDecl": {
            add("node", it.name.name, it.name.span, true, it.span);
            const kindItem = it.items.find((x): x is Ast.KindItem => x.kind === "KindItem");
            nodeItems(it.items, kindItem ? (canonicalKind(kindItem.value.name) ?? kindItem.value.name) : undefined);
            break;
          }
          case "EdgeItem":
            it.refs.forEach(nodeRef);
            break;
          case "JoinEdgeItem":
            it.sources.forEach(nodeRef);
            nodeRef(it.target);
            break;
          case "InterruptAroundItem":
            it.nodes.forEach(nodeRef);
            break;
          default:
            break;
        }
      }
    }
  }

  out.sort((a, b) => a.span.start.offset - b.span.start.offset);
  const byKey = new Map<string, Occurrence[]>();
  for (const o of out) {
    const list = byKey.get(o.key);
    if (list) list.push(o);
    else byKey.set(o.key, [o]);
  }
  return {
    occurrences: out,
    byKey,
    at(offset) {
      let best: Occurrence | undefined;
      // Sorted by start: scan the candidates that start at or before the offset.
      let lo = 0;
      let hi = out.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (out[mid].span.start.offset <= offset) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo - 1; i >= 0 && i >= lo - 8; i--) {
        const o = out[i];
        if (o.span.start.offset <= offset && offset <= o.span.end.offset && (!best || o.span.end.offset - o.span.start.offset < best.span.end.offset - best.span.start.offset)) best = o;
      }
      return best;
    },
  };
}
