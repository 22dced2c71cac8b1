/**
 * The current file's analysis: asked of the language worker (the first one also of the
 * server), throttled by the worker's pace, and painted — markers, Problems, the status
 * line, the graph list and the graph (redrawn only when its topology changed).
 */
import * as monaco from "monaco-core";
import { $, isRag, setStatus, type EarlyAnalysis, type OpenFile, type Studio, type StudioHandle } from "./context.js";
import { h } from "./dom.js";
import { clearGraph, drawGraph, staleGraph } from "./graph.js";
import { toMarker } from "./language.js";
import { renderProblems } from "./problems.js";
import type { Analysis } from "./protocol.js";
import { pickNode, syncSelection } from "./selection.js";

/**
 * Analyses are throttled by the worker's pace, not a timer: one request in flight at a
 * time; edits made meanwhile are coalesced into one follow-up request for the latest
 * text (a keystroke on an idle page is analysed at once).
 */
export class Analyzer {
  private inFlight = false;
  private again = false;
  /** The open file the graph pane last drew (its drawing is kept, faded, while that file does not compile). */
  private graphOf: OpenFile | undefined;

  constructor(private readonly s: Studio) {}

  /** Analyses the current buffer now, or after the request in flight. */
  schedule(): void {
    if (this.inFlight) this.again = true;
    else void this.analyze();
  }

  /**
   * Analyses the current buffer in the worker and paints the result. `early`: the first
   * analysis of a page, already asked of the worker and (for the first paint only) of
   * the server — whichever answers first is painted, then the worker's when it comes.
   * Resolves at the first paint (or when there is nothing to paint).
   */
  analyze(early?: EarlyAnalysis): Promise<void> {
    return new Promise((painted) => void this.run(early, painted));
  }

  private async run(early: EarlyAnalysis | undefined, painted: () => void): Promise<void> {
    const s = this.s;
    const f = s.current;
    if (!f || !isRag(f)) {
      this.graphOf = undefined;
      // A .ragsh script: nothing of the .rag file shown before (its problems, status line,
      // graph list, analysis) stays on screen as if it were this file's.
      s.handle.analysis = undefined;
      if (f) monaco.editor.setModelMarkers(f.model, "rag", []);
      renderProblems(s.editor, [], "no checks here for a .ragsh script: run it in the REPL tab (:load FILE) to see its errors");
      setStatus("");
      const select = $("graph-select") as HTMLSelectElement;
      select.replaceChildren();
      select.hidden = true;
      clearGraph($("graph"), h("div", { class: "dim" }, "no graph for this file"));
      painted();
      return;
    }
    this.inFlight = true;
    this.again = false;
    try {
      const graph = () => (s.graphChoice ? { graph: s.graphChoice } : {});
      const worker = early?.worker ?? s.lang.analyze({ uri: f.uri, ...graph() });
      if (early?.server) {
        const first = await Promise.race([worker, early.server.catch(() => worker)]).catch(() => undefined);
        if (first && first.source === "server" && s.current === f) {
          await this.paint(f, first);
          painted();
        }
      }
      let a: Analysis & { receivedAt?: number };
      try {
        a = withView(f, await worker);
        a = { ...a, receivedAt: performance.timeOrigin + performance.now() };
        // A `sameView` reply for a view this page does not hold (not expected): ask for it in full.
        if (a.sameView !== undefined && !a.view) a = withView(f, await s.lang.analyze({ uri: f.uri, ...graph(), full: true }));
      } catch (e) {
        setStatus(`error: ${(e as Error).message}`);
        return;
      }
      if (s.current === f) await this.paint(f, { ...a, source: "worker" });
    } finally {
      painted();
      this.inFlight = false;
      if (this.again && s.current === f) void this.analyze();
    }
  }

