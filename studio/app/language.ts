/**
 * The editor's language support behind one small adapter, `LanguageBackend`: today it
 * asks the studio API (the real compiler on the server); the browser-safe language
 * service (`language-service/`, run in a Web Worker) can replace it without touching the
 * editor code. Registers the `rag` language: Monarch highlighting, markers from
 * diagnostics, quick fixes (code actions) from their machine fixes, and formatting.
 */
import * as monaco from "monaco-core";
import { api, type Diagnostic, type GraphView, type InputField, type Span } from "./api.js";

/** What one analysis of a buffer yields. */
export interface Analysis {
  readonly diagnostics: readonly Diagnostic[];
  readonly view?: GraphView;
  /** Source span of each node, by view node id. */
  readonly spans: Readonly<Record<string, Span>>;
  readonly graphs: readonly string[];
  readonly input: readonly InputField[] | null;
  readonly defaultInput: Record<string, unknown> | null;
}

export interface LanguageBackend {
  analyze(source: string, file: string, graph?: string): Promise<Analysis>;
  /** The formatted text, or undefined when the formatter refuses (diagnostics say why). */
  format(source: string, file: string): Promise<string | undefined>;
}

/** The backend over the studio API (`POST /api/graph`, `POST /api/format`). */
export const httpBackend: LanguageBackend = {
  analyze: (source, file, graph) => api<Analysis>("POST", "/api/graph", { source, file, ...(graph ? { graph } : {}) }),
  format: async (source, file) => (await api<{ text?: string }>("POST", "/api/format", { source, file })).text,
};

const KEYWORDS = [
  "graph", "node", "kind", "start", "next", "channel", "state", "input", "output", "schema", "send", "join", "wait", "routes", "route", "when", "else", "goto",
  "prompt", "system", "model", "tools", "agent", "writes", "reads", "set", "options", "interrupt", "before", "after", "blocking", "retry", "on_error", "timeout",
  "checkpoint", "defaults", "allow", "import", "edges", "for", "in", "as", "let", "fn", "return", "if", "and", "or", "not",
];

let registered = false;
/** Registers the `rag` language (once) with highlighting, code actions and formatting. */
export function registerRag(backend: LanguageBackend, fixesOf: (model: monaco.editor.ITextModel) => readonly Diagnostic[]): void {
  if (registered) return;
  registered = true;
  monaco.languages.register({ id: "rag", extensions: [".rag"] });
  monaco.languages.register({ id: "ragsh", extensions: [".ragsh"] });
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
  monaco.languages.setMonarchTokensProvider("rag", tokens);
  monaco.languages.setMonarchTokensProvider("ragsh", { ...tokens, tokenizer: { ...tokens.tokenizer, root: [[/\/\/.*$/, "comment"], ...tokens.tokenizer.root.slice(1)] } });
  monaco.languages.registerCodeActionProvider("rag", {
    provideCodeActions(model, range) {
      const actions: monaco.languages.CodeAction[] = [];
      for (const d of fixesOf(model)) {
        if (!d.fixes.length) continue;
        const r = toRange(d.span);
        if (!monaco.Range.areIntersectingOrTouching(r, range)) continue;
        actions.push({
          title: d.fixes.map((f) => f.description).join("; "),
          kind: "quickfix",
          isPreferred: true,
          diagnostics: [toMarker(d)],
          edit: { edits: d.fixes.map((f) => ({ resource: model.uri, versionId: model.getVersionId(), textEdit: { range: toRange(f.span), text: f.replacement } })) },
        });
      }
      return { actions, dispose() {} };
    },
  });
  monaco.languages.registerDocumentFormattingEditProvider("rag", {
    async provideDocumentFormattingEdits(model) {
      const text = await backend.format(model.getValue(), model.uri.path.replace(/^\//, ""));
      return text === undefined ? [] : [{ range: model.getFullModelRange(), text }];
    },
  });
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
