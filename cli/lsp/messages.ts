/**
 * The shape of what an LSP client sends, checked before the server acts on it. A client's
 * message is data: `vscode-languageserver` hands params over as parsed, so a `didOpen`
 * whose `uri` was a number went on to a debounced diagnostics run whose TypeError was an
 * unhandled rejection — `rag lsp` exited with a stack trace (red team 6). A text
 * synchronisation message of another shape is dropped (and logged); a request's document
 * must be named by a string.
 */
import type { Connection } from "vscode-languageserver/node";

/** A URI an LSP client may name a document by: a string of at most this many characters. */
export const MAX_URI_CHARS = 8192;
/** Edits one `didChange` may carry (an editor sends one per keystroke or selection). */
export const MAX_CONTENT_CHANGES = 10_000;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const isUint = (v: unknown): boolean => typeof v === "number" && Number.isInteger(v) && v >= 0;
const isPosition = (v: unknown): boolean => isObject(v) && isUint(v.line) && isUint(v.character);
const isRange = (v: unknown): boolean => isObject(v) && isPosition(v.start) && isPosition(v.end);

/** The `textDocument.uri` of a request's or notification's params, or undefined when it is not a string URI. */
export function documentUri(params: unknown): string | undefined {
  const td = isObject(params) ? params.textDocument : undefined;
  const uri = isObject(td) ? td.uri : undefined;
  return typeof uri === "string" && uri.length <= MAX_URI_CHARS ? uri : undefined;
}

/** Why a text synchronisation notification cannot be applied, or undefined when it can. */
export function syncProblem(method: string, params: unknown): string | undefined {
  if (documentUri(params) === undefined) return "its textDocument.uri is not a URI";
  const td = (params as { textDocument: Record<string, unknown> }).textDocument;
  if (method === "didOpen") {
    if (typeof td.text !== "string") return "its text is not a string";
    if (typeof td.languageId !== "string") return "its languageId is not a string";
    if (typeof td.version !== "number" || !Number.isInteger(td.version)) return "its version is not an integer";
  } else if (method === "didChange") {
    if (typeof td.version !== "number" || !Number.isInteger(td.version)) return "its version is not an integer";
    const changes = (params as { contentChanges?: unknown }).contentChanges;
    if (!Array.isArray(changes)) return "its contentChanges is not a list";
    if (changes.length > MAX_CONTENT_CHANGES) return `it carries more than ${MAX_CONTENT_CHANGES} changes`;
    for (const c of changes) {
      if (!isObject(c) || typeof c.text !== "string") return "a change's text is not a string";
      if (c.range !== undefined && !isRange(c.range)) return "a change's range is not a range";
    }
  }
  return undefined;
}

type Handler = (params: never, ...rest: never[]) => unknown;
const SYNC: Readonly<Record<string, string>> = {
  onDidOpenTextDocument: "didOpen",
  onDidChangeTextDocument: "didChange",
  onDidCloseTextDocument: "didClose",
  onWillSaveTextDocument: "willSave",
  onWillSaveTextDocumentWaitUntil: "willSaveWaitUntil",
  onDidSaveTextDocument: "didSave",
};

/**
 * `connection` as `TextDocuments.listen` should see it: each text synchronisation handler
 * it registers runs only for params of the protocol's shape; others are logged and
 * dropped (a `willSaveWaitUntil` request answers no edits).
 */
export function checkedSync(connection: Connection): Connection {
  return new Proxy(connection, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      const method = typeof prop === "string" ? SYNC[prop] : undefined;
      if (method === undefined || typeof value !== "function") return value;
      return (handler: Handler) =>
        (value as (h: Handler) => unknown).call(target, ((params: unknown, ...rest: unknown[]) => {
          const problem = syncProblem(method, params);
          if (problem === undefined) return (handler as (...a: unknown[]) => unknown)(params, ...rest);
          target.console.error(`rag lsp: ignored textDocument/${method}: ${problem}`);
          return method === "willSaveWaitUntil" ? [] : undefined;
        }) as Handler);
    },
  });
}
