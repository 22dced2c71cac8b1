/**
 * Wording of `.ragsh` parse errors: how this grammar's token types and rules read in messages. The message
 * shapes themselves are shared (grammar/parse-support.ts).
 */
import { messageProvider } from "../parse-support.js";

export const errorMessageProvider = messageProvider({
  typeNames: {
  Name: "a name",
  PropName: "a name",
  StringLit: "a string",
  TemplateLit: "a template string",
  NumberLit: "a number",
},
  ruleNames: {
  statement: "a statement",
  primary: "an expression",
  pattern: "a name, `{…}` or `[…]`",
  suffix: "`.`, `?.`, `[` or `(`",
  prop: "a property (`key: value`, `[expr]: value` or `...obj`)",
  functionBody: "a block or an expression",
  forStmt: "`(`, or a name then `in`",
},
});

export { describeToken } from "../parse-support.js";
