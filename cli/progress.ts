/**
 * Live progress for `rag run`: one block per superstep (tasks started and finished,
 * model and tool calls, route choices, fan-outs and joins), then the final state and
 * output. Child runs are indented under their parent task. On a terminal, a status line
 * shows model calls in flight: elapsed time and streamed tokens (cli/spinner.ts).
 */
import type { Blueprint } from "../compiler/index.js";
import type { ChatMessage, Registry } from "../registry/index.js";
import type { RunEvent } from "../runtime/index.js";
import { isToolApproval, toolApprovalLines } from "../stdlib/approval-text.js";
import { boundedJson, printable, printableId } from "../stdlib/printable.js";
import { fitColumns, ModelSpinner, type SpinnerOptions } from "./spinner.js";
import { colorsFor } from "./style.js";

const DEFAULT_WIDTH = 120;

export class ProgressPrinter {
  private readonly c: ReturnType<typeof colorsFor>;
  private readonly spinner: ModelSpinner;

  /** @param notes extra header lines (e.g. where checkpoints go). @param spinner options of the status line (tests inject a clock). */
  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly registry: Registry,
    private readonly blueprint: Blueprint,
    private readonly notes: readonly string[] = [],
    spinner: SpinnerOptions = {},
  ) {
    this.c = colorsFor(out);
    this.spinner = new ModelSpinner(out, spinner);
  }

  private line(depth: number, text: string): void {
    this.spinner.clear();
    this.out.write("  ".repeat(depth * 2) + text + "\n");
    this.spinner.resume();
  }

  /** Stops the status line (the run ended or was cancelled). */
  close(): void {
    this.spinner.stop();
  }

  private modelKey(e: RunEvent & { model: string; agent?: string }): string {
    return `${e.runId}:${e.taskId ?? ""}:${e.agent ?? ""}:${e.model}`;
  }

  /** Text from a run (messages, prompts, errors) with control characters escaped. */
  private static safe(v: unknown): string {
    return printable(String(v));
  }

  event(e: RunEvent): void {
    const c = this.c;
    const d = e.depth;
    switch (e.type) {
      case "run_started": {
        if (d > 0) return this.line(d, c.dim(`↳ subgraph ${e.graph}`));
        this.line(0, `${c.bold("▶ " + e.graph)}  ${c.dim(`run ${printableId(e.runId)}  thread ${printableId(e.threadId)}  ${e.hash.slice(0, 19)}…`)}`);
        if (e.resumedFrom !== undefined) this.line(1, c.dim(`resumed from checkpoint ${e.resumedFrom} (after step ${e.step})`));
        for (const n of this.notes) this.line(1, c.dim(n));
        for (const m of this.blueprint.capabilities.models) {
          const reg = this.registry.models.get(m);
          if (!reg) continue;
          const scriptName = (reg.provider as { scriptName?: string }).scriptName;
          this.line(1, c.dim(`model ${m}: ${reg.provider.name} provider${scriptName ? ` "${scriptName}" (deterministic replies)` : ` (${reg.modelId})`}`));
        }
        return;
      }
      case "step_started":
        return this.line(d, c.bold(c.cyan(`step ${e.step}`)) + c.dim(` · ${e.tasks.length} task${e.tasks.length === 1 ? "" : "s"}`));
      case "task_started":
        return this.line(d, `  ${c.yellow("▸")} ${e.node}${e.fanoutId !== undefined ? c.dim(` [${e.fanoutId}·${e.branch}]`) : ""} ${c.dim(`(${e.kind}${e.trigger !== "start" ? `, via ${e.trigger}` : ""}${e.detached ? ", detached" : ""})`)}`);
      case "model_started":
        return this.spinner.start(this.modelKey(e), `model ${e.model}${e.agent ? ` for ${e.agent}` : ""}${e.node ? ` (${e.node})` : ""}`);
      case "model_token":
        return e.delta ? this.spinner.token(this.modelKey(e), e.delta) : undefined;
      case "model_completed":
        this.spinner.end(this.modelKey(e));
        return this.line(d, c.dim(`      model ${e.model}${e.agent ? ` for ${e.agent}` : ""} → ${e.toolCalls ? `${e.toolCalls} tool call${e.toolCalls === 1 ? "" : "s"}` : "answer"} (${countText(e.usage.inputTokens)}+${countText(e.usage.outputTokens)} tokens${e.usage.costUsd !== undefined && Number.isFinite(e.usage.costUsd) ? `, $${e.usage.costUsd.toFixed(4)}` : ""}${e.usage.usageFloor ? ", raised: the provider reported fewer" : ""})`));
      case "tool_completed":
        return this.line(d, c.dim(`      tool ${e.tool} ${e.ok ? "✓" : "✗ " + printable(e.error ?? "")} ${e.durationMs}ms`));
      case "task_retried":
        this.spinner.endAll(`${e.runId}:${e.taskId}:`);
        return this.line(d, c.yellow(`    ↻ ${e.node} attempt ${e.attempt} failed (${ProgressPrinter.safe(e.error.message)}); retrying in ${e.delayMs}ms`));
      case "task_completed":
        return this.line(d, `  ${c.green("✓")} ${e.node} ${c.dim(e.restored ? "restored (completed before the pause or crash; not run again)" : `${e.durationMs}ms`)}${e.writes.length ? c.dim(` → ${e.writes.join(", ")}`) : ""}`);
      case "task_failed":
        this.spinner.endAll(`${e.runId}:${e.taskId}:`);
        if (e.cancelled) return this.line(d, `  ${c.dim(`⊘ ${e.node} cancelled: ${ProgressPrinter.safe(e.error.message)}`)}`);
        return this.line(d, `  ${c.red("✗")} ${e.node} ${c.red(ProgressPrinter.safe(e.error.message))}${e.handled ? c.dim(" (handled)") : ""}`);
      case "interrupt": {
        if (e.kind === "node" && isToolApproval(e.payload)) {
          // A tool call waiting for a person: the tool, its arguments (indented, bounded), what each answer does.
          const width = this.out.isTTY && this.out.columns ? this.out.columns : DEFAULT_WIDTH;
          const [head, ...body] = toolApprovalLines(e.payload, { maxLineChars: Math.max(40, width - 8 - d * 4) });
          const described = typeof e.payload.description === "string" && e.payload.description.trim() !== "";
          this.line(d, `  ${c.yellow("⏸")} ${c.bold(printableId(e.interruptId))}  ${head}`);
          body.forEach((l, i) => this.line(d, "      " + ((i === 0 && described) || i >= body.length - 2 ? c.dim(l) : l)));
          return;
        }
        const p = (e.payload ?? {}) as { prompt?: unknown; options?: unknown };
        const what = e.kind === "node" ? (typeof p.prompt === "string" ? p.prompt : e.payload !== undefined ? boundedJson(e.payload) : "input needed") : `interrupt ${e.kind} ${e.node}`;
        return this.line(d, `  ${c.yellow("⏸")} ${c.bold(printableId(e.interruptId))}  ${e.node}: ${printable(what)}${Array.isArray(p.options) ? c.dim(`  options: ${printable(p.options.join(" | "))}`) : ""}`);
      }
      case "run_interrupted":
        if (d > 0) return;
        this.spinner.stop();
        return this.line(0, c.yellow(c.bold(`⏸ paused after ${e.steps} step${e.steps === 1 ? "" : "s"}: waiting for ${e.interrupts.length} answer${e.interrupts.length === 1 ? "" : "s"} (checkpoint ${e.checkpointId})`)));
      case "route_selected":
        if (e.via === "none") return this.line(d, `  ${c.magenta("↪")} ${e.from}: no \`when\` route held and there is no \`else\` ${c.dim(e.from === "start" ? "→ no entry from the start routes" : "→ its branch ends here")}`);
        return this.line(d, `  ${c.magenta("↪")} ${e.from}${e.label !== undefined ? ` chose ${c.bold(e.label)}` : ` took ${e.via === "goto" ? "goto" : e.via === "error" ? "on_error" : `its ${e.via} route`}`} → ${e.targets.join(", ")}`);
      case "send_dispatched":
        return this.line(d, `  ${c.magenta("⇉")} fan-out ${e.fanoutId}: ${e.targets.length} branch${e.targets.length === 1 ? "" : "es"} → ${e.targets.map((t) => t.node).join(", ")}${e.join ? c.dim(` (join ${e.join}, wait ${e.wait})`) : ""}`);
      case "join_released":
        return this.line(d, `  ${c.magenta("⋈")} join ${c.bold(e.target)} released once: ${e.succeeded}/${e.branches} branches of ${e.fanoutId} ended`);
      case "barrier_released":
        return this.line(d, `  ${c.magenta("⋈")} barrier ${c.bold(e.target)} released: ${e.sources.join(", ")} arrived`);
      case "run_completed":
        if (d === 0) this.spinner.stop();
        if (d > 0) return this.line(d, c.dim(`↳ subgraph done in ${e.steps} steps`));
        this.line(0, c.green(c.bold(`✔ completed in ${e.steps} step${e.steps === 1 ? "" : "s"}, ${e.durationMs} ms`)));
        for (const r of e.errors) this.line(1, c.yellow(printable(`recorded error (${String(r.handledBy)}): ${String(r.node)} ${String((r.error as { message?: unknown }).message)}`)));
        this.finalState(e.state, e.output);
        return;
      case "run_failed":
        if (d === 0) this.spinner.stop();
        if (d > 0) return this.line(d, c.red(`↳ subgraph failed`));
        this.line(0, c.red(c.bold(`✘ run failed after ${e.steps} step${e.steps === 1 ? "" : "s"}: `)) + c.red(printable(`[${String(e.error.code)}] ${String(e.error.message)}`)));
        return;
      default:
        return;
    }
  }

  private finalState(state: Readonly<Record<string, unknown>>, output: unknown): void {
    const c = this.c;
    // A terminal's own width; 120 columns for pipes and files.
    const WIDTH = this.out.isTTY && this.out.columns ? this.out.columns : DEFAULT_WIDTH;
    this.out.write("\n" + c.bold("Final state") + "\n");
    for (const [name, value] of Object.entries(state)) {
      if (Array.isArray(value)) {
        this.line(1, `${c.bold(name)} ${c.dim(`(${value.length} ${value.length === 1 ? "entry" : "entries"})`)}`);
        for (const v of value) this.line(2, isMessage(v) ? messageLine(v, c, WIDTH) : `- ${fitColumns(text(v), WIDTH - 6)}`);
      } else this.line(1, `${c.bold(name)}: ${fitColumns(text(value), WIDTH - name.length - 4)}`);
    }
    this.out.write("\n" + c.bold("Output") + "\n");
    for (const l of printable(typeof output === "string" ? output : boundedJson(output, 2)).split("\n")) this.line(1, l);
  }
}

function isMessage(v: unknown): v is ChatMessage {
  return Boolean(v && typeof v === "object" && "role" in v && "content" in v && "id" in v);
}

function messageLine(m: ChatMessage, c: ReturnType<typeof colorsFor>, WIDTH: number): string {
  const who = m.role === "assistant" ? (m.name ?? "assistant") : m.role === "tool" ? `tool ${m.name ?? ""}` : m.role;
  const body = m.toolCalls?.length ? m.toolCalls.map((t) => `→ ${t.name}(${boundedJson(t.arguments)})`).join(" ") : m.content;
  return `${c.cyan(printableId(who).padEnd(16))} ${fitColumns(printable(body.replace(/\s+/g, " ")), WIDTH - 26)} ${c.dim(printableId(m.id))}`;
}

function text(v: unknown): string {
  return printable(typeof v === "string" ? v.replace(/\s+/g, " ") : boundedJson(v));
}

/** A token count as printed: `?` when the provider reported none (NaN, `null` in JSON). */
function countText(n: number): string {
  return typeof n === "number" && Number.isFinite(n) ? String(n) : "?";
}
