/**
 * Where the cursor is, for completion: the enclosing constructs (graph, node, state
 * block, `send [...]`, `routes {...}`, an expression …) and the words just before it.
 *
 * It reads tokens, not the AST: while someone types, the text is usually incomplete
 * and the parser's recovered tree may not hold the construct being written. Tokens come
 * from the real lexer (`lexFragment`), so strings, comments and keywords are recognised
 * exactly as the compiler does.
 */
import { lexFragment } from "../grammar/index.js";

export interface Tok {
  /** Chevrotain token type name: `Name`, `Kw_next`, `LCurly`, `StringLit` … */
  readonly type: string;
  readonly image: string;
  readonly start: number;
  readonly end: number;
}

/** One open bracket and what it opens. */
export type Frame =
  | { readonly kind: "top" }
  | { readonly kind: "graph"; readonly name: string }
  | { readonly kind: "node"; readonly name: string; readonly agent: boolean }
  | { readonly kind: "fields"; readonly owner: "state" | "schema" | "input" | "output" | "record" }
  | { readonly kind: "exprMap"; readonly keys: "fields" | "free" }
  | { readonly kind: "routes" }
  | { readonly kind: "command" }
  | { readonly kind: "send" }
  | { readonly kind: "sends" }
  | { readonly kind: "list"; readonly of: string }
  | { readonly kind: "expr" }
  | { readonly kind: "block" };

export interface CompletionContext {
  /** Innermost first is `frames[frames.length - 1]`; `frames[0]` is the top level. */
  readonly frames: readonly Frame[];
  /** Tokens inside the innermost frame before the cursor (nested groups included). */
  readonly local: readonly Tok[];
  /** Offset where the word being typed starts (the cursor when none). */
  readonly wordStart: number;
  /** The word being typed (possibly empty). */
  readonly word: string;
  /** Set when the cursor is inside a string literal. */
  readonly string?: {
    readonly start: number;
    /** Offset of the string's content (after the quotes). */
    readonly contentStart: number;
    /** The token just before the string (its keyword), if any. */
    readonly before?: Tok;
  };
  /** True inside a comment: no completion. */
  readonly comment: boolean;
}

const WORD = /[A-Za-z0-9_]/;
const isWord = (t: Tok | undefined) => !!t && (t.type === "Name" || t.type.startsWith("Kw_") || t.type === "StartRef" || t.type === "EndRef");
export const kw = (t: Tok | undefined, ...words: string[]) => !!t && isWord(t) && words.includes(t.image);

/** Analyses `text` up to `offset`. */
export function completionContext(text: string, offset: number): CompletionContext {
  const prefix = text.slice(0, offset);
  const toks: Tok[] = lexFragment(prefix).tokens.map((t) => ({ type: t.tokenType.name, image: t.image, start: t.startOffset, end: t.startOffset + t.image.length }));
  const lastEnd = toks.length ? toks[toks.length - 1].end : 0;
  const gap = prefix.slice(lastEnd);
  const comment = /\/\/|#/.test(gap) || (gap.includes("/*") && !gap.slice(gap.lastIndexOf("/*")).includes("*/"));
  let wordStart = offset;
  let word = "";
  let string: CompletionContext["string"];
  const last = toks[toks.length - 1];
  if (last && last.end === offset && isWord(last)) {
    toks.pop();
    wordStart = last.start;
    word = last.image;
  } else if (last && (last.type === "UnterminatedString" || last.type === "UnterminatedTripleString") && !comment) {
    toks.pop();
    const q = last.type === "UnterminatedTripleString" ? 3 : 1;
    const before = toks[toks.length - 1];
    string = { start: last.start, contentStart: last.start + q, ...(before ? { before } : {}) };
  }
  const { frames, localStart } = scopes(toks);
  return { frames, local: toks.slice(localStart), wordStart, word, ...(string ? { string } : {}), comment };
}

