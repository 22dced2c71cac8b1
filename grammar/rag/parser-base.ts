/**
 * The lower half of the `.rag` parser (Chevrotain `CstParser`, error recovery on):
 * fields and types, static values and blocks, and the expression language
 * (`language.md` §2.2, §3). `RagParser` (parser.ts) extends it with the program and
 * item grammar; only the most derived class runs `performSelfAnalysis`. Each rule's doc
 * comment gives its production.
 */
import { CstParser, tokenMatcher, type IOrAlt, type IToken, type OrMethodOpts, type TokenType } from "#chevrotain";
import { errorMessageProvider } from "./parser-messages.js";
import {
  allTokens,
  AndAnd,
  Bang,
  Colon,
  Comma,
  DurationLit,
  Eq,
  EqEq,
  False,
  Gt,
  GtEq,
  Ident,
  KW,
  LBracket,
  LCurly,
  LiteralArg,
  LParen,
  Lt,
  LtEq,
  Minus,
  NonBracket,
  NotEq,
  Null,
  NumberLit,
  OrOr,
  Percent,
  Pipe,
  Plus,
  Question,
  RBracket,
  RegexLit,
  RCurly,
  RParen,
  Semicolon,
  Slash,
  Star,
  StringLit,
  TripleString,
  True,
  Dot,
} from "./tokens.js";

/** Reducer words (`language.md` §2.2 plus the reference alias `last_write`). */
export const REDUCER_WORDS: ReadonlySet<string> = new Set([
  "overwrite", "last_value", "last_write", "append", "messages", "merge", "sum", "min", "max", "union",
  "topic", "ephemeral", "untracked", "barrier", "named_barrier", "aggregate", "reducer",
]);

/** Base type words (`language.md` §2.2). */
export const TYPE_WORDS: ReadonlySet<string> = new Set(["string", "number", "integer", "boolean", "any", "messages", "list", "map"]);


const is = (t: IToken, type: TokenType) => tokenMatcher(t, type);

export abstract class RagExprParser extends CstParser {
  /**
   * Each `OR`'s alternatives, built on its first call and reused (Chevrotain's
   * performance guide, "caching arrays of alternatives"): building them on every call
   * allocates a closure per alternative, which dominated parse time on large files.
   */
  protected readonly alts: Record<string, IOrAlt<unknown>[]> = {};
  protected readonly opts: Record<string, OrMethodOpts<unknown>> = {};

  protected constructor() {
    super(allTokens, {
      recoveryEnabled: true,
      nodeLocationTracking: "onlyOffset",
      maxLookahead: 2,
      errorMessageProvider,
    });
  }

  /**
   * Chevrotain creates each CST node's `children` with `Object.create(null)`, which V8
   * keeps in dictionary mode: on a 60k-line file that made the CST about three times
   * larger and slower to build and collect. A plain object literal gets fast properties.
   * Safe because no rule name, token name or label of this grammar is a member of
   * `Object.prototype` (test/grammar/cst-keys.test.ts checks it).
   */
  cstInvocationStateUpdate(fullRuleName: string): void {
    const self = this as unknown as { setInitialNodeLocation(n: object): void; CST_STACK: object[] };
    const cstNode = { name: fullRuleName, children: {} };
    self.setInitialNodeLocation(cstNode);
    self.CST_STACK.push(cstNode);
  }

  // ─────────────── lookahead helpers (used only inside GATEs) ───────────────

  /**
   * A word after a field's type is its reducer unless it reads as the next field:
   * followed by `:`, `?`, `<` or a base type word. (`[` may follow a reducer: `named_barrier [a, b]`.)
   */
  protected reducerFollows(): boolean {
    const t1 = this.LA(1);
    if (!is(t1, Ident) || !REDUCER_WORDS.has(t1.image)) return false;
    const t2 = this.LA(2);
    if (is(t2, Colon) || is(t2, Question) || is(t2, Lt)) return false;
    if (is(t2, Ident) && TYPE_WORDS.has(t2.image)) return false;
    return true;
  }

