/**
 * The `.ragsh` concrete-syntax parser (Chevrotain `CstParser`, error recovery on).
 * Each rule's doc comment gives its production (`repl.md` §1). Semicolons are optional
 * (a statement ends where the grammar cannot continue it, as in JavaScript without the
 * `return`/newline restriction). Arrow functions and block-versus-object at the start of
 * a statement are decided by gates that scan ahead over balanced brackets.
 *
 * Build the parser once and reuse it (`parser.input = tokens`).
 */
import { CstParser, tokenMatcher, type IToken, type TokenType } from "#chevrotain";
import { errorMessageProvider } from "./parser-messages.js";
import * as T from "./tokens.js";

const { KW } = T;
const is = (t: IToken, type: TokenType) => tokenMatcher(t, type);
const OPENERS = [T.LParen, T.LBracket, T.LCurly, T.HashLCurly];
const CLOSERS = [T.RParen, T.RBracket, T.RCurly];

export class RagshParser extends CstParser {
  /**
   * `validate`: run Chevrotain's grammar validations during self-analysis. They find
   * grammar mistakes, not input mistakes, and slow every start, so the shared parser skips
   * them; test/grammar/parser-validation.test.ts builds one with them on.
   */
  constructor(options: { readonly validate?: boolean } = {}) {
    super(T.allTokens, { recoveryEnabled: true, nodeLocationTracking: "onlyOffset", maxLookahead: 3, errorMessageProvider, skipValidations: !options.validate });
    this.performSelfAnalysis();
  }

  // ─────────────── lookahead helpers (used only inside GATEs) ───────────────

  /** Index k of the token after the bracket group opening at LA(k0), or -1 at end of input. */
  private skipGroup(k0: number): number {
    let depth = 0;
    for (let k = k0; ; k++) {
      const t = this.LA(k);
      if (t.tokenType.name === "EOF") return -1;
      if (OPENERS.some((o) => is(t, o))) depth++;
      else if (CLOSERS.some((c) => is(t, c))) {
        depth--;
        if (depth === 0) return k + 1;
      }
    }
  }

  /** `x =>`, `(a, b) =>`, `async x =>`, `async (…) =>` */
  private arrowAhead(): boolean {
    let k = 1;
    if (is(this.LA(1), KW.async)) k = 2;
    const t = this.LA(k);
    if (is(t, T.Name)) return is(this.LA(k + 1), T.FatArrow);
    if (!is(t, T.LParen)) return false;
    const after = this.skipGroup(k);
    return after > 0 && is(this.LA(after), T.FatArrow);
  }

  /** `{ k: …`, `{ "k": …`, `{ ...o` or `{}` followed by nothing a block could hold: an object, not a block. */
  private objectAhead(): boolean {
    if (!is(this.LA(1), T.LCurly)) return false;
    const t2 = this.LA(2);
    if (is(t2, T.Ellipsis)) return true;
    return (is(t2, T.PropName) || is(t2, T.StringLit) || is(t2, T.NumberLit)) && is(this.LA(3), T.Colon);
  }

  /** Inside `for (`: true when `of`/`in` comes before any `;` at depth 0 (a for-of/in head). */
  private forEachAhead(): boolean {
    let depth = 0;
    for (let k = 2; ; k++) {
      const t = this.LA(k);
      if (t.tokenType.name === "EOF") return false;
      if (OPENERS.some((o) => is(t, o))) depth++;
      else if (CLOSERS.some((c) => is(t, c))) {
        if (depth === 0) return false;
        depth--;
      } else if (depth === 0 && is(t, T.Semicolon)) return false;
      else if (depth === 0 && (is(t, KW.of) || is(t, KW.in))) return true;
    }
  }

  /**
   * True when LA(1) is `(`, `[` or `++`/`--` at the start of a line: then it begins a new
   * statement rather than calling, indexing or updating the previous line's value
   * (`let xs = f()⏎[a, b] = …` is two statements). JavaScript would join the lines;
   * without semicolons that is never what a REPL user means.
   */
  private newLineSuffix(): boolean {
    const t = this.LA(1) as IToken & { nl?: boolean };
    return t.nl === true && (is(t, T.LParen) || is(t, T.LBracket) || is(t, T.PlusPlus) || is(t, T.MinusMinus) || is(t, T.TemplateLit));
  }

