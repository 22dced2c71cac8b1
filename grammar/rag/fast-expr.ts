/**
 * The lower layer of the `.rag` fast path (fast-parse.ts): token access, spans, literals,
 * expressions (`language.md` §3), expression maps and templates. Each method builds
 * exactly the AST nodes the Chevrotain path (parser-expr.ts + build-expr.ts) builds for
 * the same text, and takes exactly the same decisions at every choice point (the
 * parser's LL(2) lookahead and its gates); on anything else it throws `BAIL`, and the
 * caller falls back to the Chevrotain path, which then reports the problem. Never imports
 * Chevrotain.
 */
import { PositionCache } from "./fast-positions.js";
import { joinSpans, type LineIndex, type Position, type Span } from "../span.js";
import type * as A from "./ast.js";
import { fastScan, K, T, type Scanned } from "./fast-scan.js";
import type { FrontEndLimits } from "./limits.js";
import { decodeString } from "./strings.js";

/** Thrown (never escapes `fastParseRag`) when the fast path does not take the input. */
export const BAIL: unique symbol = Symbol("fast-parse bail");

/** Abandons the fast path. */
export function bail(): never {
  throw BAIL;
}

/** Chains longer than build-expr.ts's MAX_CHAIN are reported there: bail well before. */
const MAX_CHAIN = 512;

const DURATION_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+)(ms|s|m|h)$/;

/** A dotted path with white space around it (build-expr.ts's interpolation fast path). */
const PATH = /^([ \t\r\n]*)([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*){0,32})[ \t\r\n]*$/;
const NOT_PATH_WORDS: ReadonlySet<string> = new Set(["not", "and", "or", "in", "for", "true", "false", "null", "START", "END"]);

/**
 * Where a template's decoded text lands in the source (build-expr.ts `template`'s `at`):
 * `map[k]` is the offset, in the token image, of the character that produced decoded
 * character `k`; without `map` the string has no escape and decoded character `k` came
 * from image offset `k + 1` (after the quote). `offset` shifts a `{{ }}` fragment's
 * offsets into the decoded text.
 */
interface FragmentMap {
  readonly base: number;
  readonly map: readonly number[] | undefined;
  /** The decoded text's length (`map.length - 1`). */
  readonly length: number;
  readonly offset: number;
}

/** Source offset of decoded-text offset `k` (clamped to its end). */
function decodedAt(base: number, map: readonly number[] | undefined, length: number, k: number): number {
  const i = k < length ? k : length;
  return base + (map === undefined ? i + 1 : map[i]);
}

/** Source offset of fragment offset `k`. */
function absOf(f: FragmentMap, k: number): number {
  return decodedAt(f.base, f.map, f.length, f.offset + k);
}

export class FastExprParser {
  protected p = 0;
  protected readonly kinds: Uint8Array;
  protected readonly kw: Uint8Array;
  protected readonly starts: Int32Array;
  protected readonly ends: Int32Array;
  protected readonly images: (string | undefined)[];
  /** Positions of token starts and ends, made once per token (fast-positions.ts). */
  private readonly startPositions: PositionCache;
  private readonly endPositions: PositionCache;

  constructor(
    /** The scanned text: the source, or a `{{ }}` fragment's decoded text. */
    protected readonly text: string,
    tokens: Scanned,
    protected readonly lines: LineIndex,
    protected readonly limits: FrontEndLimits,
    private readonly fragment?: FragmentMap,
  ) {
    this.kinds = tokens.kinds;
    this.kw = tokens.kw;
    this.starts = tokens.starts;
    this.ends = tokens.ends;
    this.images = tokens.images;
    this.startPositions = new PositionCache(tokens.starts, tokens.count, this);
    this.endPositions = new PositionCache(tokens.ends, tokens.count, this);
  }

  // ─────────────────────────────── tokens and spans ───────────────────────────────

  /** Position of text offset `o` (mapped to the source for a fragment); the PositionCaches' source. */
  positionAt(o: number): Position {
    const f = this.fragment;
    return this.lines.position(f === undefined ? o : absOf(f, o));
  }


  /** Span of token `i`. */
  protected tok(i: number): Span {
    return { start: this.startPositions.of(i), end: this.endPositions.of(i) };
  }

  /** Span from the start of token `a` to the end of token `b` (a CST node's location). */
  protected from(a: number, b: number): Span {
    return { start: this.startPositions.of(a), end: this.endPositions.of(b) };
  }

