/**
 * `rag lsp`: the language service over the Language Server Protocol (stdio), with
 * `vscode-languageserver`. A thin adapter: every feature is the language service's
 * (language-service/); this file only maps requests to it, keeps one service per
 * registry (the `rag.config.ts` beside each file, or `--config`, or `--registry`), and
 * publishes diagnostics when a document opens or changes.
 *
 * Nothing but protocol messages may reach stdout: `console.log` of a user's config is
 * redirected to stderr before any config loads.
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { TextDocument } from "vscode-languageserver-textdocument";
import { createConnection, ErrorCodes, ProposedFeatures, ResponseError, TextDocuments, TextDocumentSyncKind, type Connection, type InitializeResult } from "vscode-languageserver/node";
import { createLanguageService, SEMANTIC_TOKENS_LEGEND, serviceSnapshotProblem, type LanguageService, type ServiceRegistrySnapshot } from "../../language-service/index.js";
import { CliError } from "../errors.js";
import { configPathFor, isInside, loadConfig, MAX_INPUT_BYTES, parseJsonText, readSource, realOrResolved, useProjectApprovals } from "../files.js";
import { serviceSnapshot } from "../../registry/index.js";
import { FileWatches } from "../file-watch.js";
import { checkedSync, documentUri } from "./messages.js";

export interface LspOptions {
  /** `rag.config.ts` for every document (default: the one beside each file). */
  readonly config?: string;
  /** A JSON `ServiceRegistrySnapshot` for every document, instead of configs. */
  readonly registry?: string;
}

/**
 * The folders an `initialize` request opens (`workspaceFolders`, else `rootUri`, else
 * `rootPath`), each by the path its URI names (`given`) and its real path; none when it
 * names none (a file opened without a folder): then no config beside a file runs — the
 * server's working directory is not a folder the user opened (an editor started from `/`
 * or the home folder). Params are data: anything not a `file:` URI or a string path is skipped.
 */
function initialFolders(params: unknown): { readonly given: string; readonly real: string }[] {
  const p = (typeof params === "object" && params !== null ? params : {}) as { workspaceFolders?: unknown; rootUri?: unknown; rootPath?: unknown };
  const folders = folderEntries(p.workspaceFolders);
  if (!folders.length && typeof p.rootUri === "string") folders.push(...folderEntries([{ uri: p.rootUri }]));
  if (!folders.length && typeof p.rootPath === "string" && p.rootPath) folders.push({ given: resolve(p.rootPath), real: realOrResolved(p.rootPath) });
  return folders;
}

/**
 * The LSP `WorkspaceFolder`s (`{ uri, name }`) an `initialize` request or a
 * `workspace/didChangeWorkspaceFolders` event lists, each by the path its URI names
 * (`given`, resolved, links not followed) beside its real path: a folder closed after its
 * link was removed or pointed elsewhere is known by the name it was opened with. Data: an
 * entry that is not an object with a `file:` URI is skipped; a list that is not an array gives none.
 */
function folderEntries(folders: unknown): { readonly given: string; readonly real: string }[] {
  const out: { given: string; real: string }[] = [];
  if (!Array.isArray(folders)) return out;
  for (const f of folders) {
    const u: unknown = typeof f === "object" && f !== null ? (f as { uri?: unknown }).uri : undefined;
    if (typeof u !== "string" || !u.startsWith("file:")) continue;
    try {
      const given = resolve(fileURLToPath(u));
      out.push({ given, real: realOrResolved(given) });
    } catch {
      /* not a file URI */
    }
  }
  return out;
}

/** Pause after the last edit before diagnostics are computed and published, ms. */
const DEBOUNCE_MS = 40;

/** Serves LSP on stdin/stdout until the client sends `exit`. */
export function runLspServer(opts: LspOptions): Promise<number> {
  console.log = console.error;
  console.info = console.error;
  // Started by hand in a terminal (no editor on the other end): say what it is waiting
  // for rather than sit silent. An editor starts it with pipes, and stderr is its log.
  if (process.stdin.isTTY) process.stderr.write("rag lsp: a language server; it talks LSP (JSON-RPC) on stdin/stdout with an editor, which starts it (set-up: docs/editors.md). Ctrl-C quits.\n");
  const connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  serve(connection, opts);
  connection.listen();
  return new Promise(() => {}); // vscode-languageserver ends the process on `exit`
}

