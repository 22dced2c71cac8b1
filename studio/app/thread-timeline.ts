/**
 * The timeline of a thread picked in the list, drawn from its checkpoint history
 * (`GET /api/threads/{id}/history`, whose entries carry the tasks of the superstep run
 * from each checkpoint) rather than from a run's events: so a thread run earlier, in
 * another tab, by `rag run`, or before the studio restarted shows its supersteps too.
 * Shown per superstep: its tasks (trigger, fan-out branch, outcome, writes, input and
 * result), fan-outs and joins, and the state after it with what changed. State edits
 * and the fork a thread started from are marked between the steps. Each completed task
 * shows how long it ran and its model calls (model, tokens, cost), as its completion
 * record kept them (runtime/task-usage.ts); tasks saved by older versions show neither.
 */
import { button, h } from "./dom.js";

/** A task of the superstep run from a checkpoint (runtime/step-tasks.ts `StepTask`). */
export interface StepTask {
  readonly id: string;
  readonly node: string;
  readonly trigger: string;
  readonly from?: string;
  readonly branch?: { readonly fanoutId: string; readonly index: number };
  readonly args?: unknown;
  readonly status: "ok" | "failed" | "handled" | "interrupted" | "pending";
  readonly writes: readonly string[];
  readonly result?: unknown;
  readonly error?: Readonly<Record<string, unknown>>;
  /** Questions it asked that a resume answered while it has not run again (status `pending`: a resume runs it with them). */
  readonly answered?: readonly { readonly interrupt: { readonly id: string }; readonly value: unknown }[];
  /** How long it ran, ms (from its completion record). */
  readonly durationMs?: number;
  /** Its model calls (from its completion record; absent when it made none). */
  readonly usage?: TaskUsage;
}

/** A task's model calls (runtime/task-usage.ts `TaskUsage`). */
export interface TaskUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd?: number;
  readonly callCount: number;
  readonly calls: readonly { readonly model: string; readonly agent?: string; readonly graph?: string; readonly inputTokens: number; readonly outputTokens: number; readonly costUsd?: number; readonly durationMs: number; readonly cached?: true }[];
}

/** One entry of a thread's history (runtime `StateSnapshot` plus `tasks`), as the page reads it. */
export interface HistoryEntry {
  readonly checkpointId: string;
  readonly parentId?: string;
  readonly step: number;
  readonly source: "input" | "loop" | "update" | "fork";
  readonly next: readonly { readonly node: string }[];
  readonly values: Record<string, unknown>;
  readonly interrupts: readonly { readonly id: string; readonly payload?: unknown }[];
  readonly metadata: { readonly changed?: readonly string[]; readonly forkedFrom?: { readonly threadId: string; readonly checkpointId: string } };
  readonly tasks: readonly StepTask[];
}

/** What a click on a timeline row asks of the panel. */
export interface TimelineActions {
  /** Shows the state after a step (or an edit) and lights the nodes that ran in it. */
  show(step: number, state: Record<string, unknown>, changed: ReadonlySet<string>, nodes: ReadonlySet<string>, row: HTMLElement): void;
  /** Picks another thread (the one a fork was copied from). */
  pick(threadId: string): void;
}

/**
 * The checkpoints on the line the thread's head is on, oldest first: from the newest
 * back through `parentId` (an edit of an older checkpoint, or a replay, starts a new
 * line; the checkpoints of the lines left behind are in the history, not here).
 */
export function headLine(history: readonly HistoryEntry[]): HistoryEntry[] {
  const byId = new Map(history.map((c) => [c.checkpointId, c]));
  const line: HistoryEntry[] = [];
  let c: HistoryEntry | undefined = history[0];
  // (bounded by the history's length: a corrupted parent cycle ends the walk)
  while (c && line.length < history.length) {
    line.push(c);
    c = c.parentId !== undefined ? byId.get(c.parentId) : undefined;
  }
  return line.reverse();
}

/**
 * Draws the timeline of `history` (newest first, as the API lists it) into `into`:
 * one row per superstep that ran from a checkpoint of the head's line (the step after
 * it is the next checkpoint; the head's own step when its tasks paused, failed or have
 * not run), and a mark for a fork or a state edit.
 */