  /** Consumes a token of `kind`, or bails. Returns its index. */
  protected eat(kind: number): number {
    if (this.kinds[this.p] !== kind) bail();
    return this.p++;
  }

  /** True (and consumed) when the next token is `kind`. */
  protected opt(kind: number): boolean {
    if (this.kinds[this.p] !== kind) return false;
    this.p++;
    return true;
  }

  /** True when token `i` is the keyword `id` (`K.…`). */
  protected isKw(i: number, id: number): boolean {
    return this.kinds[i] === T.Word && this.kw[i] === id;
  }

  /** Consumes a name (a word that is not reserved); returns its Identifier. */
  protected ident(): A.Identifier {
    const i = this.eat(T.Word);
    return { kind: "Identifier", name: this.images[i] as string, span: this.tok(i) };
  }

  /** Identifier of token `i` (a word already checked). */
  protected identAt(i: number): A.Identifier {
    return { kind: "Identifier", name: this.images[i] as string, span: this.tok(i) };
  }

  /** `START`, `END` or a name. */
  protected nodeRef(): A.NodeRef {
    const k = this.kinds[this.p];
    if (k !== T.Word && k !== T.End && k !== T.Start) bail();
    const i = this.p++;
    return { kind: "NodeRef", name: this.images[i] as string, span: this.tok(i) };
  }

  // ─────────────────────────────── literals ───────────────────────────────

  protected stringAt(i: number): A.StringLiteral {
    const raw = this.text.slice(this.starts[i], this.ends[i]);
    const q = raw.charCodeAt(0);
    let quote: A.StringLiteral["quote"];
    let value: string;
    if (this.kinds[i] === T.Triple) {
      quote = '"""';
      value = decodeString(raw).value;
    } else {
      quote = q === 34 ? '"' : "'";
      value = raw.indexOf("\\") < 0 ? raw.slice(1, -1) : decodeString(raw).value;
    }
    return { kind: "String", value, quote, raw, span: this.tok(i) };
  }

  protected numberAt(i: number, negative = false): A.NumberLiteral {
    const image = this.images[i] as string;
    const suffix = image.charCodeAt(image.length - 1);
    const value = suffix === 107 ? Number(image.slice(0, -1)) * 1_000 : suffix === 77 ? Number(image.slice(0, -1)) * 1_000_000 : Number(image);
    if (!Number.isFinite(value)) bail(); // reported on the Chevrotain path (E-rag-limit-exceeded)
    return { kind: "Number", value: negative ? -value : value, raw: (negative ? "-" : "") + image, span: this.tok(i) };
  }

  /** A duration; a non-integer one (`1.5s`) is a diagnostic on the Chevrotain path: bail. */
  protected durationAt(i: number): A.DurationLiteral {
    const image = this.images[i] as string;
    const m = DURATION.exec(image);
    if (!m) bail();
    const ms = Number(m[1]) * DURATION_MS[m[2]];
    if (!Number.isFinite(ms)) bail(); // reported on the Chevrotain path (E-rag-limit-exceeded)
    return { kind: "Duration", ms, raw: image, span: this.tok(i) };
  }

  /** The literal at `i`, if it is one (build-expr.ts `literalToken`). */
  protected literalAt(i: number): A.Literal | undefined {
    switch (this.kinds[i]) {
      case T.Str:
      case T.Triple:
        return this.stringAt(i);
      case T.Num:
        return this.numberAt(i);
      case T.Duration:
        return this.durationAt(i);
      case T.True:
        return { kind: "Boolean", value: true, span: this.tok(i) };
      case T.False:
        return { kind: "Boolean", value: false, span: this.tok(i) };
      case T.Null:
        return { kind: "Null", span: this.tok(i) };
    }
    return undefined;
  }

  // ─────────────────────────────── expressions (§3) ───────────────────────────────

  /** True when token `i` can start an expression (first set of `expr`). */
  protected startsExpr(i: number): boolean {
    switch (this.kinds[i]) {
      case T.Word:
      case T.Str:
      case T.Triple:
      case T.Num:
      case T.Duration:
      case T.True:
      case T.False:
      case T.Null:
      case T.LParen:
      case T.LBracket:
      case T.LCurly:
      case T.Bang:
      case T.Minus:
        return true;
    }
    return false;
  }

