/**
 * The `.rag` lexer: Chevrotain's lexer plus a post-pass that retypes keywords, forms
 * durations and turns lexical mistakes into diagnostics (never exceptions).
 */
import { createTokenInstance, Lexer, type IToken } from "#chevrotain";
import { diagnostic, type Diagnostic } from "../diagnostic.js";
import type { LineIndex } from "../span.js";
import type { FrontEndLimits } from "./limits.js";
import { checkEscapes } from "./strings.js";
import {
  COUNT_SUFFIXES,
  DURATION_UNITS,
  DurationLit,
  HashComment,
  LBracket,
  LCurly,
  lexerTokens,
  LineComment,
  LParen,
  Lt,
  Gt,
  Name,
  NumberLit,
  RBracket,
  RCurly,
  RParen,
  StringLit,
  TripleString,
  UnterminatedBlockComment,
  UnterminatedString,
  UnterminatedTripleString,
  wordTokenType,
} from "./tokens.js";

/** A comment kept for the formatter. `text` includes the `//` or `/* *\/` markers. */
export interface Comment {
  readonly kind: "line" | "block";
  readonly text: string;
  /** 0-based offsets `[start, end)`. */
  readonly start: number;
  readonly end: number;
}

export interface LexOutput {
  readonly tokens: IToken[];
  readonly comments: Comment[];
  readonly diagnostics: Diagnostic[];
}

/**
 * Chevrotain's lexer for the `.rag` tokens, built on first use: source that the fast path
 * (fast-parse.ts) takes never needs it, so a process that only parses well-formed files
 * skips its construction.
 */
let chevrotainLexer: Lexer | undefined;
function ragLexer(): Lexer {
  chevrotainLexer ??= new Lexer(lexerTokens, {
    positionTracking: "onlyOffset",
    ensureOptimizations: false,
    // Errors are turned into diagnostics below; the lexer must not print.
    errorMessageProvider: {
      buildUnexpectedCharactersMessage: (text, offset, length) => `invalid token \`${text.slice(offset, offset + length)}\``,
      buildUnableToPopLexerModeMessage: () => "internal lexer error",
    },
  });
  return chevrotainLexer;
}

/**
 * Invalid tokens of one file reported singly; past them one diagnostic counts the rest
 * (lexer and `{{ }}` interpolations each). A bound on output, not on the work: the
 * characters are still scanned once.
 */
export const MAX_INVALID_TOKEN_DIAGNOSTICS = 100;

/** Tokenizes `source`. Offsets in tokens and comments are UTF-16 code units. */
export function lex(source: string, lines: LineIndex, limits: FrontEndLimits, file?: string): LexOutput {
  const diagnostics: Diagnostic[] = [];
  const at = (start: number, end: number) => lines.span(start, end);
  const result = ragLexer().tokenize(source);

  // At most MAX_INVALID_TOKEN_DIAGNOSTICS, then one that counts the rest: `@ @ @ …` (1 MiB,
  // within the source limit) made 500,000 diagnostics — ~600 MB and seconds in every
  // consumer (`rag lsp` on each edit, `POST /api/check`'s 180 MB answer).
  const errors = result.errors;
  for (let i = 0; i < errors.length && i <= MAX_INVALID_TOKEN_DIAGNOSTICS; i++) {
    const err = errors[i];
    const text = source.slice(err.offset, err.offset + err.length);
    const rest = errors.length - MAX_INVALID_TOKEN_DIAGNOSTICS;
    diagnostics.push(
      // (the one after the cap is reported singly too when it is the last: "and 0 more" says nothing)
      i < MAX_INVALID_TOKEN_DIAGNOSTICS || rest === 1
        ? diagnostic("E-rag-invalid-token", `invalid token \`${text}\``, at(err.offset, err.offset + err.length), {
            label: "not a token of the language",
            help: "identifiers are letters, digits and `_`; strings are quoted with `\"`, `'` or `\"\"\"`",
            ...(file !== undefined ? { file } : {}),
          })
        : diagnostic("E-rag-invalid-token", `invalid token \`${text}\`, and ${rest - 1} more invalid token${rest === 2 ? "" : "s"} after it (not reported one by one)`, at(err.offset, err.offset + err.length), {
            label: "invalid tokens from here on",
            help: `only the first ${MAX_INVALID_TOKEN_DIAGNOSTICS} invalid tokens of a file are reported singly; is this a .rag file?`,
            ...(file !== undefined ? { file } : {}),
          }),
    );
  }

  const comments: Comment[] = [];
  for (const c of result.groups.comments ?? []) {
    const start = c.startOffset;
    const end = c.startOffset + c.image.length;
    if (c.tokenType === HashComment) {
      diagnostics.push(
        diagnostic("E-rag-hash-comment", "`#` does not start a comment", at(start, start + 1), {
          label: "use `//` for comments",
          help: "comments are `// line` or `/* block */`",
          fixes: [{ span: at(start, start + 1), replacement: "//", description: "replace `#` with `//`" }],
        }),
      );
      comments.push({ kind: "line", text: "//" + c.image.slice(1), start, end });
    } else if (c.tokenType === UnterminatedBlockComment) {
      diagnostics.push(diagnostic("E-rag-unterminated-comment", "block comment is never closed", at(start, start + 2), { label: "`/*` opened here", help: "close it with `*/`" }));
      comments.push({ kind: "block", text: c.image, start, end });
    } else {
      comments.push({ kind: c.tokenType === LineComment ? "line" : "block", text: c.image, start, end });
    }
  }

  const tokens = retypeTokens(result.tokens);
  for (const tok of tokens) {
    const type = tok.tokenType;
    const start = tok.startOffset;
    const end = start + tok.image.length;
    if (type === UnterminatedString || type === UnterminatedTripleString) {
      diagnostics.push(
        diagnostic("E-rag-unterminated-string", "string literal is never closed", at(start, end), {
          label: type === UnterminatedString ? "the line ends before the closing quote" : "the file ends before the closing `\"\"\"`",
          help: type === UnterminatedString ? `close it with \`${tok.image[0]}\`; use \`"""…"""\` for text over several lines` : 'close it with `"""`',
        }),
      );
      retype(tok, type === UnterminatedString ? StringLit : TripleString);
    }
    if (tok.tokenType === StringLit || tok.tokenType === TripleString) {
      if (tok.image.length > limits.stringLength) {
        diagnostics.push(diagnostic("E-rag-limit-exceeded", `string literal is ${tok.image.length} characters long; the limit is ${limits.stringLength}`, at(start, Math.min(end, start + 3)), { label: "string starts here" }));
      }
      if (tok.tokenType === StringLit) {
        for (const bad of checkEscapes(tok.image)) {
          diagnostics.push(
            diagnostic("E-rag-invalid-escape", `invalid escape sequence \`${bad.text}\``, at(start + bad.offset, start + bad.offset + bad.text.length), {
              label: "not a JSON escape",
              help: "valid escapes: \\\" \\' \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX \\u{…} and \\{ (a literal brace)",
            }),
          );
        }
      }
    }
  }

  const depthProblem = checkNesting(tokens, limits.nestingDepth);
  if (depthProblem !== undefined) {
    diagnostics.push(
      diagnostic("E-rag-limit-exceeded", `nesting deeper than ${limits.nestingDepth} levels`, at(depthProblem, depthProblem + 1), {
        label: "too deep here",
        help: "flatten the structure; the nesting limit protects the parser",
      }),
    );
    return { tokens: [], comments, diagnostics };
  }
  return { tokens, comments, diagnostics };
}

