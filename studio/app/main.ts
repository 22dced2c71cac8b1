/**
 * The studio page (the `main.js` chunk, loaded by boot.ts): file tree, Monaco editor
 * (`.rag` language via language.ts, answered by the language worker), the live graph,
 * and the panels (problems, runs, review, REPL, diff). Browser-only code: it imports
 * nothing Node-only; it talks to the server for files, runs, threads, review and the
 * REPL, and to the language worker for everything about the text being edited.
 */
import * as monaco from "monaco-core";
import "./style.css";
import { api, type Diagnostic } from "./api.js";
import type { Early, LanguageSnapshot } from "./boot.js";
import { button, h } from "./dom.js";
import type { JsonSchema } from "./fields.js";
import { clearGraph, drawGraph, lightNodes, selectNode, staleGraph } from "./graph.js";
import { uriOf } from "./lang-client.js";
import { registerRag, toMarker, toRange } from "./language.js";
import type { Analysis } from "./protocol.js";
import { mountRepl } from "./repl.js";
import { renderReview, type ApprovedDiff } from "./review.js";
import { RunsPanel } from "./runs.js";
import { fileTree, type TreeDir } from "./tree.js";

declare global {
  interface Window {
    MonacoEnvironment?: monaco.Environment;
    /** Test and benchmark hooks. */
    studio?: StudioHandle;
  }
}

export interface StudioHandle {
  readonly editor: monaco.editor.IStandaloneCodeEditor;
  readonly monaco: typeof monaco;
  analysis: Analysis | undefined;
  /**
   * Times of the last analysis drawn, from the keystroke (the model's change event) of
   * `version`: to markers set (diagnostics) and to the graph drawn (ms); `compileMs` is
   * the worker's compile of that text.
   */
  lastUpdate: { version: number; diagnosticsMs: number; graphMs: number; compileMs: number } | undefined;
  open(path: string): Promise<void>;
  /**
   * The path of the last `open` that finished with its file still the open one: the first
   * analysis painted and the run form drawn for it. Tests clear it, click a file, and wait
   * for it rather than for a file name that is shown before the file's graph and form are.
   */
  opened: string | undefined;
  ready: boolean;
}

self.MonacoEnvironment = { getWorker: () => new Worker("/editor.worker.js", { type: "module" }) };

const $ = (id: string) => document.getElementById(id)!;

interface OpenFile {
  readonly path: string;
  readonly uri: string;
  readonly model: monaco.editor.ITextModel;
  saved: string;
  /** The last view (with its topology and layout) received per graph id, for `Analysis.sameView` replies. */
  readonly views: Map<string, Pick<Analysis, "view" | "topology" | "placed">>;
  /** When each version's change happened (performance.now()), for `lastUpdate`. */
  readonly editedAt: Map<number, number>;
}

