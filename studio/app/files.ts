/**
 * The open files of the studio page: a Monaco model per file (synced to the language
 * worker as it changes), opening one into the editor, the dirty mark and saving
 * (formatted first when it is a `.rag` file).
 */
import * as monaco from "monaco-core";
import { api } from "./api.js";
import { $, isRag, setStatus, type EarlyAnalysis, type OpenFile, type Studio } from "./context.js";
import { uriOf } from "./lang-client.js";
import type { Analysis } from "./protocol.js";

/** What `openFile` and edits set off elsewhere on the page (main.ts wires them). */
export interface FileHooks {
  /** Analyses the current file and paints it; resolves at the first paint. */
  analyze(early?: EarlyAnalysis): Promise<void>;
  /** The current file was edited: analyse it again (coalesced). */
  schedule(): void;
  /** Another file is about to be shown. */
  leaving(): void;
  /** The file's first analysis is painted: the panels that follow the file and graph redraw. */
  follow(): void;
}

/** A file the boot script already fetched, with its first analysis under way. */
export interface Prefetched {
  readonly content: string;
  readonly analysis: Promise<Analysis>;
  readonly server?: Promise<Analysis>;
}

/** `GET /api/file`: a workspace file's text. */
export async function readFile(path: string): Promise<string> {
  return (await api<{ content: string }>("GET", `/api/file?path=${encodeURIComponent(path)}`)).content;
}

/** A new model for `path` holding `content`, registered as an open file. */
function addModel(s: Studio, hooks: FileHooks, path: string, content: string): OpenFile {
  const uri = uriOf(path);
  const m = monaco.editor.createModel(content, path.endsWith(".ragsh") ? "ragsh" : "rag", monaco.Uri.parse(uri));
  const f: OpenFile = { path, uri, model: m, saved: content, views: new Map(), editedAt: new Map() };
  s.files.set(path, f);
  s.byModel.set(m, f);
  m.onDidChangeContent(() => {
    const v = m.getVersionId();
    f.editedAt.set(v, performance.now());
    // The text is built once per keystroke (a 5,000-line buffer is 100 kB): for the worker and the dirty mark.
    const text = m.getValue();
    if (m.getLanguageId() === "rag") s.lang.sync(uri, v, text);
    if (s.current === f) markDirty(s, text);
    if (s.current === f) hooks.schedule();
  });
  return f;
}

/**
 * Shows `path` in the editor (fetched and synced to the worker the first time, unless
 * `prefetched`), analyses it, then lets the panels follow; sets `handle.opened` when the
 * file is still the open one at the end.
 */
export async function openFile(s: Studio, hooks: FileHooks, path: string, prefetched?: Prefetched): Promise<void> {
  let f = s.files.get(path);
  let early: EarlyAnalysis | undefined;
  if (!f) {
    const content = prefetched?.content ?? (await readFile(path));
    f = addModel(s, hooks, path, content);
    if (prefetched) early = { worker: prefetched.analysis, ...(prefetched.server ? { server: prefetched.server } : {}) };
    else if (isRag(f)) s.lang.sync(f.uri, f.model.getVersionId(), content);
  }
  if (s.current && s.current !== f) hooks.leaving();
  s.current = f;
  s.graphChoice = undefined;
  s.editor.setModel(f.model);
  // Formatting is the .rag formatter's: a script has none, so the button is off for it.
  ($("format") as HTMLButtonElement).disabled = !isRag(f);
  $("file-name").textContent = path;
  for (const a of document.querySelectorAll<HTMLElement>("#files .file")) a.classList.toggle("on", a.dataset.path === path);
  markDirty(s);
  await hooks.analyze(early);
  hooks.follow();
  if (s.current === f) s.handle.opened = path;
}

/** The file name shown, with ● when the current buffer (`text`: its text, when at hand) differs from its saved text. */
export function markDirty(s: Studio, text?: string): void {
  const f = s.current;
  if (!f) return;
  const dirty = (text ?? f.model.getValue()) !== f.saved;
  $("file-name").textContent = f.path + (dirty ? " ●" : "");
}

/** Formats (a `.rag` file) and saves the current file; resolves with its path. Throws when no file is open or the server refuses. */
export async function save(s: Studio): Promise<string> {
  const f = s.current;
  if (!f) throw new Error("no file open");
  if (isRag(f)) {
    const edits = await s.lang.ask("format", { uri: f.uri }).catch(() => []);
    if (edits.length) f.model.pushEditOperations([], edits.map((e) => ({ range: new monaco.Range(e.range.start.line + 1, e.range.start.character + 1, e.range.end.line + 1, e.range.end.character + 1), text: e.newText })), () => null);
  }
  const text = f.model.getValue();
  await api("PUT", "/api/file", { path: f.path, content: text });
  f.saved = text;
  markDirty(s);
  setStatus(`saved ${f.path}`);
  return f.path;
}
