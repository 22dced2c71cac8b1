/**
 * CST → AST for `.ragsh`. Every node gets the span of its CST node (or of its token).
 * Operator precedence of the flat `binary` rule is applied here with a precedence-
 * climbing loop; template interpolations are parsed in place (their spans point into
 * the cell). Recovery leaves placeholders (`Null` literals, empty names) where the
 * parser inserted or skipped tokens; the parse diagnostics already say why.
 */
import type { CstNode, IToken } from "#chevrotain";
import { diagnostic, type Diagnostic } from "../diagnostic.js";
import type { LineIndex, Span } from "../span.js";
import type * as A from "./ast.js";
import type * as C from "./cst.generated.js";
import { decodeEscapes } from "./lexer.js";

/** Binding power of binary operators (higher binds tighter). */
const PRECEDENCE: Readonly<Record<string, number>> = {
  "??": 1, "||": 2, "&&": 3,
  "==": 4, "!=": 4, "===": 4, "!==": 4,
  "<": 5, "<=": 5, ">": 5, ">=": 5, in: 5,
  "+": 6, "-": 6, "*": 7, "/": 7, "%": 7,
};

/** Parses a template interpolation's text in place (provided by parse.ts, which owns the parser). */
export type FragmentParser = (text: string, base: number) => A.Expression;

