/**
 * The studio page: file tree, Monaco editor (`.rag` language via the adapter in
 * language.ts), the live graph, and the panels (problems, runs, review, REPL, diff).
 * Browser-only code: it imports nothing Node-only and talks to the server over the API.
 */
import * as monaco from "monaco-core";
import "./style.css";
import { api, type Diagnostic } from "./api.js";
import { button, h } from "./dom.js";
import { drawGraph, lightNodes, selectNode } from "./graph.js";
import { httpBackend, registerRag, toMarker, toRange, type Analysis, type LanguageBackend } from "./language.js";
import { mountRepl } from "./repl.js";
import { renderReview } from "./review.js";
import { RunsPanel } from "./runs.js";

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
  /** Times of the last analysis: from the edit to markers set, and to the graph drawn (ms). */
  lastUpdate: { version: number; diagnosticsMs: number; graphMs: number } | undefined;
  open(path: string): Promise<void>;
  ready: boolean;
}

self.MonacoEnvironment = { getWorker: () => new Worker("/editor.worker.js", { type: "module" }) };

const backend: LanguageBackend = httpBackend;
const $ = (id: string) => document.getElementById(id)!;
const diagnosticsByModel = new Map<string, readonly Diagnostic[]>();
registerRag(backend, (model) => diagnosticsByModel.get(model.uri.toString()) ?? []);

interface OpenFile {
  readonly path: string;
  readonly model: monaco.editor.ITextModel;
  saved: string;
}
const files = new Map<string, OpenFile>();
let current: OpenFile | undefined;
let graphChoice: string | undefined;

const editor = monaco.editor.create($("editor"), { language: "rag", automaticLayout: true, minimap: { enabled: false }, fontSize: 13, lightbulb: { enabled: monaco.editor.ShowLightbulbIconMode.On }, scrollBeyondLastLine: false });
const handle: StudioHandle = { editor, monaco, analysis: undefined, lastUpdate: undefined, open, ready: false };
window.studio = handle;

function setStatus(text: string): void {
  $("status").textContent = text;
}

async function open(path: string): Promise<void> {
  let f = files.get(path);
  if (!f) {
    const { content } = await api<{ content: string }>("GET", `/api/file?path=${encodeURIComponent(path)}`);
    const model = monaco.editor.createModel(content, path.endsWith(".ragsh") ? "ragsh" : "rag", monaco.Uri.parse(`file:///${path}`));
    f = { path, model, saved: content };
    files.set(path, f);
    model.onDidChangeContent(() => {
      markDirty();
      if (current === f) schedule();
    });
  }
  current = f;
  graphChoice = undefined;
  editor.setModel(f.model);
  $("file-name").textContent = path;
  for (const a of document.querySelectorAll<HTMLElement>("#files .file")) a.classList.toggle("on", a.dataset.path === path);
  markDirty();
  await analyze();
  runs.renderForm();
}

function markDirty(): void {
  if (!current) return;
  const dirty = current.model.getValue() !== current.saved;
  $("file-name").textContent = current.path + (dirty ? " ●" : "");
}

let timer: ReturnType<typeof setTimeout> | undefined;
function schedule(): void {
  clearTimeout(timer);
  timer = setTimeout(() => void analyze(), 30);
}

let seq = 0;
async function analyze(): Promise<void> {
  const f = current;
  if (!f || f.model.getLanguageId() !== "rag") {
    $("graph").replaceChildren(h("div", { class: "dim" }, "no graph for this file"));
    return;
  }
  const mine = ++seq;
  const version = f.model.getVersionId();
  const t0 = performance.now();
  let a: Analysis;
  try {
    a = await backend.analyze(f.model.getValue(), f.path, graphChoice);
  } catch (e) {
    setStatus(`error: ${(e as Error).message}`);
    return;
  }
  if (mine !== seq || current !== f) return;
  handle.analysis = a;
  diagnosticsByModel.set(f.model.uri.toString(), a.diagnostics);
  monaco.editor.setModelMarkers(f.model, "rag", a.diagnostics.map(toMarker));
  renderProblems(a.diagnostics);
  const diagnosticsMs = performance.now() - t0;
  const select = $("graph-select") as HTMLSelectElement;
  select.replaceChildren(...a.graphs.map((g) => h("option", { value: g, ...(g === a.view?.id ? { selected: "" } : {}) }, g)));
  if (a.view) await drawGraph($("graph"), a.view, pickNode);
  else $("graph").replaceChildren(h("div", { class: "dim" }, "no graph compiled (see Problems)"));
  if (mine !== seq) return;
  handle.lastUpdate = { version, diagnosticsMs, graphMs: performance.now() - t0 };
  const errors = a.diagnostics.filter((d) => d.severity === "error").length;
  setStatus(errors ? `${errors} error${errors > 1 ? "s" : ""}` : "ok");
  syncSelection();
}

