/**
 * CST → AST for the pieces shared by items: literals, static values and blocks,
 * expressions (`language.md` §3), templates, types and fields (§2.2).
 */
import type { IToken } from "#chevrotain";
import type { Span } from "../span.js";
import { joinSpans } from "../span.js";
import type * as A from "./ast.js";
import { first, type BuildContext } from "./build-context.js";
import type * as C from "./cst.generated.js";
import { checkNesting, lexFragment, MAX_INVALID_TOKEN_DIAGNOSTICS } from "./lexer.js";
import { ragParser } from "./parser.js";
import { decodeString } from "./strings.js";

/** A quote, then a raw newline, tab or carriage return before the next quote (a decoded escape inside a string of an interpolation). */
const RAW_CONTROL_IN_QUOTES = /["'][^"'\n\r\t]*[\n\r\t]/;

/** A dotted path with white space around it (the lexer's white space, minus the rare kinds). */
const PATH = /^([ \t\r\n]*)([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*){0,32})[ \t\r\n]*$/;
/** Words that are operators or literals rather than names: such paths take the general path. */
const NOT_PATH_WORDS: ReadonlySet<string> = new Set(["not", "and", "or", "in", "for", "true", "false", "null", "START", "END"]);

/** Binary chains longer than this are cut with `E-rag-limit-exceeded` (protects recursive consumers). */
const MAX_CHAIN = 512;

const DURATION_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export class ExprBuilder {
  constructor(protected readonly ctx: BuildContext) {}

  // ─────────────────────────────── literals ───────────────────────────────

  stringLiteral(t: IToken): A.StringLiteral {
    const quote = t.image.startsWith('"""') ? '"""' : (t.image[0] as '"' | "'");
    return { kind: "String", value: decodeString(t.image).value, quote, raw: t.image, span: this.ctx.tokenSpan(t) };
  }

  numberLiteral(t: IToken, negative = false): A.NumberLiteral {
    const suffix = t.image.at(-1);
    const value = suffix === "k" ? Number(t.image.slice(0, -1)) * 1_000 : suffix === "M" ? Number(t.image.slice(0, -1)) * 1_000_000 : Number(t.image);
    const span = this.ctx.tokenSpan(t);
    if (!Number.isFinite(value)) this.reportInfinite(t.image, span);
    return { kind: "Number", value: negative ? -value : value, raw: (negative ? "-" : "") + t.image, span };
  }

  durationLiteral(t: IToken): A.DurationLiteral {
    const m = /^(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(ms|s|m|h)$/.exec(t.image);
    const span = this.ctx.tokenSpan(t);
    if (!m || !/^\d+$/.test(m[1])) {
      this.ctx.report("E-rag-invalid-duration", `invalid duration \`${t.image}\``, span, { label: "a duration is an integer and a unit", help: "write e.g. `250ms`, `30s`, `5m` or `2h`" });
      return { kind: "Duration", ms: 0, raw: t.image, span, recovered: true };
    }
    const ms = Number(m[1]) * DURATION_MS[m[2]];
    if (!Number.isFinite(ms)) this.reportInfinite(t.image, span);
    return { kind: "Duration", ms, raw: t.image, span };
  }

  /**
   * A number literal past the largest double (`1e999`, a 400-digit duration) reads as
   * Infinity, which canonical JSON — and so the blueprint hash — writes as `null`: two
   * files that behave differently would share one hash, and one approval (red team 12A).
   */
  private reportInfinite(image: string, span: A.NumberLiteral["span"]): void {
    const shown = image.length > 40 ? `${image.slice(0, 20)}…${image.slice(-10)}` : image;
    this.ctx.report("E-rag-limit-exceeded", `number \`${shown}\` is too large: the largest is about 1.8e308`, span, { label: "too large", help: "write a smaller number; a number past the largest double would read as Infinity" });
  }

  /** A literal from whichever literal token is present in `c`. */
  literal(c: { StringLit?: IToken[]; TripleString?: IToken[]; NumberLit?: IToken[]; DurationLit?: IToken[]; True?: IToken[]; False?: IToken[]; Null?: IToken[] }): A.Literal | undefined {
    const s = first(c.StringLit) ?? first(c.TripleString);
    if (this.ctx.real(s)) return this.stringLiteral(s);
    const n = first(c.NumberLit);
    if (this.ctx.real(n)) return this.numberLiteral(n);
    const d = first(c.DurationLit);
    if (this.ctx.real(d)) return this.durationLiteral(d);
    const t = first(c.True) ?? first(c.False);
    if (this.ctx.real(t)) return { kind: "Boolean", value: t.image === "true", span: this.ctx.tokenSpan(t) };
    const z = first(c.Null);
    if (this.ctx.real(z)) return { kind: "Null", span: this.ctx.tokenSpan(z) };
    return undefined;
  }

  /** Any literal token (used for reducer arguments). */
  literalToken(t: IToken): A.Literal {
    switch (t.tokenType.name) {
      case "StringLit":
      case "TripleString":
        return this.stringLiteral(t);
      case "NumberLit":
        return this.numberLiteral(t);
      case "DurationLit":
        return this.durationLiteral(t);
      case "Null":
        return { kind: "Null", span: this.ctx.tokenSpan(t) };
      default:
        return { kind: "Boolean", value: t.image === "true", span: this.ctx.tokenSpan(t) };
    }
  }

  // ─────────────────────────────── static values ───────────────────────────────

  value(n: C.ValueCstNode, fallback: Span): A.Value {
    const c = n.children;
    const span = this.ctx.nodeSpan(n) ?? fallback;
    const neg = first(c.negative);
    if (this.ctx.real(neg)) return { ...this.numberLiteral(neg, true), span };
    const lit = this.literal(c);
    if (lit) return lit;
    const list = first(c.valueList);
    const block = first(c.block);
    const word = first(c.word);
    if (this.ctx.real(word)) {
      const arg = list ? this.valueList(list, span) : block ? this.block(block, span) : undefined;
      return arg ? { kind: "Word", name: word.image, arg, span } : { kind: "Word", name: word.image, span };
    }
    if (list) return this.valueList(list, span);
    if (block) return this.block(block, span);
    return { kind: "Word", name: "", span, recovered: true };
  }

  valueList(n: C.ValueListCstNode, fallback: Span): A.ListValue {
    const span = this.ctx.nodeSpan(n) ?? fallback;
    return { kind: "List", items: (n.children.value ?? []).map((v) => this.value(v, span)), span };
  }

  block(n: C.BlockCstNode, fallback: Span): A.Block {
    const span = this.ctx.nodeSpan(n) ?? fallback;
    const entries: A.BlockEntry[] = [];
    for (const e of n.children.blockEntry ?? []) {
      const es = this.ctx.nodeSpan(e) ?? span;
      const key = this.ctx.ident(first(e.children.key), undefined, es);
      const v = first(e.children.value);
      if (!key.name || !v) continue;
      entries.push({ kind: "BlockEntry", key, value: this.value(v, es), span: es });
    }
    return { kind: "Block", entries, span };
  }

  // ─────────────────────────────── expressions ───────────────────────────────

  exprMap(n: C.ExprMapCstNode, fallback: Span): A.ExprMap {
    const span = this.ctx.nodeSpan(n) ?? fallback;
    const entries: A.ExprEntry[] = [];
    for (const e of n.children.exprEntry ?? []) {
      const es = this.ctx.nodeSpan(e) ?? span;
      const key = this.ctx.ident(first(e.children.key), undefined, es);
      const x = first(e.children.expr);
      if (!key.name || !x) continue;
      entries.push({ kind: "ExprEntry", key, value: this.expr(x, es), span: es });
    }
    return { kind: "ExprMap", entries, span };
  }

  expr(n: C.ExprCstNode, fallback: Span): A.Expr {
    return this.chain(n, n.children.operands ?? [], n.children.ops ?? [], (o) => this.andExpr(o, fallback), () => "or", fallback);
  }

  private andExpr(n: C.AndExprCstNode, fallback: Span): A.Expr {
    return this.chain(n, n.children.operands ?? [], n.children.ops ?? [], (o) => this.notExpr(o, fallback), () => "and", fallback);
  }

  private notExpr(n: C.NotExprCstNode, fallback: Span): A.Expr {
    const inner = first(n.children.cmpExpr);
    let e: A.Expr = inner ? this.cmpExpr(inner, fallback) : this.missingExpr(this.ctx.nodeSpan(n) ?? fallback);
    const ops = (n.children.ops ?? []).filter((t) => this.ctx.real(t));
    if (this.tooLong(ops.length, "`not` operators", e.span)) return this.missingExpr(e.span);
    for (let i = ops.length - 1; i >= 0; i--) {
      e = { kind: "Unary", op: "not", operand: e, span: joinSpans(this.ctx.tokenSpan(ops[i]), e.span) };
    }
    return e;
  }

  private cmpExpr(n: C.CmpExprCstNode, fallback: Span): A.Expr {
    return this.chain(n, n.children.operands ?? [], n.children.ops ?? [], (o) => this.addExpr(o, fallback), (t) => t.image as A.BinaryOp, fallback);
  }

  private addExpr(n: C.AddExprCstNode, fallback: Span): A.Expr {
    return this.chain(n, n.children.operands ?? [], n.children.ops ?? [], (o) => this.mulExpr(o, fallback), (t) => t.image as A.BinaryOp, fallback);
  }

  private mulExpr(n: C.MulExprCstNode, fallback: Span): A.Expr {
    return this.chain(n, n.children.operands ?? [], n.children.ops ?? [], (o) => this.unaryExpr(o, fallback), (t) => t.image as A.BinaryOp, fallback);
  }

  /** Left-associative fold of `operands[0] ops[0] operands[1] …`. */
  private chain<T>(n: { location?: unknown }, operands: T[], ops: IToken[], build: (o: T) => A.Expr, op: (t: IToken) => A.BinaryOp, fallback: Span): A.Expr {
    if (operands.length === 0) return this.missingExpr(this.ctx.nodeSpan(n as never) ?? fallback);
    let e = build(operands[0]);
    const count = Math.min(operands.length, ops.length + 1);
    if (count > MAX_CHAIN) {
      this.ctx.report("E-rag-limit-exceeded", `expression has ${count} operands; the limit is ${MAX_CHAIN}`, e.span, { label: "expression starts here" });
      return e;
    }
    for (let i = 1; i < count; i++) {
      const right = build(operands[i]);
      e = { kind: "Binary", op: op(ops[i - 1]), left: e, right, span: joinSpans(e.span, right.span) };
    }
    return e;
  }

  private unaryExpr(n: C.UnaryExprCstNode, fallback: Span): A.Expr {
    const inner = first(n.children.postfixExpr);
    let e: A.Expr = inner ? this.postfixExpr(inner, fallback) : this.missingExpr(this.ctx.nodeSpan(n) ?? fallback);
    const ops = (n.children.ops ?? []).filter((t) => this.ctx.real(t));
    if (this.tooLong(ops.length, "`-` operators", e.span)) return this.missingExpr(e.span);
    for (let i = ops.length - 1; i >= 0; i--) {
      if (i === ops.length - 1 && e.kind === "Number" && ops[i].startOffset + 1 === e.span.start.offset) {
        e = { kind: "Number", value: -e.value, raw: "-" + e.raw, span: joinSpans(this.ctx.tokenSpan(ops[i]), e.span) };
      } else {
        e = { kind: "Unary", op: "-", operand: e, span: joinSpans(this.ctx.tokenSpan(ops[i]), e.span) };
      }
    }
    return e;
  }

  private postfixExpr(n: C.PostfixExprCstNode, fallback: Span): A.Expr {
    const prim = first(n.children.primary);
    let e: A.Expr = prim ? this.primary(prim, fallback) : this.missingExpr(this.ctx.nodeSpan(n) ?? fallback);
    if (this.tooLong(n.children.postfixOp?.length ?? 0, "`.field`, `[index]` and call suffixes", e.span)) return this.missingExpr(e.span);
    for (const op of n.children.postfixOp ?? []) {
      const c = op.children;
      const opSpan = this.ctx.nodeSpan(op) ?? e.span;
      const span = joinSpans(e.span, opSpan);
      if (c.Dot) {
        const property = this.ctx.ident(first(c.property), first(c.Dot), opSpan);
        e = { kind: "Member", object: e, property, span, ...(property.name ? {} : { recovered: true }) };
      } else if (c.LBracket) {
        const idx = first(c.index);
        e = { kind: "Index", object: e, index: idx ? this.expr(idx, opSpan) : this.missingExpr(opSpan), span };
      } else {
        const args = (c.args ?? []).map((a) => this.expr(a, opSpan));
        const comp = first(c.comprehension);
        e = { kind: "Call", callee: e, args: comp ? [this.comprehension(comp, args, true, opSpan)] : args, span };
      }
    }
    return e;
  }

  private primary(n: C.PrimaryCstNode, fallback: Span): A.Expr {
    const c = n.children;
    const span = this.ctx.nodeSpan(n) ?? fallback;
    const lit = this.literal(c);
    if (lit) {
      if (lit.kind === "Duration") return { kind: "Number", value: lit.ms, raw: lit.raw, span: lit.span };
      return lit;
    }
    const name = first(c.name);
    if (this.ctx.real(name)) return { kind: "Name", name: name.image, span };
    const inner = first(c.inner);
    if (inner) return this.expr(inner, span);
    if (c.LBracket) {
      const items = (c.items ?? []).map((i) => this.expr(i, span));
      const comp = first(c.comprehension);
      return comp ? { ...this.comprehension(comp, items, false, span), span } : { kind: "ListExpr", items, span };
    }
    if (c.LCurly) {
      const entries: A.ExprEntry[] = [];
      for (const e of c.objectEntry ?? []) {
        const es = this.ctx.nodeSpan(e) ?? span;
        const key = this.ctx.ident(first(e.children.key), undefined, es);
        const x = first(e.children.expr);
        if (key.name && x) entries.push({ kind: "ExprEntry", key, value: this.expr(x, es), span: es });
      }
      return { kind: "ObjectExpr", entries, span };
    }
    return this.missingExpr(span);
  }

  /**
   * `element for variable in iterable (if filter)?`: exactly one element expression
   * comes before `for` (else `E-rag-invalid-comprehension`).
   */
  private comprehension(n: C.ComprehensionCstNode, elements: A.Expr[], bare: boolean, fallback: Span): A.ComprehensionExpr {
    const c = n.children;
    const span = this.ctx.nodeSpan(n) ?? fallback;
    const forTok = first(c.Kw_for);
    const variable = this.ctx.ident(first(c.variable), forTok, span);
    const it = first(c.iterable);
    const f = first(c.filter);
    if (elements.length !== 1) {
      const at = elements.length ? joinSpans(elements[0].span, span) : span;
      this.ctx.report("E-rag-invalid-comprehension", elements.length === 0 ? "a comprehension needs an element before `for`" : `a comprehension has one element before \`for\`, not ${elements.length}`, at, {
        label: "comprehension here",
        help: "write `[x.label for x in state.items if x.ok]`; build a record for several values: `[{ a: x.a, b: x.b } for x in state.items]`",
      });
    }
    const element = elements[0] ?? this.missingExpr(span);
    return {
      kind: "Comprehension",
      element,
      variable,
      iterable: it ? this.expr(it, span) : this.missingExpr(span),
      ...(f ? { filter: this.expr(f, span) } : {}),
      bare,
      span: joinSpans(element.span, span),
      ...(variable.name ? {} : { recovered: true }),
    };
  }

  /** Reports a chain of more than MAX_CHAIN unary operators or suffixes (they nest in the AST). */
  private tooLong(count: number, what: string, span: Span): boolean {
    if (count <= MAX_CHAIN) return false;
    this.ctx.report("E-rag-limit-exceeded", `expression has ${count} ${what} in a row; the limit is ${MAX_CHAIN}`, span, { label: "expression here" });
    return true;
  }

  /** Placeholder for an expression that recovery left out; already reported by the parser. */
  missingExpr(span: Span): A.Expr {
    return { kind: "Null", span, recovered: true };
  }

  // ─────────────────────────────── templates ───────────────────────────────

  /**
   * Splits a string in a template position into text and `{{ expr }}` parts
   * (`language.md` §1). `\{{` is a literal brace pair.
   */
  template(t: IToken): A.Template {
    const literal = this.stringLiteral(t);
    if (!literal.value.includes("{{")) {
      return { kind: "Template", literal, parts: literal.value ? [{ kind: "Text", text: literal.value, span: literal.span }] : [], span: literal.span };
    }
    const { value, map } = decodeString(t.image, true);
    const m = map as number[];
    const base = t.startOffset;
    const at = (i: number) => base + m[Math.min(i, m.length - 1)];
    const parts: A.TemplatePart[] = [];
    let text = "";
    let textStart = 0;
    let i = 0;
    const flushText = (end: number) => {
      if (text) parts.push({ kind: "Text", text, span: this.ctx.lines.span(at(textStart), at(end)) });
      text = "";
    };
    while (i < value.length) {
      if (value[i] === "{" && value[i + 1] === "{") {
        if (t.image[m[i]] === "\\") {
          text += "{{";
          i += 2;
          continue;
        }
        const close = value.indexOf("}}", i + 2);
        if (close < 0) {
          this.ctx.report("E-rag-invalid-template", "`{{` is never closed by `}}`", this.ctx.lines.span(at(i), at(i + 2)), {
            label: "interpolation opened here",
            help: "close it with `}}`, or write `\\{{` for literal braces",
          });
          text += value.slice(i);
          i = value.length;
          break;
        }
        flushText(i);
        const span = this.ctx.lines.span(at(i), at(close + 2));
        const expr = this.interpolation(value.slice(i + 2, close), (k) => at(i + 2 + k), span);
        if (expr) parts.push({ kind: "Interpolation", expr, span });
        i = close + 2;
        textStart = i;
        continue;
      }
      if (!text) textStart = i;
      text += value[i];
      i++;
    }
    flushText(value.length);
    return { kind: "Template", literal, parts, span: literal.span };
  }

  /** Parses the text of one interpolation; `abs(k)` maps its offsets to source offsets. */
  private interpolation(text: string, abs: (k: number) => number, span: Span): A.Expr | undefined {
    if (text.trim() === "") {
      this.ctx.report("E-rag-invalid-template", "empty interpolation `{{ }}`", span, { label: "no expression", help: "write an expression such as `{{ state.topic }}`" });
      return undefined;
    }
    const path = this.pathInterpolation(text, abs);
    if (path) return path;
    const { tokens, errors } = lexFragment(text);
    // A `"…"` string's escapes are decoded before `{{ }}` is read: `'\n'` inside it became a raw newline.
    // Tested only when the interpolation has an error (most have none; this runs for each one).
    const decoded = () => (RAW_CONTROL_IN_QUOTES.test(text) ? { help: "the string's escapes were decoded before `{{ }}` was read, so `\\n` in it became a raw newline: write `'\\\\n'` there, or use a `\"\"\"…\"\"\"` string, where `{{ join(xs, \"\\n\") }}` works as written" } : {});
    for (const e of errors) {
      // Bounded per file like the lexer's (`{{@}}` 200,000 times made 200,000 diagnostics); past it, one says so.
      const n = this.ctx.interpolationTokenErrors++;
      if (n > MAX_INVALID_TOKEN_DIAGNOSTICS) break;
      const more = n === MAX_INVALID_TOKEN_DIAGNOSTICS ? "; later invalid tokens in interpolations are not reported one by one" : "";
      this.ctx.report("E-rag-invalid-token", `invalid token \`${text.slice(e.offset, e.offset + e.length)}\` in interpolation${more}`, this.ctx.lines.span(abs(e.offset), abs(e.offset + e.length)), decoded());
    }
    if (errors.length) return undefined;
    const deep = checkNesting(tokens, this.ctx.nestingDepth);
    if (deep !== undefined) {
      this.ctx.report("E-rag-limit-exceeded", `interpolation nests deeper than ${this.ctx.nestingDepth} levels`, this.ctx.lines.span(abs(deep), abs(deep + 1)), { label: "too deep here" });
      return undefined;
    }
    for (const tok of tokens) {
      const start = abs(tok.startOffset);
      const end = abs(tok.startOffset + tok.image.length);
      tok.startOffset = start;
      tok.endOffset = end - 1;
      // Keep `image` as written in the decoded text; spans come from offsets.
      (tok as IToken & { sourceLength?: number }).sourceLength = end - start;
    }
    const parser = ragParser();
    parser.input = tokens;
    const cst = parser.templateExpr() as C.TemplateExprCstNode;
    for (const err of parser.errors) {
      const tok = err.token;
      const s = this.ctx.real(tok) ? this.ctx.tokenSpan(tok) : { start: span.end, end: span.end };
      this.ctx.report("E-rag-unexpected-token", err.message, s, { label: "in this interpolation", ...decoded() });
    }
    const e = first(cst.children.expr);
    return e ? this.expr(e, span) : undefined;
  }

  /**
   * Fast path for the commonest interpolation, a dotted path (`{{ state.topic }}`,
   * `{{ args.item }}`): builds exactly the AST the parser would (a Name and Member
   * chain, same spans) without lexing and parsing the fragment, which dominated the
   * parse time of template-heavy files. Anything else takes the general path.
   */
  private pathInterpolation(text: string, abs: (k: number) => number): A.Expr | undefined {
    const m = PATH.exec(text);
    if (!m) return undefined;
    const words = m[2].split(".");
    if (words.some((w) => NOT_PATH_WORDS.has(w))) return undefined;
    let at = m[1].length;
    const lines = this.ctx.lines;
    let e: A.Expr = { kind: "Name", name: words[0], span: lines.span(abs(at), abs(at + words[0].length)) };
    at += words[0].length;
    for (let i = 1; i < words.length; i++) {
      const w = words[i];
      const property: A.Identifier = { kind: "Identifier", name: w, span: lines.span(abs(at + 1), abs(at + 1 + w.length)) };
      e = { kind: "Member", object: e, property, span: { start: e.span.start, end: property.span.end } };
      at += 1 + w.length;
    }
    return e;
  }

  // ─────────────────────────────── types and fields ───────────────────────────────

  fields(n: C.FieldBlockCstNode | undefined, fallback: Span): A.Field[] {
    if (!n) return [];
    const span = this.ctx.nodeSpan(n) ?? fallback;
    const out: A.Field[] = [];
    for (const f of n.children.field ?? []) {
      const fs = this.ctx.nodeSpan(f) ?? span;
      const name = this.ctx.ident(first(f.children.name), undefined, fs);
      const te = first(f.children.typeExpr);
      if (!name.name || !te) continue;
      const r = first(f.children.reducerSpec);
      const d = first(f.children.value);
      out.push({
        kind: "Field",
        name,
        type: this.typeExpr(te, fs),
        ...(r ? { reducer: this.reducerSpec(r, fs) } : {}),
        ...(d ? { default: this.value(d, fs) } : {}),
        span: fs,
      });
    }
    return out;
  }

  reducerSpec(n: C.ReducerSpecCstNode, fallback: Span): A.ReducerSpec {
    const span = this.ctx.nodeSpan(n) ?? fallback;
    const name = this.ctx.ident(first(n.children.name), undefined, span);
    const args: (A.Literal | A.ListValue)[] = [];
    for (const a of n.children.args ?? []) {
      if ("image" in a) {
        if (this.ctx.real(a)) args.push(this.literalToken(a));
      } else args.push(this.valueList(a, span));
    }
    args.sort((a, b) => a.span.start.offset - b.span.start.offset);
    return { kind: "Reducer", name, args, span, ...(name.name ? {} : { recovered: true }) };
  }

  typeExpr(n: C.TypeExprCstNode, fallback: Span): A.TypeExpr {
    const span = this.ctx.nodeSpan(n) ?? fallback;
    const atom = first(n.children.typeAtom);
    let t: A.TypeExpr = atom ? this.typeAtom(atom, span) : { kind: "NamedType", name: { kind: "Identifier", name: "", span, recovered: true }, args: [], span, recovered: true };
    // Suffixes in source order: `T?[]` is a list of optional T, `T[]?` an optional list.
    const suffixes: { offset: number; end: IToken; array: boolean }[] = [];
    for (const a of n.children.arraySuffix ?? []) {
      const rb = first(a.children.RBracket);
      if (this.ctx.real(rb)) suffixes.push({ offset: rb.startOffset, end: rb, array: true });
    }
    for (const q of n.children.suffixes ?? []) if (this.ctx.real(q)) suffixes.push({ offset: q.startOffset, end: q, array: false });
    suffixes.sort((a, b) => a.offset - b.offset);
    if (suffixes.length > this.ctx.nestingDepth) {
      this.ctx.report("E-rag-limit-exceeded", `type has ${suffixes.length} \`[]\`/\`?\` suffixes; the limit is ${this.ctx.nestingDepth}`, span, { label: "type here" });
      return t;
    }
    for (const s of suffixes) {
      const span = joinSpans(t.span, this.ctx.tokenSpan(s.end));
      t = s.array ? { kind: "ArrayType", element: t, span } : { kind: "OptionalType", inner: t, span };
    }
    return t;
  }

  private typeAtom(n: C.TypeAtomCstNode, fallback: Span): A.TypeExpr {
    const c = n.children;
    const span = this.ctx.nodeSpan(n) ?? fallback;
    const fb = first(c.fieldBlock);
    if (fb) return { kind: "RecordType", fields: this.fields(fb, span), span };
    if (c.StringLit) return { kind: "EnumType", values: c.StringLit.filter((t) => this.ctx.real(t)).map((t) => this.stringLiteral(t)), span };
    const name = this.ctx.ident(first(c.name), undefined, span);
    const k = first(c.typeConstraint);
    const constraint = k ? this.typeConstraint(k, span) : undefined;
    return { kind: "NamedType", name, args: (c.typeExpr ?? []).map((a) => this.typeExpr(a, span)), ...(constraint ? { constraint } : {}), span, ...(name.name ? {} : { recovered: true }) };
  }

  private typeConstraint(n: C.TypeConstraintCstNode, fallback: Span): A.TypeConstraint | undefined {
    const c = n.children;
    const span = this.ctx.nodeSpan(n) ?? fallback;
    const p = first(c.pattern);
    if (this.ctx.real(p)) return { kind: "Pattern", source: p.image.slice(1, -1), span: this.ctx.tokenSpan(p) };
    if (!c.Dot) return undefined;
    const bound = (b: C.RangeBoundCstNode | undefined): A.NumberLiteral | undefined => {
      const t = first(b?.children.NumberLit);
      if (!b || !this.ctx.real(t)) return undefined;
      const neg = first(b.children.Minus);
      const lit = this.numberLiteral(t, this.ctx.real(neg));
      return this.ctx.real(neg) ? { ...lit, span: joinSpans(this.ctx.tokenSpan(neg), lit.span) } : lit;
    };
    const min = bound(first(c.low));
    const max = bound(first(c.high));
    return { kind: "Range", ...(min ? { min } : {}), ...(max ? { max } : {}), span };
  }
}
