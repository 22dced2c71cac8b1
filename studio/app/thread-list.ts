/**
 * The Runs tab's thread list: the threads of the graph open in the editor (its file and
 * graph: `GET /api/threads?file=&graph=`), or with "all graphs" every thread of the
 * workspace, each then labelled with its graph and file. Each thread shows its status —
 * completed, paused with the question it waits on, failed with its error, running when
 * one of the server's runs or a run of another process on the checkpoint file (`rag
 * run`) is executing it — and picking one hands it to the panel.
 */
import { api, type RunSummary } from "./api.js";
import { button, h } from "./dom.js";

/** One thread as `GET /api/threads` lists it (server/threads.ts `ThreadEntry`). */
export interface ThreadEntry {
  readonly threadId: string;
  readonly graph: string;
  readonly file: string | null;
  readonly status: "completed" | "interrupted" | "failed" | "resumable";
  readonly step: number;
  readonly updatedAt: number;
  readonly error?: { readonly taskId: string; readonly error: Readonly<Record<string, unknown>> };
  readonly interrupts?: readonly { readonly id: string; readonly node: string; readonly payload?: unknown }[];
  readonly latestId: string;
  /** A run holds the thread now: one of this server's, or one of another process on the checkpoint file (`rag run`). */
  readonly running?: true;
}

/** The graph open in the editor: its file and graph name (either unknown while nothing compiles, or for a script). */
export interface ThreadScope {
  readonly file: string | undefined;
  readonly graph: string | undefined;
}

/** Most threads drawn (the API lists them newest first). */
const SHOWN = 50;

export class ThreadList {
  /** Header (title, "all graphs", refresh) and the list. */
  readonly root: HTMLElement;
  private readonly title = h("span", { "data-testid": "threads-title" }, "Threads");
  private readonly all = h("input", { type: "checkbox", "data-testid": "threads-all" });
  private readonly list = h("div", { class: "threads", "data-testid": "threads" });
  /** Counts loads, so that an older answer arriving late does not replace a newer one. */
  private loads = 0;
  private picked: string | undefined;

  constructor(
    private readonly scope: () => ThreadScope,
    /** A thread was picked; `running`: the run of this server executing it, if any. */
    private readonly onPick: (thread: ThreadEntry, running: RunSummary | undefined) => void,
  ) {
    this.all.addEventListener("change", () => void this.load());
    this.root = h("div", {}, h("h3", {}, this.title, " ", h("label", { class: "small dim", title: "list the threads of every graph in the workspace" }, this.all, " all graphs"), " ", button("↻", () => void this.load(), { title: "refresh" })), this.list);
  }

  /** Fetches and draws the list for the current scope (and the "all graphs" toggle). */
  async load(): Promise<void> {
    const n = ++this.loads;
    const all = this.all.checked;
    const { file, graph } = this.scope();
    const query = all ? "" : `?${new URLSearchParams({ ...(file !== undefined ? { file } : {}), ...(graph !== undefined ? { graph } : {}) }).toString()}`;
    if (!all && file === undefined) {
      this.title.textContent = "Threads";
      this.list.replaceChildren(h("div", { class: "dim" }, "open a .rag file to see its threads, or tick all graphs"));
      return;
    }
    const [threads, runs] = await Promise.all([api<ThreadEntry[]>("GET", `/api/threads${query}`), api<RunSummary[]>("GET", "/api/runs").catch(() => [] as RunSummary[])]);
    if (n !== this.loads) return;
    const active = new Map(runs.filter((r) => r.status === "running" || r.status === "queued").map((r) => [r.threadId, r]));
    this.title.textContent = all ? "Threads of every graph" : `Threads of ${graph ?? file}`;
    this.list.replaceChildren(
      ...(threads.length ? threads.slice(0, SHOWN).map((t) => this.row(t, all, active.get(t.threadId))) : [h("div", { class: "dim", "data-testid": "no-threads" }, all ? "no threads yet" : `no threads of ${graph ?? file} yet: run it, or tick all graphs`)]),
      ...(threads.length > SHOWN ? [h("div", { class: "dim small" }, `… and ${threads.length - SHOWN} older`)] : []),
    );
  }

  /** Marks `threadId` as the one shown (after a pick, a run or a fork). */
  select(threadId: string | undefined): void {
    this.picked = threadId;
    for (const r of this.list.querySelectorAll<HTMLElement>(".thread")) r.classList.toggle("on", r.dataset.thread === threadId);
  }

  private row(t: ThreadEntry, all: boolean, running: RunSummary | undefined): HTMLElement {
    const status = running || t.running ? "running" : t.status;
    const question = t.status === "interrupted" && t.interrupts?.length ? questionOf(t.interrupts[0]) + (t.interrupts.length > 1 ? ` (+${t.interrupts.length - 1} more)` : "") : undefined;
    const row = h(
      "div",
      { class: `thread status-${status}${t.threadId === this.picked ? " on" : ""}`, "data-thread": t.threadId, "data-status": t.status, "data-graph": t.graph, ...(running || t.running ? { "data-running": "true" } : {}) },
      h("span", { class: "badge" }, LABEL[status] ?? status),
      all ? h("span", { class: "thread-graph", "data-testid": "thread-graph" }, ` ${t.graph}`, h("span", { class: "dim" }, t.file ? ` (${t.file})` : "")) : null,
      ` step ${t.step} · `,
      h("span", { class: "dim" }, t.threadId),
      question !== undefined ? h("div", { class: "question small", "data-testid": "thread-question" }, question) : null,
      t.status === "failed" && t.error ? h("div", { class: "error small", "data-testid": "thread-error" }, errorText(t.error.error)) : null,
    );
    row.addEventListener("click", () => {
      this.select(t.threadId);
      this.onPick(t, running);
    });
    return row;
  }
}

const LABEL: Readonly<Record<string, string>> = { interrupted: "paused", resumable: "stopped" };

/** A pending question in one line: its prompt, a tool call to approve, or its node. */
function questionOf(i: { readonly id: string; readonly node: string; readonly payload?: unknown }): string {
  const p = (i.payload ?? {}) as { prompt?: unknown; type?: unknown; tool?: unknown; options?: unknown };
  const options = Array.isArray(p.options) && p.options.length ? ` [${p.options.map(String).join(" / ")}]` : "";
  if (typeof p.prompt === "string") return `${i.node}: ${p.prompt.length > 140 ? `${p.prompt.slice(0, 139)}…` : p.prompt}${options}`;
  if (p.type === "tool_approval") return `${i.node}: approve the call of tool ${String(p.tool)}?`;
  return `${i.node}: waits for an answer (${i.id})`;
}

/** A thread's saved error as one line. */
export function errorText(e: Readonly<Record<string, unknown>>): string {
  const code = typeof e.code === "string" ? `[${e.code}] ` : "";
  const node = typeof e.node === "string" ? ` (node ${e.node})` : "";
  return `${code}${typeof e.message === "string" ? e.message : JSON.stringify(e)}${node}`;
}
