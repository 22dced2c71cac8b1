/**
 * Protocol-neutral data of the language service. The shapes are those of the Language
 * Server Protocol 3.17 (so `rag lsp` forwards them unchanged and Monaco adapters map
 * them one to one), but nothing here imports LSP or Monaco.
 *
 * Units: `line` and `character` are 0-based; `character` counts UTF-16 code units (the
 * LSP default position encoding, and the unit of the compiler's columns).
 */

/** A 0-based position in a document (LSP `Position`). */
export interface LsPosition {
  /** 0-based line. */
  readonly line: number;
  /** 0-based column in UTF-16 code units. */
  readonly character: number;
}

/** A half-open range `[start, end)` (LSP `Range`). */
export interface LsRange {
  readonly start: LsPosition;
  readonly end: LsPosition;
}

/** A range in a document (LSP `Location`). */
export interface LsLocation {
  readonly uri: string;
  readonly range: LsRange;
}

/** Replace `range` with `newText` (LSP `TextEdit`). */
export interface LsTextEdit {
  readonly range: LsRange;
  readonly newText: string;
}

/** Edits per document URI (LSP `WorkspaceEdit` with `changes`). */
export interface LsWorkspaceEdit {
  readonly changes: Readonly<Record<string, readonly LsTextEdit[]>>;
}

/** LSP `DiagnosticSeverity`: 1 error, 2 warning, 3 information, 4 hint. */
export type LsSeverity = 1 | 2 | 3 | 4;

/** A machine fix of a diagnostic, as edits of its document. */
export interface LsFix {
  readonly title: string;
  readonly edits: readonly LsTextEdit[];
}

/** A compiler diagnostic (LSP `Diagnostic`, with the compiler's fixes in `data`). */
export interface LsDiagnostic {
  readonly range: LsRange;
  readonly severity: LsSeverity;
  /** Stable code, e.g. `E-rag-unknown-node` (docs/diagnostics.md). */
  readonly code: string;
  /** Always `"rag"`. */
  readonly source: "rag";
  /** The message, then `help: …` on a second line when the compiler gives help. */
  readonly message: string;
  /** Secondary spans ("first defined here"). */
  readonly relatedInformation?: readonly { readonly location: LsLocation; readonly message: string }[];
  /** LSP `DiagnosticTag`: 1 unnecessary (unused/unreachable), 2 deprecated. */
  readonly tags?: readonly (1 | 2)[];
  /** The machine fixes (each one edit of several text edits); also offered as code actions. */
  readonly data: { readonly fixes: readonly LsFix[] };
}

/** LSP `CompletionItemKind` values used here. */
export const CompletionKind = {
  Text: 1,
  Method: 2,
  Function: 3,
  Field: 5,
  Variable: 6,
  Class: 7,
  Interface: 8,
  Module: 9,
  Property: 10,
  Value: 12,
  Enum: 13,
  EnumMember: 20,
  Keyword: 14,
  Snippet: 15,
  Reference: 18,
  Constant: 21,
  Struct: 22,
  Operator: 24,
  TypeParameter: 25,
} as const;
export type LsCompletionKind = (typeof CompletionKind)[keyof typeof CompletionKind];

/** One completion proposal (LSP `CompletionItem`). */
export interface LsCompletionItem {
  readonly label: string;
  readonly kind: LsCompletionKind;
  /** One line shown beside the label (a type, a kind, "node"). */
  readonly detail?: string;
  /** Markdown documentation. */
  readonly documentation?: string;
  /** The text inserted; the label when absent. */
  readonly insertText?: string;
  /** 2 when `insertText` is an LSP snippet (`$1`, `${1:x}`), else 1 or absent. */
  readonly insertTextFormat?: 1 | 2;
  /** Replaces this range (the word being typed) instead of inserting at the cursor. */
  readonly textEdit?: LsTextEdit;
  readonly sortText?: string;
  readonly filterText?: string;
}

/** LSP `CompletionList`. */
export interface LsCompletionList {
  readonly isIncomplete: boolean;
  readonly items: readonly LsCompletionItem[];
}

/** LSP `Hover` with Markdown contents. */
export interface LsHover {
  readonly contents: { readonly kind: "markdown"; readonly value: string };
  readonly range: LsRange;
}

/** LSP `SymbolKind` values used here. */
export const SymbolKind = {
  Module: 2,
  Class: 5,
  Property: 7,
  Field: 8,
  Function: 12,
  Variable: 13,
  Struct: 23,
  Event: 24,
  Object: 19,
} as const;
export type LsSymbolKind = (typeof SymbolKind)[keyof typeof SymbolKind];

/** LSP `DocumentSymbol` (hierarchical: graph → nodes, channels, input/output fields). */
export interface LsDocumentSymbol {
  readonly name: string;
  readonly detail?: string;
  readonly kind: LsSymbolKind;
  /** The whole declaration. */
  readonly range: LsRange;
  /** The name. */
  readonly selectionRange: LsRange;
  readonly children?: readonly LsDocumentSymbol[];
}

/** Result of `prepareRename`: the name under the cursor and its range. */
export interface LsPrepareRename {
  readonly range: LsRange;
  readonly placeholder: string;
}

/** Why a rename is refused (the LSP adapter turns it into a response error). */
export interface LsRenameError {
  /** Stable code: `not-renamable`, `invalid-name`, `name-taken`. */
  readonly code: "not-renamable" | "invalid-name" | "name-taken";
  readonly message: string;
}

export type LsRenameResult = { readonly edit: LsWorkspaceEdit } | { readonly error: LsRenameError };

/** LSP `CodeAction` (quick fixes from diagnostics; `source.fixAll.rag` for all of them). */
export interface LsCodeAction {
  readonly title: string;
  /** `quickfix` or `source.fixAll.rag`. */
  readonly kind: "quickfix" | "source.fixAll.rag";
  readonly diagnostics?: readonly LsDiagnostic[];
  readonly isPreferred?: boolean;
  readonly edit: LsWorkspaceEdit;
}

/** LSP `SemanticTokens`: five integers per token, relative encoding. */
export interface LsSemanticTokens {
  readonly data: readonly number[];
}

/** LSP `SemanticTokensLegend`. */
export interface LsSemanticTokensLegend {
  readonly tokenTypes: readonly string[];
  readonly tokenModifiers: readonly string[];
}

/** Formatting options (LSP `FormattingOptions`; `.rag` formatting is canonical, so only the width matters). */
export interface LsFormattingOptions {
  /** Preferred maximum line width; default 100. */
  readonly width?: number;
}
