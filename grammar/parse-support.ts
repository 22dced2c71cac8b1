/**
 * Pieces both front ends (`.rag` and `.ragsh`) share: human wording for Chevrotain's
 * parse errors ("expected `{` after `g`, found `start`": tokens as written, never grammar
 * internals), and turning the parser's errors into diagnostics.
 */
import { EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from "#chevrotain";
import { diagnostic, type Diagnostic } from "./diagnostic.js";
import type { LineIndex } from "./span.js";

export interface MessageVocabulary {
  /** How token types read ("a name", "a string"), by token type name. */
  readonly typeNames: Readonly<Record<string, string>>;
  /** What a rule expects ("a node item"), by rule name, for no-viable-alternative errors. */
  readonly ruleNames: Readonly<Record<string, string>>;
}

/** How a token reads in a message: `` `image` `` (clipped), or "end of input". */
export function describeToken(t: IToken | undefined): string {
  if (!t || t.tokenType === EOF || Number.isNaN(t.startOffset)) return "end of input";
  return `\`${t.image.length > 40 ? t.image.slice(0, 37) + "…" : t.image}\``;
}

function after(previous: IToken | undefined): string {
  if (!previous || Number.isNaN(previous.startOffset) || previous.image === "") return "";
  return ` after \`${previous.image.length > 30 ? previous.image.slice(0, 27) + "…" : previous.image}\``;
}

function oneOf(names: string[]): string {
  const unique = [...new Set(names)];
  if (unique.length <= 1) return unique[0] ?? "something else";
  if (unique.length > 6) return `one of ${unique.slice(0, 6).join(", ")}, …`;
  return `one of ${unique.join(", ")}`;
}

/** A Chevrotain error message provider speaking the given vocabulary. */
export function messageProvider(v: MessageVocabulary): IParserErrorMessageProvider & { describeType(t: TokenType): string } {
  const describeType = (t: TokenType): string => {
    if (t === EOF) return "end of input";
    if (v.typeNames[t.name]) return v.typeNames[t.name];
    if (typeof t.LABEL === "string") return t.LABEL;
    return t.name;
  };
  const firstOf = (path: TokenType[]) => (path[0] ? describeType(path[0]) : "end of input");
  return {
    describeType,
    buildMismatchTokenMessage: ({ expected, actual, previous }) => `expected ${describeType(expected)}${after(previous)}, found ${describeToken(actual)}`,
    buildNotAllInputParsedMessage: ({ firstRedundant }) => `unexpected ${describeToken(firstRedundant)}`,
    buildNoViableAltMessage: ({ expectedPathsPerAlt, actual, previous, ruleName }) =>
      `expected ${v.ruleNames[ruleName] ?? oneOf(expectedPathsPerAlt.flatMap((alt) => alt.map(firstOf)))}${after(previous)}, found ${describeToken(actual[0])}`,
    buildEarlyExitMessage: ({ expectedIterationPaths, actual, previous, ruleName }) =>
      `expected ${v.ruleNames[ruleName] ?? oneOf(expectedIterationPaths.map(firstOf))}${after(previous)}, found ${describeToken(actual[0])}`,
  };
}

/**
 * The parser's recognition errors as diagnostics with `code`: at the offending token,
 * or at offset `eof` (see `endOfCode`) when the input ran out.
 */
export function syntaxDiagnostics(errors: readonly { message: string; token: IToken }[], lines: LineIndex, eof: number, code: string, file?: string): Diagnostic[] {
  return errors.map((err) => {
    const tok = err.token;
    const real = tok && Number.isFinite(tok.startOffset) && tok.tokenType.name !== "EOF";
    const span = real ? lines.span(tok.startOffset, tok.startOffset + tok.image.length) : lines.span(eof, eof);
    return diagnostic(code, err.message, span, { label: real ? "unexpected here" : "input ends here", ...(file !== undefined ? { file } : {}) });
  });
}

/** Offset just past the last non-whitespace character (where "end of input" is reported). */
export function endOfCode(source: string): number {
  let i = source.length;
  while (i > 0 && /\s/.test(source[i - 1])) i--;
  return i;
}

/** Recovery can report the same error twice at one position; keep the first. */
export function dedupeDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const key = `${d.code}@${d.span.start.offset}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
