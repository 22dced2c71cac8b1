/**
 * The runs panel: an input form from the graph's `input` fields (else a JSON object,
 * pre-filled from the config's default input), runs streamed over SSE with a
 * per-superstep timeline (run-timeline.ts), the state after each step with changed
 * channels highlighted, the interrupt answer form (answer-form.ts), the thread list of the graph
 * open (thread-list.ts), a picked thread's timeline from its history
 * (thread-timeline.ts), its checkpoint history with fork / re-run / state editing
 * (updateState), and cancel.
 */
import { answerForm } from "./answer-form.js";
import { api, type InputField, type RunSummary } from "./api.js";
import { button, h } from "./dom.js";
import { schemaOfTypeText, type JsonSchema } from "./fields.js";
import { schemaField } from "./form-fields.js";
import { followRun } from "./run-timeline.js";
import { ThreadList, type ThreadScope } from "./thread-list.js";
import { drawThreadTimeline, type HistoryEntry } from "./thread-timeline.js";
import { watchThread } from "./thread-watch.js";

export interface RunsHost {
  /** The saved file to run (saves the buffer first). */
  currentFile(): Promise<string>;
  input(): { fields: readonly InputField[] | null; defaults: Record<string, unknown> | null; graph: string | undefined };
  /** Superstep's active nodes (empty set: none). */
  light(nodes: ReadonlySet<string>): void;
  /** A registered tool's argument JSON Schema (the registry snapshot's `tool_details`), if known. */
  toolSchema(tool: string): JsonSchema | undefined;
  /** The open file's path when it is a `.ragsh` script (which runs in the REPL, not here). */
  script(): string | undefined;
  /** The file and graph open in the editor: the thread list shows theirs. */
  scope(): ThreadScope;
}

