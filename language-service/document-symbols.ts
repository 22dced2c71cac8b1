/**
 * Document symbols (the outline): graphs with their state fields, channels, I/O fields
 * and nodes (detail = the node's kind); inline agents; schemas with their fields.
 */
import { canonicalKind } from "../compiler/index.js";
import type { Ast, Span } from "../grammar/index.js";
import type { Document } from "./document.js";
import { toRange } from "./positions.js";
import { SymbolKind, type LsDocumentSymbol, type LsSymbolKind } from "./types.js";

export function documentSymbols(doc: Document): LsDocumentSymbol[] {
  const text = doc.text;
  const slice = (s: Span) => text.slice(s.start.offset, s.end.offset).replace(/\s+/g, " ");
  const sym = (name: string, kind: LsSymbolKind, range: Span, selection: Span, detail?: string, children?: LsDocumentSymbol[]): LsDocumentSymbol => ({
    name,
    kind,
    range: toRange(range),
    selectionRange: toRange(selection),
    ...(detail ? { detail } : {}),
    ...(children?.length ? { children } : {}),
  });
  const field = (f: Ast.Field, kind: LsSymbolKind) => sym(f.name.name, kind, f.span, f.name.span, slice(f.type.span) + (f.reducer ? ` ${slice(f.reducer.span)}` : ""));
  const out: LsDocumentSymbol[] = [];
  for (const top of doc.program.items) {
    if (!top.name.name) continue;
    if (top.kind === "SchemaDecl") {
      out.push(sym(top.name.name, SymbolKind.Struct, top.span, top.name.span, "schema", top.fields.filter((f) => f.name.name).map((f) => field(f, SymbolKind.Field))));
    } else if (top.kind === "AgentDecl") {
      out.push(sym(top.name.name, SymbolKind.Class, top.span, top.name.span, "agent"));
    } else {
      const children: LsDocumentSymbol[] = [];
      for (const it of top.items) {
        if (it.kind === "NodeDecl" && it.name.name) {
          const k = it.items.find((x): x is Ast.KindItem => x.kind === "KindItem");
          children.push(sym(it.name.name, SymbolKind.Function, it.span, it.name.span, k ? (canonicalKind(k.value.name) ?? k.value.name) : "node"));
        } else if (it.kind === "ChannelItem" && it.name.name) {
          children.push(sym(it.name.name, SymbolKind.Field, it.span, it.name.span, `channel ${slice(it.reducer.span)}`));
        } else if (it.kind === "StateItem") {
          for (const f of it.fields) if (f.name.name) children.push(field(f, SymbolKind.Field));
        } else if (it.kind === "IoItem") {
          for (const f of it.fields) if (f.name.name) children.push({ ...field(f, SymbolKind.Property), detail: `${it.direction} ${slice(f.type.span)}` });
        }
      }
      out.push(sym(top.name.name, SymbolKind.Module, top.span, top.name.span, "graph", children));
    }
  }
  return out;
}