  // ─────────────────────── separators and recovery units ───────────────────────

  /** `,` or `;`: optional separators between items (`language.md` §1). */
  public separator = this.RULE("separator", () => {
    this.OR(this.alts.separator ??= [{ ALT: () => this.CONSUME(Comma) }, { ALT: () => this.CONSUME(Semicolon) }]);
  });

  public junkOrCloser = this.RULE("junkOrCloser", () => {
    this.OR(this.alts.junkOrCloser ??= [
      { ALT: () => this.SUBRULE(this.junkUnit) },
      { ALT: () => this.CONSUME(RCurly) },
      { ALT: () => this.CONSUME(RBracket) },
      { ALT: () => this.CONSUME(RParen) },
    ]);
  });

  /** One token, or one balanced bracket group. */
  public junkUnit = this.RULE("junkUnit", () => {
    this.OR(this.alts.junkUnit ??= [
      { ALT: () => this.CONSUME(NonBracket) },
      { ALT: () => { this.CONSUME(LCurly); this.MANY(() => this.SUBRULE(this.junkUnit)); this.CONSUME(RCurly); } },
      { ALT: () => { this.CONSUME(LBracket); this.MANY2(() => this.SUBRULE2(this.junkUnit)); this.CONSUME(RBracket); } },
      { ALT: () => { this.CONSUME(LParen); this.MANY3(() => this.SUBRULE3(this.junkUnit)); this.CONSUME(RParen); } },
    ]);
  });

  // ─────────────────────────────── fields and types ───────────────────────────────

  /** "{" (field (","|";")?)* "}" */
  public fieldBlock = this.RULE("fieldBlock", () => {
    this.CONSUME(LCurly);
    this.MANY(() => {
      this.SUBRULE(this.field);
      this.OPTION(() => this.OR(this.alts.fieldBlock ??= [{ ALT: () => this.CONSUME(Comma) }, { ALT: () => this.CONSUME(Semicolon) }]));
    });
    this.CONSUME(RCurly);
  });

  /** field = IDENT ":"? type reducer? ("=" value)? */
  public field = this.RULE("field", () => {
    this.CONSUME(Ident, { LABEL: "name" });
    this.OPTION(() => this.CONSUME(Colon));
    this.SUBRULE(this.typeExpr);
    this.OPTION2({ GATE: () => this.reducerFollows(), DEF: () => this.SUBRULE(this.reducerSpec) });
    this.OPTION3(() => {
      this.CONSUME(Eq);
      this.SUBRULE(this.value);
    });
  });

  /** type = type_atom ("[" "]" | "?")*  (suffixes apply left to right: `T?[]`, `T[]?`) */
  public typeExpr = this.RULE("typeExpr", () => {
    this.SUBRULE(this.typeAtom);
    this.MANY(() =>
      this.OR([
        { ALT: () => this.SUBRULE(this.arraySuffix) },
        { ALT: () => this.CONSUME(Question, { LABEL: "suffixes" }) },
      ]),
    );
  });

  /** "[" "]" */
  public arraySuffix = this.RULE("arraySuffix", () => {
    this.CONSUME(LBracket);
    this.CONSUME(RBracket);
  });

  /** type_atom = IDENT ("<" type ("," type)* ">")? constraint? | "{" field* "}" | STRING ("|" STRING)* */
  public typeAtom = this.RULE("typeAtom", () => {
    this.OR(this.alts.typeAtom ??= [
      {
        ALT: () => {
          this.CONSUME(Ident, { LABEL: "name" });
          this.OPTION(() => {
            this.CONSUME(Lt);
            this.SUBRULE(this.typeExpr);
            this.MANY(() => {
              this.CONSUME(Comma);
              this.SUBRULE2(this.typeExpr);
            });
            this.CONSUME(Gt);
          });
          this.OPTION2(() => this.SUBRULE(this.typeConstraint));
        },
      },
      { ALT: () => this.SUBRULE(this.fieldBlock) },
      {
        ALT: () => {
          this.CONSUME(StringLit);
          this.MANY2(() => {
            this.CONSUME(Pipe);
            this.CONSUME2(StringLit);
          });
        },
      },
    ]);
  });