/** Wires `connection` to language services. Exported for in-process use. */
export function serve(connection: Connection, opts: LspOptions): void {
  const documents = new TextDocuments(TextDocument);
  const services = new Map<string, Promise<LanguageService>>();
  const fixed: ServiceRegistrySnapshot | undefined = opts.registry ? readSnapshot(opts.registry) : undefined;

  /** The workspace folders the client opened (`initialize`, then folder changes), real paths; none when it names none. */
  let roots: string[] = [];
  /** The real path of each folder opened, by the path its URI named (`folderEntries`). */
  const opened = new Map<string, string>();
  /** Configs beside files outside the workspace, already reported as not loaded. */
  const outside = new Set<string>();
  /**
   * Whether a path lies inside an open folder, by where it leads now (cleared when folders
   * change): every request asks, so the answer is kept by real path — one `realpath` per ask.
   * (Kept by the path as written, a folder link of the workspace pointed outside after the
   * first ask kept its "inside", and the config it then led to ran.)
   */
  const insideCache = new Map<string, boolean>();
  const inWorkspace = (path: string): boolean => {
    const real = realOrResolved(path);
    let v = insideCache.get(real);
    if (v === undefined) insideCache.set(real, (v = roots.some((r) => isInside(real, r))));
    return v;
  };
  /** Files watched for changes (a config, the files it imports, its approvals file), by the config that watches them. */
  const watches = new FileWatches();
  /** Drops config `key`'s service (and its watchers): the next document that needs it loads it again. */
  const drop = (key: string) => {
    services.delete(key);
    watches.unwatch(key);
  };
  /** Every open document is checked again (a config or the approvals changed). */
  const recheckAll = () => {
    for (const d of documents.all()) schedule(d.uri);
  };

  /** The service for a document: one per config file (or one for all with --registry). */
  const serviceFor = (uri: string): Promise<LanguageService> => {
    let key = "";
    if (!fixed) {
      // A file URI Node cannot turn into a path (`%2F` in it, a host on POSIX) names no file
      // here: checked without a registry (it threw out of `didClose` and ended the server).
      let file: string | undefined;
      try {
        file = uri.startsWith("file:") ? fileURLToPath(uri) : undefined;
      } catch {
        file = undefined;
      }
      try {
        key = configPathFor(file, opts.config) ?? "";
      } catch (e) {
        connection.console.error(e instanceof Error ? e.message : String(e));
      }
      // No config beside a file of the workspace yet: one created there later applies.
      if (!key && file && !opts.config) {
        const candidate = join(dirname(resolve(file)), "rag.config.ts");
        if (inWorkspace(candidate)) watches.watch("", candidate, recheckAll);
      }
      // A config is code: the one beside a file is run only inside the workspace the editor
      // opened (as `rag resume` runs only the working directory's). A file opened from
      // elsewhere — a download, another clone — is checked without a registry.
      if (key && !opts.config && !inWorkspace(key)) {
        if (!outside.has(key)) connection.console.error(`rag lsp: not loading ${key}: ${roots.length ? `it is outside the workspace folders (${roots.slice(0, 10).join(", ")}${roots.length > 10 ? `, and ${roots.length - 10} more` : ""})` : "no workspace folder is open"}; checking without a registry (open its folder as a workspace, or pass --config)`);
        outside.add(key);
        key = "";
      }
    }
    let s = services.get(key);
    if (!s) {
      s = (async () => {
        if (fixed || !key) return createLanguageService(fixed ? { registry: fixed } : {});
        // An edited config, a file of the project it imports (a tools module), a broken
        // config fixed, or its approvals file changed (`rag approve` in a terminal): the
        // service goes and the config is loaded again, afresh; every document is checked again.
        // (The watches stay: a file saved while the config loads again is seen by them.)
        const reload = (file: string) => () => {
          connection.console.info(`rag lsp: ${file} changed; loading ${key} again`);
          services.delete(key);
          recheckAll();
        };
        watches.watch(key, key, reload(key));
        try {
          const loaded = await loadConfig(key, { fresh: true, onImport: (file) => watches.watch(key, file, reload(file)) });
          // The project's `.rag/approvals.json` beside the config, as `rag check` reads it.
          const approvals = useProjectApprovals(loaded.registry, key, key);
          watches.watch(key, approvals.path, reload(approvals.path));
          return createLanguageService({ registry: serviceSnapshot(loaded.registry), approvals });
        } catch (e) {
          connection.console.error(`rag lsp: ${e instanceof Error ? e.message : String(e)}; checking without a registry`);
          return createLanguageService();
        }
      })();
      services.set(key, s);
    }
    return s;
  };
  /** `f` on the document a request names; `empty` when it names none this server holds (or no string URI). */
  const withDoc = async <T>(params: unknown, empty: T, f: (ls: LanguageService, uri: string) => T): Promise<T> => {
    const uri = documentUri(params);
    if (uri === undefined) return empty;
    const doc = documents.get(uri);
    if (!doc || !isRag(doc)) return empty;
    const ls = await serviceFor(uri);
    if (ls.text(uri) !== doc.getText()) ls.update(uri, doc.getText());
    return f(ls, uri);
  };
  /** Diagnostics wait for a pause in typing (DEBOUNCE_MS) so a burst of edits compiles once. */
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const schedule = (uri: string) => {
    clearTimeout(timers.get(uri));
    timers.set(uri, setTimeout(() => {
      timers.delete(uri);
      void publish(uri);
    }, DEBOUNCE_MS));
  };
  /** Publishes started per document (`publish`: only the newest sends). */
  const published = new Map<string, number>();
  /** Runs from a timer: a failure is logged, never an unhandled rejection (which ends the process). */
  const publish = async (uri: string) => {
    try {
      const doc = documents.get(uri);
      if (!doc) return;
      const version = doc.version;
      // A later publish of the same document (a newer edit, or a config loaded again while
      // this one waited on the old config's service) wins: this one's answer is stale.
      const mine = (published.get(uri) ?? 0) + 1;
      published.set(uri, mine);
      const diagnostics = await withDoc({ textDocument: { uri } }, [], (ls) => ls.diagnostics(uri));
      if (documents.get(uri)?.version !== version || published.get(uri) !== mine) return; // superseded
      await connection.sendDiagnostics({ uri, version, diagnostics: clone(diagnostics) });
    } catch (e) {
      connection.console.error(`rag lsp: diagnostics of ${uri.slice(0, 200)} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  /** The client sends `workspace/didChangeWorkspaceFolders` (it said so in `initialize`). */
  let foldersChange = false;
  connection.onInitialize((params): InitializeResult => {
    for (const f of initialFolders(params)) opened.set(f.given, f.real);
    roots = [...new Set(opened.values())];

    foldersChange = params.capabilities?.workspace?.workspaceFolders === true;
    return {
      capabilities: {
        // Folders opened or closed later move the line between configs that run and configs that do not.
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
        textDocumentSync: TextDocumentSyncKind.Incremental,
        completionProvider: { triggerCharacters: [".", '"', "["] },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        documentFormattingProvider: true,
        codeActionProvider: { codeActionKinds: ["quickfix", "source.fixAll.rag"] },
        semanticTokensProvider: { legend: { tokenTypes: [...SEMANTIC_TOKENS_LEGEND.tokenTypes], tokenModifiers: [...SEMANTIC_TOKENS_LEGEND.tokenModifiers] }, full: true },
      },
      serverInfo: { name: "rag lsp", version: "0.1.0" },
    };
  });
  connection.onInitialized(() => {
    if (!foldersChange) return;
    connection.workspace.onDidChangeWorkspaceFolders((e) => {
      // A folder closed: configs in it no longer run for new checks (their services go);
      // a folder opened: configs in it now do. Every open document is checked again.
      // Closing the last folder leaves none open: no config beside a file runs (the working
      // directory was never opened).
      // Sets: a long list of folders is not compared with another item by item.
      // A folder is closed by the path it was opened with; only one never recorded so is
      // looked up by where it leads now (another open folder with the same real path stays).
      for (const f of folderEntries(e?.removed)) {
        if (opened.has(f.given)) opened.delete(f.given);
        else for (const [given, real] of opened) if (real === f.real) opened.delete(given);
      }
      for (const f of folderEntries(e?.added)) opened.set(f.given, f.real);
      roots = [...new Set(opened.values())];
      insideCache.clear();
      watches.unwatch(""); // where configs may appear: watched again, inside the new folders, as documents are checked
      for (const key of [...services.keys()]) if (key && !opts.config && !inWorkspace(key)) drop(key);
      outside.clear();
      recheckAll();
    });
  });

  documents.onDidChangeContent((e) => schedule(e.document.uri)); // also fired on open
  documents.onDidClose(async (e) => {
    clearTimeout(timers.get(e.document.uri));
    timers.delete(e.document.uri);
    published.delete(e.document.uri);
    // A notification's failure is logged: a rejection here is unhandled, which ends the process.
    try {
      (await serviceFor(e.document.uri)).close(e.document.uri);
      await connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    } catch (err) {
      connection.console.error(`rag lsp: closing ${e.document.uri.slice(0, 200)} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  });

  // Params are data: each handler reads them through documentUri and the service, which
  // reads a position that is not whole numbers as one (language-service/service.ts).
  connection.onCompletion((p) => withDoc(p, null, (ls, uri) => clone(ls.completion(uri, p.position))));
  connection.onHover((p) => withDoc(p, null, (ls, uri) => clone(ls.hover(uri, p.position))));
  connection.onDefinition((p) => withDoc(p, [], (ls, uri) => clone(ls.definition(uri, p.position))));
  connection.onReferences((p) => withDoc(p, [], (ls, uri) => clone(ls.references(uri, p.position, p.context?.includeDeclaration !== false))));
  connection.onPrepareRename((p) => withDoc(p, null, (ls, uri) => clone(ls.prepareRename(uri, p.position))));
  connection.onRenameRequest(async (p) => {
    const r = await withDoc(p, null, (ls, uri) => ls.rename(uri, p.position, p.newName));
    if (!r) return null;
    if ("error" in r) throw new ResponseError(ErrorCodes.InvalidRequest, r.error.message, { code: r.error.code });
    return clone(r.edit);
  });
  connection.onDocumentSymbol((p) => withDoc(p, [], (ls, uri) => clone(ls.symbols(uri))));
  connection.onDocumentFormatting((p) => withDoc(p, [], (ls, uri) => clone(ls.format(uri))));
  connection.onCodeAction((p) => {
    const only: unknown = p.context?.only;
    const kinds = Array.isArray(only) ? only.filter((k): k is string => typeof k === "string") : undefined;
    return withDoc(p, [], (ls, uri) => clone(ls.codeActions(uri, p.range).filter((a) => !kinds || kinds.some((k) => a.kind === k || a.kind.startsWith(k + ".")))));
  });
  connection.languages.semanticTokens.on((p) => withDoc(p, { data: [] }, (ls, uri) => ({ data: [...ls.semanticTokens(uri).data] })));

  documents.listen(checkedSync(connection));
}

/** A `.rag` document (a client may send others, e.g. `.ragsh`, which this server does not check). */
function isRag(doc: TextDocument): boolean {
  return doc.languageId === "rag" || /\.rag$/.test(doc.uri.replace(/[?#].*$/, ""));
}

/** The service returns readonly data; the protocol types want mutable arrays. Structural copy. */
function clone<T>(v: T): any {
  return v === null || v === undefined ? v : JSON.parse(JSON.stringify(v));
}

/**
 * `--registry FILE.json`, read as every file the CLI is given (`readSource`: a regular file
 * of at most `MAX_INPUT_BYTES`, so a FIFO or `/dev/zero` is refused rather than blocking or
 * filling the heap) and parsed as untrusted JSON (null-prototype objects, no prototype keys).
 * @throws CliError (exit 2) naming the file and the reason.
 */
function readSnapshot(file: string): ServiceRegistrySnapshot {
  const v = parseJsonText(`--registry ${file}`, readSource(file, MAX_INPUT_BYTES));
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new CliError(`--registry ${file} must hold a JSON object (a registry snapshot)`);
  // Its shape, before a document is checked against it: a name list that was a number made the server exit with a stack trace.
  const problem = serviceSnapshotProblem(v);
  if (problem !== undefined) throw new CliError(`--registry ${file}: ${problem}`);
  return v as ServiceRegistrySnapshot;
}
