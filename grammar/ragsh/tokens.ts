/**
 * Tokens of `.ragsh` (`repl.md` §1): a small JavaScript subset plus the Rhai spellings
 * `fn`, `#{…}`, `|x| expr` and `for x in xs`.
 *
 * As in `.rag`, the lexer has one word pattern and `retypeWord` turns keywords into
 * their own token types afterwards (fast, and keeps `Name` the only identifier token).
 * Words of JavaScript that `.ragsh` leaves out on purpose (`import`, `new`, `class`, …)
 * stay names here; the lexer post-pass reports them (`E-ragsh-unsupported-syntax`).
 */
import { createToken, Lexer, type TokenType } from "#chevrotain";

/** Category: a word usable as a property name or object key (names and every keyword). */
export const PropName = createToken({ name: "PropName", pattern: Lexer.NA });

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED, line_breaks: true });
export const LineComment = createToken({ name: "LineComment", pattern: /\/\/[^\n\r]*/, group: Lexer.SKIPPED });
export const BlockComment = createToken({ name: "BlockComment", pattern: /\/\*[\s\S]*?\*\//, group: Lexer.SKIPPED, line_breaks: true });
/** `/*` never closed: reported as E-ragsh-unterminated-comment. */
export const UnterminatedBlockComment = createToken({ name: "UnterminatedBlockComment", pattern: /\/\*[\s\S]*/, group: "errors", line_breaks: true });

export const StringLit = createToken({ name: "StringLit", pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*"|'(?:[^'\\\n\r]|\\[^\n\r])*'/ });
/** A quote not closed on its line: reported as E-ragsh-unterminated-string, then parsed as a string. */
export const UnterminatedString = createToken({ name: "UnterminatedString", pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*\\?|'(?:[^'\\\n\r]|\\[^\n\r])*\\?/ });
/** `` `…${expr}…` ``: one token; the builder parses each `${…}` part (see `matchTemplate`). */
export const TemplateLit = createToken({ name: "TemplateLit", pattern: { exec: (text, offset) => matchTemplate(text, offset) }, line_breaks: true, start_chars_hint: ["`"] });
export const NumberLit = createToken({ name: "NumberLit", pattern: /0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/ });
export const Name = createToken({ name: "Name", pattern: /[A-Za-z_$][A-Za-z0-9_$]*/, categories: [PropName] });

const op = (name: string, pattern: RegExp, label: string) => createToken({ name, pattern, label: `\`${label}\`` });
export const Ellipsis = op("Ellipsis", /\.\.\./, "...");
export const StrictEq = op("StrictEq", /===/, "===");
export const StrictNotEq = op("StrictNotEq", /!==/, "!==");
export const EqEq = op("EqEq", /==/, "==");
export const NotEq = op("NotEq", /!=/, "!=");
export const FatArrow = op("FatArrow", /=>/, "=>");
export const LtEq = op("LtEq", /<=/, "<=");
export const GtEq = op("GtEq", />=/, ">=");
export const AndAnd = op("AndAnd", /&&/, "&&");
export const OrOr = op("OrOr", /\|\|/, "||");
export const QuestionQuestion = op("QuestionQuestion", /\?\?/, "??");
/** `?.` but not `?.5` (a conditional followed by a number). */
export const QuestionDot = op("QuestionDot", /\?\.(?!\d)/, "?.");
export const PlusPlus = op("PlusPlus", /\+\+/, "++");
export const MinusMinus = op("MinusMinus", /--/, "--");
export const PlusEq = op("PlusEq", /\+=/, "+=");
export const MinusEq = op("MinusEq", /-=/, "-=");
export const StarEq = op("StarEq", /\*=/, "*=");
export const SlashEq = op("SlashEq", /\/=/, "/=");
export const PercentEq = op("PercentEq", /%=/, "%=");
export const HashLCurly = op("HashLCurly", /#\{/, "#{");
export const LCurly = op("LCurly", /\{/, "{");
export const RCurly = op("RCurly", /\}/, "}");
export const LBracket = op("LBracket", /\[/, "[");
export const RBracket = op("RBracket", /\]/, "]");
export const LParen = op("LParen", /\(/, "(");
export const RParen = op("RParen", /\)/, ")");
export const Comma = op("Comma", /,/, ",");
export const Colon = op("Colon", /:/, ":");
export const Semicolon = op("Semicolon", /;/, ";");
export const Dot = op("Dot", /\./, ".");
export const Question = op("Question", /\?/, "?");
export const Pipe = op("Pipe", /\|/, "|");
export const Eq = op("Eq", /=/, "=");
export const Lt = op("Lt", /</, "<");
export const Gt = op("Gt", />/, ">");
export const Plus = op("Plus", /\+/, "+");
export const Minus = op("Minus", /-/, "-");
export const Star = op("Star", /\*/, "*");
export const Slash = op("Slash", /\//, "/");
export const Percent = op("Percent", /%/, "%");
export const Bang = op("Bang", /!/, "!");

/** Keywords of `.ragsh`; reserved (never plain names), but usable as property names and keys. */
export const KEYWORD_WORDS = [
  "let", "const", "fn", "function", "if", "else", "while", "for", "of", "in", "return", "break", "continue",
  "true", "false", "null", "typeof", "await", "async",
] as const;
export type KeywordWord = (typeof KEYWORD_WORDS)[number];

export const KW: Readonly<Record<KeywordWord, TokenType>> = Object.fromEntries(
  KEYWORD_WORDS.map((w) => [w, createToken({ name: `Kw_${w}`, pattern: Lexer.NA, label: `\`${w}\``, categories: [PropName] })]),
) as Record<KeywordWord, TokenType>;
const KEYWORDS: ReadonlyMap<string, TokenType> = new Map(Object.entries(KW));

/**
 * JavaScript words `.ragsh` does not have, with the help shown when a script uses one.
 * A script reaches the world only through capability functions (`repl.md` §1).
 */
export const UNSUPPORTED_WORDS: Readonly<Record<string, string>> = {
  import: "there are no modules; models, tools, agents and graphs are built-in functions (`model_query`, `tool_call`, …)",
  export: "a cell's variables stay in the session namespace; there is nothing to export",
  new: "there are no constructors; write literals (`[]`, `{}`, `\"…\"`)",
  class: "there are no classes; use objects `{k: v}` and functions `fn name(a) {…}`",
  this: "there is no `this`; pass values as arguments",
  var: "declare variables with `let` or `const`",
  try: "there is no exception handling; a failing capability call stops the cell with a diagnostic, and batched calls record per-item failures",
  catch: "there is no exception handling",
  finally: "there is no exception handling",
  throw: "there are no exceptions; call `answer(…)` or `emit(…)` to report an outcome",
  switch: "use `if … else if …`",
  case: "use `if … else if …`",
  do: "use `while (…) {…}`",
  with: "`with` is not supported",
  delete: "build a new object without the key instead",
  yield: "there are no generators",
  instanceof: "use `typeof` or `Array.isArray`",
  void: "`void` is not supported",
  debugger: "`debugger` is not supported",
};

/**
 * Lexer token order: comments before `/`, the unterminated variants after their
 * terminated forms, longer operators before their prefixes (`===` before `==` before `=`).
 */
export const lexerTokens: TokenType[] = [
  WhiteSpace, LineComment, BlockComment, UnterminatedBlockComment,
  StringLit, UnterminatedString, TemplateLit, NumberLit, Name,
  Ellipsis, StrictEq, StrictNotEq, EqEq, NotEq, FatArrow, LtEq, GtEq, AndAnd, OrOr, QuestionQuestion, QuestionDot,
  PlusPlus, MinusMinus, PlusEq, MinusEq, StarEq, SlashEq, PercentEq, HashLCurly,
  LCurly, RCurly, LBracket, RBracket, LParen, RParen, Comma, Colon, Semicolon, Dot, Question, Pipe, Eq, Lt, Gt,
  Plus, Minus, Star, Slash, Percent, Bang,
];

/** Every token type the parser may see. */
export const allTokens: TokenType[] = [PropName, ...lexerTokens, ...KEYWORDS.values()];

/** Token type for a word: a keyword or `Name`. */
export function wordTokenType(image: string): TokenType {
  return KEYWORDS.get(image) ?? Name;
}

/**
 * Matches a template literal at `offset`: a backquote, text with `\` escapes, and
 * `${ … }` parts whose braces, strings and nested templates are balanced. An
 * unterminated template matches to the end of the text (reported by the lexer).
 */
export function matchTemplate(text: string, offset: number): RegExpExecArray | null {
  if (text.charCodeAt(offset) !== 96 /* ` */) return null;
  const end = templateEnd(text, offset + 1);
  const m = [text.slice(offset, end)] as unknown as RegExpExecArray;
  m.index = offset;
  m.input = text;
  return m;
}

/** Offset just past the closing backquote of a template whose body starts at `i` (or the text's end). */
function templateEnd(text: string, i: number): number {
  while (i < text.length) {
    const c = text[i];
    if (c === "\\") i += 2;
    else if (c === "`") return i + 1;
    else if (c === "$" && text[i + 1] === "{") i = exprEnd(text, i + 2);
    else i++;
  }
  return text.length;
}

/** Offset just past the `}` closing an interpolation whose expression starts at `i`. */
function exprEnd(text: string, i: number): number {
  let depth = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "`") i = templateEnd(text, i + 1);
    else if (c === '"' || c === "'") {
      i++;
      while (i < text.length && text[i] !== c && text[i] !== "\n") i += text[i] === "\\" ? 2 : 1;
      i++;
    } else if (c === "{") (depth++, i++);
    else if (c === "}") {
      if (depth === 0) return i + 1;
      depth--;
      i++;
    } else i++;
  }
  return text.length;
}
