/**
 * The grammar stage: `.rag` tokens, parser, AST, and the diagnostic and span data that
 * every later stage shares. No Node built-ins (runs in browsers).
 */
export { parseRag, type ParseOptions, type ParseOutput } from "./rag/parse.js";
export { lexFragment } from "./rag/lexer.js";
export { KEYWORD_WORDS, type KeywordWord } from "./rag/tokens.js";
export { DEFAULT_LIMITS, resolveLimits, type FrontEndLimits } from "./rag/limits.js";
export { decodeString } from "./rag/strings.js";
export { diagnostic, hasErrors, severityOf, sortDiagnostics, type Diagnostic, type DiagnosticExtras, type Fix, type Label, type Result, type Severity } from "./diagnostic.js";
export { LineIndex, joinSpans, pointSpan, type Position, type Span } from "./span.js";
export { didYouMean, suggestionList, withSuggestionBudget, MAX_CELLS_PER_COMPILE } from "./suggest.js";
export type * as Ast from "./rag/ast.js";
export { formatRag, printProgram, KIND_CANONICAL, REDUCER_CANONICAL, type FormatOptions, type FormatResult, type PrintOptions } from "./format/index.js";
export { approxTokens, CARD_TOKEN_BUDGET, GRAMMAR_CARD } from "./card.js";
export { MONARCH_LANGUAGE, type MonarchLanguage } from "./editors/rag.monarch.js";
export { TOKEN_LIST, type TokenList } from "./editors/token-list.js";
