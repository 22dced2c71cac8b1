/**
 * Semantic tokens: what the parser knows and a regular-expression grammar cannot —
 * which words are keywords here (keywords are contextual: a node may be called
 * `review`), node names, state fields, schema, graph and agent names, kinds, reducers,
 * expression roots and built-in functions. Declarations carry the `declaration`
 * modifier. Encoded relative, five integers per token (LSP §semanticTokens).
 */
import type { Ast, Span } from "../grammar/index.js";
import { walkAst } from "./ast-walk.js";
import type { Document } from "./document.js";
import type { SymbolCategory } from "./occurrences.js";
import type { LsSemanticTokens, LsSemanticTokensLegend } from "./types.js";

/** Token types and modifiers, in the order their indexes encode them. */
export const SEMANTIC_TOKENS_LEGEND: LsSemanticTokensLegend = {
  tokenTypes: ["keyword", "type", "class", "function", "variable", "property", "namespace", "enumMember", "macro", "struct"],
  tokenModifiers: ["declaration", "readonly", "defaultLibrary"],
};

const T = Object.fromEntries(SEMANTIC_TOKENS_LEGEND.tokenTypes.map((t, i) => [t, i])) as Record<string, number>;
const M = { declaration: 1, readonly: 2, defaultLibrary: 4 };

/** Token type of an occurrence's category (registry names inside strings are left to the string colour). */
const CATEGORY: Partial<Record<SymbolCategory, number>> = {
  node: T.function,
  field: T.property,
  input: T.property,
  schema: T.struct,
  graph: T.namespace,
  agent: T.class,
  kind: T.enumMember,
  reducer: T.enumMember,
  function: T.macro,
};
const ROOTS = new Set(["state", "input", "args", "result", "run"]);
const SCALARS = new Set(["string", "number", "integer", "boolean", "any", "messages", "list", "map"]);

interface Tok {
  readonly start: number;
  readonly line: number;
  readonly col: number;
  readonly length: number;
  readonly type: number;
  readonly mods: number;
}

/**
 * The document's semantic tokens, or (`lines`, 0-based, both ends included: LSP's
 * `semanticTokens/range` as the editor's visible lines) only those on those lines — the
 * walk skips every AST node outside them, so an editor showing 50 lines of a 5,000-line
 * file pays for about 50 lines, not for the file.
 */
export function semanticTokens(doc: Document, lines?: { readonly start: number; readonly end: number }): LsSemanticTokens {
  const toks: Tok[] = [];
  const first = lines ? lines.start + 1 : 1;
  const last = lines ? lines.end + 1 : Infinity;
  const push = (span: Span, type: number, mods = 0) => {
    if (span.start.line !== span.end.line || span.end.offset <= span.start.offset || span.start.line < first || span.start.line > last) return;
    toks.push({ start: span.start.offset, line: span.start.line - 1, col: span.start.column - 1, length: span.end.offset - span.start.offset, type, mods });
  };
  for (const o of doc.symbols.occurrences) {
    const t = CATEGORY[o.category];
    // Strings (`agent "x"`, `sources ["a"]`) keep the string colour.
    if (t === undefined || doc.text[o.span.start.offset - 1] === '"' || doc.text[o.span.start.offset - 1] === "'") continue;
    push(o.span, t, (o.definition ? M.declaration : 0) | (o.category === "function" || o.category === "kind" || o.category === "reducer" ? M.defaultLibrary : 0));
  }
  walkAst(
    doc.program,
    (n, key) => {
      if (n.kind === "Identifier" && key === "keyword") push(n.span, T.keyword);
      else if (n.kind === "Name" && ROOTS.has(n.name as string)) push(n.span, T.variable, M.readonly | M.defaultLibrary);
      else if (n.kind === "NamedType" && SCALARS.has((n.name as Ast.Identifier).name)) push((n.name as Ast.Identifier).span, T.type, M.defaultLibrary);
    },
    // A node's children lie within its span (the parser's spans cover their parts).
    lines ? (n) => n.span.end.line < first || n.span.start.line > last : undefined,
  );
  toks.sort((a, b) => a.start - b.start);
  const data: number[] = [];
  let line = 0;
  let col = 0;
  let lastEnd = -1;
  for (const t of toks) {
    if (t.start < lastEnd) continue; // overlapping: keep the first
    data.push(t.line - line, t.line === line ? t.col - col : t.col, t.length, t.type, t.mods);
    line = t.line;
    col = t.col;
    lastEnd = t.start + t.length;
  }
  return { data };
}