export class RunsPanel {
  private readonly form = h("div", { class: "run-form" });
  /** Cancel: enabled only while a run this page follows is running. */
  private cancelButton: HTMLButtonElement | undefined;
  private readonly timeline = h("div", { class: "timeline", "data-testid": "timeline" });
  private readonly statePane = h("div", { class: "state", "data-testid": "state" });
  private readonly answer = h("div", { class: "answer", "data-testid": "interrupt" });
  private readonly threadList: ThreadList;
  private readonly history = h("div", { class: "history", "data-testid": "history" });
  private readonly runInfo = h("div", { class: "run-info", "data-testid": "run-info" });
  private source: EventSource | undefined;
  private current: RunSummary | undefined;
  /** The thread whose history the timeline was drawn from (undefined: a run's events, or nothing). */
  private timelineOf: string | undefined;
  /** Stops watching the thread shown, which a run of another process executes (thread-watch.ts). */
  private unwatch: (() => void) | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly host: RunsHost,
  ) {
    this.threadList = new ThreadList(
      () => host.scope(),
      (t, running) => void this.pick(t.threadId, running),
    );
    root.replaceChildren(
      h("div", { class: "runs-left" }, h("h3", {}, "Run"), this.form, this.runInfo, this.answer, this.threadList.root),
      h("div", { class: "runs-mid" }, h("h3", {}, "Timeline"), this.timeline),
      h("div", { class: "runs-right" }, h("h3", {}, "State"), this.statePane, h("h3", {}, "Checkpoints"), this.history),
    );
    this.renderForm();
    // Threads are listed when the tab opens (tabs.ts, wired in main.ts), not at page load.
  }

  /** Re-renders the input form (after the graph changed). */
  renderForm(): void {
    const script = this.host.script();
    if (script !== undefined) {
      // A script has no graph to run here: say where it runs instead of offering a Run that fails.
      this.cancelButton = undefined;
      this.form.replaceChildren(h("div", { class: "dim", "data-testid": "run-script" }, `${script} is a .ragsh script: run it in the REPL tab with :load ${script}. Open a .rag file to run its graph here.`));
      return;
    }
    const { fields, defaults } = this.host.input();
    const inputs: (() => [string, unknown])[] = [];
    const body = h("div", { class: "fields" });
    if (fields?.length) {
      for (const f of fields) {
        const field = schemaField(f.name, (f.schema as JsonSchema | undefined) ?? schemaOfTypeText(f.type), !f.optional, f.type);
        const d = defaults?.[f.name];
        if (d !== undefined) field.set(d);
        body.append(field.label);
        inputs.push(() => [f.name, field.read()]);
      }
    } else {
      const area = h("textarea", { rows: "3", "data-field": "__json__", spellcheck: "false" });
      area.value = JSON.stringify(defaults ?? {}, null, 0);
      body.append(h("label", {}, "input (JSON object; the graph declares no input block)"), area);
      inputs.push(() => ["__json__", area.value]);
    }
    const run = button("Run", () => void this.start(inputs), { "data-testid": "run", class: "primary" });
    const cancel = button("Cancel", () => void (this.current && api("POST", `/api/runs/${this.current.runId}/cancel`)), { "data-testid": "cancel" });
    cancel.disabled = this.current?.status !== "running";
    this.cancelButton = cancel;
    this.form.replaceChildren(body, run, cancel);
  }

  private async start(inputs: (() => [string, unknown])[]): Promise<void> {
    let input: Record<string, unknown> = {};
    try {
      const pairs = inputs.map((f) => f());
      if (pairs.length === 1 && pairs[0][0] === "__json__") input = JSON.parse(String(pairs[0][1] || "{}")) as Record<string, unknown>;
      else {
        const bad = pairs.find(([, v]) => v instanceof Error);
        if (bad) {
          this.runInfo.replaceChildren(h("span", { class: "error", "data-testid": "input-error" }, (bad[1] as Error).message));
          return;
        }
        for (const [k, v] of pairs) if (v !== undefined) input[k] = v;
      }
    } catch (e) {
      this.runInfo.textContent = `input is not valid JSON: ${(e as Error).message}`;
      return;
    }
    try {
      const file = await this.host.currentFile();
      const { graph } = this.host.input();
      this.attach(await api<RunSummary>("POST", "/api/runs", { file, input, ...(graph ? { graph } : {}) }));
    } catch (e) {
      this.runInfo.textContent = `error: ${(e as Error).message}`;
    }
  }

  /**
   * Another file was opened: the timeline, state, answer form and checkpoints of the
   * previous file's run no longer apply, so they are cleared and its stream closed (the
   * run goes on on the server; its thread stays in the list and can be picked again).
   */
  fileChanged(): void {
    this.detach();
    for (const pane of [this.statePane, this.answer, this.history, this.runInfo]) pane.replaceChildren();
  }

  /**
   * Stops following the run shown (its stream closed; the run goes on on the server) and
   * clears its timeline: another thread is shown from now on, and the old run's events
   * and end must not be drawn over it.
   */
  private detach(): void {
    this.stopWatching();
    this.source?.close();
    this.source = undefined;
    this.current = undefined;
    this.timelineOf = undefined;
    if (this.cancelButton) this.cancelButton.disabled = true;
    this.timeline.replaceChildren();
  }

  /** Follows a run: clears the timeline and streams its events. */
  attach(run: RunSummary): void {
    this.stopWatching();
    this.source?.close();
    this.current = run;
    this.timelineOf = undefined;
    this.threadList.select(run.threadId);
    if (this.cancelButton) this.cancelButton.disabled = false;
    this.timeline.replaceChildren();
    this.answer.replaceChildren();
    this.runInfo.replaceChildren(h("span", { "data-testid": "run-status", "data-status": "running" }, `running ${run.graph} on ${run.threadId}`));
    this.source = followRun(run, {
      timeline: this.timeline,
      light: (nodes) => this.host.light(nodes),
      showState: (step, state, changed) => this.showState(step, state, changed),
      shownStep: () => this.statePane.dataset.step,
      paused: (id, payload) => this.renderInterrupt(run.threadId, id, payload),
      ended: (summary) => {
        this.current = summary;
        if (this.cancelButton) this.cancelButton.disabled = true;
        this.runInfo.replaceChildren(h("span", { "data-testid": "run-status", "data-status": summary.status }, `${summary.status}: ${summary.graph} on thread ${summary.threadId}${summary.error ? ` — ${summary.error.message ?? ""}` : ""}`));
        void this.loadThreads();
        void this.loadHistory(summary.threadId);
      },
    });
  }

  /** The state pane: `state` after superstep `step`, the channels in `changed` highlighted. */
  private showState(step: number, state: Readonly<Record<string, unknown>>, changed: ReadonlySet<string>): void {
    this.statePane.dataset.step = String(step);
    const rows = Object.entries(state).map(([k, v]) => h("tr", { class: changed.has(k) ? "changed" : "" }, h("td", {}, k), h("td", {}, h("pre", {}, JSON.stringify(v, null, 1)))));
    this.statePane.replaceChildren(h("div", { class: "dim" }, `after superstep ${step} (changed: ${[...changed].join(", ") || "none"})`), h("table", {}, ...rows));
  }

  /** The answer form of a pending interrupt of `threadId` (answer-form.ts); answering resumes the thread and follows the new run. */
  private renderInterrupt(threadId: string, id: string, payload: unknown): void {
    const send = async (answer: unknown) => {
      try {
        this.attach(await api<RunSummary>("POST", `/api/threads/${encodeURIComponent(threadId)}/resume`, { answer }));
      } catch (e) {
        this.answer.append(h("div", { class: "error" }, (e as Error).message));
      }
    };
    this.answer.replaceChildren(answerForm(threadId, id, payload, send, (tool) => this.host.toolSchema(tool)));
  }

  /** Lists the threads of the graph open in the editor (or of every graph, when ticked). */
  loadThreads(): Promise<void> {
    return this.threadList.load();
  }

  /**
   * Shows a thread picked in the list (or forked): stops following the run shown, draws
   * the thread's timeline from its history (thread-timeline.ts), its latest state, its
   * checkpoints, and the answer form when it is paused on an interrupt (so a thread
   * paused in an earlier session, or by `rag run`, can be answered here). A thread one of
   * the server's runs is executing is followed live instead (`running`, or found among
   * the server's runs now: one started in another tab after the list was drawn); one a
   * run of another process executes (`rag run` on the same checkpoint file) is redrawn
   * as its checkpoints are added, until that run ends (thread-watch.ts).
   */
  async pick(threadId: string, running?: RunSummary): Promise<void> {
    running ??= (await api<RunSummary[]>("GET", "/api/runs").catch(() => [] as RunSummary[])).find((r) => r.threadId === threadId && (r.status === "running" || r.status === "queued"));
    if (running) {
      this.attach(running);
      await this.loadHistory(threadId).catch(() => undefined); // a run's first checkpoint may not be written yet
      return;
    }
    this.detach();
    this.threadList.select(threadId);
    const hist = await this.loadHistory(threadId);
    const latest = hist[0] as (HistoryEntry & { graph?: string }) | undefined;
    if (!latest) return;
    this.showThread(threadId, hist);
    if (latest.graph !== undefined) {
      this.unwatch = watchThread(threadId, latest.graph, latest.checkpointId, {
        changed: async () => {
          const now = await this.loadHistory(threadId);
          if (this.timelineOf !== threadId || !this.unwatch || !now.length) return; // another thread was picked meanwhile
          this.showThread(threadId, now);
          this.runInfo.replaceChildren(h("span", { "data-testid": "run-status", "data-status": "running" }, `thread ${threadId} is running elsewhere (another process, or code): at step ${now[0]!.step}`));
        },
        ended: async () => {
          if (this.timelineOf === threadId) await this.pick(threadId).then(() => this.loadThreads());
        },
      });
    }
  }

  /** Draws a thread from its history (newest first): its timeline, latest state, subgraphs, and its status line or answer form. */
  private showThread(threadId: string, hist: readonly HistoryEntry[]): void {
    const latest = hist[0]!;
    this.drawTimeline(threadId, hist);
    this.showState(latest.step, latest.values, new Set(latest.metadata.changed ?? []));
    void this.showSubgraphs(threadId);
    const open = latest.interrupts[0];
    if (open) {
      this.runInfo.replaceChildren(h("span", { "data-testid": "run-status", "data-status": "interrupted" }, `thread ${threadId} is paused: answer to resume`));
      this.renderInterrupt(threadId, open.id, open.payload);
    } else {
      // Nothing to answer: the status line and form of a thread shown before must go.
      this.answer.replaceChildren();
      const failed = latest.tasks.find((t) => t.status === "failed");
      const status = failed ? "failed" : latest.next.length ? "paused" : "ended";
      const why = failed ? `, failed in ${failed.node}: ${String(failed.error?.message ?? "error")} (re-run to retry)` : latest.next.length ? `, next ${latest.next.map((t) => t.node).join(", ")}: re-run to continue` : "";
      this.runInfo.replaceChildren(h("span", { "data-testid": "run-status", "data-status": status }, `thread ${threadId} at step ${latest.step}${why}`));
    }
  }

  private stopWatching(): void {
    this.unwatch?.();
    this.unwatch = undefined;
  }

  /** The timeline of `threadId` drawn from its history (newest first); a click on a step shows its state and lights its nodes. */
  private drawTimeline(threadId: string, hist: readonly HistoryEntry[]): void {
    this.timelineOf = threadId;
    drawThreadTimeline(this.timeline, hist, {
      show: (step, state, changed, nodes, row) => {
        for (const r of this.timeline.querySelectorAll(".on")) r.classList.remove("on");
        row.classList.add("on");
        this.host.light(nodes);
        this.showState(step, state, changed);
      },
      pick: (other) => void this.pick(other).then(() => this.loadThreads()),
    });
  }

  /** Shows a thread's checkpoints (newest first) with fork / re-run / updateState; returns them. */
  async loadHistory(threadId: string): Promise<HistoryEntry[]> {
    const hist = await api<HistoryEntry[]>("GET", `/api/threads/${encodeURIComponent(threadId)}/history`);
    const edit = h("textarea", { rows: "3", "data-testid": "state-edit", spellcheck: "false" });
    edit.value = "{}";
    const rows = hist.map((c) =>
      h(
        "div",
        { class: "checkpoint", "data-checkpoint": c.checkpointId, "data-step": String(c.step) },
        `step ${c.step} · ${c.source} · next ${c.next.map((t) => t.node).join(", ") || "-"} `,
        button("state", () => this.showState(c.step, c.values, new Set(c.metadata.changed ?? []))),
        button("fork", () => void this.fork(threadId, c.checkpointId, false), { "data-action": "fork" }),
        button("re-run", () => void this.fork(threadId, c.checkpointId, true), { "data-action": "rerun" }),
      ),
    );
    this.history.replaceChildren(
      h("div", { class: "dim", "data-thread": threadId }, `thread ${threadId}`),
      ...rows,
      h("div", { class: "update" }, h("label", {}, "updateState (JSON of channel → value):"), edit, button("Update state", () => void this.update(threadId, edit.value), { "data-testid": "update-state" })),
    );
    return hist;
  }

  /**
   * Under the state pane, one collapsible section per pending task that runs a subgraph:
   * the child run's status, next tasks and values (`GET …/state?subgraphs=true`; nested
   * child runs nest inside). Nothing when no task waits on a child run.
   */
  private async showSubgraphs(threadId: string): Promise<void> {
    interface Child { namespace: string; graph: string; status: string; step: number; values: Record<string, unknown>; next: { id: string; node: string }[]; subgraphs?: Record<string, Child> }
    const shown = this.statePane.firstChild; // the latest state, drawn just before
    let s: Child;
    try {
      s = await api<Child>("GET", `/api/threads/${encodeURIComponent(threadId)}/state?subgraphs=true`);
    } catch {
      return; // the thread's file no longer compiles, say: the state above still shows
    }
    const sections = (parent: Child): HTMLElement[] =>
      parent.next.flatMap((t) => {
        const c = parent.subgraphs?.[t.id];
        if (!c) return [];
        const rows = Object.entries(c.values).map(([k, v]) => h("tr", {}, h("td", {}, k), h("td", {}, h("pre", {}, JSON.stringify(v, null, 1)))));
        return [
          h(
            "details",
            { class: "subgraph", "data-testid": "subgraph", "data-namespace": c.namespace },
            h("summary", {}, `${t.node} [${t.id}] → ${c.graph} · ${c.status} · step ${c.step} · next ${c.next.map((x) => x.node).join(", ") || "-"}`),
            h("div", { class: "dim" }, `namespace ${c.namespace}`),
            h("table", {}, ...rows),
            ...sections(c),
          ),
        ];
      });
    if (this.statePane.firstChild === shown) this.statePane.append(...sections(s)); // else another state was picked meanwhile
  }

  private async fork(threadId: string, checkpointId: string, rerun: boolean): Promise<void> {
    try {
      const f = await api<{ threadId: string; interrupts: { payload?: unknown; id: string }[] }>("POST", `/api/threads/${encodeURIComponent(threadId)}/fork`, { checkpointId });
      // The fork is the thread shown from now on: its timeline, state, and its question
      // (not the old thread's) in the answer form.
      await this.pick(f.threadId);
      await this.loadThreads();
      if (!rerun) return;
      if (f.interrupts.length) {
        // A fork at a pause waits for the question again: answer it (differently) to re-run.
        this.runInfo.replaceChildren(h("span", { "data-testid": "run-status", "data-status": "interrupted" }, `forked into ${f.threadId}: answer to re-run`));
      } else this.attach(await api<RunSummary>("POST", `/api/threads/${encodeURIComponent(f.threadId)}/resume`, {}));
    } catch (e) {
      this.runInfo.textContent = `error: ${(e as Error).message}`;
    }
  }

  private async update(threadId: string, text: string): Promise<void> {
    try {
      const values = JSON.parse(text) as Record<string, unknown>;
      const s = await api<{ step: number; values: Record<string, unknown>; metadata: { changed?: string[] } }>("POST", `/api/threads/${encodeURIComponent(threadId)}/state`, { values });
      // The edit is saved: an error line left by an earlier attempt no longer applies.
      this.runInfo.replaceChildren(h("span", { "data-testid": "state-updated" }, `state updated: a new checkpoint at step ${s.step} of ${threadId}`));
      this.showState(s.step, s.values, new Set(s.metadata.changed ?? []));
      const hist = await this.loadHistory(threadId);
      // A timeline drawn from this thread's history gets the edit (and the line it starts); a run's stays as it ran.
      if (this.timelineOf === threadId) this.drawTimeline(threadId, hist);
      await this.loadThreads();
    } catch (e) {
      this.runInfo.textContent = `error: ${(e as Error).message}`;
    }
  }
}

