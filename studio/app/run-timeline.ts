/**
 * A run followed live in the Runs tab: its events (`GET /api/runs/{id}/events`, SSE,
 * replayed from the start) drawn as a per-superstep timeline — each task with trigger,
 * duration, writes, input and output, model calls and tokens (a child run's calls count
 * on the task that started it); fan-outs, joins and routes; the state after each step
 * with what changed. A resumed run's steps carry the state of the checkpoint it resumed
 * from. Clicking a step lights its nodes and shows its state.
 */
import { api, type RunEvent, type RunSummary } from "./api.js";
import { h } from "./dom.js";

/** What following a run asks of the panel. */
export interface RunTimelineHost {
  /** Where the steps are drawn (emptied by the caller). */
  readonly timeline: HTMLElement;
  /** Lights a superstep's nodes on the graph (empty set: none). */
  light(nodes: ReadonlySet<string>): void;
  /** Shows the state after `step`, with the channels it changed highlighted. */
  showState(step: number, state: Record<string, unknown>, changed: ReadonlySet<string>): void;
  /** The step whose state is shown (the state pane's `data-step`), if any. */
  shownStep(): string | undefined;
  /** The run paused on a question. */
  paused(interruptId: string, payload: unknown): void;
  /** The run ended (its summary). */
  ended(summary: RunSummary): void;
}

interface Task {
  row: HTMLElement;
  detail: HTMLElement;
  models: number;
  tokens: number;
}

interface Step {
  step: number;
  row: HTMLElement;
  tasks: Map<string, Task>;
  state: Record<string, unknown>;
  changed: Set<string>;
}

/** The run events the timeline draws (the rest are not listened to). */
const DRAWN = ["run_started", "step_started", "task_started", "task_completed", "task_failed", "model_completed", "send_dispatched", "join_released", "route_selected", "state_updated", "interrupt", "subrun_started", "run_completed", "run_interrupted", "run_failed"];