  private functionDeclAhead(): boolean {
    const k = is(this.LA(1), KW.async) ? 2 : 1;
    return (is(this.LA(k), KW.fn) || is(this.LA(k), KW.function)) && is(this.LA(k + 1), T.Name);
  }

  // ─────────────────────────────── statements ───────────────────────────────

  /** Statements and assignments being parsed inside one another (see `nest`). */
  private nesting = 0;

  /**
   * Bounds the parser's recursion: rules that nest without brackets (`a = b = …`,
   * `x => y => …`, `c ? d : e ? …`, `if (…) if (…) …`) are counted, and past
   * `RAGSH_PARSE_DEPTH` parsing stops with a `NestingLimitError` (reported as
   * `E-ragsh-nesting-limit`) long before the JavaScript stack runs out.
   */
  private nest(body: () => void): () => void {
    return () => {
      if ((this as unknown as { RECORDING_PHASE: boolean }).RECORDING_PHASE) return body();
      if (++this.nesting > RAGSH_PARSE_DEPTH) {
        this.nesting--;
        throw new NestingLimitError(this.LA(1));
      }
      try {
        body();
      } finally {
        this.nesting--;
      }
    };
  }

  /** program = statement* */
  public program = this.RULE("program", () => {
    this.MANY(() => this.SUBRULE(this.statement));
  });

