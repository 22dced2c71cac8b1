/**
 * Typed errors of the scale-out stage (Postgres checkpoints, queue workers). Each has a
 * stable `code`, like every `RagError` (`runtime/errors.ts`).
 */
import { CheckpointError, RagError } from "../runtime/index.js";
import type { ErrorWhere } from "../runtime/errors.js";

/**
 * Another process is writing this thread: it holds the thread's lock (a run in progress
 * elsewhere, or a concurrent transaction on the same rows). Nothing was written; retry
 * when that run has ended. Raised by `PostgresCheckpointer` instead of a lost update.
 */
export class ThreadBusyError extends CheckpointError {
  override readonly code = "thread_busy";
  constructor(
    readonly threadId: string,
    message = `thread ${threadId} is busy: another process is running it (its checkpoints are locked); retry when that run has ended`,
    where: ErrorWhere = {},
  ) {
    super(message, where);
  }
  protected override details() {
    return { threadId: this.threadId };
  }
}

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

/** A queue or store URL that cannot be used (wrong scheme, bad schema name). */
export class ScaleConfigError extends RagError {
  readonly code = "scale_config";
}