  /**
   * `"{" (IDENT ":"? V (","|";")?)* "}"` — the braces of an expr_map and of a value block,
   * whose entries differ only in their `kind` and how `value` parses. Returns the entries
   * and the span of the braces.
   */
  protected keyedEntries<K extends string, V>(kind: K, value: () => V): { entries: { kind: K; key: A.Identifier; value: V; span: Span }[]; span: Span } {
    const open = this.eat(T.LCurly);
    const entries: { kind: K; key: A.Identifier; value: V; span: Span }[] = [];
    while (this.kinds[this.p] === T.Word) {
      const k = this.p++;
      this.opt(T.Colon);
      const v = value();
      const s = this.kinds[this.p];
      if (s === T.Comma || s === T.Semicolon) this.p++;
      entries.push({ kind, key: this.identAt(k), value: v, span: this.from(k, this.p - 1) });
    }
    const close = this.eat(T.RCurly);
    return { entries, span: this.from(open, close) };
  }

  /** expr_map = "{" (IDENT ":"? expr (","|";")?)* "}" */
  protected exprMap(): A.ExprMap {
    const { entries, span } = this.keyedEntries("ExprEntry", () => this.expr());
    return { kind: "ExprMap", entries, span };
  }

  /** expr = and (("or" | "||") and)* */
  protected expr(): A.Expr {
    let e = this.andExpr();
    let n = 1;
    for (;;) {
      const k = this.kinds[this.p];
      if (!(k === T.OrOr || (k === T.Word && this.kw[this.p] === K.or))) return e;
      this.p++;
      if (++n > MAX_CHAIN) bail();
      const right = this.andExpr();
      e = { kind: "Binary", op: "or", left: e, right, span: joinSpans(e.span, right.span) };
    }
  }

  private andExpr(): A.Expr {
    let e = this.notExpr();
    let n = 1;
    for (;;) {
      const k = this.kinds[this.p];
      if (!(k === T.AndAnd || (k === T.Word && this.kw[this.p] === K.and))) return e;
      this.p++;
      if (++n > MAX_CHAIN) bail();
      const right = this.notExpr();
      e = { kind: "Binary", op: "and", left: e, right, span: joinSpans(e.span, right.span) };
    }
  }

  /**
   * not = ("not" | "!")* cmp. A `not` is an operator when the token after it can start
   * the operand (the parser's two-token lookahead); otherwise it would be a name: bail.
   */
  private notExpr(): A.Expr {
    const ops: number[] = [];
    for (;;) {
      const k = this.kinds[this.p];
      if (k === T.Bang || (k === T.Word && this.kw[this.p] === K.not && this.startsExpr(this.p + 1))) {
        ops.push(this.p++);
        if (ops.length > MAX_CHAIN) bail();
      } else break;
    }
    let e = this.cmpExpr();
    for (let i = ops.length - 1; i >= 0; i--) e = { kind: "Unary", op: "not", operand: e, span: joinSpans(this.tok(ops[i]), e.span) };
    return e;
  }

  /** cmp = add (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in") add)? */
  private cmpExpr(): A.Expr {
    const e = this.addExpr();
    let op: A.BinaryOp;
    switch (this.kinds[this.p]) {
      case T.EqEq: op = "=="; break;
      case T.NotEq: op = "!="; break;
      case T.LtEq: op = "<="; break;
      case T.GtEq: op = ">="; break;
      case T.Lt: op = "<"; break;
      case T.Gt: op = ">"; break;
      case T.Word:
        if (this.kw[this.p] !== K.in) return e;
        op = "in";
        break;
      default:
        return e;
    }
    this.p++;
    const right = this.addExpr();
    return { kind: "Binary", op, left: e, right, span: joinSpans(e.span, right.span) };
  }

  private addExpr(): A.Expr {
    let e = this.mulExpr();
    let n = 1;
    for (;;) {
      const k = this.kinds[this.p];
      if (k !== T.Plus && k !== T.Minus) return e;
      this.p++;
      if (++n > MAX_CHAIN) bail();
      const right = this.mulExpr();
      e = { kind: "Binary", op: k === T.Plus ? "+" : "-", left: e, right, span: joinSpans(e.span, right.span) };
    }
  }

  private mulExpr(): A.Expr {
    let e = this.unaryExpr();
    let n = 1;
    for (;;) {
      const k = this.kinds[this.p];
      if (k !== T.Star && k !== T.Slash && k !== T.Percent) return e;
      this.p++;
      if (++n > MAX_CHAIN) bail();
      const right = this.unaryExpr();
      e = { kind: "Binary", op: k === T.Star ? "*" : k === T.Slash ? "/" : "%", left: e, right, span: joinSpans(e.span, right.span) };
    }
  }

