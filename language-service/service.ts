/**
 * `createLanguageService`: the one entry point the front ends use. It owns the open
 * documents and the registry view, and wires the providers (one module per feature,
 * after Langium's LSP layer); it holds no feature logic itself.
 */
import { registryViewFromSnapshot, type ApprovalView, type Compilation, type RegistryView } from "../compiler/index.js";
import type { Result } from "../grammar/index.js";
import { codeActions } from "./code-actions.js";
import { complete } from "./completion.js";
import { documentDiagnostics } from "./diagnostics.js";
import { Document } from "./document.js";
import { documentSymbols } from "./document-symbols.js";
import { formatDocument } from "./formatting.js";
import { hover } from "./hover.js";
import { definition, prepareRename, references, rename } from "./navigation.js";
import { semanticTokens } from "./semantic-tokens.js";
import type { ServiceRegistrySnapshot } from "./snapshot.js";
import type {
  LsCodeAction,
  LsCompletionList,
  LsDiagnostic,
  LsDocumentSymbol,
  LsFormattingOptions,
  LsHover,
  LsLocation,
  LsPosition,
  LsPrepareRename,
  LsRange,
  LsRenameResult,
  LsSemanticTokens,
  LsTextEdit,
} from "./types.js";

export interface LanguageServiceOptions {
  /**
   * What the registry grants, with tool/model/agent details for completions and hovers.
   * Omitted: names are checked against the file only (like `rag check` without a
   * config), and completions offer only what the file declares.
   */
  readonly registry?: ServiceRegistrySnapshot;
  /**
   * Approved blueprint hashes, when the registry's policy has review gates: without
   * them every gated graph shows `W-rag-review-required` (as `rag check` would without
   * the project's `.rag/approvals.json`).
   */
  readonly approvals?: ApprovalView;
}

/**
 * Editor features for `.rag` documents. Positions and ranges are 0-based lines and
 * UTF-16 characters (LSP). Every method is synchronous and never throws for any text
 * or position (one that is not whole numbers from 0 is read as such: `null` as 0:0);
 * unknown URIs answer empty.
 */
export interface LanguageService {
  /** Opens or replaces a document's text. Work is deferred to the first query. */
  update(uri: string, text: string): void;
  /** Forgets a document. */
  close(uri: string): void;
  /** The current text of a document, if open. */
  text(uri: string): string | undefined;
  /** Replaces the registry snapshot; open documents are re-checked on their next query. */
  setRegistry(registry: ServiceRegistrySnapshot | undefined): void;
  /**
   * The compiler's output for the document (AST, blueprints of the graphs without
   * errors, raw diagnostics with 1-based spans), computed once per text: the studio draws
   * its graph from these blueprints instead of compiling a second time.
   */
  compilation(uri: string): Result<Compilation> | undefined;
  /** The compiler's diagnostics (with fixes in `data.fixes`), in source order. */
  diagnostics(uri: string): LsDiagnostic[];
  /**
   * Completions at a position: node names after `->`/`next`/`start`/…, node kinds after
   * `kind`, items valid for the node's kind at the start of a node item, graph items in a
   * graph, `state.` fields, registry names inside `model "…"`, `tools [...]`, `agent "…"`,
   * `graph "…"` (with details from the snapshot), reducers, types and expression functions.
   */
  completion(uri: string, position: LsPosition): LsCompletionList;
  /** Markdown for the name under the cursor: a kind's docs, a tool's argument schema, a field's type and reducer, a node's summary, a diagnostic-free function signature. */
  hover(uri: string, position: LsPosition): LsHover | null;
  /** Declaration of the node, field, schema, graph or agent under the cursor (same document). */
  definition(uri: string, position: LsPosition): LsLocation[];
  /** Every use of the symbol under the cursor in the document. */
  references(uri: string, position: LsPosition, includeDeclaration?: boolean): LsLocation[];
  /** The renamable name (node or state field / channel) under the cursor, or null. */
  prepareRename(uri: string, position: LsPosition): LsPrepareRename | null;
  /** Renames a node or state field / channel within its graph; refusals come back as `{ error }`. */
  rename(uri: string, position: LsPosition, newName: string): LsRenameResult;
  /** Graphs (with their nodes, state fields and channels), agents and schemas. */
  symbols(uri: string): LsDocumentSymbol[];
  /** Canonical formatting (`rag fmt`) as edits; none when the file has syntax errors. */
  format(uri: string, options?: LsFormattingOptions): LsTextEdit[];
  /**
   * Semantic tokens for the whole document, encoded with `SEMANTIC_TOKENS_LEGEND`; with
   * `range`, only the tokens on its lines (LSP `semanticTokens/range`: an editor's
   * visible lines, computed in time proportional to them, not to the file), still
   * encoded from the document's start.
   */
  semanticTokens(uri: string, range?: LsRange): LsSemanticTokens;
  /** Quick fixes for diagnostics touching `range`, plus `source.fixAll.rag` when any fix exists. */
  codeActions(uri: string, range: LsRange): LsCodeAction[];
}