export class RagshBuilder {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    private readonly lines: LineIndex,
    private readonly file: string | undefined,
    private readonly fragment: FragmentParser,
  ) {}

  // ─────────────────────────────── spans ───────────────────────────────

  private span(n: CstNode | IToken | undefined, fallback?: Span): Span {
    if (n && "image" in n) return this.lines.span(n.startOffset, n.startOffset + n.image.length);
    const loc = n?.location;
    if (loc && Number.isFinite(loc.startOffset) && Number.isFinite(loc.endOffset ?? NaN)) return this.lines.span(loc.startOffset, (loc.endOffset as number) + 1);
    return fallback ?? this.lines.span(0, 0);
  }

  private report(code: string, message: string, span: Span, label: string, help?: string): void {
    this.diagnostics.push(diagnostic(code, message, span, { label, ...(help ? { help } : {}), ...(this.file !== undefined ? { file: this.file } : {}) }));
  }

  private real(t: IToken | undefined): t is IToken {
    return t !== undefined && !t.isInsertedInRecovery && Number.isFinite(t.startOffset);
  }

  // ─────────────────────────────── statements ───────────────────────────────

  program(n: C.ProgramCstNode, source: string): A.Program {
    return { kind: "Program", body: (n.children.statement ?? []).map((s) => this.statement(s)), span: this.lines.span(0, source.length) };
  }

  statement(n: C.StatementCstNode): A.Statement {
    const c = n.children;
    const span = this.span(n);
    const vd = c.varDecl?.[0]?.children.varDeclNoSemi?.[0];
    if (vd) return this.varDecl(vd, span);
    if (c.functionDecl) {
      const f = c.functionDecl[0].children;
      return { kind: "FunctionDecl", name: this.ident(f.name?.[0], span), params: this.params(f.params?.[0]), body: this.block(f.body?.[0], span), span };
    }
    if (c.ifStmt) {
      const f = c.ifStmt[0].children;
      const alt = f.alternate?.[0];
      return { kind: "IfStmt", test: this.expression(f.test?.[0], span), consequent: this.stmtOr(f.consequent?.[0], span), ...(alt ? { alternate: this.statement(alt) } : {}), span };
    }
    if (c.whileStmt) {
      const f = c.whileStmt[0].children;
      return { kind: "WhileStmt", test: this.expression(f.test?.[0], span), body: this.stmtOr(f.body?.[0], span), span };
    }
    if (c.forStmt) return this.forStmt(c.forStmt[0], span);
    if (c.returnStmt) {
      const e = c.returnStmt[0].children.expression?.[0];
      return e ? { kind: "ReturnStmt", argument: this.expression(e, span), span } : { kind: "ReturnStmt", span };
    }
    if (c.breakStmt) return { kind: "BreakStmt", span };
    if (c.continueStmt) return { kind: "ContinueStmt", span };
    if (c.block) return this.block(c.block[0], span);
    if (c.exprStmt) return { kind: "ExprStmt", expression: this.expression(c.exprStmt[0].children.expression?.[0], span), span };
    return { kind: "EmptyStmt", span };
  }

  private stmtOr(n: C.StatementCstNode | undefined, span: Span): A.Statement {
    return n ? this.statement(n) : { kind: "EmptyStmt", span };
  }

  private varDecl(n: C.VarDeclNoSemiCstNode, span: Span): A.VarDecl {
    const declKind = n.children.declKind?.[0]?.image === "const" ? "const" : "let";
    const declarations = (n.children.declarator ?? []).map((d): A.Declarator => {
      const ds = this.span(d, span);
      const init = d.children.init?.[0];
      return { kind: "Declarator", target: this.pattern(d.children.pattern?.[0], ds), ...(init ? { init: this.assignment(init, ds) } : {}), span: ds };
    });
    return { kind: "VarDecl", declKind, declarations, span };
  }

  private forStmt(n: C.ForStmtCstNode, span: Span): A.Statement {
    const c = n.children;
    const body = this.stmtOr(c.body?.[0], span);
    if (c.rhaiTarget) return { kind: "ForOfStmt", mode: "rhai", declKind: undefined, target: this.pattern(c.rhaiTarget[0], span), iterable: this.expression(c.rhaiIterable?.[0], span), body, span };
    if (c.mode) {
      const dk = c.declKind?.[0]?.image;
      return { kind: "ForOfStmt", mode: c.mode[0].image === "of" ? "of" : "in", declKind: dk === "const" ? "const" : dk === "let" ? "let" : undefined, target: this.pattern(c.pattern?.[0], span), iterable: this.expression(c.iterable?.[0], span), body, span };
    }
    const init = c.init ? this.varDecl(c.init[0], this.span(c.init[0], span)) : c.initExpr ? { kind: "ExprStmt" as const, expression: this.expression(c.initExpr[0], span), span: this.span(c.initExpr[0], span) } : undefined;
    return {
      kind: "ForStmt",
      ...(init ? { init } : {}),
      ...(c.test ? { test: this.expression(c.test[0], span) } : {}),
      ...(c.update ? { update: this.expression(c.update[0], span) } : {}),
      body,
      span,
    };
  }

  block(n: C.BlockCstNode | undefined, fallback?: Span): A.BlockStmt {
    return { kind: "BlockStmt", body: (n?.children.statement ?? []).map((s) => this.statement(s)), span: this.span(n, fallback) };
  }

  private params(n: C.ParamsCstNode | undefined): A.Pattern[] {
    return (n?.children.pattern ?? []).map((p) => this.pattern(p, this.span(p)));
  }

  pattern(n: C.PatternCstNode | undefined, fallback: Span): A.Pattern {
    if (!n) return { kind: "Identifier", name: "", span: fallback };
    const c = n.children;
    const span = this.span(n, fallback);
    if (c.Name) return this.ident(c.Name[0], span);
    if (c.LCurly) {
      const properties = (c.patternProp ?? []).map((p) => {
        const k = p.children.key?.[0];
        const key = k ? (k.tokenType.name === "StringLit" ? decodeEscapes(k.image.slice(1, -1)) : k.image) : "";
        const keySpan = this.span(k, span);
        const v = p.children.value?.[0];
        return { key, keySpan, value: v ? this.ident(v, span) : ({ kind: "Identifier", name: key, span: keySpan } as A.Identifier) };
      });
      return { kind: "ObjectPattern", properties, span };
    }
    const names = c.element ?? [];
    // Holes: commas not followed by a name. Rebuild positions from token offsets.
    const commas = c.Comma ?? [];
    const elements: (A.Identifier | null)[] = [];
    let ni = 0;
    for (let slot = 0; slot <= commas.length; slot++) {
      const limit = slot < commas.length ? commas[slot].startOffset : Infinity;
      if (ni < names.length && names[ni].startOffset < limit) elements.push(this.ident(names[ni++], span));
      else if (slot < commas.length) elements.push(null);
    }
    return { kind: "ArrayPattern", elements, span };
  }

  private ident(t: IToken | undefined, fallback: Span): A.Identifier {
    return this.real(t) ? { kind: "Identifier", name: t.image, span: this.span(t) } : { kind: "Identifier", name: "", span: fallback };
  }

  // ─────────────────────────────── expressions ───────────────────────────────

  expression(n: C.ExpressionCstNode | undefined, fallback: Span): A.Expression {
    return this.assignment(n?.children.assignment?.[0], fallback);
  }

  assignment(n: C.AssignmentCstNode | undefined, fallback: Span): A.Expression {
    if (!n) return { kind: "Null", span: fallback };
    const c = n.children;
    const span = this.span(n, fallback);
    if (c.arrowFunction) {
      const f = c.arrowFunction[0].children;
      const params = f.param ? [this.ident(f.param[0], span)] : this.params(f.params?.[0]);
      return { kind: "Function", params, body: this.functionBody(f.functionBody?.[0], span), span };
    }
    const target = this.conditional(c.target?.[0], span);
    const op = c.op?.[0];
    if (!op) return target;
    const value = this.assignment(c.value?.[0], span);
    if (target.kind !== "Identifier" && target.kind !== "Member" && target.kind !== "Index") {
      this.report("E-ragsh-invalid-assignment", "the left side of an assignment must be a variable, `obj.key` or `obj[index]`", target.span, "cannot assign to this");
      return value;
    }
    return { kind: "Assign", operator: op.image as A.AssignOperator, target, value, span };
  }

  private functionBody(n: C.FunctionBodyCstNode | undefined, span: Span): A.BlockStmt | A.Expression {
    if (n?.children.block) return this.block(n.children.block[0], span);
    return this.assignment(n?.children.expr?.[0], span);
  }

  private conditional(n: C.ConditionalCstNode | undefined, fallback: Span): A.Expression {
    if (!n) return { kind: "Null", span: fallback };
    const c = n.children;
    const span = this.span(n, fallback);
    const test = this.binary(c.test?.[0], span);
    if (!c.Question) return test;
    return { kind: "Conditional", test, consequent: this.assignment(c.consequent?.[0], span), alternate: this.assignment(c.alternate?.[0], span), span };
  }

  /** Precedence climbing over the flat operand/operator lists (left-associative). */
  private binary(n: C.BinaryCstNode | undefined, fallback: Span): A.Expression {
    if (!n) return { kind: "Null", span: fallback };
    const operands = (n.children.operands ?? []).map((u) => this.unary(u, fallback));
    const ops = (n.children.ops ?? []).map((t) => t.image);
    let pos = 0;
    const climb = (left0: A.Expression, minPrec: number): A.Expression => {
      let left = left0;
      while (pos < ops.length && PRECEDENCE[ops[pos]] >= minPrec) {
        const op = ops[pos];
        const prec = PRECEDENCE[op];
        pos++;
        let right = operands[pos];
        while (pos < ops.length && PRECEDENCE[ops[pos]] > prec) right = climb(right, PRECEDENCE[ops[pos]]);
        left = this.binaryNode(op, left, right);
      }
      return left;
    };
    return operands.length ? climb(operands[0], 0) : { kind: "Null", span: fallback };
  }

  private binaryNode(op: string, left: A.Expression, right: A.Expression | undefined): A.Expression {
    const r = right ?? { kind: "Null" as const, span: left.span };
    const span = { start: left.span.start, end: r.span.end.offset >= left.span.end.offset ? r.span.end : left.span.end };
    if (op === "&&" || op === "||" || op === "??") return { kind: "Logical", operator: op, left, right: r, span };
    return { kind: "Binary", operator: op as A.BinaryOperator, left, right: r, span };
  }

  private unary(n: C.UnaryCstNode, fallback: Span): A.Expression {
    const span = this.span(n, fallback);
    let e = this.postfix(n.children.postfix?.[0], span);
    const ops = n.children.ops ?? [];
    for (let i = ops.length - 1; i >= 0; i--) {
      const op = ops[i].image;
      const s = { start: this.span(ops[i]).start, end: span.end };
      if (op === "++" || op === "--") {
        if (e.kind === "Identifier" || e.kind === "Member" || e.kind === "Index") e = { kind: "Update", operator: op, prefix: true, target: e, span: s };
        else this.report("E-ragsh-invalid-assignment", `\`${op}\` needs a variable, \`obj.key\` or \`obj[index]\``, e.span, "cannot update this");
      } else e = { kind: "Unary", operator: op as A.UnaryExpr["operator"], argument: e, span: s };
    }
    return e;
  }

  private postfix(n: C.PostfixCstNode | undefined, fallback: Span): A.Expression {
    if (!n) return { kind: "Null", span: fallback };
    const c = n.children;
    let e = this.primary(c.primary?.[0], this.span(n, fallback));
    for (const s of c.suffix ?? []) {
      const sc = s.children;
      const span = { start: e.span.start, end: this.span(s, e.span).end };
      const optional = Boolean(sc.optional);
      const prop = sc.property?.[0];
      if (prop) e = { kind: "Member", object: e, property: this.real(prop) ? prop.image : "", propertySpan: this.span(prop, span), optional, span };
      else if (sc.index) e = { kind: "Index", object: e, index: this.expression(sc.index[0], span), optional, span };
      else e = { kind: "Call", callee: e, arguments: this.elements(sc.args?.[0]?.children.element, span), optional, span };
    }
    if ((e.kind === "Member" || e.kind === "Index" || e.kind === "Call") && (c.suffix ?? []).some((x) => x.children.optional)) e = { ...e, chainEnd: true };
    const upd = c.update?.[0];
    if (upd) {
      if (e.kind === "Identifier" || e.kind === "Member" || e.kind === "Index") e = { kind: "Update", operator: upd.image as "++" | "--", prefix: false, target: e, span: this.span(n, fallback) };
      else this.report("E-ragsh-invalid-assignment", `\`${upd.image}\` needs a variable, \`obj.key\` or \`obj[index]\``, e.span, "cannot update this");
    }
    return e;
  }

  private elements(els: C.ElementCstNode[] | undefined, fallback: Span): (A.Expression | A.Spread)[] {
    return (els ?? []).map((el) => {
      const value = this.assignment(el.children.assignment?.[0], fallback);
      return el.children.Ellipsis ? { kind: "Spread", argument: value, span: this.span(el, fallback) } : value;
    });
  }

  private primary(n: C.PrimaryCstNode | undefined, fallback: Span): A.Expression {
    if (!n) return { kind: "Null", span: fallback };
    const c = n.children;
    const span = this.span(n, fallback);
    const num = c.NumberLit?.[0];
    if (this.real(num)) return { kind: "Number", value: Number(num.image), span };
    const str = c.StringLit?.[0];
    if (this.real(str)) return { kind: "String", value: decodeEscapes(stripQuotes(str.image)), span };
    const tpl = c.TemplateLit?.[0];
    if (this.real(tpl)) return this.template(tpl, span);
    if (c.Kw_true || c.Kw_false) return { kind: "Boolean", value: Boolean(c.Kw_true), span };
    if (c.Kw_null) return { kind: "Null", span };
    if (c.Name) return this.ident(c.Name[0], span);
    if (c.inner) return this.expression(c.inner[0], span);
    if (c.arrayLit) return { kind: "Array", elements: this.elements(c.arrayLit[0].children.element, span), span };
    if (c.objectLit) return this.object(c.objectLit[0], span);
    if (c.functionExpr) {
      const f = c.functionExpr[0].children;
      const name = f.name?.[0]?.image;
      return { kind: "Function", ...(name ? { name } : {}), params: this.params(f.params?.[0]), body: this.block(f.body?.[0], span), span };
    }
    if (c.closure) {
      const f = c.closure[0].children;
      return { kind: "Function", params: (f.pattern ?? []).map((p) => this.pattern(p, span)), body: this.functionBody(f.functionBody?.[0], span), span };
    }
    return { kind: "Null", span };
  }

  private object(n: C.ObjectLitCstNode, span: Span): A.ObjectExpr {
    const properties = (n.children.prop ?? []).map((p): A.Property | A.Spread => {
      const c = p.children;
      const ps = this.span(p, span);
      if (c.spread) return { kind: "Spread", argument: this.assignment(c.spread[0], ps), span: ps };
      if (c.computed?.[0]) return { kind: "Property", computed: this.expression(c.computed[0], ps), keySpan: this.span(c.computed[0], ps), value: this.assignment(c.value?.[0], ps), span: ps };
      const k = c.key?.[0];
      const key = !k ? "" : k.tokenType.name === "StringLit" ? decodeEscapes(stripQuotes(k.image)) : k.tokenType.name === "NumberLit" ? String(Number(k.image)) : k.image;
      const keySpan = this.span(k, ps);
      if (c.value) return { kind: "Property", key, keySpan, value: this.assignment(c.value[0], ps), span: ps };
      if (k?.tokenType.name !== "Name") this.report("E-ragsh-unexpected-token", `shorthand property \`${key}\` needs a value`, keySpan, "write `key: value`");
      return { kind: "Property", key, keySpan, value: { kind: "Identifier", name: key, span: keySpan }, span: ps };
    });
    return { kind: "Object", properties, span };
  }

  /** `` `a${x}b` `` → quasis and interpolations parsed in place. */
  private template(t: IToken, span: Span): A.TemplateLiteral {
    const img = t.image;
    const quasis: string[] = [];
    const expressions: A.Expression[] = [];
    let text = "";
    let i = 1;
    const end = img.endsWith("`") && img.length > 1 ? img.length - 1 : img.length;
    while (i < end) {
      const ch = img[i];
      if (ch === "\\") {
        text += img.slice(i, i + 2);
        i += 2;
      } else if (ch === "$" && img[i + 1] === "{") {
        const close = interpolationEnd(img, i + 2);
        quasis.push(decodeEscapes(text));
        text = "";
        expressions.push(this.fragment(img.slice(i + 2, close), t.startOffset + i + 2));
        i = close + 1;
      } else {
        text += ch;
        i++;
      }
    }
    quasis.push(decodeEscapes(text));
    return { kind: "Template", quasis, expressions, span };
  }
}

function stripQuotes(image: string): string {
  const q = image[0];
  return image.length > 1 && image.endsWith(q) && !image.endsWith("\\" + q) ? image.slice(1, -1) : image.slice(1);
}

/** Offset of the `}` closing the interpolation whose text starts at `i`. */
function interpolationEnd(img: string, i: number): number {
  let depth = 0;
  while (i < img.length) {
    const c = img[i];
    if (c === "`") {
      i++;
      while (i < img.length && img[i] !== "`") {
        if (img[i] === "\\") i++;
        else if (img[i] === "$" && img[i + 1] === "{") i = interpolationEnd(img, i + 2);
        i++;
      }
      i++;
    } else if (c === '"' || c === "'") {
      i++;
      while (i < img.length && img[i] !== c) i += img[i] === "\\" ? 2 : 1;
      i++;
    } else if (c === "{") (depth++, i++);
    else if (c === "}") {
      if (depth === 0) return i;
      depth--;
      i++;
    } else i++;
  }
  return img.length;
}
