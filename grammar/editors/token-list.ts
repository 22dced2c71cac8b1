/**
 * The one list of `.rag` words and symbols that editor grammars are generated from
 * (`scripts/gen-editor-grammars.ts` → `rag.tmLanguage.json` for TextMate editors and
 * `rag.monarch.ts` for Monaco). Keywords come from the lexer's own table; kinds,
 * reducers and functions are the compiler's (which `grammar/` may not import), and
 * `test/language-service/grammars.test.ts` checks they have not drifted.
 */
import { KEYWORD_WORDS, DURATION_UNITS } from "../rag/tokens.js";

/** Words that open a declaration followed by its name. */
export const DECLARATION_WORDS = ["graph", "agent", "schema", "node"] as const;
/** Keywords that are operators in expressions. */
export const OPERATOR_WORDS = ["and", "or", "not", "in"] as const;

export interface TokenList {
  readonly declarations: readonly string[];
  /** Every other contextual keyword (items, routes, policies). */
  readonly keywords: readonly string[];
  readonly operatorWords: readonly string[];
  /** Reserved words: `START`, `END`, `true`, `false`, `null`. */
  readonly constants: readonly string[];
  /** Node kinds and their reference-dialect aliases (`language.md` §2.4, §6). */
  readonly kinds: readonly string[];
  /** Built-in field types (§2.2). */
  readonly types: readonly string[];
  /** Reducer words (§2.2). */
  readonly reducers: readonly string[];
  /** Built-in expression functions (§3). */
  readonly functions: readonly string[];
  /** Expression roots (§3). */
  readonly roots: readonly string[];
  /** Punctuation operators, longest first. */
  readonly operators: readonly string[];
  readonly durationUnits: readonly string[];
}

const declarations = new Set<string>(DECLARATION_WORDS);
const operatorWords = new Set<string>(OPERATOR_WORDS);

export const TOKEN_LIST: TokenList = {
  declarations: DECLARATION_WORDS,
  keywords: KEYWORD_WORDS.filter((w) => !declarations.has(w) && !operatorWords.has(w)),
  operatorWords: OPERATOR_WORDS,
  constants: ["START", "END", "true", "false", "null"],
  kinds: ["model", "agent", "tool_executor", "tool", "router", "set", "subgraph", "subagent", "interrupt", "join", "repl_agent", "graph", "human", "sub_agent"],
  types: ["string", "number", "integer", "boolean", "any", "messages", "list", "map"],
  reducers: ["overwrite", "last_value", "last_write", "append", "messages", "merge", "sum", "min", "max", "union", "topic", "ephemeral", "untracked", "barrier", "named_barrier", "aggregate", "reducer"],
  functions: ["len", "lower", "upper", "trim", "contains", "starts_with", "ends_with", "split", "join", "keys", "values", "default", "min", "max", "sum", "round", "json", "count", "any", "all"],
  roots: ["state", "input", "args", "result", "run"],
  operators: ["->", "==", "!=", "<=", ">=", "&&", "||", "=", "<", ">", "+", "-", "*", "/", "%", "!", "?", "|", ":"],
  durationUnits: [...DURATION_UNITS],
};
