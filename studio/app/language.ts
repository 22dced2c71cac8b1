/**
 * The `.rag` language in Monaco, backed by the language worker (`lang-worker.ts`, the
 * browser-safe language service): Monarch highlighting (`rag`: the Monarch grammar
 * generated from the grammar's token list, grammar/editors/rag.monarch.ts), markers from
 * diagnostics, and code actions (quick fixes, fix all), completion, hover, formatting,
 * go to definition, find references, rename, document symbols (outline, Ctrl+Shift+O)
 * and semantic tokens answered by the worker — no server round trip. Monaco is 1-based; the language service is 0-based
 * (LSP); the conversions live here.
 */
import * as monaco from "monaco-core";
import { MONARCH_LANGUAGE } from "../../grammar/editors/rag.monarch.js";
import { monacoLanguageConfiguration } from "../../grammar/editors/language-configuration.js";
import type { LsCompletionKind, LsDiagnostic, LsDocumentSymbol, LsLocation, LsRange, LsTextEdit } from "../../language-service/index.js";
import { SEMANTIC_TOKENS_LEGEND } from "../../language-service/semantic-tokens.js";
import type { Diagnostic, Span } from "./api.js";
import type { LanguageClient } from "./lang-client.js";

const KEYWORDS = [
  "graph", "node", "kind", "start", "next", "channel", "state", "input", "output", "schema", "send", "join", "wait", "routes", "route", "when", "else", "goto",
  "prompt", "system", "model", "tools", "agent", "writes", "reads", "set", "options", "interrupt", "before", "after", "blocking", "retry", "on_error", "timeout",
  "checkpoint", "defaults", "allow", "import", "edges", "for", "in", "as", "let", "fn", "return", "if", "and", "or", "not",
];