/**
 * A position as the providers may read it: `line` and `character` whole numbers from 0
 * (the LSP's `uinteger`). A client's position is data: `null`, a string, NaN, -1 or 1e300
 * would otherwise reach offsets and edits as they came (`null` threw a TypeError out of
 * every feature, a string came back as `character: null` in a completion's edit).
 */
function position(p: unknown): LsPosition {
  const o = p !== null && typeof p === "object" ? (p as { line?: unknown; character?: unknown }) : {};
  return { line: uinteger(o.line), character: uinteger(o.character) };
}

const MAX_UINTEGER = 2 ** 31 - 1;
const uinteger = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? Math.min(MAX_UINTEGER, Math.max(0, Math.floor(v))) : 0);

/** A range as the providers may read it (see `position`). */
function range(r: unknown): LsRange {
  const o = r !== null && typeof r === "object" ? (r as { start?: unknown; end?: unknown }) : {};
  return { start: position(o.start), end: position(o.end) };
}

/** Creates a language service (no I/O; safe in a browser Web Worker). */
export function createLanguageService(options: LanguageServiceOptions = {}): LanguageService {
  const docs = new Map<string, Document>();
  let snapshot = options.registry;
  let view: RegistryView | undefined = snapshot ? registryViewFromSnapshot(snapshot) : undefined;
  const registry = () => view;
  const approvals = options.approvals;
  const with_ = <T>(uri: string, empty: T, f: (d: Document) => T): T => {
    const d = docs.get(uri);
    return d ? f(d) : empty;
  };
  return {
    update(uri, text) {
      // A client's message is data: a text that is not one is an empty document, not a TypeError later.
      if (typeof uri !== "string") return;
      docs.set(uri, new Document(uri, typeof text === "string" ? text : "", registry, approvals));
    },
    close(uri) {
      docs.delete(uri);
    },
    text: (uri) => docs.get(uri)?.text,
    setRegistry(next) {
      snapshot = next;
      view = next ? registryViewFromSnapshot(next) : undefined;
      for (const d of docs.values()) d.invalidate();
    },
    compilation: (uri) => docs.get(uri)?.compilation,
    diagnostics: (uri) => with_(uri, [], documentDiagnostics),
    completion: (uri, p) => with_(uri, { isIncomplete: false, items: [] }, (d) => complete(d, position(p), snapshot)),
    hover: (uri, p) => with_(uri, null, (d) => hover(d, position(p), snapshot)),
    definition: (uri, p) => with_(uri, [], (d) => definition(d, position(p))),
    references: (uri, p, includeDeclaration = true) => with_(uri, [], (d) => references(d, position(p), includeDeclaration !== false)),
    prepareRename: (uri, p) => with_(uri, null, (d) => prepareRename(d, position(p))),
    rename: (uri, p, newName) => with_<LsRenameResult>(uri, { error: { code: "not-renamable", message: `no open document ${uri}` } }, (d) => rename(d, position(p), newName)),
    symbols: (uri) => with_(uri, [], documentSymbols),
    format: (uri, o) => with_(uri, [], (d) => formatDocument(d, o)),
    semanticTokens: (uri, r) =>
      with_(uri, { data: [] }, (d) => {
        if (r === undefined) return semanticTokens(d);
        const { start, end } = range(r);
        return semanticTokens(d, { start: Math.min(start.line, end.line), end: Math.max(start.line, end.line) });
      }),
    codeActions: (uri, r) => with_(uri, [], (d) => codeActions(d, range(r), view)),
  };
}
