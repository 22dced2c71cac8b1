/**
 * The `.ragsh` lexer: Chevrotain's lexer plus a post-pass that retypes keywords and
 * turns lexical mistakes into diagnostics (never exceptions): invalid characters,
 * unterminated strings, templates and comments, JavaScript words `.ragsh` leaves out
 * (`E-ragsh-unsupported-syntax`, with a fix where one is obvious), and bracket nesting
 * past the limit.
 */
import { Lexer, type IToken } from "#chevrotain";
import { diagnostic, type Diagnostic } from "../diagnostic.js";
import type { LineIndex } from "../span.js";
import * as T from "./tokens.js";

export interface LexOutput {
  readonly tokens: IToken[];
  readonly diagnostics: Diagnostic[];
}

const chevrotainLexer = new Lexer(T.lexerTokens, {
  positionTracking: "onlyOffset",
  ensureOptimizations: false,
  errorMessageProvider: {
    buildUnexpectedCharactersMessage: (text, offset, length) => `invalid token \`${text.slice(offset, offset + length)}\``,
    buildUnableToPopLexerModeMessage: () => "internal lexer error",
  },
});

const OPEN = new Set([T.LParen, T.LBracket, T.LCurly, T.HashLCurly]);
const CLOSE = new Set([T.RParen, T.RBracket, T.RCurly]);

/**
 * Tokenizes `text`, whose first character sits at offset `base` of the source `lines`
 * indexes (template interpolations are lexed in place). Offsets are UTF-16 code units.
 */
export function lexRagsh(text: string, lines: LineIndex, options: { base?: number; nestingDepth: number; file?: string }): LexOutput {
  const base = options.base ?? 0;
  const diagnostics: Diagnostic[] = [];
  const extras = options.file !== undefined ? { file: options.file } : {};
  const at = (start: number, end: number) => lines.span(base + start, base + end);
  const result = chevrotainLexer.tokenize(text);

  for (const err of result.errors) {
    const bad = text.slice(err.offset, err.offset + err.length);
    diagnostics.push(
      diagnostic("E-ragsh-invalid-token", `invalid token \`${bad}\``, at(err.offset, err.offset + err.length), {
        ...extras,
        label: "not a token of .ragsh",
        help: bad.startsWith("#") ? "`#` starts only an object `#{k: v}`; comments are `// line` or `/* block */`" : "names are letters, digits, `_` and `$`; strings are quoted with `\"`, `'` or `` ` ``",
      }),
    );
  }
  for (const c of result.groups.errors ?? []) {
    diagnostics.push(diagnostic("E-ragsh-unterminated-comment", "block comment is never closed", at(c.startOffset, c.startOffset + 2), { ...extras, label: "`/*` opened here", help: "close it with `*/`" }));
  }

  const tokens = result.tokens;
  let prevEnd = 0;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    const start = tok.startOffset;
    const end = start + tok.image.length;
    // Whether a line break separates this token from the previous one (see RagshParser.newLineSuffix).
    if (i > 0 && /[\n\r]/.test(text.slice(prevEnd, start))) (tok as IToken & { nl?: boolean }).nl = true;
    prevEnd = end;
    const type = tok.tokenType;
    if (type === T.Name) {
      const kw = T.wordTokenType(tok.image);
      if (kw !== T.Name) retype(tok, kw);
      else if (Object.hasOwn(T.UNSUPPORTED_WORDS, tok.image) && !usedAsKey(tokens, i)) {
        const fix = tok.image === "var" ? [{ span: at(start, end), replacement: "let", description: "replace `var` with `let`" }] : [];
        diagnostics.push(
          diagnostic("E-ragsh-unsupported-syntax", `\`${tok.image}\` is not part of .ragsh`, at(start, end), {
            ...extras,
            label: "not available in a session",
            help: T.UNSUPPORTED_WORDS[tok.image],
            fixes: fix,
          }),
        );
      }
    } else if (type === T.UnterminatedString) {
      diagnostics.push(
        diagnostic("E-ragsh-unterminated-string", "string literal is never closed", at(start, end), {
          ...extras,
          label: "the line ends before the closing quote",
          help: `close it with \`${tok.image[0]}\`; use a template string \`…\` for text over several lines`,
        }),
      );
      retype(tok, T.StringLit);
    } else if (type === T.TemplateLit && (tok.image.length < 2 || !tok.image.endsWith("`") || unclosedTemplate(tok.image))) {
      diagnostics.push(diagnostic("E-ragsh-unterminated-string", "template string is never closed", at(start, Math.min(end, start + 1)), { ...extras, label: "opened here", help: "close it with `` ` ``" }));
    }
    tok.startOffset = base + start;
    tok.endOffset = base + end - 1;
  }

  let depth = 0;
  for (const t of tokens) {
    if (OPEN.has(t.tokenType)) {
      if (++depth > options.nestingDepth) {
        diagnostics.push(
          diagnostic("E-ragsh-nesting-limit", `brackets nested deeper than ${options.nestingDepth} levels`, lines.span(t.startOffset, t.startOffset + 1), {
            ...extras,
            label: "too deep here",
            help: "flatten the code into smaller functions or variables; the limit protects the parser",
          }),
        );
        return { tokens: [], diagnostics };
      }
    } else if (CLOSE.has(t.tokenType)) depth = Math.max(0, depth - 1);
  }
  return { tokens, diagnostics };
}

/** A word right after `.`/`?.`, or right before `:` inside an object, is a property name. */
function usedAsKey(tokens: IToken[], i: number): boolean {
  const prev = tokens[i - 1]?.tokenType;
  const next = tokens[i + 1]?.tokenType;
  return prev === T.Dot || prev === T.QuestionDot || (next === T.Colon && (prev === T.LCurly || prev === T.HashLCurly || prev === T.Comma));
}

/** True when a template token ran to the end of the text (its last backquote is escaped or inside `${`). */
function unclosedTemplate(image: string): boolean {
  const m = T.matchTemplate(image, 0);
  return !m || m[0].length !== image.length || image.length < 2;
}

function retype(tok: IToken, t: IToken["tokenType"]): void {
  tok.tokenType = t;
  tok.tokenTypeIdx = t.tokenTypeIdx!;
}

/**
 * Decodes a JavaScript string body (without quotes): `\n \t \r \b \f \v \0 \xHH \uHHHH
 * \u{…}`, line continuations; any other escaped character stands for itself (as in
 * JavaScript).
 */
export function decodeEscapes(body: string): string {
  if (!body.includes("\\")) return body;
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== "\\") {
      out += c;
      continue;
    }
    const n = body[++i];
    if (n === undefined) break;
    const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", v: "\v", "0": "\0" };
    if (n in simple) out += simple[n];
    else if (n === "x" && /^[0-9a-fA-F]{2}$/.test(body.slice(i + 1, i + 3))) {
      out += String.fromCharCode(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (n === "u" && body[i + 1] === "{") {
      const close = body.indexOf("}", i);
      const cp = close > 0 ? parseInt(body.slice(i + 2, close), 16) : NaN;
      if (Number.isFinite(cp) && cp <= 0x10ffff) {
        out += String.fromCodePoint(cp);
        i = close;
      } else out += "u";
    } else if (n === "u" && /^[0-9a-fA-F]{4}$/.test(body.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(body.slice(i + 1, i + 5), 16));
      i += 4;
    } else if (n === "\r" || n === "\n") {
      if (n === "\r" && body[i + 1] === "\n") i++;
    } else out += n;
  }
  return out;
}
