/**
 * Shared state of the CST → AST build: spans from tokens and CST nodes, placeholders
 * for tokens that error recovery inserted, and the diagnostics list.
 */
import type { CstNode, IToken } from "#chevrotain";
import { diagnostic, type Diagnostic, type DiagnosticExtras } from "../diagnostic.js";
import type { LineIndex, Span } from "../span.js";
import type { Identifier, NodeRef } from "./ast.js";

export class BuildContext {
  readonly diagnostics: Diagnostic[] = [];
  /** Invalid tokens reported inside `{{ }}` interpolations so far (bounded like the lexer's: `MAX_INVALID_TOKEN_DIAGNOSTICS`). */
  interpolationTokenErrors = 0;

  constructor(
    readonly lines: LineIndex,
    readonly file: string | undefined,
    /** Maximum bracket nesting (`FrontEndLimits.nestingDepth`), also inside `{{ }}` interpolations. */
    readonly nestingDepth: number = 64,
  ) {}

  report(code: string, message: string, span: Span, extras: DiagnosticExtras = {}): void {
    this.diagnostics.push(diagnostic(code, message, span, this.file !== undefined ? { file: this.file, ...extras } : extras));
  }

  /** True when `t` is a real token (not one inserted by recovery). */
  real(t: IToken | undefined): t is IToken {
    return t !== undefined && !t.isInsertedInRecovery && Number.isFinite(t.startOffset);
  }

  /** Span of a real token. */
  tokenSpan(t: IToken): Span {
    const end = Number.isFinite(t.endOffset) ? (t.endOffset as number) + 1 : t.startOffset + t.image.length;
    return this.lines.span(t.startOffset, end);
  }

  /** Span of a CST node, or undefined when recovery left it without real tokens. */
  nodeSpan(n: CstNode): Span | undefined {
    const loc = n.location;
    if (loc && Number.isFinite(loc.startOffset) && Number.isFinite(loc.endOffset ?? NaN)) {
      return this.lines.span(loc.startOffset, (loc.endOffset as number) + 1);
    }
    return undefined;
  }

  /** A zero-width span right after `t` (where a missing token was expected). */
  after(t: IToken | undefined, fallback: Span): Span {
    if (this.real(t)) {
      const p = this.lines.position(t.startOffset + t.image.length);
      return { start: p, end: p };
    }
    return { start: fallback.end, end: fallback.end };
  }

  /** Span of `t` if real, else zero-width after `prev`. */
  spanOr(t: IToken | undefined, prev: IToken | undefined, fallback: Span): Span {
    return this.real(t) ? this.tokenSpan(t) : this.after(prev, fallback);
  }

  /** An identifier from a token; a missing token yields `name: ""` and `recovered`. */
  ident(t: IToken | undefined, prev: IToken | undefined, fallback: Span): Identifier {
    if (this.real(t)) return { kind: "Identifier", name: t.image, span: this.tokenSpan(t) };
    return { kind: "Identifier", name: "", span: this.after(prev, fallback), recovered: true };
  }

  /** A node reference (`END`, `START` or a name) from a token. */
  nodeRef(t: IToken | undefined, prev: IToken | undefined, fallback: Span): NodeRef {
    if (this.real(t)) return { kind: "NodeRef", name: t.image, span: this.tokenSpan(t) };
    return { kind: "NodeRef", name: "", span: this.after(prev, fallback), recovered: true };
  }
}

/** First element of an optional CST child array. */
export function first<T>(xs: readonly T[] | undefined): T | undefined {
  return xs?.[0];
}

/** Tokens of a CST node's children in source order (for the first/last real token). */
export function tokensOf(n: CstNode): IToken[] {
  const out: IToken[] = [];
  const walk = (node: CstNode) => {
    for (const list of Object.values(node.children)) {
      for (const c of list as (CstNode | IToken)[]) {
        if ("image" in c) out.push(c);
        else walk(c);
      }
    }
  };
  walk(n);
  return out.filter((t) => Number.isFinite(t.startOffset)).sort((a, b) => a.startOffset - b.startOffset);
}
