/**
 * Streams a run for `rag run` and `rag resume`: progress (or JSON Lines events), Ctrl-C
 * as a cancellation that leaves a resumable checkpoint, and the exit status:
 * 0 completed, 1 failed, 3 paused for a human (with the command that resumes it),
 * 130 cancelled by Ctrl-C.
 */
import { CancelledError, type CompiledGraph, type PendingInterrupt, type RunEvent, type RunOptions } from "../runtime/index.js";
import { eventObserver } from "../stdlib/index.js";
import { resumeCommandLine, shellQuote, checkpointsFlag } from "./checkpoints.js";
import { boundedJson } from "../stdlib/printable.js";
import { preflightGraph } from "./preflight.js";
import type { ProgressPrinter } from "./progress.js";
import { colorsFor } from "./style.js";

export const EXIT_PAUSED = 3;
export const EXIT_CANCELLED = 130;

export interface ExecuteOptions {
  readonly json: boolean;
  readonly printer: ProgressPrinter | undefined;
  /** The checkpoints path as the user gave it (undefined: no checkpointer). */
  readonly checkpoints: string | undefined;
}

/**
 * Runs (input) or resumes (input null) `graph` and reports; resolves with the exit status.
 * @throws CliError (exit 2) before anything runs when a model's provider reports a problem (a missing API key).
 */
export async function execute(graph: CompiledGraph, input: Record<string, unknown> | null, runOptions: RunOptions & { threadId: string }, opts: ExecuteOptions): Promise<number> {
  preflightGraph(graph);
  const controller = new AbortController();
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    controller.abort(new CancelledError("cancelled by Ctrl-C", { graph: graph.blueprint.id }));
  };
  process.once("SIGINT", onSigint);
  const tail: RunTail = { interrupts: [] };
  try {
    // The registry's telemetry (OpenTelemetry spans) observes every event.
    const onEvent = eventObserver(graph.registry);
    for await (const e of graph.stream(input, { ...runOptions, signal: controller.signal, ...(onEvent ? { onEvent } : {}) })) showEvent(e, opts, tail);
  } finally {
    process.off("SIGINT", onSigint);
    opts.printer?.close();
  }
  return reportEnd(tail.last, tail.interrupts, interrupted, runOptions.threadId, opts);
}

/** What a run's root events left to report: the last one, and the interrupts it paused on. */
export interface RunTail {
  last?: RunEvent;
  readonly interrupts: PendingInterrupt[];
}

/** Prints one event (a JSON line, or the progress printer) and records root events in `tail`. */
export function showEvent(e: RunEvent, opts: ExecuteOptions, tail: RunTail): void {
  if (opts.json) process.stdout.write(boundedJson(e) + "\n");
  else opts.printer!.event(e);
  if (e.depth !== 0) return;
  tail.last = e;
  if (e.type === "run_interrupted") tail.interrupts.push(...(e.interrupts as unknown as PendingInterrupt[]));
}

/**
 * The exit status of a run from its last root event (and what to print): 0 completed,
 * 3 paused (with the resume command), 130 cancelled by Ctrl-C, else 1.
 */
export function reportEnd(last: RunEvent | undefined, interrupts: readonly PendingInterrupt[], interrupted: boolean, thread: string, opts: ExecuteOptions & { readonly queue?: string }): number {
  const c = colorsFor(process.stderr);
  const q = opts.queue !== undefined ? ` --queue ${shellQuote(opts.queue)}` : "";
  if (last?.type === "run_completed") return 0;
  if (last?.type === "run_interrupted") {
    const out = opts.json ? process.stderr : process.stdout;
    out.write(`${opts.json ? "" : "\n"}resume with:\n  ${resumeCommandLine(thread, interrupts, opts.checkpoints, q)}\n`);
    return EXIT_PAUSED;
  }
  if (interrupted) {
    process.stderr.write(
      opts.checkpoints !== undefined
        ? `${c.yellow("cancelled")}: the thread is resumable from its last checkpoint:\n  rag resume ${shellQuote(thread)}${checkpointsFlag(opts.checkpoints)}${q}\n`
        : `${c.yellow("cancelled")} (no checkpoints were kept: --no-checkpoints)\n`,
    );
    return EXIT_CANCELLED;
  }
  if (!last || last.type !== "run_failed") process.stderr.write("error: the run ended without a result\n");
  else if (last.error.code === "thread_busy") {
    // Another run holds the thread (SQLite lease, Postgres lock): nothing to fix, only to wait for.
    if (opts.checkpoints !== undefined) process.stderr.write(`once that run has ended, continue the thread with: rag resume ${shellQuote(thread)}${checkpointsFlag(opts.checkpoints)}${q}\n`);
  } else if (opts.checkpoints !== undefined && last.error.code !== "invalid_input" && last.error.code !== "blueprint_mismatch" && last.error.code !== "invalid_resume") {
    // Most fixes are edits of the .rag file, which change its blueprint: a plain resume is
    // then refused (blueprint_mismatch), so the hint names the flag that continues anyway.
    process.stderr.write(`the thread keeps its last checkpoint; after a fix, continue it with: rag resume ${shellQuote(thread)}${checkpointsFlag(opts.checkpoints)}${q} (add --allow-blueprint-change if the fix edits the .rag file)\n`);
  }
  return 1;
}