  /** constraint = "(" (PATTERN | bound? "." "." bound?) ")"  (`number(0..1)`, `integer(1..)`, `string(/^[A-Z]{3}$/)`) */
  public typeConstraint = this.RULE("typeConstraint", () => {
    this.CONSUME(LParen);
    this.OR(this.alts.typeConstraint ??= [
      { ALT: () => this.CONSUME(RegexLit, { LABEL: "pattern" }) },
      {
        ALT: () => {
          this.OPTION(() => this.SUBRULE(this.rangeBound, { LABEL: "low" }));
          this.CONSUME(Dot);
          this.CONSUME2(Dot);
          this.OPTION2(() => this.SUBRULE2(this.rangeBound, { LABEL: "high" }));
        },
      },
    ]);
    this.CONSUME(RParen);
  });

  /** bound = "-"? NUMBER */
  public rangeBound = this.RULE("rangeBound", () => {
    this.OPTION(() => this.CONSUME(Minus));
    this.CONSUME(NumberLit);
  });

  /** reducer = IDENT (literal | list)*  (`barrier 2`, `aggregate "fn"`, `named_barrier [a, b]`) */
  public reducerSpec = this.RULE("reducerSpec", () => {
    this.CONSUME(Ident, { LABEL: "name" });
    this.MANY(() => this.OR([{ ALT: () => this.CONSUME(LiteralArg, { LABEL: "args" }) }, { ALT: () => this.SUBRULE(this.valueList, { LABEL: "args" }) }]));
  });

  // ─────────────────────────────── static values ───────────────────────────────

  /** value = literal | "-" NUMBER | list | block | IDENT (list | block)? */
  public value = this.RULE("value", () => {
    this.OR(this.alts.value ??= [
      { ALT: () => this.CONSUME(StringLit) },
      { ALT: () => this.CONSUME(TripleString) },
      { ALT: () => this.CONSUME(NumberLit) },
      { ALT: () => { this.CONSUME(Minus); this.CONSUME2(NumberLit, { LABEL: "negative" }); } },
      { ALT: () => this.CONSUME(DurationLit) },
      { ALT: () => this.CONSUME(True) },
      { ALT: () => this.CONSUME(False) },
      { ALT: () => this.CONSUME(Null) },
      { ALT: () => this.SUBRULE(this.valueList) },
      { ALT: () => this.SUBRULE(this.block) },
      {
        ALT: () => {
          this.CONSUME(Ident, { LABEL: "word" });
          this.OPTION(() => this.OR2(this.alts.value2 ??= [{ ALT: () => this.SUBRULE2(this.valueList) }, { ALT: () => this.SUBRULE2(this.block) }]));
        },
      },
    ]);
  });

  /** list = "[" (value ","?)* "]" */
  public valueList = this.RULE("valueList", () => {
    this.CONSUME(LBracket);
    this.MANY(() => {
      this.SUBRULE(this.value);
      this.OPTION(() => this.CONSUME(Comma));
    });
    this.CONSUME(RBracket);
  });

  /** block = "{" (IDENT ":"? value (","|";")?)* "}" */
  public block = this.RULE("block", () => {
    this.CONSUME(LCurly);
    this.MANY(() => this.SUBRULE(this.blockEntry));
    this.CONSUME(RCurly);
  });

  public blockEntry = this.RULE("blockEntry", () => {
    this.CONSUME(Ident, { LABEL: "key" });
    this.OPTION(() => this.CONSUME(Colon));
    this.SUBRULE(this.value);
    this.OPTION2(() => this.OR(this.alts.blockEntry ??= [{ ALT: () => this.CONSUME(Comma) }, { ALT: () => this.CONSUME(Semicolon) }]));
  });

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
            GATE: () => !is(this.LA(1), KW.for),
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