/** Streams `run`'s events into `host.timeline`; returns the stream (close it to stop following). */
export function followRun(run: RunSummary, host: RunTimelineHost): EventSource {
  const steps = new Map<number, Step>();
  let state: Record<string, unknown> = {};
  const stepOf = (n: number): Step => {
    let s = steps.get(n);
    if (!s) {
      const row = h("div", { class: "step", "data-step": String(n) }, h("div", { class: "step-head" }, `superstep ${n}`));
      // Replay: clicking a superstep lights its nodes on the graph (as during the run)
      // and shows the state after it.
      row.addEventListener("click", (ev) => {
        for (const r of host.timeline.querySelectorAll(".step.on")) r.classList.remove("on");
        row.classList.add("on");
        host.light(new Set([...s!.tasks.values()].map((t) => t.row.dataset.node ?? "")));
        if (!(ev.target as HTMLElement).closest(".task")) show(s!, host);
      });
      s = { step: n, row, tasks: new Map(), state: {}, changed: new Set() };
      steps.set(n, s);
      host.timeline.append(row);
    }
    return s;
  };
  const countModel = (t: Task | undefined, e: RunEvent, child: boolean) => {
    if (!t) return;
    const usage = e.usage as { inputTokens?: number; outputTokens?: number; usageFloor?: boolean };
    t.models++;
    t.tokens += (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0);
    const who = child ? ` (${e.agent !== undefined ? `agent ${String(e.agent)}` : `child run at depth ${e.depth}`})` : "";
    t.detail.textContent += `model ${String(e.model)}${who}: ${usage.inputTokens ?? 0}+${usage.outputTokens ?? 0} tokens${usage.usageFloor ? " (raised: the provider reported fewer)" : ""}, ${Math.round(Number(e.durationMs))} ms\n`;
  };
  const src = new EventSource(`/api/runs/${encodeURIComponent(run.runId)}/events`);
  // Child runs (agents and subgraphs a task started): their model calls count on the
  // top-level task that started them, through any depth of nesting.
  const ownerOf = new Map<string, { step: number; taskId: string }>();
  const on = (e: RunEvent) => {
    if (e.type === "subrun_started") {
      const owner = e.depth === 0 ? { step: e.step, taskId: e.taskId ?? "" } : ownerOf.get(String(e.runId));
      if (owner) ownerOf.set(String(e.childRunId), owner);
    }
    if (e.depth !== 0) {
      const owner = ownerOf.get(String(e.runId));
      if (e.type === "model_completed" && owner) countModel(stepOf(owner.step).tasks.get(owner.taskId), e, true);
      return;
    }
    switch (e.type) {
      case "run_started":
        // A resumed run (an answer, a re-run, a fork) reports only the channels its own
        // steps change: the rest of each step's state is the checkpoint it resumed from.
        if (typeof e.resumedFrom === "string") void baseState(run.threadId, e.resumedFrom, steps, host, (base) => (state = { ...base, ...state }));
        break;
      case "step_started": {
        const s = stepOf(e.step);
        const tasks = e.tasks as { taskId: string; node: string; kind: string; trigger: string; fanoutId?: string; branch?: number }[];
        for (const t of tasks) {
          const detail = h("pre", { class: "task-detail" });
          const row = h("div", { class: "task", "data-node": t.node, "data-task": t.taskId }, h("span", { class: "task-node" }, t.node), h("span", { class: "dim" }, ` ${t.kind} · ${t.trigger}${t.branch !== undefined ? ` · branch ${t.branch}` : ""} `), h("span", { class: "task-result" }), detail);
          row.addEventListener("click", () => row.classList.toggle("open"));
          s.tasks.set(t.taskId, { row, detail, models: 0, tokens: 0 });
          s.row.append(row);
        }
        host.light(new Set(tasks.map((t) => t.node)));
        break;
      }
      case "task_started": {
        const t = stepOf(e.step).tasks.get(e.taskId ?? "");
        if (t && e.args !== undefined) t.detail.textContent += `input: ${JSON.stringify(e.args, null, 1)}\n`;
        break;
      }
      case "model_completed":
        countModel(stepOf(e.step).tasks.get(e.taskId ?? ""), e, false);
        break;
      case "task_completed":
      case "task_failed": {
        const t = stepOf(e.step).tasks.get(e.taskId ?? "");
        if (!t) break;
        const res = t.row.querySelector(".task-result")!;
        res.textContent = `${e.type === "task_failed" ? "failed" : "ok"} ${Math.round(Number(e.durationMs))} ms${t.models ? ` · ${t.models} model call${t.models > 1 ? "s" : ""} · ${t.tokens} tokens` : ""}${e.type === "task_completed" ? ` · writes ${(e.writes as string[]).join(", ") || "-"}` : ""}`;
        t.row.classList.add(e.type === "task_failed" ? "failed" : "done");
        t.detail.textContent += e.type === "task_failed" ? `error: ${JSON.stringify(e.error, null, 1)}\n` : `output: ${JSON.stringify(e.result ?? null, null, 1)}\n`;
        break;
      }
      case "send_dispatched":
        stepOf(e.step).row.append(h("div", { class: "fanout", "data-testid": "fanout" }, `fan-out ${String(e.fanoutId)} → ${(e.targets as { node: string }[]).map((t) => t.node).join(", ")}${e.join ? ` (join ${String(e.join)})` : ""}`));
        break;
      case "join_released":
        stepOf(e.step).row.append(h("div", { class: "join", "data-testid": "join" }, `join → ${String(e.target)} released after ${String(e.branches)} branches (${String(e.succeeded)} ok)`));
        break;
      case "route_selected":
        stepOf(e.step).row.append(h("div", { class: "route dim" }, `${String(e.from)} → ${e.via === "none" ? "no route held: branch ends" : (e.targets as string[]).join(", ")} (${String(e.via)}${e.label ? ` ${String(e.label)}` : ""})`));
        break;
      case "state_updated": {
        const s = stepOf(e.step);
        state = { ...state, ...(e.values as Record<string, unknown>) };
        for (const c of e.channels as string[]) s.changed.add(c);
        s.state = state;
        show(s, host);
        break;
      }
      case "interrupt": {
        const t = stepOf(e.step).tasks.get(e.taskId ?? "");
        if (t) {
          t.row.querySelector(".task-result")!.textContent = "paused: waiting for an answer";
          t.row.classList.add("paused");
        }
        host.paused(String(e.interruptId), e.payload);
        break;
      }
      case "run_completed":
      case "run_interrupted":
      case "run_failed":
        host.light(new Set());
        break;
    }
  };
  src.onmessage = () => undefined;
  for (const type of DRAWN) {
    src.addEventListener(type, (m) => on(JSON.parse((m as MessageEvent<string>).data) as RunEvent));
  }
  src.addEventListener("end", (m) => {
    src.close();
    host.ended(JSON.parse((m as MessageEvent<string>).data) as RunSummary);
  });
  return src;
}

/**
 * Fills in the state a resumed run started from (checkpoint `checkpointId` of
 * `threadId`) under every step's state shown so far (`rebase` does it for the running
 * total), and redraws the step on show. Leaves the state as it is when the fetch fails.
 */
async function baseState(threadId: string, checkpointId: string, steps: Map<number, Step>, host: RunTimelineHost, rebase: (base: Record<string, unknown>) => void): Promise<void> {
  let base: Record<string, unknown>;
  try {
    base = (await api<{ values: Record<string, unknown> }>("GET", `/api/threads/${encodeURIComponent(threadId)}/state?checkpoint=${encodeURIComponent(checkpointId)}`)).values;
  } catch {
    return;
  }
  rebase(base);
  const shown = host.shownStep();
  for (const s of steps.values()) {
    s.state = { ...base, ...s.state };
    if (shown === String(s.step)) show(s, host);
  }
}

function show(s: Step, host: RunTimelineHost): void {
  host.showState(s.step, s.state, s.changed);
}
