/**
 * The `.ragsh` front end (`repl.md` §1): tokens, Chevrotain parser, CST → AST with
 * spans, diagnostics. No Node built-ins (runs in browsers).
 */
export { parseRagsh, DEFAULT_RAGSH_LIMITS, type RagshLimits, type RagshParseOptions, type RagshParseOutput } from "./parse.js";
export { lexRagsh, decodeEscapes } from "./lexer.js";
export { UNSUPPORTED_WORDS, KEYWORD_WORDS } from "./tokens.js";
export type * as RagshAst from "./ast.js";