  /** unary = "-"* postfix; a `-` directly before a number folds into it (build-expr.ts). */
  private unaryExpr(): A.Expr {
    const first = this.p;
    while (this.kinds[this.p] === T.Minus) {
      this.p++;
      if (this.p - first > MAX_CHAIN) bail();
    }
    const last = this.p - 1;
    let e = this.postfixExpr();
    for (let i = last; i >= first; i--) {
      const opSpan = this.tok(i);
      if (i === last && e.kind === "Number" && opSpan.start.offset + 1 === e.span.start.offset) {
        e = { kind: "Number", value: -e.value, raw: "-" + e.raw, span: joinSpans(opSpan, e.span) };
      } else {
        e = { kind: "Unary", op: "-", operand: e, span: joinSpans(opSpan, e.span) };
      }
    }
    return e;
  }

  /** postfix = primary ("." IDENT | "[" expr "]" | "(" args comprehension? ")")* */
  private postfixExpr(): A.Expr {
    let e = this.primary();
    let n = 0;
    for (;;) {
      const k = this.kinds[this.p];
      if (k !== T.Dot && k !== T.LBracket && k !== T.LParen) return e;
      if (++n > MAX_CHAIN) bail();
      const open = this.p++;
      if (k === T.Dot) {
        const property = this.ident();
        e = { kind: "Member", object: e, property, span: joinSpans(e.span, this.from(open, this.p - 1)) };
      } else if (k === T.LBracket) {
        const index = this.expr();
        const close = this.eat(T.RBracket);
        e = { kind: "Index", object: e, index, span: joinSpans(e.span, this.from(open, close)) };
      } else {
        // `(` args: a leading `for` would be a comprehension without an element (a diagnostic)
        if (this.isKw(this.p, K.for)) bail();
        const args: A.Expr[] = [];
        if (this.startsExpr(this.p)) {
          args.push(this.expr());
          while (this.opt(T.Comma)) args.push(this.expr());
        }
        let comp: A.ComprehensionExpr | undefined;
        if (this.isKw(this.p, K.for)) {
          if (args.length !== 1) bail();
          comp = this.comprehension(args[0], true);
        }
        const close = this.eat(T.RParen);
        e = { kind: "Call", callee: e, args: comp ? [comp] : args, span: joinSpans(e.span, this.from(open, close)) };
      }
    }
  }

  private primary(): A.Expr {
    const i = this.p;
    switch (this.kinds[i]) {
      case T.Str:
      case T.Triple:
        this.p++;
        return this.stringAt(i);
      case T.Num:
        this.p++;
        return this.numberAt(i);
      case T.Duration: {
        this.p++;
        const d = this.durationAt(i);
        return { kind: "Number", value: d.ms, raw: d.raw, span: d.span };
      }
      case T.True:
      case T.False:
      case T.Null:
        this.p++;
        return this.literalAt(i) as A.Expr;
      case T.Word: {
        const k = this.kw[i];
        // operator words as names: the parser's choice depends on more context; leave them to it
        if (k === K.for || k === K.not || k === K.if) bail();
        this.p++;
        return { kind: "Name", name: this.images[i] as string, span: this.tok(i) };
      }
      case T.LParen: {
        this.p++;
        const inner = this.expr();
        this.eat(T.RParen);
        return inner;
      }
      case T.LBracket: {
        this.p++;
        const items: A.Expr[] = [];
        while (!this.isKw(this.p, K.for) && this.startsExpr(this.p)) {
          items.push(this.expr());
          this.opt(T.Comma);
        }
        if (this.isKw(this.p, K.for)) {
          if (items.length !== 1) bail();
          const comp = this.comprehension(items[0], false);
          const close = this.eat(T.RBracket);
          return { ...comp, span: this.from(i, close) };
        }
        const close = this.eat(T.RBracket);
        return { kind: "ListExpr", items, span: this.from(i, close) };
      }
      case T.LCurly: {
        this.p++;
        const entries: A.ExprEntry[] = [];
        while (this.kinds[this.p] === T.Word) {
          const k = this.p++;
          this.eat(T.Colon);
          const value = this.expr();
          this.opt(T.Comma);
          entries.push({ kind: "ExprEntry", key: this.identAt(k), value, span: this.from(k, this.p - 1) });
        }
        const close = this.eat(T.RCurly);
        return { kind: "ObjectExpr", entries, span: this.from(i, close) };
      }
    }
    return bail();
  }

