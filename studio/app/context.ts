/**
 * What the studio page's modules share (studio/app/main.ts builds it once): the language
 * client, the editor, the test handle (`window.studio`), the open files and which one is
 * shown, the graph picked and the registry snapshot. Passed explicitly to the modules
 * that read or change it (files.ts, analysis.ts, selection.ts, diff-tab.ts, tabs.ts).
 */
import type * as monaco from "monaco-core";
import type { Early, LanguageSnapshot } from "./boot.js";
import type { LanguageClient } from "./lang-client.js";
import type { Analysis } from "./protocol.js";

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
   * the worker's compile of that text. `phases` (ms): edit → the worker starts on it
   * (`toWorker`), its compile and view, the reply's trip back (`back`), the page picking
   * it up (`toPaint`), markers, problems and graph. `frameMs`: from the keystroke to the
   * next frame drawn after that (set a frame later).
   */
  lastUpdate: { version: number; diagnosticsMs: number; graphMs: number; compileMs: number; phases: Record<string, number>; frameMs?: number } | undefined;
  open(path: string): Promise<void>;
  /**
   * The path of the last `open` that finished with its file still the open one: the first
   * analysis painted and the run form drawn for it. Tests clear it, click a file, and wait
   * for it rather than for a file name that is shown before the file's graph and form are.
   */
  opened: string | undefined;
  ready: boolean;
}

/** A file open in the editor: its Monaco model and what the page keeps about it. */
export interface OpenFile {
  readonly path: string;
  readonly uri: string;
  readonly model: monaco.editor.ITextModel;
  saved: string;
  /** The last view (with its topology and layout) received per graph id, for `Analysis.sameView` replies. */
  readonly views: Map<string, Pick<Analysis, "view" | "topology" | "placed">>;
  /** When each version's change happened (performance.now()), for `lastUpdate`. */
  readonly editedAt: Map<number, number>;
}

/** The first analysis of a page, already asked of the worker and (for the first paint only) of the server. */
export interface EarlyAnalysis {
  readonly worker: Promise<Analysis>;
  readonly server?: Promise<Analysis>;
}

/** The page's shared state. */
export interface Studio {
  readonly early: Early;
  readonly lang: LanguageClient;
  readonly editor: monaco.editor.IStandaloneCodeEditor;
  readonly handle: StudioHandle;
  /** Open files by workspace path, and the same by model. */
  readonly files: Map<string, OpenFile>;
  readonly byModel: Map<monaco.editor.ITextModel, OpenFile>;
  /** The file shown in the editor. */
  current: OpenFile | undefined;
  /** The graph picked in the graph pane's list (undefined: the file's first). */
  graphChoice: string | undefined;
  /** `GET /api/registry`, once it has come (refreshed after an approval). */
  snapshot: LanguageSnapshot | undefined;
}

/** The page element with id `id` (index.html has them all). */
export const $ = (id: string): HTMLElement => document.getElementById(id)!;

/** The status line's text. */
export function setStatus(text: string): void {
  $("status").textContent = text;
}

/** Whether `f` is a `.rag` file (else a `.ragsh` script). */
export function isRag(f: OpenFile): boolean {
  return f.model.getLanguageId() === "rag";
}

/** The graph shown: the one picked, else the one the last analysis drew. */
export function graphShown(s: Studio): string | undefined {
  return s.graphChoice ?? s.handle.analysis?.view?.id;
}