/**
 * Retypes words (keywords, reserved words) and merges a number directly followed by a
 * unit word into a duration (`30s`), or a count suffix into a number (`50k`, `2M`).
 * `1abc` stays a number and a name.
 */
function retypeTokens(raw: IToken[]): IToken[] {
  const tokens: IToken[] = [];
  for (let i = 0; i < raw.length; i++) {
    const tok = raw[i];
    // `onlyOffset` tracking leaves endOffset unset; CST node locations need it.
    tok.endOffset = tok.startOffset + tok.image.length - 1;
    if (tok.tokenType === Name) {
      const t = wordTokenType(tok.image);
      if (t !== Name) retype(tok, t);
    } else if (tok.tokenType === NumberLit) {
      const next = raw[i + 1];
      const end = tok.startOffset + tok.image.length;
      if (next && next.tokenType === Name && next.startOffset === end && DURATION_UNITS.has(next.image)) {
        tokens.push(createTokenInstance(DurationLit, tok.image + next.image, tok.startOffset, next.startOffset + next.image.length - 1, NaN, NaN, NaN, NaN));
        i++;
        continue;
      }
      // `50k`, `2M`: a count with a thousand / million suffix (budgets: `tokens: 50k`).
      if (next && next.tokenType === Name && next.startOffset === end && COUNT_SUFFIXES.has(next.image)) {
        tokens.push(createTokenInstance(NumberLit, tok.image + next.image, tok.startOffset, next.startOffset + next.image.length - 1, NaN, NaN, NaN, NaN));
        i++;
        continue;
      }
    }
    tokens.push(tok);
  }
  return tokens;
}

/**
 * Tokenizes a fragment (the text of a `{{ expr }}` interpolation). Offsets are relative
 * to `text`; `errors` are the offsets and lengths of characters that are no token.
 */
export function lexFragment(text: string): { tokens: IToken[]; errors: { offset: number; length: number }[] } {
  const result = ragLexer().tokenize(text);
  return { tokens: retypeTokens(result.tokens), errors: result.errors.map((e) => ({ offset: e.offset, length: e.length })) };
}

function retype(tok: IToken, t: IToken["tokenType"]): void {
  tok.tokenType = t;
  tok.tokenTypeIdx = t.tokenTypeIdx!;
}

/**
 * Offset of the first bracket that exceeds `max` nesting, if any. The `<` of a type
 * argument (`list<`, `map<`) counts as an opener, closed by its `>` or by the enclosing
 * bracket's close: unclosed `list<list<…` made recovery quadratic (issue 10 §3).
 */
export function checkNesting(tokens: IToken[], max: number): number | undefined {
  const open: boolean[] = []; // true: a type argument `<`, false: a bracket
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const type = t.tokenType;
    const generic = type === Lt && i > 0 && (tokens[i - 1].image === "list" || tokens[i - 1].image === "map");
    if (type === LCurly || type === LBracket || type === LParen || generic) {
      open.push(generic);
      if (open.length > max) return t.startOffset;
    } else if (type === Gt) {
      if (open[open.length - 1] === true) open.pop();
    } else if (type === RCurly || type === RBracket || type === RParen) {
      while (open[open.length - 1] === true) open.pop();
      open.pop();
    }
  }
  return undefined;
}
