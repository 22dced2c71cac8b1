/**
 * The expression rules of the `.rag` parser (`language.md` §3): expression maps,
 * precedence levels from `or` down to postfix operators, primaries and the `{{ expr }}`
 * entry point of templates. Extends parser-base.ts; extended by parser-graph.ts. Each
 * rule's doc comment gives its production.
 */
import { tokenMatcher } from "#chevrotain";
import { RagParserBase } from "./parser-base.js";
import {
  AndAnd,
  Bang,
  Colon,
  Comma,
  Dot,
  DurationLit,
  EqEq,
  False,
  Gt,
  GtEq,
  Ident,
  KW,
  LBracket,
  LCurly,
  LParen,
  Lt,
  LtEq,
  Minus,
  NotEq,
  Null,
  NumberLit,
  OrOr,
  Percent,
  Plus,
  RBracket,
  RCurly,
  RParen,
  Semicolon,
  Slash,
  Star,
  StringLit,
  TripleString,
  True,
} from "./tokens.js";


/** Whether `t` is of `type` (keyword-aware: Chevrotain token categories). */
const isToken = tokenMatcher;

export abstract class RagExprParser extends RagParserBase {
  // ─────────────────────────────── expressions (§3) ───────────────────────────────

  /** expr_map = "{" (IDENT ":"? expr (","|";")?)* "}" */
  public exprMap = this.RULE("exprMap", () => {
    this.CONSUME(LCurly);
    this.MANY(() => this.SUBRULE(this.exprEntry));
    this.CONSUME(RCurly);
  });

  public exprEntry = this.RULE("exprEntry", () => {
    this.CONSUME(Ident, { LABEL: "key" });
    this.OPTION(() => this.CONSUME(Colon));
    this.SUBRULE(this.expr);
    this.OPTION2(() => this.OR(this.alts.exprEntry ??= [{ ALT: () => this.CONSUME(Comma) }, { ALT: () => this.CONSUME(Semicolon) }]));
  });

  /** expr = and (("or" | "||") and)* */
  public expr = this.RULE("expr", () => {
    this.SUBRULE(this.andExpr, { LABEL: "operands" });
    this.MANY(() => {
      this.OR(this.alts.expr ??= [{ ALT: () => this.CONSUME(KW.or, { LABEL: "ops" }) }, { ALT: () => this.CONSUME(OrOr, { LABEL: "ops" }) }]);
      this.SUBRULE2(this.andExpr, { LABEL: "operands" });
    });
  });

  /** and = not (("and" | "&&") not)* */
  public andExpr = this.RULE("andExpr", () => {
    this.SUBRULE(this.notExpr, { LABEL: "operands" });
    this.MANY(() => {
      this.OR(this.alts.andExpr ??= [{ ALT: () => this.CONSUME(KW.and, { LABEL: "ops" }) }, { ALT: () => this.CONSUME(AndAnd, { LABEL: "ops" }) }]);
      this.SUBRULE2(this.notExpr, { LABEL: "operands" });
    });
  });

  /** not = ("not" | "!")* cmp  (iterative, so long chains cannot overflow the stack) */
  public notExpr = this.RULE("notExpr", () => {
    this.MANY(() => this.OR(this.alts.notExpr ??= [{ ALT: () => this.CONSUME(KW.not, { LABEL: "ops" }) }, { ALT: () => this.CONSUME(Bang, { LABEL: "ops" }) }]));
    this.SUBRULE(this.cmpExpr);
  });

