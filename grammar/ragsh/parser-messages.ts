/**
 * Human wording for Chevrotain's parse errors in `.ragsh` ("expected `)` after `x`,
 * found `{`"). Messages name tokens as written and never mention grammar internals.
 */
import { EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from "#chevrotain";

const TYPE_NAMES: Readonly<Record<string, string>> = {
  Name: "a name",
  PropName: "a name",
  StringLit: "a string",
  TemplateLit: "a template string",
  NumberLit: "a number",
};

const RULE_NAMES: Readonly<Record<string, string>> = {
  statement: "a statement",
  primary: "an expression",
  pattern: "a name, `{…}` or `[…]`",
  suffix: "`.`, `?.`, `[` or `(`",
  prop: "a property (`key: value`, `[expr]: value` or `...obj`)",
  functionBody: "a block or an expression",
  forStmt: "`(`, or a name then `in`",
};

/** How a token type reads in a message. */
export function describeType(t: TokenType): string {
  if (t === EOF) return "end of input";
  if (TYPE_NAMES[t.name]) return TYPE_NAMES[t.name];
  if (typeof t.LABEL === "string") return t.LABEL;
  return t.name;
}

/** How a token reads in a message. */
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

export const errorMessageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, previous }) {
    return `expected ${describeType(expected)}${after(previous)}, found ${describeToken(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `unexpected ${describeToken(firstRedundant)}`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, previous, ruleName }) {
    const wanted = RULE_NAMES[ruleName] ?? oneOf(expectedPathsPerAlt.flatMap((alt) => alt.map((path) => (path[0] ? describeType(path[0]) : "end of input"))));
    return `expected ${wanted}${after(previous)}, found ${describeToken(actual[0])}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, previous, ruleName }) {
    const wanted = RULE_NAMES[ruleName] ?? oneOf(expectedIterationPaths.map((path) => (path[0] ? describeType(path[0]) : "end of input")));
    return `expected ${wanted}${after(previous)}, found ${describeToken(actual[0])}`;
  },
};