  /** Shows analysis `a` of `f`: markers, problems, the graph (redrawn only when its topology changed). */
  private async paint(f: OpenFile, a: Analysis & { receivedAt?: number }): Promise<void> {
    const s = this.s;
    const t0 = performance.now();
    const markersMs = show(s, f, a);
    const edited = f.editedAt.get(a.version);
    const t1 = performance.now();
    const diagnosticsMs = edited !== undefined ? t1 - edited : 0;
    const select = $("graph-select") as HTMLSelectElement;
    select.hidden = false;
    // While the file does not compile, its graphs are unknown: the picker keeps the last list.
    if (a.graphs.length || this.graphOf !== f) select.replaceChildren(...a.graphs.map((g) => h("option", { value: g, ...(g === a.view?.id ? { selected: "" } : {}) }, g)));
    if (a.view && a.topology !== undefined) {
      try {
        await drawGraph($("graph"), a.view, a.topology, a.placed, (id) => pickNode(s, id));
        this.graphOf = f;
      } catch (e) {
        setStatus(`graph layout failed: ${(e as Error).message}`);
      }
    } else if (this.graphOf !== f || !staleGraph($("graph"), "out of date: the buffer does not compile (see Problems)")) {
      // Mid-edit, the last drawing of this file stays (faded); a file that never compiled shows none.
      this.graphOf = undefined;
      clearGraph($("graph"), h("div", { class: "dim" }, "no graph compiled (see Problems)"));
    }
    if (s.current !== f) return;
    const t2 = performance.now();
    const t = a.timings;
    const editedAt = edited !== undefined ? performance.timeOrigin + edited : undefined;
    const phases: Record<string, number> = {
      toWorker: editedAt !== undefined && t.startedAt !== undefined ? t.startedAt - editedAt : 0,
      compile: t.compileMs,
      view: t.viewMs,
      back: a.receivedAt !== undefined && t.endedAt !== undefined ? a.receivedAt - t.endedAt : 0,
      toPaint: a.receivedAt !== undefined ? performance.timeOrigin + t0 - a.receivedAt : 0,
      ...markersMs,
      graph: t2 - t1,
    };
    const update: NonNullable<StudioHandle["lastUpdate"]> = { version: a.version, diagnosticsMs, graphMs: edited !== undefined ? t2 - edited : 0, compileMs: t.compileMs, phases };
    s.handle.lastUpdate = update;
    // On screen: the frame after this paint is drawn (style, layout, paint) by the time a
    // task queued from its animation frame callback runs.
    if (edited !== undefined) requestAnimationFrame(() => setTimeout(() => (update.frameMs = performance.now() - edited), 0));
    if (a.source === "worker") for (const v of f.editedAt.keys()) if (v <= a.version) f.editedAt.delete(v);
    syncSelection(s);
  }
}

/** `a` with the view it refers to (`sameView`: the one kept from an earlier reply); keeps a view it carries. */
function withView(f: OpenFile, a: Analysis): Analysis {
  if (a.view) {
    f.views.set(a.view.id, { view: a.view, topology: a.topology, placed: a.placed });
    return a;
  }
  const kept = a.sameView !== undefined ? f.views.get(a.sameView) : undefined;
  if (!kept?.view) return a;
  if (a.viewHash === undefined || a.viewHash === kept.view.hash) return { ...a, ...kept };
  // The same drawing of a changed blueprint: the kept view with the new hash.
  const now = { ...kept, view: { ...kept.view, hash: a.viewHash } };
  f.views.set(a.sameView!, now);
  return { ...a, ...now };
}

/** Markers, the Problems panel and the status line for analysis `a` of `f`; resolves with the time each took (ms). */
function show(s: Studio, f: OpenFile, a: Analysis): { markers: number; problems: number } {
  const t0 = performance.now();
  s.handle.analysis = a;
  monaco.editor.setModelMarkers(f.model, "rag", a.diagnostics.map(toMarker));
  const t1 = performance.now();
  renderProblems(s.editor, a.diagnostics);
  const errors = a.diagnostics.filter((d) => d.severity === "error").length;
  setStatus(errors ? `${errors} error${errors > 1 ? "s" : ""}` : "ok");
  return { markers: t1 - t0, problems: performance.now() - t1 };
}
