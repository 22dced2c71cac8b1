/**
 * The lowest layer of the `.rag` parser (Chevrotain `CstParser`, error recovery on): the
 * parser configuration, shared lookahead helpers, separators and recovery units, fields
 * and types, static values and blocks (`language.md` §1, §2.2). The layers above it:
 * parser-expr.ts (expressions), parser-graph.ts (program and graph items),
 * parser-node.ts (node items) and parser.ts (recovery rules; the only class that runs
 * `performSelfAnalysis`). Rules are recorded in that order, which fixes the order of
 * cst.generated.d.ts. Each rule's doc comment gives its production.
 */
import { CstParser, tokenMatcher, type IOrAlt, type IToken, type OrMethodOpts, type TokenType } from "#chevrotain";
import { didYouMean } from "../suggest.js";
import { errorMessageProvider } from "./parser-messages.js";
import { REDUCER_WORDS, TYPE_WORDS } from "./words.js";
import {
  Colon,
  Comma,
  Dot,
  DurationLit,
  Eq,
  False,
  Gt,
  Ident,
  KW,
  LBracket,
  LCurly,
  LParen,
  LiteralArg,
  Lt,
  Minus,
  NonBracket,
  Null,
  NumberLit,
  Pipe,
  Question,
  RBracket,
  RegexLit,
  RCurly,
  RParen,
  Semicolon,
  StringLit,
  TripleString,
  True,
  allTokens,
} from "./tokens.js";

export { REDUCER_WORDS, TYPE_WORDS };

const is = (t: IToken, type: TokenType) => tokenMatcher(t, type);

export abstract class RagParserBase extends CstParser {
  /**
   * Each `OR`'s alternatives, built on its first call and reused (Chevrotain's
   * performance guide, "caching arrays of alternatives"): building them on every call
   * allocates a closure per alternative, which dominated parse time on large files.
   */
  protected readonly alts: Record<string, IOrAlt<unknown>[]> = {};
  protected readonly opts: Record<string, OrMethodOpts<unknown>> = {};

  /**
   * `validate`: run Chevrotain's grammar validations (ambiguities, left recursion,
   * duplicate rules) during self-analysis. They find grammar mistakes, never input
   * mistakes, and cost ~20 ms on every process start, so the shared parser skips them and
   * test/grammar/parser-validation.test.ts builds one with them on.
   */
  protected constructor(validate: boolean) {
    super(allTokens, {
      recoveryEnabled: true,
      nodeLocationTracking: "onlyOffset",
      maxLookahead: 2,
      errorMessageProvider,
      skipValidations: !validate,
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
   * followed by `:`, `?`, `<`, or a base type word that is not itself a field name (a
   * field name is followed by `:`). So `n: integer sum` then `messages: messages` on the
   * next line reads `sum` as `n`'s reducer, and `sum messages` (a colon-less field) stays
   * a field. (`[` may follow a reducer: `named_barrier [a, b]`.) Mirrored by
   * fast-values.ts `reducerFollows`.
   */
  protected reducerFollows(): boolean {
    const t1 = this.LA(1);
    if (!is(t1, Ident)) return false;
    const t2 = this.LA(2);
    if (!REDUCER_WORDS.has(t1.image)) return this.misspeltReducer(t1.image, t2);
    if (is(t2, Colon) || is(t2, Question) || is(t2, Lt)) return false;
    if (is(t2, Ident) && TYPE_WORDS.has(t2.image)) return is(this.LA(3), Colon);
    return true;
  }


  /**
   * A word close to a reducer (`appnd`, `sm`) where a field could not go on: before `}`,
   * `,`, `;`, `=` or the next `name:`. Read as the field's reducer, so the compiler reports
   * it (`E-rag-unknown-reducer`, did-you-mean and a fix) instead of the parser reporting
   * "expected a type after `appnd`" for a field it took the word to start. Every input
   * this accepts was a syntax error before, so the fast path (fast-values.ts
   * `reducerFollows`), which hands syntax errors to this parser, needs no mirror of it.
   */
  private misspeltReducer(word: string, t2: IToken): boolean {
    const fieldEnds = is(t2, RCurly) || is(t2, Comma) || is(t2, Semicolon) || is(t2, Eq) || (is(t2, Ident) && is(this.LA(3), Colon));
    return fieldEnds && didYouMean(word, REDUCER_WORDS) !== undefined;
  }

  /** True when the `k`-th token ahead is the keyword `word` (keywords are contextual, tokens.ts). */
  protected kw(k: number, word: keyof typeof KW): boolean {
    return is(this.LA(k), KW[word]);
  }

  /** `,` or `;` next. */
  protected atSeparator(): boolean {
    return is(this.LA(1), Comma) || is(this.LA(1), Semicolon);
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

}
