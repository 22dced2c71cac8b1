/**
 * Typed errors of the scale-out stage (Postgres checkpoints, queue workers). Each has a
 * stable `code`, like every `RagError` (`runtime/errors.ts`).
 */
import { RagError } from "../runtime/index.js";
import type { ErrorWhere } from "../runtime/errors.js";

/** Another process is writing this thread (now a runtime error: SQLite and memory stores raise it too). */
export { ThreadBusyError } from "../runtime/errors.js";

/**
 * A queued job names a blueprint hash whose source the worker was not given (or the
 * source it was given compiles to another hash): the worker refuses to run it.
 */
export class UnknownBlueprintError extends RagError {
  readonly code = "unknown_blueprint";
  constructor(message: string, readonly hash: string, where: ErrorWhere = {}) {
    super(message, where);
  }
  protected override details() {
    return { hash: this.hash };
  }
}

/**
 * A queued resume was answered against checkpoint `checkpointId` of the thread, but by
 * the time a worker took it the thread's latest checkpoint was `latest` (another resume,
 * run or state edit moved the thread on first): its answers are for interrupts that were
 * already answered, so nothing runs. Read the thread's state and resume again if needed.
 * (LangGraph's `Command(resume=…)` answers the interrupts of the checkpoint it resumes;
 * this keeps a queued answer tied to that checkpoint.)
 */
export class StaleResumeError extends RagError {
  readonly code = "stale_resume";
  constructor(
    readonly threadId: string,
    readonly checkpointId: string,
    readonly latest: string | undefined,
  ) {
    super(`refused: this resume answered thread ${threadId} at checkpoint ${checkpointId}, but the thread has moved on (latest checkpoint ${latest ?? "none"}): the interrupt was already answered by an earlier resume, run or state edit; read the thread's state and resume again if it still waits`);
  }
  protected override details() {
    return { threadId: this.threadId, checkpointId: this.checkpointId, latest: this.latest ?? null };
  }
}

/**
 * A queue job that no legitimate submitter made: unsigned, or its signature does not match
 * its data under the deployment's queue secret (`job-signature.ts`). The worker fails the
 * job for good (no retry) and runs nothing of it; the job's failure reason starts with the
 * code. Anyone who can write to Redis can add jobs; only a holder of the secret (kept in
 * the Postgres store) can sign them.
 */
export class UntrustedJobError extends RagError {
  readonly code = "untrusted_job";
  constructor(
    message: string,
    readonly jobId: string | undefined,
  ) {
    super(message);
  }
  protected override details() {
    return { jobId: this.jobId ?? null };
  }
}

/** A queue or store URL that cannot be used (wrong scheme, bad schema name). */
export class ScaleConfigError extends RagError {
  readonly code = "scale_config";
}

/** Redis (the run queue) did not answer in time: a worker cannot start taking jobs, a server cannot enqueue. */
export class QueueUnavailableError extends RagError {
  readonly code = "queue_unavailable";
}

/**
 * Waits for `answer` (a connection's readiness, a `PING`) at most `timeoutMs`: ioredis
 * would otherwise reconnect for ever, silently.
 *
 * @param shown the Redis URL as shown to people (no password).
 * @param lastError the connection's last error, read when the wait fails ("connect ECONNREFUSED …").
 * @throws QueueUnavailableError naming the URL and the cause, on the timeout or when `answer` rejects.
 */
export async function redisAnswers(answer: Promise<unknown>, shown: string, timeoutMs: number, lastError: () => string | undefined): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const cause = (fallback?: string) => {
    const why = lastError() ?? fallback;
    return why ? `: ${why}` : "";
  };
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QueueUnavailableError(`cannot reach Redis at ${shown} within ${timeoutMs / 1000} s${cause()}; is it running? (docs/deploy.md)`)), timeoutMs);
  });
  try {
    await Promise.race([answer, late]);
  } catch (e) {
    if (e instanceof QueueUnavailableError) throw e;
    throw new QueueUnavailableError(`cannot reach Redis at ${shown}${cause((e as Error).message)}; is it running? (docs/deploy.md)`);
  } finally {
    clearTimeout(timer);
  }
}
