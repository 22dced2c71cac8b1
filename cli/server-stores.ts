/**
 * The stores of a server command (`rag serve`, `rag studio`): `--checkpoints PATH|postgres://…`
 * (as `rag run` takes it, `openReachableCheckpoints`: a Postgres store that does not answer is an error at start) and `--queue redis://…` (runs enqueued for
 * `rag worker`s, which needs Postgres checkpoints the workers share). Opened in one place
 * so both commands accept the same flags, refuse the same mistakes with the same messages
 * and close what they opened on every error path.
 */
import type { Checkpointer } from "../runtime/index.js";
import { QueueUnavailableError, type QueueRunSubmitter } from "../scale/index.js";
import { closeCheckpoints, openReachableCheckpoints } from "./checkpoints.js";
import { CliError } from "./errors.js";
import { openQueue } from "./queue.js";

/** The store flags `rag serve` and `rag studio` share. */
export interface ServerStoreFlags {
  /** `--checkpoints`: a SQLite file or `postgres://…[?schema=…]`; absent: the Project's default file. */
  readonly checkpoints?: string;
  /** `--queue redis://…`: enqueue runs for workers instead of running them in this process. */
  readonly queue?: string;
}

/** What `openServerStores` opened for a server: its checkpointer and queue, and how to close them. */
export interface ServerStores {
  /** What the Project takes: the opened checkpointer (absent without `--checkpoints`: the Project opens its default file) and queue (with `--queue`). */
  readonly stores: { readonly checkpointer?: Checkpointer; readonly queue?: QueueRunSubmitter };
  /** Whether runs go to a queue (`--queue`). */
  readonly queued: boolean;
  /** How the command's summary line names where runs go: `runs queued on redis://… queue NAME`, or `runs in this process`. */
  readonly runsWhere: string;
  /** Closes the queue and the checkpointer, waiting for a Postgres store to write what it batched. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens the stores `flags` name. A queue is pinged here, so a Redis that is down is one
 * error at start, not one per request that would enqueue.
 *
 * @throws CliError (exit 2) for `--queue` without `--checkpoints postgres://…`, a bad
 * queue URL, an unreachable Redis, or a checkpoint path or URL that cannot be opened;
 * whatever was opened before the error is closed.
 */
export async function openServerStores(flags: ServerStoreFlags): Promise<ServerStores> {
  const queue = flags.queue !== undefined ? openQueue(flags.queue, flags.checkpoints) : undefined;
  let checkpointer: Checkpointer | undefined;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await queue?.close();
    await closeCheckpoints(checkpointer);
  };
  try {
    await queue?.ping();
    checkpointer = flags.checkpoints !== undefined ? await openReachableCheckpoints(flags.checkpoints) : undefined;
  } catch (e) {
    await close();
    if (e instanceof QueueUnavailableError) throw new CliError(`--queue: ${e.message}`);
    throw e;
  }
  const runsWhere = queue ? `runs queued on ${queue.url.shown} queue ${queue.url.queue}` : "runs in this process";
  return { stores: { ...(checkpointer ? { checkpointer } : {}), ...(queue ? { queue } : {}) }, queued: queue !== undefined, runsWhere, close };
}
