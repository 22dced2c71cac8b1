/**
 * The language service: browser-safe editor features over the real compiler
 * (`overview.md` layout; issue 12 §1). One instance holds open documents by URI; every
 * query recompiles lazily (once per text version) and answers with protocol-neutral,
 * LSP-shaped data (`types.ts`: 0-based lines, UTF-16 characters).
 *
 * Front ends are thin adapters: `rag lsp` (cli/lsp, vscode-languageserver over stdio)
 * and the studio's Web Worker (Monaco). No feature logic lives in them; nothing here
 * knows LSP or Monaco, and nothing here uses Node built-ins.
 *
 * No method throws for any document text or position; a position outside the text is
 * clamped. Queries on a URI that was never `update`d answer empty (null, [], no edits).
 */
export { createLanguageService, type LanguageService, type LanguageServiceOptions } from "./service.js";
export { SEMANTIC_TOKENS_LEGEND } from "./semantic-tokens.js";
/** The Monarch grammar for Monaco (generated in grammar/editors/), re-exported for the studio worker's host page. */
export { MONARCH_LANGUAGE, type MonarchLanguage } from "../grammar/index.js";
export { CompletionKind, SymbolKind } from "./types.js";
export type {
  LsCodeAction,
  LsCompletionItem,
  LsCompletionKind,
  LsCompletionList,
  LsDiagnostic,
  LsDocumentSymbol,
  LsFix,
  LsFormattingOptions,
  LsHover,
  LsLocation,
  LsPosition,
  LsPrepareRename,
  LsRange,
  LsRenameError,
  LsRenameResult,
  LsSemanticTokens,
  LsSemanticTokensLegend,
  LsSeverity,
  LsSymbolKind,
  LsTextEdit,
  LsWorkspaceEdit,
} from "./types.js";
export type { AgentDetails, GraphDetails, ModelDetails, ServiceRegistrySnapshot, ToolDetails } from "./snapshot.js";
export { serviceSnapshotProblem } from "./snapshot.js";
