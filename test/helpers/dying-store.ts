/**
 * A checkpointer that plays a process killed at a chosen moment, for crash tests of what
 * is durable (budget reservations, a detached branch's spend): a real store (SQLite) in
 * front of which every write is dropped once the store is `dead` — what was committed
 * before is on disk, nothing after — while reads still go through. A fresh handle on the
 * same file then sees what a restarted process would.
 */
import type { BatchOp, Checkpoint, CheckpointConfig, Checkpointer, CheckpointMetadata, ListOptions, PruneOptions, SqliteCheckpointer } from "../../runtime/index.js";

/** When the store dies, by the step of the checkpoint being saved; all optional. */
export interface DyingHooks {
  /** Dies right after committing the checkpoint of `step` (its save has not returned yet). */
  readonly dies?: (step: number) => boolean;
  /** Dies just before saving the checkpoint of `step` (it is lost). */
  readonly diesBefore?: (step: number) => boolean;
  /** Runs while the checkpoint of `step` is being saved: after it is committed, before the save returns. */
  readonly during?: (step: number) => Promise<void>;
}

/**
 * `inner` with writes dropped once `dead`: set by a hook, or by the test itself (e.g. from
 * a model call, for a process killed during that call).
 */
export class DyingStore implements Checkpointer {
  dead = false;
  constructor(
    readonly inner: SqliteCheckpointer,
    private readonly hooks: DyingHooks = {},
  ) {}
  private async saved(step: number): Promise<void> {
    await this.hooks.during?.(step);
    if (this.hooks.dies?.(step)) this.dead = true;
  }
  getTuple(c: CheckpointConfig) {
    return this.inner.getTuple(c);
  }
  list(t: string, o?: ListOptions) {
    return this.inner.list(t, o);
  }
  async put(checkpoint: Checkpoint, metadata: CheckpointMetadata) {
    if (this.hooks.diesBefore?.(checkpoint.step)) this.dead = true;
    if (this.dead) return { threadId: checkpoint.threadId, namespace: checkpoint.namespace, checkpointId: checkpoint.id };
    const r = await this.inner.put(checkpoint, metadata);
    await this.saved(checkpoint.step);
    return r;
  }
  async putBatch(ops: readonly BatchOp[]) {
    const put = ops.find((o) => o.kind === "put");
    if (put && this.hooks.diesBefore?.(put.checkpoint.step)) this.dead = true;
    if (this.dead) return;
    await this.inner.putBatch(ops);
    if (put) await this.saved(put.checkpoint.step);
  }
  async putWrites(c: CheckpointConfig, w: readonly (readonly [string, unknown])[], taskId: string) {
    if (!this.dead) await this.inner.putWrites(c, w, taskId);
  }
  deleteThread(t: string) {
    return this.inner.deleteThread(t);
  }
  copyThread(a: string, b: string) {
    return this.inner.copyThread(a, b);
  }
  prune(o?: PruneOptions) {
    return this.inner.prune(o);
  }
  threads() {
    return this.inner.threads();
  }
}
