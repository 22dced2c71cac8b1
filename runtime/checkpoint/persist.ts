/**
 * How a run persists through its checkpointer, per durability mode (`runtime.md` §3):
 * - `sync`: each checkpoint is saved before the next superstep starts;
 * - `async`: saving is queued and runs while the next step does, in order; what
 *   queued up meanwhile is written as one batch (`putBatch`: one SQLite transaction
 *   for many steps), and the queue is drained at every exit (completion, failure,
 *   cancellation, pause);
 * - `exit`: only the latest checkpoint and its pending writes are saved, at exit.
 * Pending writes always attach to the latest checkpoint (the one the running step
 * started from). A budget's spend record is the exception to the deferral of `async` and
 * `exit`: it is stored before the model call it charges (`putDurable`).
 */
import type { BatchOp, Checkpoint, CheckpointConfig, Checkpointer, CheckpointMetadata, CheckpointTuple, Durability } from "./types.js";

type Writes = readonly (readonly [string, unknown])[];

export class Persister {
  /** The latest checkpoint (the parent of the next) and its metadata: two fields, not an object made per superstep. */
  private latest: Checkpoint | undefined;
  private latestMetadata: CheckpointMetadata | undefined;
  /** The checkpoint stored last, for `async` and `exit` modes (`exit`'s `saveOnce` reads it; `sync` stores every one before going on). */
  private savedId: string | undefined;
  private queue: Promise<void> = Promise.resolve();
  /** `async` mode: operations waiting for the next batch. */
  private ops: BatchOp[] = [];
  private failure: unknown = undefined;
  private failed = false;
  /** `sync` mode: pending writes handed to the checkpointer and not settled yet (`stored`/`drain` wait for them). */
  private writing = 0;
  /** Resolves the wait of `stored`/`drain` once `writing` falls to 0 (made only when someone waits). */
  private idle: { promise: Promise<void>; resolve: () => void } | undefined;
  // Made once per run, not per write: the sync write path adds no closure, Set entry or `finally`.
  private readonly settled = (): void => {
    if (--this.writing === 0 && this.idle) {
      this.idle.resolve();
      this.idle = undefined;
    }
  };
  private readonly failedWrite = (e: unknown): void => {
    this.fail(e);
    this.settled();
  };
  /** `exit` mode: writes for the latest checkpoint, saved at exit. */
  private buffered: [taskId: string, writes: Writes][] = [];
  /** `exit` mode: the durable writes (`putDurable`) made so far, one after another. */
  private durable: Promise<void> = Promise.resolve();

  /**
   * @param onSaved called when a checkpoint is handed to the checkpointer (for `checkpoint_saved`
   *   events); undefined when nobody listens, so a save awaits nothing more than the store.
   */
  constructor(
    readonly saver: Checkpointer,
    readonly durability: Durability,
    readonly threadId: string,
    readonly namespace: string,
    private readonly onSaved?: (c: Checkpoint, m: CheckpointMetadata) => Promise<void>,
  ) {}

  /** Starts from a checkpoint that is already stored (a resume or a continued thread). */
  adopt(t: CheckpointTuple): void {
    this.latest = t.checkpoint;
    this.latestMetadata = t.metadata;
    this.savedId = t.checkpoint.id;
  }

  /** Id of the latest checkpoint (the parent of the next one). */
  get latestId(): string | undefined {
    return this.latest?.id;
  }

  private config(): CheckpointConfig {
    return { threadId: this.threadId, namespace: this.namespace, checkpointId: this.latest!.id };
  }

  /**
   * Records a new checkpoint; saves it now (`sync`), queues it (`async`) or keeps it for
   * exit. `withWrites` (a task id and its writes) are saved against it as one unit with it
   * (`putBatch`: one SQLite transaction; a store without `putBatch` writes them right
   * after): the run's budget record of calls in flight, which a crash between two writes
   * would have lost. Set as the latest synchronously, before anything is awaited.
   * Resolves once `sync` mode stored it (with what the store's `put` resolves to).
   */
  put(checkpoint: Checkpoint, metadata: CheckpointMetadata, withWrites?: readonly [taskId: string, writes: Writes]): Promise<unknown> {
    this.latest = checkpoint;
    this.latestMetadata = metadata;
    if (this.buffered.length) this.buffered = [];
    // A superstep's save in the common case (sync, no writes with it, no listener): the
    // store's own promise, without an async frame and a second await around it.
    if (this.durability === "sync" && !withWrites && !this.onSaved) return this.saver.put(checkpoint, metadata);
    return this.putAndReport(checkpoint, metadata, withWrites);
  }

  /** `put` in every other case. */
  private async putAndReport(checkpoint: Checkpoint, metadata: CheckpointMetadata, withWrites: readonly [taskId: string, writes: Writes] | undefined): Promise<void> {
    if (this.durability === "sync") {
      if (!withWrites) await this.saver.put(checkpoint, metadata);
      else {
        const [taskId, writes] = withWrites;
        const config = this.config();
        if (this.saver.putBatch) await this.saver.putBatch([{ kind: "put", checkpoint, metadata }, { kind: "writes", config, writes, taskId }]);
        else {
          await this.saver.put(checkpoint, metadata);
          await this.saver.putWrites(config, writes, taskId);
        }
      }
      if (this.onSaved) await this.onSaved(checkpoint, metadata);
    } else if (this.durability === "async") {
      this.enqueue({ kind: "put", checkpoint, metadata });
      if (withWrites) this.enqueue({ kind: "writes", config: this.config(), writes: withWrites[1], taskId: withWrites[0] });
      if (this.onSaved) await this.onSaved(checkpoint, metadata);
    } else if (withWrites) this.buffered.push([withWrites[0], withWrites[1]]);
  }

