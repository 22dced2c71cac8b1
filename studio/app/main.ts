/**
 * The studio page (the `main.js` chunk, loaded by boot.ts): file tree, Monaco editor
 * (`.rag` language via language.ts, answered by the language worker), the live graph,
 * and the panels (problems, runs, review, REPL, diff). Browser-only code: it imports
 * nothing Node-only; it talks to the server for files, runs, threads, review and the
 * REPL, and to the language worker for everything about the text being edited.
 *
 * This module builds the shared state (`Studio`, context.ts) and wires the parts: open
 * files (files.ts), analysis and painting (analysis.ts), the file tree (tree-view.ts),
 * the tabs (tabs.ts, diff-tab.ts) and the runs panel (runs.ts).
 */
import * as monaco from "monaco-core";
import "./style.css";
import { api } from "./api.js";
import type { Early, LanguageSnapshot } from "./boot.js";
import { Analyzer } from "./analysis.js";
import { $, graphShown, isRag, setStatus, type OpenFile, type Studio, type StudioHandle } from "./context.js";
import { DiffTab } from "./diff-tab.js";
import type { JsonSchema } from "./fields.js";
import { openFile, save, type FileHooks, type Prefetched } from "./files.js";
import { lightNodes } from "./graph.js";
import { registerRag } from "./language.js";
import { mountRepl } from "./repl.js";
import { RunsPanel } from "./runs.js";
import { syncSelection } from "./selection.js";
import { wireTabs } from "./tabs.js";
import { drawFiles } from "./tree-view.js";

export type { StudioHandle } from "./context.js";

self.MonacoEnvironment = { getWorker: () => new Worker("/editor.worker.js", { type: "module" }) };

/** Starts the page with what boot.ts fetched and started. */
export function start(early: Early): void {
  const { lang } = early;
  const byModel = new Map<monaco.editor.ITextModel, OpenFile>();
  registerRag(lang, (m) => byModel.get(m)?.uri ?? m.uri.toString());

  // Options that would start Monaco's own editor worker at load and feed it every
  // keystroke (link detection, unicode highlighting, word-based suggestions) are off: the
  // `.rag` features come from the language worker, and on a small machine a second worker
  // parsing Monaco's base chunk and syncing the buffer competes with the page and the
  // language worker for the cores. The editor worker still starts when formatting or the
  // diff editor needs it.
  const editor = monaco.editor.create($("editor"), {
    language: "rag",
    theme: "rag-light",
    "semanticHighlighting.enabled": true,
    automaticLayout: true,
    minimap: { enabled: false },
    fontSize: 13,
    lightbulb: { enabled: monaco.editor.ShowLightbulbIconMode.On },
    scrollBeyondLastLine: false,
    links: false,
    unicodeHighlight: { ambiguousCharacters: false, invisibleCharacters: false, nonBasicASCII: false },
    wordBasedSuggestions: "off",
  });
  const open = (path: string, prefetched?: Prefetched): Promise<void> => openFile(s, fileHooks, path, prefetched);
  const handle: StudioHandle = { editor, monaco, analysis: undefined, lastUpdate: undefined, open, opened: undefined, ready: false };
  window.studio = handle;
  performance.mark("studio:editor-created");
  const s: Studio = { early, lang, editor, handle, files: new Map(), byModel, current: undefined, graphChoice: undefined, snapshot: undefined };
  void early.language.then((snap) => (s.snapshot = snap)).catch((e: Error) => setStatus(`registry: ${e.message}`));

  const analyzer = new Analyzer(s);
  const fileHooks: FileHooks = {
    analyze: (e) => analyzer.analyze(e),
    schedule: () => analyzer.schedule(),
    leaving: () => runs.fileChanged(),
    follow: () => follow(),
  };
  /** The run form and the thread list follow the file and graph open. */
  function follow(): void {
    runs.renderForm();
    threadsFollow();
  }

  editor.onDidChangeCursorPosition(() => syncSelection(s));
  editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => void save(s));
  $("save").addEventListener("click", () => void save(s));
  $("format").addEventListener("click", () => void editor.getAction("editor.action.formatDocument")?.run());
  $("graph-select").addEventListener("change", (e) => {
    s.graphChoice = (e.target as HTMLSelectElement).value;
    void analyzer.analyze().then(follow);
  });

  const runs = new RunsPanel($("tab-runs"), {
    currentFile: async () => {
      const f = s.current;
      if (!f) throw new Error("open a .rag file first");
      return f.model.getValue() !== f.saved ? save(s) : f.path;
    },
    input: () => {
      const id = graphShown(s);
      return { fields: handle.analysis?.input ?? null, defaults: (id !== undefined ? s.snapshot?.defaultInputs[id] : undefined) ?? null, graph: id };
    },
    light: (nodes) => lightNodes($("graph"), nodes),
    toolSchema: (tool) => s.snapshot?.registry?.tool_details?.[tool]?.parameters as JsonSchema | undefined,
    script: () => (s.current && !isRag(s.current) ? s.current.path : undefined),
    scope: () => (s.current && isRag(s.current) ? { file: s.current.path, graph: graphShown(s) } : { file: undefined, graph: undefined }),
  });
  /** The thread list follows the file and graph open: listed again when they change while the Runs tab shows (else when it opens). */
  function threadsFollow(): void {
    if ($("tab-runs").classList.contains("on")) void runs.loadThreads();
  }
  mountRepl($("tab-repl"));

  const diff = new DiffTab(s);
  wireTabs(s, { save: () => save(s), approved: () => void refreshApprovals(), runsShown: () => void runs.loadThreads(), diffShown: () => void diff.show() });

  async function boot(): Promise<void> {
    drawFiles($("files"), await early.info, (path) => void open(path));
    const first = await early.first;
    if (first) await open(first.path, first);
    handle.ready = true;
    performance.mark("studio:ready");
    document.body.dataset.ready = "true";
  }
  void boot().catch((e: Error) => setStatus(`error: ${e.message}`));
  // Back from the editor where the config was changed (the server loads it again): the
  // worker checks against the registry as it is now.
  window.addEventListener("focus", () => void refreshApprovals().catch(() => undefined));

  /** After an approval, or when the page gets the focus back, the worker learns the registry and approved hashes as they are now. */
  async function refreshApprovals(): Promise<void> {
    const snap = await api<LanguageSnapshot>("GET", "/api/registry");
    s.snapshot = snap;
    lang.init(snap.registry, snap.approved);
    analyzer.schedule();
  }
}