let registered = false;
/** Registers the `rag` and `ragsh` languages (once); `rag` features come from `client` (documents named by `uriOf`). */
export function registerRag(client: LanguageClient, uriOf: (model: monaco.editor.ITextModel) => string): void {
  if (registered) return;
  registered = true;
  monaco.languages.register({ id: "rag", extensions: [".rag"] });
  monaco.languages.register({ id: "ragsh", extensions: [".ragsh"] });
  // `{` brings its `}`, quotes close, comments toggle: the same configuration VS Code gets.
  monaco.languages.setLanguageConfiguration("rag", monacoLanguageConfiguration());
  const tokens: monaco.languages.IMonarchLanguage = {
    keywords: KEYWORDS,
    constants: ["END", "START", "true", "false", "null"],
    tokenizer: {
      root: [
        [/\/\/.*$/, "comment"],
        [/"""/, { token: "string", next: "@triple" }],
        [/"/, { token: "string", next: "@string" }],
        [/`/, { token: "string", next: "@backtick" }],
        [/\{\{/, { token: "delimiter.bracket", next: "@template" }],
        [/[A-Za-z_][\w]*/, { cases: { "@keywords": "keyword", "@constants": "constant", "@default": "identifier" } }],
        [/-?\d+(\.\d+)?/, "number"],
        [/->|==|!=|<=|>=/, "operator"],
        [/[{}\[\]()]/, "@brackets"],
      ],
      string: [[/[^"\\{]+/, "string"], [/\{\{/, { token: "delimiter.bracket", next: "@template" }], [/\\./, "string.escape"], [/"/, { token: "string", next: "@pop" }], [/\{/, "string"]],
      triple: [[/"""/, { token: "string", next: "@pop" }], [/\{\{/, { token: "delimiter.bracket", next: "@template" }], [/./, "string"]],
      backtick: [[/`/, { token: "string", next: "@pop" }], [/[^`]+/, "string"]],
      template: [[/\}\}/, { token: "delimiter.bracket", next: "@pop" }], [/[A-Za-z_]\w*/, "variable"], [/./, "delimiter"]],
    },
  };
  monaco.languages.setMonarchTokensProvider("rag", MONARCH_LANGUAGE as monaco.languages.IMonarchLanguage);
  monaco.languages.setMonarchTokensProvider("ragsh", { ...tokens, tokenizer: { ...tokens.tokenizer, root: [[/\/\/.*$/, "comment"], ...tokens.tokenizer.root.slice(1)] } });
  monaco.languages.registerCodeActionProvider("rag", {
    async provideCodeActions(model, range) {
      const found = await client.ask("codeActions", { uri: uriOf(model), range: toLsRange(range) });
      const actions = found.map((a): monaco.languages.CodeAction => ({
        title: a.title,
        kind: a.kind,
        ...(a.isPreferred ? { isPreferred: true } : {}),
        ...(a.diagnostics ? { diagnostics: a.diagnostics.map(lsMarker) } : {}),
        edit: { edits: (a.edit.changes[uriOf(model)] ?? []).map((e) => ({ resource: model.uri, versionId: model.getVersionId(), textEdit: toMonacoEdit(e) })) },
      }));
      return { actions, dispose() {} };
    },
  });
  monaco.languages.registerCompletionItemProvider("rag", {
    triggerCharacters: [".", " ", "\"", ">", "["],
    async provideCompletionItems(model, position) {
      const list = await client.ask("completion", { uri: uriOf(model), position: { line: position.lineNumber - 1, character: position.column - 1 } });
      const word = model.getWordUntilPosition(position);
      const here = new monaco.Range(position.lineNumber, word.startColumn, position.lineNumber, word.endColumn);
      return {
        incomplete: list.isIncomplete,
        suggestions: list.items.map((it): monaco.languages.CompletionItem => ({
          label: it.label,
          kind: completionKind(it.kind),
          insertText: it.textEdit?.newText ?? it.insertText ?? it.label,
          range: it.textEdit ? fromLsRange(it.textEdit.range) : here,
          ...(it.insertTextFormat === 2 ? { insertTextRules: monaco.languages.CompletionItemInsertTextRule.InsertAsSnippet } : {}),
          ...(it.detail !== undefined ? { detail: it.detail } : {}),
          ...(it.documentation !== undefined ? { documentation: { value: it.documentation } } : {}),
          ...(it.sortText !== undefined ? { sortText: it.sortText } : {}),
          ...(it.filterText !== undefined ? { filterText: it.filterText } : {}),
        })),
      };
    },
  });
  monaco.languages.registerHoverProvider("rag", {
    async provideHover(model, position) {
      const h = await client.ask("hover", { uri: uriOf(model), position: { line: position.lineNumber - 1, character: position.column - 1 } });
      return h ? { contents: [{ value: h.contents.value }], range: fromLsRange(h.range) } : null;
    },
  });
  const at = (position: monaco.Position) => ({ line: position.lineNumber - 1, character: position.column - 1 });
  const location = (l: LsLocation): monaco.languages.Location => ({ uri: monaco.Uri.parse(l.uri), range: fromLsRange(l.range) });
  monaco.languages.registerDefinitionProvider("rag", {
    async provideDefinition(model, position) {
      return (await client.ask("definition", { uri: uriOf(model), position: at(position) })).map(location);
    },
  });
  monaco.languages.registerReferenceProvider("rag", {
    async provideReferences(model, position, context) {
      return (await client.ask("references", { uri: uriOf(model), position: at(position), includeDeclaration: context.includeDeclaration })).map(location);
    },
  });
  monaco.languages.registerRenameProvider("rag", {
    async resolveRenameLocation(model, position) {
      const p = await client.ask("prepareRename", { uri: uriOf(model), position: at(position) });
      return p ? { range: fromLsRange(p.range), text: p.placeholder } : { range: new monaco.Range(position.lineNumber, position.column, position.lineNumber, position.column), text: "", rejectReason: "only a node or a state field / channel can be renamed" };
    },
    async provideRenameEdits(model, position, newName) {
      const r = await client.ask("rename", { uri: uriOf(model), position: at(position), newName });
      if ("error" in r) return { edits: [], rejectReason: r.error.message };
      return { edits: Object.entries(r.edit.changes).flatMap(([uri, edits]) => edits.map((e) => ({ resource: uri === uriOf(model) ? model.uri : monaco.Uri.parse(uri), versionId: undefined, textEdit: toMonacoEdit(e) }))) };
    },
  });
  const symbol = (s: LsDocumentSymbol): monaco.languages.DocumentSymbol => ({
    name: s.name,
    detail: s.detail ?? "",
    kind: s.kind - 1,
    tags: [],
    range: fromLsRange(s.range),
    selectionRange: fromLsRange(s.selectionRange),
    ...(s.children ? { children: s.children.map(symbol) } : {}),
  });
  monaco.languages.registerDocumentSymbolProvider("rag", {
    displayName: "rag",
    async provideDocumentSymbols(model) {
      return (await client.ask("symbols", { uri: uriOf(model) })).map(symbol);
    },
  });
  // Semantic tokens of the visible lines only (Monaco asks again on scroll and after an
  // edit): a whole-document provider would have the worker tokenise and send a 1,000-node
  // file (40,000 integers) after every pause in typing, competing with the keystroke's
  // analysis for the worker and with the page for its main thread.
  monaco.languages.registerDocumentRangeSemanticTokensProvider("rag", {
    getLegend: () => ({ tokenTypes: [...SEMANTIC_TOKENS_LEGEND.tokenTypes], tokenModifiers: [...SEMANTIC_TOKENS_LEGEND.tokenModifiers] }),
    async provideDocumentRangeSemanticTokens(model, range) {
      return { data: (await client.ask("semanticTokens", { uri: uriOf(model), range: toLsRange(range) })).data };
    },
  });
  // Colours for the semantic token types (standalone Monaco styles them by theme rules).
  monaco.editor.defineTheme("rag-light", {
    base: "vs",
    inherit: true,
    colors: {},
    rules: [
      { token: "function", foreground: "8250df" },
      { token: "property", foreground: "0550ae" },
      { token: "struct", foreground: "116329" },
      { token: "type", foreground: "116329" },
      { token: "namespace", foreground: "953800" },
      { token: "class", foreground: "953800" },
      { token: "enumMember", foreground: "0a3069" },
      { token: "macro", foreground: "6639ba" },
    ],
  });
  monaco.languages.registerDocumentFormattingEditProvider("rag", {
    async provideDocumentFormattingEdits(model) {
      return (await client.ask("format", { uri: uriOf(model) })).map(toMonacoEdit);
    },
  });
}

