/**
 * `--queue redis://…` for `rag run` and `rag resume` (issue 13 §2): the run is enqueued
 * for `rag worker`s instead of running in this process, and its events are followed
 * from the run's Redis Stream — the same progress (or JSON Lines) and exit statuses as
 * an in-process run. Ctrl-C asks the worker running it to cancel (the thread stays
 * resumable); the run's end is still awaited and reported.
 */
import { CancelledError, CheckpointError, errorToJson, type RunEvent } from "../runtime/index.js";
import { isPostgresUrl, QueueRunSubmitter, ScaleConfigError, type RunHandle, type SubmitResume, type SubmitRun } from "../scale/index.js";
import { CliError } from "./errors.js";
import { noticePrinter } from "./notices.js";
import { reportEnd, showEvent, type ExecuteOptions, type RunTail } from "./execute.js";

/** Opens the submitter of `--queue URL`, signing its jobs with the queue secret of the `--checkpoints` store (`job-signature.ts`). @throws CliError for a bad URL, or checkpoints that are not Postgres. */
export function openQueue(url: string, checkpoints: string | false | undefined): QueueRunSubmitter {
  if (typeof checkpoints !== "string" || !isPostgresUrl(checkpoints)) {
    throw new CliError("--queue runs on workers that checkpoint to Postgres: pass the same --checkpoints postgres://… the workers use (so the printed resume commands and `rag runs` find the thread)");
  }
  try {
    // A run-log entry that does not open under the queue key is skipped; say so on stderr (rate-limited: a Redis peer chose it).
    const print = noticePrinter((line) => void process.stderr.write(line), Date.now, "queue");
    return new QueueRunSubmitter(url, { checkpoints, onNotice: (n) => print({ code: "unsealed_entry", message: n.message }) });
  } catch (e) {
    if (e instanceof ScaleConfigError) throw new CliError(`--queue: ${e.message}`);
    if (e instanceof CheckpointError) throw new CliError(`--checkpoints: ${e.message}`);
    throw e;
  }
}

/** Enqueues `job`, follows its events to the end and returns the exit status (as `execute`). */
export async function submitAndFollow(submitter: QueueRunSubmitter, job: SubmitRun | SubmitResume, opts: ExecuteOptions & { readonly queue: string }): Promise<number> {
  let handle: RunHandle;
  try {
    handle = await submitter.submit(job);
  } catch (e) {
    throw new CliError(`cannot enqueue on ${submitter.url.shown}: ${(e as Error).message}`);
  }
  if (!opts.json) process.stderr.write(`queued run ${handle.runId} (thread ${handle.threadId}) on ${submitter.url.shown} queue ${submitter.url.queue}\n`);
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    void submitter.cancel(handle.runId).catch(() => undefined);
  };
  process.once("SIGINT", onSigint);
  const tail: RunTail = { interrupts: [] };
  let ended = false;
  try {
    const it = submitter.log.read(handle.runId);
    for (;;) {
      const r = await it.next();
      if (r.done) {
        ended = r.value !== undefined;
        // Workers end a refused run with a root `run_failed` event; a stream written by an older worker may lack it.
        const error = r.value?.error ?? (r.value?.status === "cancelled" ? errorToJson(new CancelledError(`run ${handle.runId} was cancelled before it started`)) : undefined);
        if (!tail.last && error) showEvent({ type: "run_failed", error, steps: 0, durationMs: 0, runId: handle.runId, threadId: handle.threadId, depth: 0 } as unknown as RunEvent, opts, tail);
        break;
      }
      showEvent(r.value.event, opts, tail);
    }
  } finally {
    process.off("SIGINT", onSigint);
  }
  if (!ended && !tail.last) process.stderr.write(`error: run ${handle.runId} is no longer known to the queue (its keys expired or Redis lost them)\n`);
  return reportEnd(tail.last, tail.interrupts, interrupted, handle.threadId, opts);
}