  /**
   * Saves a task's writes against the latest checkpoint. `sync` hands them to the
   * checkpointer at once (a backend may batch them; they are always stored before the
   * next checkpoint) and returns a promise that settles once they are committed (a
   * failure is recorded, never thrown here); failures surface at the next `check` or
   * `drain`. Other modes return undefined.
   */
  putWrites(taskId: string, writes: Writes): Promise<void> | undefined {
    if (!this.latest) return undefined;
    if (this.durability === "exit") {
      this.buffered.push([taskId, writes]);
      return undefined;
    }
    const config = this.config();
    if (this.durability === "async") {
      this.enqueue({ kind: "writes", config, writes, taskId });
      return undefined;
    }
    this.writing++;
    return this.saver.putWrites(config, writes, taskId).then(this.settled, this.failedWrite);
  }

  /**
   * Saves writes against the latest checkpoint under every durability mode, resolving once
   * they are stored — for a budget's spend record, which must be on disk before the model
   * call it reserves for (a crash during the call then counts the call: `registry/spend.ts`).
   * `sync`: as `putWrites`. `async`: queued like the rest, and the promise waits for the
   * batch that writes them. `exit`: the latest checkpoint is stored first when it is not
   * yet (so that a crash leaves the thread and its spend, not nothing), then the writes;
   * a write of the same task id buffered for exit is dropped (this one is newer). A
   * failure is recorded (surfacing at the next `check` or `drain`), never thrown here.
   */
  putDurable(taskId: string, writes: Writes): Promise<void> | undefined {
    if (!this.latest) return undefined;
    if (this.durability === "sync") return this.putWrites(taskId, writes);
    if (this.durability === "async") {
      this.enqueue({ kind: "writes", config: this.config(), writes, taskId });
      return this.queue;
    }
    if (this.buffered.length) this.buffered = this.buffered.filter(([id]) => id !== taskId);
    const checkpoint = this.latest;
    const metadata = this.latestMetadata!;
    const config = this.config();
    this.durable = this.durable
      .then(async () => {
        if (this.failed) return;
        await this.saveOnce(checkpoint, metadata);
        await this.saver.putWrites(config, writes, taskId);
      })
      .catch((e: unknown) => this.fail(e));
    return this.durable;
  }

  /** Queues an operation; the first one of a batch schedules the batch for the next turn of the event loop. */
  private enqueue(op: BatchOp): void {
    this.ops.push(op);
    if (this.ops.length > 1) return;
    this.queue = this.queue
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => this.writeBatch())
      .then(
        () => undefined,
        (e: unknown) => this.fail(e),
      );
  }

  private async writeBatch(): Promise<void> {
    const ops = this.ops;
    this.ops = [];
    if (!ops.length || this.failed) return;
    if (this.saver.putBatch) await this.saver.putBatch(ops);
    else for (const op of ops) await (op.kind === "put" ? this.saver.put(op.checkpoint, op.metadata) : this.saver.putWrites(op.config, op.writes, op.taskId));
    for (const op of ops) if (op.kind === "put") this.savedId = op.checkpoint.id;
  }

  private fail(e: unknown): void {
    if (!this.failed) {
      this.failed = true;
      this.failure = e;
    }
  }

  /**
   * Resolves once everything handed over so far is stored: the `async` queue, and the
   * pending writes of `sync` mode (a resume's answers, a task's record) not committed
   * yet. Throws a background save's failure.
   */
  async stored(): Promise<void> {
    await this.durable;
    await this.queue;
    if (this.writing) await this.writesSettled();
    this.check();
  }

  /** Resolves once every `sync` write handed over so far has settled. */
  private writesSettled(): Promise<void> {
    if (!this.idle) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.idle = { promise, resolve };
    }
    return this.idle.promise;
  }

  /** `exit` mode: stores `checkpoint` unless it is the one stored last. */
  private async saveOnce(checkpoint: Checkpoint, metadata: CheckpointMetadata): Promise<void> {
    if (this.savedId === checkpoint.id) return;
    await this.saver.put(checkpoint, metadata);
    this.savedId = checkpoint.id;
    if (this.onSaved) await this.onSaved(checkpoint, metadata);
  }

  /** Throws the first failure of a background save. */
  check(): void {
    if (this.failed) throw this.failure;
  }

  /** At every exit: saves what `exit` mode deferred, waits for the `async` queue and the uncommitted `sync` writes, and surfaces a failure. */
  async drain(): Promise<void> {
    await this.durable;
    if (this.durability === "exit" && this.latest) {
      await this.saveOnce(this.latest, this.latestMetadata!);
      const config = this.config();
      for (const [taskId, writes] of this.buffered.splice(0)) await this.saver.putWrites(config, writes, taskId);
    }
    await this.queue;
    // A pause's interrupt records, a failure's record: committed before the run says how it ended.
    if (this.writing) await this.writesSettled();
    this.check();
  }
}