/** LSP completion kinds (language service) → Monaco's enum. */
const KIND_NAMES: Readonly<Record<number, keyof typeof monaco.languages.CompletionItemKind>> = {
  1: "Text", 2: "Method", 3: "Function", 5: "Field", 6: "Variable", 7: "Class", 8: "Interface", 9: "Module", 10: "Property", 12: "Value", 13: "Enum",
  14: "Keyword", 15: "Snippet", 18: "Reference", 20: "EnumMember", 21: "Constant", 22: "Struct", 24: "Operator", 25: "TypeParameter",
};
function completionKind(k: LsCompletionKind): monaco.languages.CompletionItemKind {
  return monaco.languages.CompletionItemKind[KIND_NAMES[k] ?? "Text"];
}

/** A Monaco range (1-based) as an LSP range (0-based). */
export function toLsRange(r: monaco.IRange): LsRange {
  return { start: { line: r.startLineNumber - 1, character: r.startColumn - 1 }, end: { line: r.endLineNumber - 1, character: r.endColumn - 1 } };
}

/** An LSP range (0-based) as a Monaco range (1-based). */
export function fromLsRange(r: LsRange): monaco.Range {
  return new monaco.Range(r.start.line + 1, r.start.character + 1, r.end.line + 1, r.end.character + 1);
}

function toMonacoEdit(e: LsTextEdit): monaco.languages.TextEdit {
  return { range: fromLsRange(e.range), text: e.newText };
}

function lsMarker(d: LsDiagnostic): monaco.editor.IMarkerData {
  const r = fromLsRange(d.range);
  return { severity: d.severity === 1 ? monaco.MarkerSeverity.Error : d.severity === 2 ? monaco.MarkerSeverity.Warning : monaco.MarkerSeverity.Info, code: d.code, message: d.message, startLineNumber: r.startLineNumber, startColumn: r.startColumn, endLineNumber: r.endLineNumber, endColumn: r.endColumn };
}

/** A 1-based line/column span as a Monaco range. */
export function toRange(s: Span): monaco.Range {
  return new monaco.Range(s.start.line, s.start.column, s.end.line, s.end.column);
}

export function toMarker(d: Diagnostic): monaco.editor.IMarkerData {
  const r = toRange(d.span);
  const empty = r.startLineNumber === r.endLineNumber && r.startColumn === r.endColumn;
  return {
    severity: d.severity === "error" ? monaco.MarkerSeverity.Error : d.severity === "warning" ? monaco.MarkerSeverity.Warning : monaco.MarkerSeverity.Info,
    code: d.code,
    message: d.message + (d.help ? `\nhelp: ${d.help}` : ""),
    startLineNumber: r.startLineNumber,
    startColumn: r.startColumn,
    endLineNumber: r.endLineNumber,
    endColumn: empty ? r.endColumn + 1 : r.endColumn,
  };
}