/** Starts the page with what boot.ts fetched and started. */
export function start(early: Early): void {
  const { lang } = early;
  const files = new Map<string, OpenFile>();
  const byModel = new Map<monaco.editor.ITextModel, OpenFile>();
  registerRag(lang, (m) => byModel.get(m)?.uri ?? m.uri.toString());
  let current: OpenFile | undefined;
  let graphChoice: string | undefined;
  let snapshot: LanguageSnapshot | undefined;
  void early.language.then((s) => (snapshot = s)).catch((e: Error) => setStatus(`registry: ${e.message}`));

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
  const handle: StudioHandle = { editor, monaco, analysis: undefined, lastUpdate: undefined, open, opened: undefined, ready: false };
  window.studio = handle;
  performance.mark("studio:editor-created");

  function setStatus(text: string): void {
    $("status").textContent = text;
  }

  function model(path: string, content: string): OpenFile {
    const uri = uriOf(path);
    const m = monaco.editor.createModel(content, path.endsWith(".ragsh") ? "ragsh" : "rag", monaco.Uri.parse(uri));
    const f: OpenFile = { path, uri, model: m, saved: content, views: new Map(), editedAt: new Map() };
    files.set(path, f);
    byModel.set(m, f);
    m.onDidChangeContent(() => {
      const v = m.getVersionId();
      f.editedAt.set(v, performance.now());
      if (m.getLanguageId() === "rag") lang.sync(uri, v, m.getValue());
      markDirty();
      if (current === f) schedule();
    });
    return f;
  }

  async function open(path: string, prefetched?: { content: string; analysis: Promise<Analysis>; server?: Promise<Analysis> }): Promise<void> {
    let f = files.get(path);
    let early: { worker: Promise<Analysis>; server?: Promise<Analysis> } | undefined;
    if (!f) {
      const content = prefetched?.content ?? (await api<{ content: string }>("GET", `/api/file?path=${encodeURIComponent(path)}`)).content;
      f = model(path, content);
      if (prefetched) early = { worker: prefetched.analysis, ...(prefetched.server ? { server: prefetched.server } : {}) };
      else if (f.model.getLanguageId() === "rag") lang.sync(f.uri, f.model.getVersionId(), content);
    }
    if (current && current !== f) runs.fileChanged();
    current = f;
    graphChoice = undefined;
    editor.setModel(f.model);
    // Formatting is the .rag formatter's: a script has none, so the button is off for it.
    ($("format") as HTMLButtonElement).disabled = f.model.getLanguageId() !== "rag";
    $("file-name").textContent = path;
    for (const a of document.querySelectorAll<HTMLElement>("#files .file")) a.classList.toggle("on", a.dataset.path === path);
    markDirty();
    await analyze(early);
    runs.renderForm();
    threadsFollow();
    if (current === f) handle.opened = path;
  }

  function markDirty(): void {
    if (!current) return;
    const dirty = current.model.getValue() !== current.saved;
    $("file-name").textContent = current.path + (dirty ? " ●" : "");
  }

  /**
   * Analyses are throttled by the worker's pace, not a timer: one request in flight at a
   * time; edits made meanwhile are coalesced into one follow-up request for the latest
   * text (a keystroke on an idle page is analysed at once).
   */
  let inFlight = false;
  let again = false;
  /** The open file the graph pane last drew (its drawing is kept, faded, while that file does not compile). */
  let graphOf: OpenFile | undefined;
  function schedule(): void {
    if (inFlight) again = true;
    else void analyze();
  }

  /**
   * Analyses the current buffer in the worker and paints the result. `early`: the first
   * analysis of a page, already asked of the worker and (for the first paint only) of
   * the server — whichever answers first is painted, then the worker's when it comes.
   * Resolves at the first paint (or when there is nothing to paint).
   */
  function analyze(early?: { worker: Promise<Analysis>; server?: Promise<Analysis> }): Promise<void> {
    return new Promise((painted) => void runAnalysis(early, painted));
  }

  async function runAnalysis(early: { worker: Promise<Analysis>; server?: Promise<Analysis> } | undefined, painted: () => void): Promise<void> {
    const f = current;
    if (!f || f.model.getLanguageId() !== "rag") {
      graphOf = undefined;
      // A .ragsh script: nothing of the .rag file shown before (its problems, status line,
      // graph list, analysis) stays on screen as if it were this file's.
      handle.analysis = undefined;
      if (f) monaco.editor.setModelMarkers(f.model, "rag", []);
      renderProblems([], "no checks here for a .ragsh script: run it in the REPL tab (:load FILE) to see its errors");
      setStatus("");
      const select = $("graph-select") as HTMLSelectElement;
      select.replaceChildren();
      select.hidden = true;
      clearGraph($("graph"), h("div", { class: "dim" }, "no graph for this file"));
      painted();
      return;
    }
    inFlight = true;
    again = false;
    try {
      const worker = early?.worker ?? lang.ask("analyze", { uri: f.uri, ...(graphChoice ? { graph: graphChoice } : {}) });
      if (early?.server) {
        const first = await Promise.race([worker, early.server.catch(() => worker)]).catch(() => undefined);
        if (first && first.source === "server" && current === f) {
          await paint(f, first);
          painted();
        }
      }
      let a: Analysis;
      try {
        a = withView(f, await worker);
        // A `sameView` reply for a view this page does not hold (not expected): ask for it in full.
        if (a.sameView !== undefined && !a.view) a = withView(f, await lang.ask("analyze", { uri: f.uri, ...(graphChoice ? { graph: graphChoice } : {}), full: true }));
      } catch (e) {
        setStatus(`error: ${(e as Error).message}`);
        return;
      }
      if (current === f) await paint(f, { ...a, source: "worker" });
    } finally {
      painted();
      inFlight = false;
      if (again && current === f) void analyze();
    }
  }

  /** `a` with the view it refers to (`sameView`: the one kept from an earlier reply); keeps a view it carries. */
  function withView(f: OpenFile, a: Analysis): Analysis {
    if (a.view) {
      f.views.set(a.view.id, { view: a.view, topology: a.topology, placed: a.placed });
      return a;
    }
    const kept = a.sameView !== undefined ? f.views.get(a.sameView) : undefined;
    return kept ? { ...a, ...kept } : a;
  }

  /** Shows analysis `a` of `f`: markers, problems, the graph (redrawn only when its topology changed). */
  async function paint(f: OpenFile, a: Analysis): Promise<void> {
    show(f, a);
    const edited = f.editedAt.get(a.version);
    const diagnosticsMs = edited !== undefined ? performance.now() - edited : 0;
    const select = $("graph-select") as HTMLSelectElement;
    select.hidden = false;
    // While the file does not compile, its graphs are unknown: the picker keeps the last list.
    if (a.graphs.length || graphOf !== f) select.replaceChildren(...a.graphs.map((g) => h("option", { value: g, ...(g === a.view?.id ? { selected: "" } : {}) }, g)));
    if (a.view && a.topology !== undefined) {
      try {
        await drawGraph($("graph"), a.view, a.topology, a.placed, pickNode);
        graphOf = f;
      } catch (e) {
        setStatus(`graph layout failed: ${(e as Error).message}`);
      }
    } else if (graphOf !== f || !staleGraph($("graph"), "out of date: the buffer does not compile (see Problems)")) {
      // Mid-edit, the last drawing of this file stays (faded); a file that never compiled shows none.
      graphOf = undefined;
      clearGraph($("graph"), h("div", { class: "dim" }, "no graph compiled (see Problems)"));
    }
    if (current !== f) return;
    handle.lastUpdate = { version: a.version, diagnosticsMs, graphMs: edited !== undefined ? performance.now() - edited : 0, compileMs: a.timings.compileMs };
    if (a.source === "worker") for (const v of f.editedAt.keys()) if (v <= a.version) f.editedAt.delete(v);
    syncSelection();
  }

  /** Markers, the Problems panel and the status line for analysis `a` of `f`. */
  function show(f: OpenFile, a: Analysis): void {
    handle.analysis = a;
    monaco.editor.setModelMarkers(f.model, "rag", a.diagnostics.map(toMarker));
    renderProblems(a.diagnostics);
    const errors = a.diagnostics.filter((d) => d.severity === "error").length;
    setStatus(errors ? `${errors} error${errors > 1 ? "s" : ""}` : "ok");
  }

  function renderProblems(ds: readonly Diagnostic[], none = "no problems"): void {
    $("problem-count").textContent = ds.length ? `(${ds.length})` : "";
    $("tab-problems").replaceChildren(
      ...(ds.length
        ? ds.map((d) =>
            h(
              "div",
              { class: `problem ${d.severity}`, "data-code": d.code },
              h("span", { class: "loc" }, `${d.span.start.line}:${d.span.start.column}`),
              ` ${d.severity}[${d.code}]: ${d.message} `,
              d.help ? h("span", { class: "dim" }, `help: ${d.help} `) : null,
              ...d.fixes.slice(0, 1).map(() => button(`Fix: ${d.fixes.map((x) => x.description).join("; ")}`, () => applyFix(d), { class: "fix" })),
            ),
          )
        : [h("div", { class: "dim" }, none)]),
    );
    for (const p of document.querySelectorAll<HTMLElement>("#tab-problems .problem .loc")) {
      p.addEventListener("click", () => {
        const d = ds[[...document.querySelectorAll("#tab-problems .problem .loc")].indexOf(p)];
        editor.setSelection(toRange(d.span));
        editor.revealRangeInCenter(toRange(d.span));
        editor.focus();
      });
    }
  }

  function applyFix(d: Diagnostic): void {
    editor.executeEdits("quick-fix", d.fixes.map((f) => ({ range: toRange(f.span), text: f.replacement })));
    editor.focus();
  }

  function pickNode(id: string): void {
    const span = handle.analysis?.spans[id];
    if (!span) return;
    const r = new monaco.Range(span.start.line, span.start.column, span.start.line, span.start.column);
    editor.setSelection(toRange(span));
    editor.revealRangeInCenter(r);
    selectNode($("graph"), id);
  }

  function syncSelection(): void {
    const a = handle.analysis;
    const pos = editor.getPosition();
    if (!a || !pos || !current) return;
    const offset = current.model.getOffsetAt(pos);
    const hit = Object.entries(a.spans).find(([, s]) => s.start.offset <= offset && offset <= s.end.offset);
    selectNode($("graph"), hit?.[0]);
  }
  editor.onDidChangeCursorPosition(() => syncSelection());

  async function save(): Promise<string> {
    const f = current;
    if (!f) throw new Error("no file open");
    if (f.model.getLanguageId() === "rag") {
      const edits = await lang.ask("format", { uri: f.uri }).catch(() => []);
      if (edits.length) f.model.pushEditOperations([], edits.map((e) => ({ range: new monaco.Range(e.range.start.line + 1, e.range.start.character + 1, e.range.end.line + 1, e.range.end.character + 1), text: e.newText })), () => null);
    }
    const text = f.model.getValue();
    await api("PUT", "/api/file", { path: f.path, content: text });
    f.saved = text;
    markDirty();
    setStatus(`saved ${f.path}`);
    return f.path;
  }

  async function format(): Promise<void> {
    await editor.getAction("editor.action.formatDocument")?.run();
  }

  editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => void save());
  $("save").addEventListener("click", () => void save());
  $("format").addEventListener("click", () => void format());
  $("graph-select").addEventListener("change", (e) => {
    graphChoice = (e.target as HTMLSelectElement).value;
    void analyze().then(() => {
      runs.renderForm();
      threadsFollow();
    });
  });

  const runs = new RunsPanel($("tab-runs"), {
    currentFile: async () => {
      if (!current) throw new Error("open a .rag file first");
      return current.model.getValue() !== current.saved ? save() : current.path;
    },
    input: () => {
      const id = graphChoice ?? handle.analysis?.view?.id;
      return { fields: handle.analysis?.input ?? null, defaults: (id !== undefined ? snapshot?.defaultInputs[id] : undefined) ?? null, graph: id };
    },
    light: (nodes) => lightNodes($("graph"), nodes),
    toolSchema: (tool) => snapshot?.registry?.tool_details?.[tool]?.parameters as JsonSchema | undefined,
    script: () => (current && current.model.getLanguageId() !== "rag" ? current.path : undefined),
    scope: () => (current && current.model.getLanguageId() === "rag" ? { file: current.path, graph: graphChoice ?? handle.analysis?.view?.id } : { file: undefined, graph: undefined }),
  });
  /** The thread list follows the file and graph open: listed again when they change while the Runs tab shows (else when it opens). */
  function threadsFollow(): void {
    if ($("tab-runs").classList.contains("on")) void runs.loadThreads();
  }
  mountRepl($("tab-repl"));

  /**
   * The Diff tab: `rag diff` in the browser. The editor's buffer (right) against its
   * saved file or another workspace `.rag` file (left) in Monaco's diff editor, and the
   * semantic diff of the graph shown (nodes, edges, channels, … that changed, as
   * `rag diff` prints it) computed by the language worker.
   */
  let diffEditor: monaco.editor.IStandaloneDiffEditor | undefined;
  let diffOriginal: monaco.editor.ITextModel | undefined;
  const diffWith = h("select", { "data-testid": "diff-with", title: "compare the buffer with" });
  const diffText = h("pre", { class: "semantic-diff", "data-testid": "diff-semantic" });
  diffWith.addEventListener("change", () => void showDiff());
  async function showDiff(): Promise<void> {
    const f = current;
    if (!f) return;
    const root = $("tab-diff");
    if (!diffEditor) {
      const host = h("div", { class: "diff-host", "data-testid": "diff-editor" });
      root.replaceChildren(h("div", { class: "diff-bar" }, "editor buffer (right) against ", diffWith, button("↻", () => void showDiff(), { title: "refresh" })), host, diffText);
      diffEditor = monaco.editor.createDiffEditor(host, { automaticLayout: true, readOnly: true, renderSideBySide: true, minimap: { enabled: false } });
    }
    const others = (await early.info).files.filter((x) => x.kind === "rag" && x.path !== f.path).map((x) => x.path);
    const chosen = diffWith.value;
    diffWith.replaceChildren(h("option", { value: "" }, "its saved file"), ...others.map((p) => h("option", { value: p }, p)));
    diffWith.value = others.includes(chosen) ? chosen : "";
    const original = diffWith.value ? (files.get(diffWith.value)?.model.getValue() ?? (await api<{ content: string }>("GET", `/api/file?path=${encodeURIComponent(diffWith.value)}`)).content) : f.saved;
    if (!diffOriginal) diffOriginal = monaco.editor.createModel(original, f.model.getLanguageId());
    else {
      diffOriginal.setValue(original);
      monaco.editor.setModelLanguage(diffOriginal, f.model.getLanguageId());
    }
    diffEditor.setModel({ original: diffOriginal, modified: f.model });
    if (f.model.getLanguageId() !== "rag") {
      diffText.textContent = "";
      return;
    }
    const graph = graphChoice ?? handle.analysis?.view?.id;
    const d = await lang.ask("semanticDiff", { uri: f.uri, original, ...(graph !== undefined && !diffWith.value ? { graph } : {}) });
    diffText.classList.toggle("error", "error" in d);
    diffText.textContent = "error" in d ? d.error : d.text;
  }

  /** The Review tab's text diffs: each graph's approved source (kept in its approval record) against the buffer. */
  const reviewDiffs: { editor: monaco.editor.IStandaloneDiffEditor; original: monaco.editor.ITextModel }[] = [];
  const approvedDiff: ApprovedDiff = {
    reset() {
      for (const d of reviewDiffs.splice(0)) {
        d.editor.dispose();
        d.original.dispose();
      }
    },
    show(host, source) {
      if (!current) return;
      const original = monaco.editor.createModel(source, "rag");
      const ed = monaco.editor.createDiffEditor(host, { automaticLayout: true, readOnly: true, renderSideBySide: true, minimap: { enabled: false } });
      ed.setModel({ original, modified: current.model });
      // Scroll to the first change; the host tells how many changed line ranges there are.
      ed.onDidUpdateDiff(() => {
        const changes = ed.getLineChanges() ?? [];
        host.dataset.changes = String(changes.length);
        if (changes[0]) ed.getModifiedEditor().revealLineInCenter(Math.max(1, changes[0].modifiedStartLineNumber));
      });
      reviewDiffs.push({ editor: ed, original });
    },
  };

  for (const b of document.querySelectorAll<HTMLButtonElement>("#tabs button")) {
    b.addEventListener("click", () => {
      const tab = b.dataset.tab!;
      for (const x of document.querySelectorAll("#tabs button")) x.classList.toggle("on", x === b);
      for (const x of document.querySelectorAll(".tab")) x.classList.toggle("on", x.id === `tab-${tab}`);
      if (tab === "review" && current) {
        if (current.model.getLanguageId() === "rag") void renderReview($("tab-review"), current.path, save, () => void refreshApprovals(), approvedDiff);
        else {
          approvedDiff.reset();
          $("tab-review").replaceChildren(h("div", { class: "dim", "data-testid": "review-script" }, `${current.path} is a .ragsh script: review and approval are for the graphs of a .rag file.`));
        }
      }
      if (tab === "runs") void runs.loadThreads();
      if (tab === "diff") void showDiff();
    });
  }

  /**
   * A folder's contents as tree rows: sub-folders first, each a `<details>` that opens and
   * closes (open at start), then its files; a file row opens the file (as before).
   */
  function drawTree(dir: TreeDir, depth: number): HTMLElement[] {
    const pad = { style: `padding-left: ${12 + depth * 14}px` };
    const folders = dir.dirs.map((d) => h("details", { class: "folder", "data-dir": d.path, open: "" }, h("summary", pad, d.name), ...drawTree(d, depth + 1)));
    const leaves = dir.files.map((f) => {
      const a = h("div", { class: `file ${f.kind}`, "data-path": f.path, title: f.path, ...pad }, f.name);
      a.addEventListener("click", () => void open(f.path));
      return a;
    });
    return [...folders, ...leaves];
  }

  async function boot(): Promise<void> {
    const info = await early.info;
    const tree = $("files");
    tree.replaceChildren(
      h("div", { class: "dim", title: info.workspace }, info.workspace.split("/").pop() ?? info.workspace),
      ...drawTree(fileTree(info.files), 0),
      h("div", { class: "dim small" }, info.config ? `config: ${info.config.split("/").pop()}` : "no rag.config.ts: standard registry"),
    );
    const first = await early.first;
    if (first) await open(first.path, first);
    handle.ready = true;
    performance.mark("studio:ready");
    document.body.dataset.ready = "true";
  }
  void boot().catch((e: Error) => setStatus(`error: ${e.message}`));

  /** After an approval the worker learns the new hashes (review-gated graphs stop warning). */
  async function refreshApprovals(): Promise<void> {
    const s = await api<LanguageSnapshot>("GET", "/api/registry");
    snapshot = s;
    lang.init(s.registry, s.approved);
    schedule();
  }
}
