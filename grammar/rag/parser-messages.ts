/**
 * Wording of `.rag` parse errors: how this grammar's token types and rules read in messages. The message
 * shapes themselves are shared (grammar/parse-support.ts).
 */
import { messageProvider } from "../parse-support.js";

export const errorMessageProvider = messageProvider({
  typeNames: {
  Ident: "a name",
  Name: "a name",
  StringLit: "a string",
  TripleString: "a string",
  NumberLit: "a number",
  DurationLit: "a duration",
  LiteralArg: "a literal",
  NonBracket: "a token",
},
  ruleNames: {
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
},
});

export { describeToken } from "../parse-support.js";
