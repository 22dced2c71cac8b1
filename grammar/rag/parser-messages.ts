/**
 * Human wording for Chevrotain's parse errors ("expected `{` after `g`, found `start`").
 * Messages name tokens as written, in backticks, and never mention grammar internals.
 */
import { EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from "#chevrotain";

const TYPE_NAMES: Readonly<Record<string, string>> = {
  Ident: "a name",
  Name: "a name",
  StringLit: "a string",
  TripleString: "a string",
  NumberLit: "a number",
  DurationLit: "a duration",
  LiteralArg: "a literal",
  NonBracket: "a token",
};

const RULE_NAMES: Readonly<Record<string, string>> = {
  program: "`graph`, `agent` or `schema`",
  graphItem: "a graph item",
  nodeItem: "a node item",
  nodeRef: "a node name, `END` or `START`",
  value: "a value",
  primary: "an expression",
  postfixOp: "`.`, `[` or `(`",
  typeAtom: "a type",
  route: "a route (`label -> node`, `when expr -> node` or `else -> node`)",
  steeringEntry: "`parent allow [..]`, `human allow [..]` or `delivery \"…\"`",
  junkUnit: "a token",
  stringValue: "a string",
  timeoutItem: "a duration (`30s`, `\"30s\"` or a number of seconds)",
};

/** `` `x` `` for a token type. */
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