export function drawThreadTimeline(into: HTMLElement, history: readonly HistoryEntry[], act: TimelineActions): void {
  const line = headLine(history);
  const rows: HTMLElement[] = [];
  let previous: HTMLElement | undefined;
  line.forEach((c, i) => {
    const after = line[i + 1];
    if (c.source === "fork" && i === 0 && c.metadata.forkedFrom) {
      const from = c.metadata.forkedFrom;
      rows.push(h("div", { class: "mark fork", "data-testid": "forked-from", "data-thread": from.threadId }, `forked from thread ${from.threadId} at step ${c.step} `, button("show", () => act.pick(from.threadId), { title: `show thread ${from.threadId}` })));
    }
    if (c.source === "update") {
      const changed = new Set(c.metadata.changed ?? []);
      const mark = h("div", { class: "mark update", "data-testid": "state-edit-mark", "data-step": String(c.step) }, `state edited at step ${c.step} (changed: ${[...changed].join(", ") || "none"})`);
      mark.addEventListener("click", () => act.show(c.step, c.values, changed, new Set(), mark));
      rows.push(mark);
    }
    const head = after === undefined;
    // A step shows when it completed (the next checkpoint is its barrier's) or is the head's own (paused, failed, not run).
    if (!c.tasks.length || (!head && after.source !== "loop")) return;
    const step = c.step + 1;
    const state = head ? c.values : after.values;
    const changed = new Set(head ? [] : (after.metadata.changed ?? []));
    const row = h("div", { class: `step${head ? " open-step" : ""}`, "data-step": String(step) }, h("div", { class: "step-head" }, `superstep ${step}${head ? ` (${headNote(c.tasks)})` : ""}`));
    for (const t of c.tasks) row.append(taskRow(t));
    for (const [id, targets] of fanouts(c.tasks)) (previous ?? row).append(h("div", { class: "fanout", "data-testid": "fanout" }, `fan-out ${id} → ${targets.join(", ")}`));
    for (const t of c.tasks.filter((x) => x.trigger === "join")) row.append(h("div", { class: "join", "data-testid": "join" }, `join → ${t.node} released`));
    const nodes = new Set(c.tasks.map((t) => t.node));
    row.addEventListener("click", (ev) => {
      if (!(ev.target as HTMLElement).closest(".task")) act.show(step, state, changed, nodes, row);
    });
    rows.push(row);
    previous = row;
  });
  into.replaceChildren(...rows);
}

/** What the head's own step is waiting for. */
function headNote(tasks: readonly StepTask[]): string {
  if (tasks.some((t) => t.status === "interrupted")) return "paused";
  if (tasks.some((t) => t.status === "failed")) return "failed";
  return "not finished";
}

/** A task's row: node, trigger, branch, outcome; its input, result or error in the detail opened by a click. */
function taskRow(t: StepTask): HTMLElement {
  const detail = h("pre", { class: "task-detail" });
  if (t.args !== undefined) detail.textContent += `input: ${JSON.stringify(t.args, null, 1)}\n`;
  if (t.result !== undefined) detail.textContent += `output: ${JSON.stringify(t.result, null, 1)}\n`;
  if (t.error) detail.textContent += `error: ${JSON.stringify(t.error, null, 1)}\n`;
  for (const a of t.answered ?? []) detail.textContent += `answer to ${a.interrupt.id}: ${JSON.stringify(a.value, null, 1)}\n`;
  if (t.usage) detail.textContent += callLines(t.usage);
  const cls = { ok: "done", failed: "failed", handled: "failed", interrupted: "paused", pending: "pending" }[t.status];
  const row = h(
    "div",
    { class: `task ${cls}`, "data-node": t.node, "data-task": t.id, "data-status": t.status },
    h("span", { class: "task-node" }, t.node),
    h("span", { class: "dim" }, ` ${t.trigger}${t.branch !== undefined ? ` · branch ${t.branch.index}` : ""} `),
    h("span", { class: "task-result" }, outcome(t)),
    h("span", { class: "task-cost dim", "data-testid": "task-cost" }, cost(t)),
    detail,
  );
  row.addEventListener("click", () => row.classList.toggle("open"));
  return row;
}

/** ` · 120 ms · 2 model calls · 46+68 tokens · $0.000048`: what the task's record says it took (empty without one). */
export function cost(t: Pick<StepTask, "durationMs" | "usage">): string {
  let out = t.durationMs !== undefined ? ` · ${Math.round(t.durationMs)} ms` : "";
  const u = t.usage;
  if (u) {
    out += ` · ${u.callCount} model call${u.callCount === 1 ? "" : "s"} · ${u.inputTokens}+${u.outputTokens} tokens`;
    if (u.costUsd !== undefined) out += ` · ${usd(u.costUsd)}`;
  }
  return out;
}

/** One line per model call listed, and how many more were made. */
function callLines(u: TaskUsage): string {
  let out = "";
  for (const c of u.calls) out += `model ${c.model}${c.agent !== undefined ? ` (agent ${c.agent})` : ""}${c.graph !== undefined ? ` in subgraph ${c.graph}` : ""}: ${c.inputTokens}+${c.outputTokens} tokens${c.costUsd !== undefined ? `, ${usd(c.costUsd)}` : ""}, ${Math.round(c.durationMs)} ms${c.cached ? " (cached)" : ""}\n`;
  if (u.callCount > u.calls.length) out += `… and ${u.callCount - u.calls.length} more model calls (in the totals)\n`;
  return out;
}

/** A cost in USD with enough digits to show a fraction of a cent. */
function usd(x: number): string {
  return `$${x >= 0.01 ? x.toFixed(4) : x.toPrecision(2)}`;
}

function outcome(t: StepTask): string {
  switch (t.status) {
    case "ok":
      return `ok · writes ${t.writes.join(", ") || "-"}`;
    case "failed":
      return `failed: ${String(t.error?.message ?? "error")}`;
    case "handled":
      return `failed (handled): ${String(t.error?.message ?? "error")}`;
    case "interrupted":
      return "paused: waiting for an answer";
    case "pending":
      return t.answered?.length ? "answered: runs on resume" : "not run";
  }
}

/** Send targets among `tasks`, by fan-out id. */
function fanouts(tasks: readonly StepTask[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const t of tasks) {
    if (t.trigger !== "send" || !t.branch) continue;
    const l = out.get(t.branch.fanoutId);
    if (l) l.push(t.node);
    else out.set(t.branch.fanoutId, [t.node]);
  }
  return out;
}