  /** comprehension = "for" IDENT "in" expr ("if" expr)?, after its one element. */
  private comprehension(element: A.Expr, bare: boolean): A.ComprehensionExpr {
    const forTok = this.p++;
    const variable = this.ident();
    if (!this.isKw(this.p, K.in)) bail();
    this.p++;
    const iterable = this.expr();
    let filter: A.Expr | undefined;
    if (this.isKw(this.p, K.if)) {
      this.p++;
      filter = this.expr();
    }
    const span = this.from(forTok, this.p - 1);
    return filter
      ? { kind: "Comprehension", element, variable, iterable, filter, bare, span: joinSpans(element.span, span) }
      : { kind: "Comprehension", element, variable, iterable, bare, span: joinSpans(element.span, span) };
  }

  // ─────────────────────────────── templates ───────────────────────────────

  /** A string in a template position split into text and `{{ expr }}` parts (build-expr.ts `template`). */
  protected template(i: number): A.Template {
    const literal = this.stringAt(i);
    if (!literal.value.includes("{{")) {
      return { kind: "Template", literal, parts: literal.value ? [{ kind: "Text", text: literal.value, span: literal.span }] : [], span: literal.span };
    }
    if (this.fragment !== undefined) bail(); // a template inside an interpolation: not here
    const image = literal.raw;
    // a quoted string without escapes maps decoded offsets to image offsets by +1: no map needed
    const plain = literal.quote !== '"""' && image.indexOf("\\") < 0;
    const decoded = plain ? undefined : decodeString(image, true);
    const value = decoded === undefined ? literal.value : decoded.value;
    const m = decoded?.map;
    const length = value.length;
    const base = this.starts[i];
    const lines = this.lines;
    const parts: A.TemplatePart[] = [];
    let text = "";
    let textStart = 0;
    let k = 0;
    while (k < length) {
      if (value.charCodeAt(k) === 123 && value.charCodeAt(k + 1) === 123) {
        if (m !== undefined && image[m[k]] === "\\") {
          text += "{{";
          k += 2;
          continue;
        }
        const close = value.indexOf("}}", k + 2);
        if (close < 0) bail(); // E-rag-invalid-template
        if (text) parts.push({ kind: "Text", text, span: lines.span(decodedAt(base, m, length, textStart), decodedAt(base, m, length, k)) });
        text = "";
        const span = lines.span(decodedAt(base, m, length, k), decodedAt(base, m, length, close + 2));
        const expr = this.interpolation(value.slice(k + 2, close), { base, map: m, length, offset: k + 2 });
        parts.push({ kind: "Interpolation", expr, span });
        k = close + 2;
        textStart = k;
        continue;
      }
      // a run of plain text up to the next `{`
      if (!text) textStart = k;
      let next = value.indexOf("{", k + 1);
      if (next < 0) next = length;
      text += value.slice(k, next);
      k = next;
    }
    if (text) parts.push({ kind: "Text", text, span: lines.span(decodedAt(base, m, length, textStart), decodedAt(base, m, length, length)) });
    return { kind: "Template", literal, parts, span: literal.span };
  }

  /** One interpolation's expression: a dotted path directly, else the fragment scanned and parsed. */
  private interpolation(text: string, f: FragmentMap): A.Expr {
    const path = PATH.exec(text);
    if (path) {
      const e = this.pathInterpolation(path, f);
      if (e) return e;
    }
    if (text.trim() === "") bail(); // E-rag-invalid-template
    const tokens = fastScan(text, { nestingDepth: this.limits.nestingDepth, stringLength: this.limits.stringLength, noComments: true });
    if (!tokens) bail();
    const sub = new FastExprParser(text, tokens, this.lines, this.limits, f);
    const e = sub.expr();
    if (sub.kinds[sub.p] !== T.EOF) bail();
    return e;
  }

  /** build-expr.ts `pathInterpolation`: a dotted path as Name and Member nodes. */
  private pathInterpolation(path: RegExpExecArray, f: FragmentMap): A.Expr | undefined {
    const words = path[2].split(".");
    for (const w of words) if (NOT_PATH_WORDS.has(w)) return undefined;
    const lines = this.lines;
    let at = path[1].length;
    let e: A.Expr = { kind: "Name", name: words[0], span: lines.span(absOf(f, at), absOf(f, at + words[0].length)) };
    at += words[0].length;
    for (let w = 1; w < words.length; w++) {
      const word = words[w];
      const property: A.Identifier = { kind: "Identifier", name: word, span: lines.span(absOf(f, at + 1), absOf(f, at + 1 + word.length)) };
      e = { kind: "Member", object: e, property, span: { start: e.span.start, end: property.span.end } };
      at += 1 + word.length;
    }
    return e;
  }
}
