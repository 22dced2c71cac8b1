/**
 * `rag resume THREAD [--resume JSON] [--checkpoints PATH] [--json]
 * [--allow-blueprint-change] [--file FILE] [--graph NAME] [--config PATH]`: continues a
 * paused, cancelled, failed or crashed thread from its latest checkpoint. The graph is
 * the one the thread was started with (`rag run` records its file, graph and config);
 * `--file` overrides it. Several pending interrupts are answered by id:
 * `--resume '{"<id>": value, …}'`. Exit statuses as `rag run`.
 *
 * A thread that has already completed is not run again: plain `rag resume` says so (and
 * how to continue it: `rag runs fork` / `rag runs update`) and exits 0, a no-op like
 * `rag fmt --check` on a formatted file; `--resume` or `--steer` on it is a usage error
 * (exit 2), as an answer to no pending question is.
 */
import { answerInterrupts, pendingInterrupts, recordedAnswers, threadStatus, typedAnswerCheck, type CheckpointTuple } from "../../runtime/index.js";
import { printableId } from "../../stdlib/printable.js";
import { DEFAULT_CHECKPOINTS, openCheckpoints, closeCheckpoints, parseResume, resumeCommandLine, shellQuote, checkpointsFlag } from "../checkpoints.js";
import { CliError } from "../errors.js";
import { execute } from "../execute.js";
import { ProgressPrinter } from "../progress.js";
import { openQueue, submitAndFollow } from "../queue.js";
import { parseDurability } from "./run.js";
import { recordedOrigin, threadGraph } from "./thread-graph.js";

export interface ResumeCommandOptions {
  readonly resume?: string;
  readonly checkpoints?: string;
  readonly json?: boolean;
  readonly allowBlueprintChange?: boolean;
  readonly file?: string;
  readonly graph?: string;
  readonly config?: string;
  readonly durability?: string;
  readonly steer?: string;
  /** `--queue redis://…`: enqueue the continuation for workers. */
  readonly queue?: string;
}

export async function resumeCommand(threadId: string, opts: ResumeCommandOptions): Promise<number> {
  const durability = parseDurability(opts.durability);
  const checkpoints = opts.checkpoints ?? DEFAULT_CHECKPOINTS;
  const saver = openCheckpoints(checkpoints, true);
  try {
    const head = await saver.getTuple({ threadId });
    if (head && threadStatus(head) === "completed") return alreadyCompleted(threadId, head, checkpoints, opts);
    const { graph, loaded, blueprint, file, tuple } = await threadGraph(saver, threadId, checkpoints, opts, head);
    const origin = recordedOrigin(tuple.metadata.origin);
    if (tuple.checkpoint.blueprintHash !== blueprint.hash && !opts.allowBlueprintChange) {
      throw new CliError(
        `thread ${threadId} was checkpointed under blueprint ${tuple.checkpoint.blueprintHash.slice(0, 19)}…, but ${file} now compiles to ${blueprint.hash.slice(0, 19)}…; resuming under a changed blueprint is refused (a migration is a new run). Pass --allow-blueprint-change to resume anyway.`,
      );
    }
    const pending = pendingInterrupts(tuple);
    const parsed = parseResume(opts.resume, pending);
    const command = opts.steer !== undefined ? { ...parsed, steering: opts.steer } : parsed;
    try {
      answerInterrupts(threadId, pending, recordedAnswers(tuple), command, { requireAnswer: true, checkAnswer: typedAnswerCheck(graph, threadId) });
    } catch (e) {
      // No answer given to a pending question: show the command that gives one (with an
      // example value from the interrupt's options or `resume` type), as `rag run` does.
      const hint = opts.resume === undefined && pending.some((i) => i.kind === "node") ? `\nresume with:\n  ${resumeCommandLine(threadId, pending, opts.checkpoints)}` : "";
      throw new CliError(`${(e as Error).message}${hint}`);
    }
    if (opts.queue !== undefined) {
      if (opts.allowBlueprintChange || opts.file !== undefined || opts.durability !== undefined) throw new CliError("--allow-blueprint-change, --file and --durability apply to in-process resumes only; a queued resume runs the thread's own blueprint (by hash) on the workers");
      const submitter = openQueue(opts.queue, checkpoints);
      try {
        const printer = opts.json ? undefined : new ProgressPrinter(process.stdout, loaded.registry, blueprint, [`checkpoints ${checkpoints}`, `queue ${submitter.url.shown} (${submitter.url.queue})`]);
        return await submitAndFollow(submitter, { kind: "resume", threadId, command, checkpointId: tuple.checkpoint.id, graph: blueprint.id, file: file, ...(origin ? { metadata: { origin } } : {}) }, { json: Boolean(opts.json), printer, checkpoints, queue: opts.queue });
      } finally {
        await submitter.close();
      }
    }
    const printer = opts.json ? undefined : new ProgressPrinter(process.stdout, loaded.registry, blueprint, [`checkpoints ${checkpoints}`]);
    return await execute(
      graph,
      null,
      { threadId, resume: command, ...(opts.allowBlueprintChange ? { allowBlueprintChange: true } : {}), ...(durability ? { durability } : {}), ...(origin ? { metadata: { origin } } : {}) },
      { json: Boolean(opts.json), printer, checkpoints },
    );
  } finally {
    await closeCheckpoints(saver);
  }
}

/**
 * `rag resume` of a thread whose latest checkpoint has nothing left to run: nothing runs.
 * Plain: the note and the commands that continue it, on stdout; `--json`: one object
 * `{threadId, status: "completed", resumed: false, checkpointId, step, message}` on
 * stdout. Resolves with 0.
 *
 * @throws CliError (exit 2) with `--resume` or `--steer`: there is no run to give them to.
 */
function alreadyCompleted(threadId: string, head: CheckpointTuple, checkpoints: string, opts: ResumeCommandOptions): number {
  const c = head.checkpoint;
  const flag = checkpointsFlag(checkpoints);
  const t = shellQuote(threadId);
  const said = `thread ${printableId(threadId)} has already completed (checkpoint ${printableId(c.id)}, step ${c.step}); nothing to resume`;
  const how = `to run part of it again: rag runs show ${t}${flag}, then rag runs fork ${t} CHECKPOINT${flag} and rag resume the new thread; to change its state and continue: rag runs update ${t} --values JSON --as-node NODE${flag}, then rag resume ${t}${flag}`;
  if (opts.resume !== undefined || opts.steer !== undefined) throw new CliError(`${said}, so ${opts.resume !== undefined ? "--resume" : "--steer"} has no run to go to; ${how}`);
  if (opts.json) process.stdout.write(JSON.stringify({ threadId, status: "completed", resumed: false, checkpointId: c.id, step: c.step, message: `${said}; ${how}` }) + "\n");
  else process.stdout.write(`${said}.\n${how.replace(/^to run/, "To run").replace("; to change", ".\nTo change")}.\n`);
  return 0;
}