  /** statement = varDecl | functionDecl | if | while | for | return | break | continue | block | ";" | exprStmt */
  public statement = this.RULE("statement", this.nest(() => {
    this.OR({
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        { ALT: () => this.SUBRULE(this.varDecl) },
        { GATE: () => this.functionDeclAhead(), ALT: () => this.SUBRULE(this.functionDecl) },
        { ALT: () => this.SUBRULE(this.ifStmt) },
        { ALT: () => this.SUBRULE(this.whileStmt) },
        { ALT: () => this.SUBRULE(this.forStmt) },
        { ALT: () => this.SUBRULE(this.returnStmt) },
        { ALT: () => this.SUBRULE(this.breakStmt) },
        { ALT: () => this.SUBRULE(this.continueStmt) },
        { GATE: () => !this.objectAhead(), ALT: () => this.SUBRULE(this.block) },
        { ALT: () => this.CONSUME(T.Semicolon, { LABEL: "empty" }) },
        { ALT: () => this.SUBRULE(this.exprStmt) },
      ],
    });
  }));

  /** varDecl = ("let" | "const") declarator ("," declarator)* ";"? */
  public varDecl = this.RULE("varDecl", () => {
    this.SUBRULE(this.varDeclNoSemi);
    this.OPTION(() => this.CONSUME(T.Semicolon));
  });

  public varDeclNoSemi = this.RULE("varDeclNoSemi", () => {
    this.OR([{ ALT: () => this.CONSUME(KW.let, { LABEL: "declKind" }) }, { ALT: () => this.CONSUME(KW.const, { LABEL: "declKind" }) }]);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.declarator) });
  });

  /** declarator = pattern ("=" assignment)? */
  public declarator = this.RULE("declarator", () => {
    this.SUBRULE(this.pattern);
    this.OPTION(() => {
      this.CONSUME(T.Eq);
      this.SUBRULE(this.assignment, { LABEL: "init" });
    });
  });

  /** pattern = NAME | "{" (key (":" NAME)?),* "}" | "[" NAME?,* "]" */
  public pattern = this.RULE("pattern", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Name) },
      {
        ALT: () => {
          this.CONSUME(T.LCurly);
          this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.patternProp) });
          this.CONSUME(T.RCurly);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LBracket);
          this.MANY_SEP2({ SEP: T.Comma, DEF: () => this.OPTION(() => this.CONSUME2(T.Name, { LABEL: "element" })) });
          this.CONSUME(T.RBracket);
        },
      },
    ]);
  });

  public patternProp = this.RULE("patternProp", () => {
    this.OR([{ ALT: () => this.CONSUME(T.PropName, { LABEL: "key" }) }, { ALT: () => this.CONSUME(T.StringLit, { LABEL: "key" }) }]);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.CONSUME(T.Name, { LABEL: "value" });
    });
  });

  /** functionDecl = "async"? ("fn" | "function") NAME params block */
  public functionDecl = this.RULE("functionDecl", () => {
    this.OPTION(() => this.CONSUME(KW.async));
    this.OR([{ ALT: () => this.CONSUME(KW.fn) }, { ALT: () => this.CONSUME(KW.function) }]);
    this.CONSUME(T.Name, { LABEL: "name" });
    this.SUBRULE(this.params);
    this.SUBRULE(this.block, { LABEL: "body" });
  });

  /** params = "(" pattern,* ")" */
  public params = this.RULE("params", () => {
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.pattern) });
    this.CONSUME(T.RParen);
  });

  /** if = "if" expression statement ("else" statement)?  (parentheses are part of the expression, so optional) */
  public ifStmt = this.RULE("ifStmt", () => {
    this.CONSUME(KW.if);
    this.SUBRULE(this.expression, { LABEL: "test" });
    this.SUBRULE(this.statement, { LABEL: "consequent" });
    this.OPTION(() => {
      this.CONSUME(KW.else);
      this.SUBRULE2(this.statement, { LABEL: "alternate" });
    });
  });

  /** while = "while" expression statement */
  public whileStmt = this.RULE("whileStmt", () => {
    this.CONSUME(KW.while);
    this.SUBRULE(this.expression, { LABEL: "test" });
    this.SUBRULE(this.statement, { LABEL: "body" });
  });

  /**
   * for = "for" "(" ("let"|"const")? pattern ("of"|"in") expression ")" statement
   *     | "for" "(" (varDecl | expression)? ";" expression? ";" expression? ")" statement
   *     | "for" pattern "in" expression statement          (Rhai)
   */
  public forStmt = this.RULE("forStmt", () => {
    this.CONSUME(KW.for);
    this.OR({
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        {
          GATE: () => is(this.LA(1), T.LParen) && this.forEachAhead(),
          ALT: () => {
            this.CONSUME(T.LParen);
            this.OPTION(() => this.OR2([{ ALT: () => this.CONSUME(KW.let, { LABEL: "declKind" }) }, { ALT: () => this.CONSUME(KW.const, { LABEL: "declKind" }) }]));
            this.SUBRULE(this.pattern);
            this.OR3([{ ALT: () => this.CONSUME(KW.of, { LABEL: "mode" }) }, { ALT: () => this.CONSUME(KW.in, { LABEL: "mode" }) }]);
            this.SUBRULE(this.expression, { LABEL: "iterable" });
            this.CONSUME(T.RParen);
          },
        },
        {
          GATE: () => is(this.LA(1), T.LParen),
          ALT: () => {
            this.CONSUME2(T.LParen);
            this.OPTION2(() => this.OR4([{ ALT: () => this.SUBRULE(this.varDeclNoSemi, { LABEL: "init" }) }, { ALT: () => this.SUBRULE2(this.expression, { LABEL: "initExpr" }) }]));
            this.CONSUME(T.Semicolon);
            this.OPTION3(() => this.SUBRULE3(this.expression, { LABEL: "test" }));
            this.CONSUME2(T.Semicolon);
            this.OPTION4(() => this.SUBRULE4(this.expression, { LABEL: "update" }));
            this.CONSUME2(T.RParen);
          },
        },
        {
          ALT: () => {
            this.SUBRULE2(this.pattern, { LABEL: "rhaiTarget" });
            this.CONSUME2(KW.in, { LABEL: "rhaiIn" });
            this.SUBRULE5(this.expression, { LABEL: "rhaiIterable" });
          },
        },
      ],
    });
    this.SUBRULE(this.statement, { LABEL: "body" });
  });

  /** return = "return" expression? ";"? */
  public returnStmt = this.RULE("returnStmt", () => {
    this.CONSUME(KW.return);
    this.OPTION(() => this.SUBRULE(this.expression));
    this.OPTION2(() => this.CONSUME(T.Semicolon));
  });

  public breakStmt = this.RULE("breakStmt", () => {
    this.CONSUME(KW.break);
    this.OPTION(() => this.CONSUME(T.Semicolon));
  });

  public continueStmt = this.RULE("continueStmt", () => {
    this.CONSUME(KW.continue);
    this.OPTION(() => this.CONSUME(T.Semicolon));
  });

  /** block = "{" statement* "}" */
  public block = this.RULE("block", () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.statement));
    this.CONSUME(T.RCurly);
  });

  /** exprStmt = expression ";"? */
  public exprStmt = this.RULE("exprStmt", () => {
    this.SUBRULE(this.expression);
    this.OPTION(() => this.CONSUME(T.Semicolon));
  });

  // ─────────────────────────────── expressions ───────────────────────────────

  /** expression = assignment  (there is no comma operator) */
  public expression = this.RULE("expression", () => {
    this.SUBRULE(this.assignment);
  });

  /** assignment = arrowFunction | conditional (("=" | "+=" | "-=" | "*=" | "/=" | "%=") assignment)? */
  public assignment = this.RULE("assignment", this.nest(() => {
    this.OR({
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        { GATE: () => this.arrowAhead(), ALT: () => this.SUBRULE(this.arrowFunction) },
        {
          ALT: () => {
            this.SUBRULE(this.conditional, { LABEL: "target" });
            this.OPTION(() => {
              this.OR2([
                { ALT: () => this.CONSUME(T.Eq, { LABEL: "op" }) },
                { ALT: () => this.CONSUME(T.PlusEq, { LABEL: "op" }) },
                { ALT: () => this.CONSUME(T.MinusEq, { LABEL: "op" }) },
                { ALT: () => this.CONSUME(T.StarEq, { LABEL: "op" }) },
                { ALT: () => this.CONSUME(T.SlashEq, { LABEL: "op" }) },
                { ALT: () => this.CONSUME(T.PercentEq, { LABEL: "op" }) },
              ]);
              this.SUBRULE2(this.assignment, { LABEL: "value" });
            });
          },
        },
      ],
    });
  }));

  /** arrowFunction = "async"? (NAME | params) "=>" (block | assignment) */
  public arrowFunction = this.RULE("arrowFunction", () => {
    this.OPTION(() => this.CONSUME(KW.async));
    this.OR([{ ALT: () => this.CONSUME(T.Name, { LABEL: "param" }) }, { ALT: () => this.SUBRULE(this.params) }]);
    this.CONSUME(T.FatArrow);
    this.SUBRULE(this.functionBody);
  });

  /** A function body: a block, or an expression whose value is returned. */
  public functionBody = this.RULE("functionBody", () => {
    this.OR({
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        { GATE: () => !this.objectAhead(), ALT: () => this.SUBRULE(this.block) },
        { ALT: () => this.SUBRULE(this.assignment, { LABEL: "expr" }) },
      ],
    });
  });

  /** conditional = nullish ("?" assignment ":" assignment)? */
  public conditional = this.RULE("conditional", () => {
    this.SUBRULE(this.binary, { LABEL: "test" });
    this.OPTION(() => {
      this.CONSUME(T.Question);
      this.SUBRULE(this.assignment, { LABEL: "consequent" });
      this.CONSUME(T.Colon);
      this.SUBRULE2(this.assignment, { LABEL: "alternate" });
    });
  });

  /**
   * binary = unary (BINOP unary)*, with the usual precedence applied by the AST builder:
   * `?? < || < && < equality < relational (< <= > >= in) < + - < * / %`.
   * One flat rule keeps long chains iterative (no stack growth per operator level).
   */
  public binary = this.RULE("binary", () => {
    this.SUBRULE(this.unary, { LABEL: "operands" });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.QuestionQuestion, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.OrOr, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.AndAnd, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.StrictEq, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.StrictNotEq, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.EqEq, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.NotEq, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.LtEq, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.GtEq, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.Lt, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.Gt, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(KW.in, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.Plus, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.Minus, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.Star, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.Slash, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.Percent, { LABEL: "ops" }) },
      ]);
      this.SUBRULE2(this.unary, { LABEL: "operands" });
    });
  });

  /** unary = ("!" | "-" | "+" | "typeof" | "await" | "++" | "--")* postfix */
  public unary = this.RULE("unary", () => {
    this.MANY(() =>
      this.OR([
        { ALT: () => this.CONSUME(T.Bang, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.Minus, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.Plus, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(KW.typeof, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(KW.await, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.PlusPlus, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.MinusMinus, { LABEL: "ops" }) },
      ]),
    );
    this.SUBRULE(this.postfix);
  });

  /** postfix = primary suffix* ("++" | "--")? */
  public postfix = this.RULE("postfix", () => {
    this.SUBRULE(this.primary);
    this.MANY({ GATE: () => !this.newLineSuffix(), DEF: () => this.SUBRULE(this.suffix) });
    this.OPTION({ GATE: () => !this.newLineSuffix(), DEF: () => this.OR([{ ALT: () => this.CONSUME(T.PlusPlus, { LABEL: "update" }) }, { ALT: () => this.CONSUME(T.MinusMinus, { LABEL: "update" }) }]) });
  });

  /** suffix = "." PROP | "?." PROP | "?." "[" expr "]" | "?." args | "[" expr "]" | args */
  public suffix = this.RULE("suffix", () => {
    this.OR([
      { ALT: () => { this.CONSUME(T.Dot); this.CONSUME(T.PropName, { LABEL: "property" }); } },
      {
        ALT: () => {
          this.CONSUME(T.QuestionDot, { LABEL: "optional" });
          this.OR2([
            { ALT: () => this.CONSUME2(T.PropName, { LABEL: "property" }) },
            { ALT: () => { this.CONSUME(T.LBracket); this.SUBRULE(this.expression, { LABEL: "index" }); this.CONSUME(T.RBracket); } },
            { ALT: () => this.SUBRULE(this.args) },
          ]);
        },
      },
      { ALT: () => { this.CONSUME2(T.LBracket); this.SUBRULE2(this.expression, { LABEL: "index" }); this.CONSUME2(T.RBracket); } },
      { ALT: () => this.SUBRULE2(this.args) },
    ]);
  });

  /** args = "(" (("..." )? assignment),* ","? ")" */
  public args = this.RULE("args", () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.element);
      this.MANY({ GATE: () => !is(this.LA(2), T.RParen), DEF: () => { this.CONSUME(T.Comma); this.SUBRULE2(this.element); } });
      this.OPTION2(() => this.CONSUME2(T.Comma, { LABEL: "trailing" }));
    });
    this.CONSUME(T.RParen);
  });

  /** element = "..."? assignment */
  public element = this.RULE("element", () => {
    this.OPTION(() => this.CONSUME(T.Ellipsis));
    this.SUBRULE(this.assignment);
  });

  /** primary = literal | NAME | "(" expression ")" | array | object | function | closure */
  public primary = this.RULE("primary", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLit) },
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.CONSUME(T.TemplateLit) },
      { ALT: () => this.CONSUME(KW.true) },
      { ALT: () => this.CONSUME(KW.false) },
      { ALT: () => this.CONSUME(KW.null) },
      { ALT: () => this.CONSUME(T.Name) },
      { ALT: () => { this.CONSUME(T.LParen); this.SUBRULE(this.expression, { LABEL: "inner" }); this.CONSUME(T.RParen); } },
      { ALT: () => this.SUBRULE(this.arrayLit) },
      { ALT: () => this.SUBRULE(this.objectLit) },
      { ALT: () => this.SUBRULE(this.functionExpr) },
      { ALT: () => this.SUBRULE(this.closure) },
    ]);
  });

  /** array = "[" (element ("," element)* ","?)? "]" */
  public arrayLit = this.RULE("arrayLit", () => {
    this.CONSUME(T.LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.element);
      this.MANY({ GATE: () => !is(this.LA(2), T.RBracket), DEF: () => { this.CONSUME(T.Comma); this.SUBRULE2(this.element); } });
      this.OPTION2(() => this.CONSUME2(T.Comma, { LABEL: "trailing" }));
    });
    this.CONSUME(T.RBracket);
  });

  /** object = ("{" | "#{") (prop ("," prop)* ","?)? "}" */
  public objectLit = this.RULE("objectLit", () => {
    this.OR([{ ALT: () => this.CONSUME(T.LCurly) }, { ALT: () => this.CONSUME(T.HashLCurly) }]);
    this.OPTION(() => {
      this.SUBRULE(this.prop);
      this.MANY({ GATE: () => !is(this.LA(2), T.RCurly), DEF: () => { this.CONSUME(T.Comma); this.SUBRULE2(this.prop); } });
      this.OPTION2(() => this.CONSUME2(T.Comma, { LABEL: "trailing" }));
    });
    this.CONSUME(T.RCurly);
  });

  /** prop = "..." assignment | "[" expression "]" ":" assignment | (PROP | STRING | NUMBER) (":" assignment)? */
  public prop = this.RULE("prop", () => {
    this.OR([
      { ALT: () => { this.CONSUME(T.Ellipsis); this.SUBRULE(this.assignment, { LABEL: "spread" }); } },
      {
        ALT: () => {
          this.CONSUME(T.LBracket);
          this.SUBRULE(this.expression, { LABEL: "computed" });
          this.CONSUME(T.RBracket);
          this.CONSUME(T.Colon);
          this.SUBRULE2(this.assignment, { LABEL: "value" });
        },
      },
      {
        ALT: () => {
          this.OR2([
            { ALT: () => this.CONSUME(T.PropName, { LABEL: "key" }) },
            { ALT: () => this.CONSUME(T.StringLit, { LABEL: "key" }) },
            { ALT: () => this.CONSUME(T.NumberLit, { LABEL: "key" }) },
          ]);
          this.OPTION(() => {
            this.CONSUME2(T.Colon);
            this.SUBRULE3(this.assignment, { LABEL: "value" });
          });
        },
      },
    ]);
  });

  /** function = "async"? ("function" | "fn") NAME? params block */
  public functionExpr = this.RULE("functionExpr", () => {
    this.OPTION(() => this.CONSUME(KW.async));
    this.OR([{ ALT: () => this.CONSUME(KW.function) }, { ALT: () => this.CONSUME(KW.fn) }]);
    this.OPTION2(() => this.CONSUME(T.Name, { LABEL: "name" }));
    this.SUBRULE(this.params);
    this.SUBRULE(this.block, { LABEL: "body" });
  });

  /** closure = "|" NAME,* "|" functionBody | "||" functionBody   (Rhai) */
  public closure = this.RULE("closure", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Pipe);
          this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.pattern) });
          this.CONSUME2(T.Pipe);
        },
      },
      { ALT: () => this.CONSUME(T.OrOr, { LABEL: "noParams" }) },
    ]);
    this.SUBRULE(this.functionBody);
  });
}

/** The parser is built once per process (its self-analysis is the slow part). */
let shared: RagshParser | undefined;
/** Statements and assignments nested in one another the parser accepts (each level costs up to ~10 parser frames; 200 stays well inside the default stack). */
export const RAGSH_PARSE_DEPTH = 200;

/** Parsing stopped: the code nests past `RAGSH_PARSE_DEPTH` (at `token`). */
export class NestingLimitError extends Error {
  override readonly name = "NestingLimitError";
  constructor(readonly token: IToken) {
    super(`the code nests more than ${RAGSH_PARSE_DEPTH} levels deep`);
  }
}

export function ragshParser(): RagshParser {
  shared ??= new RagshParser();
  return shared;
}