  /** cmp = add (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in") add)? */
  public cmpExpr = this.RULE("cmpExpr", () => {
    this.SUBRULE(this.addExpr, { LABEL: "operands" });
    this.OPTION(() => {
      this.OR(this.alts.cmpExpr ??= [
        { ALT: () => this.CONSUME(EqEq, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(NotEq, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(LtEq, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(GtEq, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(Lt, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(Gt, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(KW.in, { LABEL: "ops" }) },
      ]);
      this.SUBRULE2(this.addExpr, { LABEL: "operands" });
    });
  });

  /** add = mul (("+" | "-") mul)* */
  public addExpr = this.RULE("addExpr", () => {
    this.SUBRULE(this.mulExpr, { LABEL: "operands" });
    this.MANY(() => {
      this.OR(this.alts.addExpr ??= [{ ALT: () => this.CONSUME(Plus, { LABEL: "ops" }) }, { ALT: () => this.CONSUME(Minus, { LABEL: "ops" }) }]);
      this.SUBRULE2(this.mulExpr, { LABEL: "operands" });
    });
  });

  /** mul = unary (("*" | "/" | "%") unary)* */
  public mulExpr = this.RULE("mulExpr", () => {
    this.SUBRULE(this.unaryExpr, { LABEL: "operands" });
    this.MANY(() => {
      this.OR(this.alts.mulExpr ??= [
        { ALT: () => this.CONSUME(Star, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(Slash, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(Percent, { LABEL: "ops" }) },
      ]);
      this.SUBRULE2(this.unaryExpr, { LABEL: "operands" });
    });
  });

  /** unary = "-"* postfix */
  public unaryExpr = this.RULE("unaryExpr", () => {
    this.MANY(() => this.CONSUME(Minus, { LABEL: "ops" }));
    this.SUBRULE(this.postfixExpr);
  });

  /** postfix = primary ("." IDENT | "[" expr "]" | "(" args comprehension? ")")* */
  public postfixExpr = this.RULE("postfixExpr", () => {
    this.SUBRULE(this.primary);
    this.MANY(() => this.SUBRULE(this.postfixOp));
  });

  public postfixOp = this.RULE("postfixOp", () => {
    this.OR(this.alts.postfixOp ??= [
      { ALT: () => { this.CONSUME(Dot); this.CONSUME(Ident, { LABEL: "property" }); } },
      { ALT: () => { this.CONSUME(LBracket); this.SUBRULE(this.expr, { LABEL: "index" }); this.CONSUME(RBracket); } },
      {
        ALT: () => {
          this.CONSUME(LParen);
          this.MANY_SEP({ SEP: Comma, DEF: () => this.SUBRULE2(this.expr, { LABEL: "args" }) });
          this.OPTION(() => this.SUBRULE(this.comprehension));
          this.CONSUME(RParen);
        },
      },
    ]);
  });

  /** primary = literal | IDENT | "(" expr ")" | "[" expr,* comprehension? "]" | "{" (IDENT ":" expr),* "}" */
  public primary = this.RULE("primary", () => {
    this.OR(this.alts.primary ??= [
      { ALT: () => this.CONSUME(StringLit) },
      { ALT: () => this.CONSUME(TripleString) },
      { ALT: () => this.CONSUME(NumberLit) },
      { ALT: () => this.CONSUME(DurationLit) },
      { ALT: () => this.CONSUME(True) },
      { ALT: () => this.CONSUME(False) },
      { ALT: () => this.CONSUME(Null) },
      { ALT: () => this.CONSUME(Ident, { LABEL: "name" }) },
      { ALT: () => { this.CONSUME(LParen); this.SUBRULE(this.expr, { LABEL: "inner" }); this.CONSUME(RParen); } },
      {
        ALT: () => {
          this.CONSUME(LBracket);
          this.MANY({
            GATE: () => !isToken(this.LA(1), KW.for),
            DEF: () => {
              this.SUBRULE2(this.expr, { LABEL: "items" });
              this.OPTION(() => this.CONSUME(Comma));
            },
          });
          this.OPTION2(() => this.SUBRULE(this.comprehension));
          this.CONSUME(RBracket);
        },
      },
      {
        ALT: () => {
          this.CONSUME(LCurly);
          this.MANY2(() => this.SUBRULE(this.objectEntry));
          this.CONSUME(RCurly);
        },
      },
    ]);
  });

  /** comprehension = "for" IDENT "in" expr ("if" expr)?  (after one element: `[e for x in xs if c]`, `count(e for x in xs)`) */
  public comprehension = this.RULE("comprehension", () => {
    this.CONSUME(KW.for);
    this.CONSUME(Ident, { LABEL: "variable" });
    this.CONSUME(KW.in);
    this.SUBRULE(this.expr, { LABEL: "iterable" });
    this.OPTION(() => {
      this.CONSUME(KW.if);
      this.SUBRULE2(this.expr, { LABEL: "filter" });
    });
  });

  /** IDENT ":" expr ","? */
  public objectEntry = this.RULE("objectEntry", () => {
    this.CONSUME(Ident, { LABEL: "key" });
    this.CONSUME(Colon);
    this.SUBRULE(this.expr);
    this.OPTION(() => this.CONSUME(Comma));
  });

  /** The entry point for `{{ expr }}` inside templates. */
  public templateExpr = this.RULE("templateExpr", () => {
    this.SUBRULE(this.expr);
  });
}