/** Bracket frames over the tokens, and the index where the innermost frame's tokens start. */
function scopes(toks: readonly Tok[]): { frames: Frame[]; localStart: number } {
  const frames: Frame[] = [{ kind: "top" }];
  const starts: number[] = [0];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.type === "LCurly" || t.type === "LBracket" || t.type === "LParen") {
      // The three tokens before the bracket within its frame, by index: a slice of the frame's
      // tokens per bracket was quadratic (every top-level `graph g {` copied all the tokens
      // before it: 20,000 graphs in 800 kB took a minute per completion request).
      const from = starts[starts.length - 1];
      const at = (k: number): Tok | undefined => (i - k >= from ? toks[i - k] : undefined);
      frames.push(classify(t.type, frames[frames.length - 1], at(1), at(2), at(3)));
      starts.push(i + 1);
    } else if ((t.type === "RCurly" || t.type === "RBracket" || t.type === "RParen") && frames.length > 1) {
      frames.pop();
      starts.pop();
    }
  }
  return { frames, localStart: starts[starts.length - 1] };
}

/** What a bracket opens, from its kind, its parent frame and the (up to three) tokens before it in that frame, nearest first. */
function classify(bracket: string, parent: Frame, p1: Tok | undefined, p2: Tok | undefined, p3: Tok | undefined): Frame {
  if (bracket === "LParen") return { kind: "expr" };
  if (parent.kind === "exprMap" || parent.kind === "expr") return bracket === "LCurly" ? { kind: "exprMap", keys: "free" } : { kind: "expr" };
  if (bracket === "LBracket") {
    if (parent.kind === "node") {
      if (kw(p1, "send")) return { kind: "send" };
      if (kw(p1, "sends")) return { kind: "sends" };
      if (kw(p1, "tools")) return { kind: "list", of: "tool" };
      if (kw(p1, "sources", "next")) return { kind: "list", of: "node" };
      if (kw(p1, "validate")) return { kind: "list", of: "validator" };
      if (kw(p1, "models")) return { kind: "list", of: "model" };
      if (kw(p1, "agents")) return { kind: "list", of: "agent" };
      if (kw(p1, "graphs")) return { kind: "list", of: "graph" };
      return { kind: "list", of: "" };
    }
    if (parent.kind === "graph") {
      if (kw(p2, "allow") && isWord(p1)) return { kind: "list", of: { models: "model", tools: "tool", agents: "agent", graphs: "graph", scripts: "script", reducers: "reducer", routers: "router", validators: "validator" }[p1!.image] ?? "" };
      if (kw(p1, "join") || kw(p1, "before", "after")) return { kind: "list", of: "node" };
      return { kind: "list", of: "" };
    }
    if (parent.kind === "block" || parent.kind === "routes" || parent.kind === "command") return { kind: "list", of: "" };
    return { kind: "list", of: "" };
  }
  // `{`
  switch (parent.kind) {
    case "top":
      if (kw(p2, "graph")) return { kind: "graph", name: p1?.image ?? "" };
      if (kw(p2, "agent")) return { kind: "node", name: p1?.image ?? "", agent: true };
      if (kw(p2, "schema")) return { kind: "fields", owner: "schema" };
      return { kind: "block" };
    case "graph":
      if (kw(p2, "node")) return { kind: "node", name: p1?.image ?? "", agent: false };
      if (kw(p1, "state") || kw(p2, "state")) return { kind: "fields", owner: "state" };
      if (kw(p1, "input")) return { kind: "fields", owner: "input" };
      if (kw(p1, "output")) return { kind: "fields", owner: "output" };
      return { kind: "block" };
    case "node":
      if (kw(p1, "set", "writes")) return { kind: "exprMap", keys: "fields" };
      if (kw(p1, "input")) return { kind: "exprMap", keys: "free" };
      if (kw(p1, "output")) return { kind: "fields", owner: "record" };
      if (kw(p1, "routes")) return { kind: "routes" };
      if (kw(p1, "command")) return { kind: "command" };
      return { kind: "block" };
    case "command":
      return kw(p1, "update") ? { kind: "exprMap", keys: "fields" } : { kind: "block" };
    case "send":
      return { kind: "exprMap", keys: "free" };
    case "fields":
      return { kind: "fields", owner: "record" };
    default:
      void p3;
      return { kind: "block" };
  }
}

/** The word characters right after `offset` (the rest of the word under the cursor). */
export function wordEnd(text: string, offset: number): number {
  let e = offset;
  while (e < text.length && WORD.test(text[e])) e++;
  return e;
}
