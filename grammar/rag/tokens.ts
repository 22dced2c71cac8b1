/**
 * Tokens of the `.rag` language (`language.md` §1).
 *
 * Keywords are contextual: the lexer produces one `Name` token for every word and
 * `remapKeywords` then retypes words that are keywords. Every keyword token belongs to
 * the `Ident` category, so wherever the grammar expects a name, a keyword is accepted
 * (a node may be called `review`, `input` or `join`). Only `START`, `END`, `true`,
 * `false` and `null` are reserved. Retyping after lexing keeps the lexer to one word
 * pattern (fast) instead of one pattern per keyword.
 */
import { createToken, Lexer, type TokenType } from "#chevrotain";
import { COUNT_SUFFIXES, DURATION_UNITS, KEYWORD_WORDS, type KeywordWord } from "./words.js";

/** Category: anything usable as a name (plain words and every keyword). */
export const Ident = createToken({ name: "Ident", pattern: Lexer.NA });
/** Category: every token that is not a bracket; used to skip junk in balanced groups. */
export const NonBracket = createToken({ name: "NonBracket", pattern: Lexer.NA });
/** Category: literal scalars that may follow a reducer as its arguments. */
export const LiteralArg = createToken({ name: "LiteralArg", pattern: Lexer.NA });

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED, line_breaks: true });
export const LineComment = createToken({ name: "LineComment", pattern: /\/\/[^\n\r]*/, group: "comments" });
export const BlockComment = createToken({ name: "BlockComment", pattern: /\/\*[\s\S]*?\*\//, group: "comments", line_breaks: true });
/** `/*` without a closing `*\/`: reported as E-rag-unterminated-comment. */
export const UnterminatedBlockComment = createToken({ name: "UnterminatedBlockComment", pattern: /\/\*[\s\S]*/, group: "comments", line_breaks: true });
/** `# …`: not a comment here; reported as E-rag-hash-comment with a fix to `//`. */
export const HashComment = createToken({ name: "HashComment", pattern: /#[^\n\r]*/, group: "comments" });

export const TripleString = createToken({ name: "TripleString", pattern: /"""[\s\S]*?"""/, line_breaks: true, categories: [NonBracket] });
export const UnterminatedTripleString = createToken({ name: "UnterminatedTripleString", pattern: /"""[\s\S]*/, line_breaks: true, categories: [NonBracket] });
export const StringLit = createToken({ name: "StringLit", pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*"|'(?:[^'\\\n\r]|\\[^\n\r])*'/, categories: [NonBracket, LiteralArg] });
/** A quote that is not closed on its line: reported as E-rag-unterminated-string, then parsed as a string. */
export const UnterminatedString = createToken({ name: "UnterminatedString", pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*\\?|'(?:[^'\\\n\r]|\\[^\n\r])*\\?/, categories: [NonBracket] });
export const NumberLit = createToken({ name: "NumberLit", pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/, categories: [NonBracket, LiteralArg] });
/** `30s`, `250ms`: produced by `remapKeywords` from a number directly followed by a unit word. */
export const DurationLit = createToken({ name: "DurationLit", pattern: Lexer.NA, categories: [NonBracket, LiteralArg] });
/** `/…/` after `string(`: a string pattern in a type (`language.md` §4.1); a slash elsewhere is division. */
const REGEX_BODY = /\/(?:[^/\\[\n\r]|\\[^\n\r]|\[(?:[^\]\\\n\r]|\\[^\n\r])*\])+\//y;
export const RegexLit = createToken({
  name: "RegexLit",
  pattern: {
    exec: (text: string, offset: number, matched: readonly { image: string; tokenType: TokenType }[]) => {
      const n = matched.length;
      if (n < 2 || matched[n - 1].image !== "(" || matched[n - 2].image !== "string") return null;
      REGEX_BODY.lastIndex = offset;
      return REGEX_BODY.exec(text);
    },
  },
  start_chars_hint: ["/"],
  line_breaks: false,
  label: "a pattern `/…/`",
  categories: [NonBracket],
});
export const Name = createToken({ name: "Name", pattern: /[A-Za-z_][A-Za-z0-9_]*/, categories: [Ident, NonBracket] });

export const Arrow = createToken({ name: "Arrow", pattern: /->/, label: "`->`", categories: [NonBracket] });
export const EqEq = createToken({ name: "EqEq", pattern: /==/, label: "`==`", categories: [NonBracket] });
export const NotEq = createToken({ name: "NotEq", pattern: /!=/, label: "`!=`", categories: [NonBracket] });
export const LtEq = createToken({ name: "LtEq", pattern: /<=/, label: "`<=`", categories: [NonBracket] });
export const GtEq = createToken({ name: "GtEq", pattern: />=/, label: "`>=`", categories: [NonBracket] });
export const AndAnd = createToken({ name: "AndAnd", pattern: /&&/, label: "`&&`", categories: [NonBracket] });
export const OrOr = createToken({ name: "OrOr", pattern: /\|\|/, label: "`||`", categories: [NonBracket] });
export const LCurly = createToken({ name: "LCurly", pattern: /\{/, label: "`{`" });
export const RCurly = createToken({ name: "RCurly", pattern: /\}/, label: "`}`" });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/, label: "`[`" });
export const RBracket = createToken({ name: "RBracket", pattern: /\]/, label: "`]`" });
export const LParen = createToken({ name: "LParen", pattern: /\(/, label: "`(`" });
export const RParen = createToken({ name: "RParen", pattern: /\)/, label: "`)`" });
export const Comma = createToken({ name: "Comma", pattern: /,/, label: "`,`", categories: [NonBracket] });
export const Colon = createToken({ name: "Colon", pattern: /:/, label: "`:`", categories: [NonBracket] });
export const Semicolon = createToken({ name: "Semicolon", pattern: /;/, label: "`;`", categories: [NonBracket] });
export const Dot = createToken({ name: "Dot", pattern: /\./, label: "`.`", categories: [NonBracket] });
export const Question = createToken({ name: "Question", pattern: /\?/, label: "`?`", categories: [NonBracket] });
export const Pipe = createToken({ name: "Pipe", pattern: /\|/, label: "`|`", categories: [NonBracket] });
export const Eq = createToken({ name: "Eq", pattern: /=/, label: "`=`", categories: [NonBracket] });
export const Lt = createToken({ name: "Lt", pattern: /</, label: "`<`", categories: [NonBracket] });
export const Gt = createToken({ name: "Gt", pattern: />/, label: "`>`", categories: [NonBracket] });
export const Plus = createToken({ name: "Plus", pattern: /\+/, label: "`+`", categories: [NonBracket] });
export const Minus = createToken({ name: "Minus", pattern: /-/, label: "`-`", categories: [NonBracket] });
export const Star = createToken({ name: "Star", pattern: /\*/, label: "`*`", categories: [NonBracket] });
export const Slash = createToken({ name: "Slash", pattern: /\//, label: "`/`", categories: [NonBracket] });
export const Percent = createToken({ name: "Percent", pattern: /%/, label: "`%`", categories: [NonBracket] });
export const Bang = createToken({ name: "Bang", pattern: /!/, label: "`!`", categories: [NonBracket] });

/** Reserved words: never names. */
export const StartRef = createToken({ name: "StartRef", pattern: Lexer.NA, label: "`START`", categories: [NonBracket] });
export const EndRef = createToken({ name: "EndRef", pattern: Lexer.NA, label: "`END`", categories: [NonBracket] });
export const True = createToken({ name: "True", pattern: Lexer.NA, label: "`true`", categories: [NonBracket, LiteralArg] });
export const False = createToken({ name: "False", pattern: Lexer.NA, label: "`false`", categories: [NonBracket, LiteralArg] });
export const Null = createToken({ name: "Null", pattern: Lexer.NA, label: "`null`", categories: [NonBracket, LiteralArg] });

const RESERVED: ReadonlyMap<string, TokenType> = new Map([
  ["START", StartRef],
  ["END", EndRef],
  ["true", True],
  ["false", False],
  ["null", Null],
]);

export { KEYWORD_WORDS, type KeywordWord } from "./words.js";

/** Keyword token types by word. */
export const KW: Readonly<Record<KeywordWord, TokenType>> = Object.fromEntries(
  KEYWORD_WORDS.map((w) => [w, createToken({ name: `Kw_${w}`, pattern: Lexer.NA, label: `\`${w}\``, categories: [Ident, NonBracket] })]),
) as Record<KeywordWord, TokenType>;

const KEYWORDS: ReadonlyMap<string, TokenType> = new Map(Object.entries(KW));

/**
 * Lexer token order matters: Chevrotain takes the first pattern that matches, so
 * comments precede `/`, triple strings precede strings, the unterminated variants
 * follow their terminated forms, and two-character operators precede their prefixes.
 */
export const lexerTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedBlockComment,
  HashComment,
  RegexLit,
  TripleString,
  UnterminatedTripleString,
  StringLit,
  UnterminatedString,
  NumberLit,
  Name,
  Arrow,
  EqEq,
  NotEq,
  LtEq,
  GtEq,
  AndAnd,
  OrOr,
  LCurly,
  RCurly,
  LBracket,
  RBracket,
  LParen,
  RParen,
  Comma,
  Colon,
  Semicolon,
  Dot,
  Question,
  Pipe,
  Eq,
  Lt,
  Gt,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Bang,
];

/** Every token type the parser may see (lexer tokens, retyped words, categories). */
export const allTokens: TokenType[] = [
  Ident,
  NonBracket,
  LiteralArg,
  ...lexerTokens,
  DurationLit,
  StartRef,
  EndRef,
  True,
  False,
  Null,
  ...KEYWORDS.values(),
];

export { COUNT_SUFFIXES, DURATION_UNITS };

/** Token type for a word: a reserved word, a keyword, or `Name`. */
export function wordTokenType(image: string): TokenType {
  return RESERVED.get(image) ?? KEYWORDS.get(image) ?? Name;
}

/** True for a keyword token type (not `Name`). */
export function isKeywordType(t: TokenType): boolean {
  return t.name.startsWith("Kw_");
}