function renderProblems(ds: readonly Diagnostic[]): void {
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
      : [h("div", { class: "dim" }, "no problems")]),
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
  let text = f.model.getValue();
  if (f.model.getLanguageId() === "rag") {
    const formatted = await backend.format(text, f.path).catch(() => undefined);
    if (formatted !== undefined && formatted !== text) {
      f.model.pushEditOperations([], [{ range: f.model.getFullModelRange(), text: formatted }], () => null);
      text = formatted;
    }
  }
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
  void analyze().then(() => runs.renderForm());
});

const runs = new RunsPanel($("tab-runs"), {
  currentFile: async () => {
    if (!current) throw new Error("open a .rag file first");
    return current.model.getValue() !== current.saved ? save() : current.path;
  },
  input: () => ({ fields: handle.analysis?.input ?? null, defaults: handle.analysis?.defaultInput ?? null, graph: graphChoice ?? handle.analysis?.view?.id }),
  light: (nodes) => lightNodes($("graph"), nodes),
});
mountRepl($("tab-repl"));

let diffEditor: monaco.editor.IStandaloneDiffEditor | undefined;
function showDiff(): void {
  if (!current) return;
  const root = $("tab-diff");
  if (!diffEditor) {
    const host = h("div", { class: "diff-host", "data-testid": "diff-editor" });
    root.replaceChildren(h("div", { class: "dim" }, "saved file (left) ↔ editor buffer (right); the Review tab shows the semantic diff against the last approved version"), host);
    diffEditor = monaco.editor.createDiffEditor(host, { automaticLayout: true, readOnly: true, renderSideBySide: true, minimap: { enabled: false } });
  }
  diffEditor.setModel({ original: monaco.editor.createModel(current.saved, current.model.getLanguageId()), modified: current.model });
}

for (const b of document.querySelectorAll<HTMLButtonElement>("#tabs button")) {
  b.addEventListener("click", () => {
    const tab = b.dataset.tab!;
    for (const x of document.querySelectorAll("#tabs button")) x.classList.toggle("on", x === b);
    for (const x of document.querySelectorAll(".tab")) x.classList.toggle("on", x.id === `tab-${tab}`);
    if (tab === "review" && current) void renderReview($("tab-review"), current.path, save);
    if (tab === "runs") void runs.loadThreads();
    if (tab === "diff") showDiff();
  });
}

async function boot(): Promise<void> {
  const info = await api<{ workspace: string; config: string | null; files: { path: string; kind: string }[] }>("GET", "/api/info");
  const tree = $("files");
  tree.replaceChildren(
    h("div", { class: "dim", title: info.workspace }, info.workspace.split("/").pop() ?? info.workspace),
    ...info.files.map((f) => {
      const a = h("div", { class: `file ${f.kind}`, "data-path": f.path }, f.path);
      a.addEventListener("click", () => void open(f.path));
      return a;
    }),
    h("div", { class: "dim small" }, info.config ? `config: ${info.config.split("/").pop()}` : "no rag.config.ts: standard registry"),
  );
  const wanted = new URLSearchParams(location.search).get("file");
  const first = info.files.find((f) => f.path === wanted) ?? info.files.find((f) => f.kind === "rag");
  if (first) await open(first.path);
  handle.ready = true;
  document.body.dataset.ready = "true";
}
void boot();
