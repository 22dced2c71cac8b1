/**
 * In-memory checkpointer (after LangGraph's `MemorySaver`): for tests, REPL sessions and
 * benchmarks. Channel values are stored the way the SQLite and Postgres backends store
 * them (`blobs.ts`): by version, only when they changed, and a list that grew by
 * appending as the appended tail on a skip list of bases, rebuilt on read — so a long
 * thread's memory grows about linearly with what it appended, not with steps × state.
 * Nothing is serialised: blobs hold the runtime's deeply frozen values (or slices of
 * their items) by reference, and the latest checkpoint of a thread reads its values
 * back without a rebuild.
 */
import { CheckpointError } from "../errors.js";
import { ProcessClaims } from "./process-claims.js";
import { defineLazyValues } from "./lazy-values.js";
import { BlobPlannerOf, liveBlobs, rebuildValueOf, type StoredBlob } from "./blobs.js";
import {
  isSpecial,
  metadataMatches,
  outcomeOf,
  type BatchOp,
  type Checkpoint,
  type CheckpointConfig,
  type Checkpointer,
  type CheckpointMetadata,
  type CheckpointTuple,
  type ListOptions,
  type PendingWriteRecord,
  type PruneOptions,
  type ThreadClaim,
  type ThreadSummary,
  type ThreadsOptions,
} from "./types.js";

/** A checkpoint as stored: every field but `values`, which are `refs` into the timeline's blobs. */
type StoredCheckpoint = Omit<Checkpoint, "values">;

interface Entry {
  /** Insertion order across the whole store. */
  readonly seq: number;
  readonly checkpoint: StoredCheckpoint;
  /** Per channel: the checkpoint whose blob (in the timeline) holds its value. */
  readonly refs: Readonly<Record<string, string>>;
  readonly metadata: CheckpointMetadata;
  /** Ordinary writes per task (saved once) and runtime records per task and channel (replaced); `NO_WRITES` until the first. */
  writes: Map<string, TaskWrites>;
}

/**
 * One task's saved writes: ordinary writes (saved once) and runtime records (one per
 * channel, replaced). Records are few per task, so a small array beats a Map here (a
 * task's writes are stored once per superstep and kept for the thread's life).
 */
interface TaskWrites {
  regular?: readonly PendingWriteRecord[];
  special?: PendingWriteRecord[];
}

/** Checkpoints of one thread and namespace, oldest first, plus an index by id, and their blobs (`checkpointId\0channel`). */
interface Timeline {
  readonly entries: Entry[];
  readonly byId: Map<string, Entry>;
  readonly blobs: Map<string, StoredBlob<unknown>>;
}

/** How an unset (undefined) value is stored: null is a value of its own. */
const UNSET: unique symbol = Symbol("unset");
const encode = (v: unknown): unknown => (v === undefined ? UNSET : v);
const decode = (v: unknown): unknown => (v === UNSET ? undefined : v);

/** The (never written) writes of a checkpoint nobody saved writes against: most of a chain's checkpoints. */
const NO_WRITES: Entry["writes"] = new Map();

export class MemoryCheckpointer implements Checkpointer {
  /** thread → namespace → timeline. */
  private readonly threadsById = new Map<string, Map<string, Timeline>>();
  private seq = 0;
  /** Which channels changed since the last checkpoint put per thread and namespace. */
  private readonly planner = new BlobPlannerOf<unknown>(encode);

  /** Threads a run or edit holds (`claim`). */
  private readonly claims = new ProcessClaims();

  /** The threads a run or edit holds now (`claim`): a memory store lives in one process. */
  async runningThreads(): Promise<ReadonlySet<string>> {
    return this.claims.threads();
  }

  /**
   * Takes a thread for one run or edit: a second one on this store while the first holds
   * it is refused (the store lives in one process, so this is every run that can reach it).
   * @throws ThreadBusyError when a run or edit holds it.
   */
  claim(threadId: string): Promise<ThreadClaim> {
    return this.claims.claim(threadId);
  }

  private timeline(threadId: string, namespace: string, create: boolean): Timeline | undefined {
    let t = this.threadsById.get(threadId);
    if (!t) {
      if (!create) return undefined;
      t = new Map();
      this.threadsById.set(threadId, t);
    }
    let tl = t.get(namespace);
    if (!tl && create) {
      tl = { entries: [], byId: new Map(), blobs: new Map() };
      t.set(namespace, tl);
    }
    return tl;
  }

  async getTuple(config: CheckpointConfig): Promise<CheckpointTuple | undefined> {
    const tl = this.timeline(config.threadId, config.namespace ?? "", false);
    if (!tl) return undefined;
    const e = config.checkpointId !== undefined ? tl.byId.get(config.checkpointId) : tl.entries[tl.entries.length - 1];
    return e ? this.tuple(tl, e) : undefined;
  }

  async list(threadId: string, options: ListOptions = {}): Promise<CheckpointTuple[]> {
    const tl = this.timeline(threadId, options.namespace ?? "", false);
    if (!tl) return [];
    let end = tl.entries.length;
    if (options.before !== undefined) {
      const at = tl.entries.findIndex((e) => e.checkpoint.id === options.before);
      end = at < 0 ? 0 : at;
    }
    const out: CheckpointTuple[] = [];
    for (let i = end - 1; i >= 0 && (options.limit === undefined || out.length < options.limit); i--) {
      if (metadataMatches(tl.entries[i].metadata, options.filter)) out.push(this.tuple(tl, tl.entries[i]));
    }
    return out;
  }

  async put(checkpoint: Checkpoint, metadata: CheckpointMetadata): Promise<Required<CheckpointConfig>> {
    const tl = this.timeline(checkpoint.threadId, checkpoint.namespace, true)!;
    if (tl.byId.has(checkpoint.id)) throw new CheckpointError(`checkpoint ${checkpoint.id} already exists in thread ${checkpoint.threadId}`);
    const { refs, blobs, commit } = this.planner.plan(checkpoint);
    for (const b of blobs) tl.blobs.set(`${checkpoint.id}\u0000${b.channel}`, b);
    commit();
    const e: Entry = { seq: ++this.seq, checkpoint: withoutValues(checkpoint), refs, metadata, writes: NO_WRITES };
    tl.entries.push(e);
    tl.byId.set(checkpoint.id, e);
    return { threadId: checkpoint.threadId, namespace: checkpoint.namespace, checkpointId: checkpoint.id };
  }

  async putWrites(config: CheckpointConfig, writes: readonly (readonly [string, unknown])[], taskId: string): Promise<void> {
    if (config.checkpointId === undefined) throw new CheckpointError("putWrites needs a checkpoint id");
    const e = this.timeline(config.threadId, config.namespace ?? "", false)?.byId.get(config.checkpointId);
    if (!e) throw new CheckpointError(`checkpoint ${config.checkpointId} does not exist in thread ${config.threadId}`);
    if (e.writes === NO_WRITES) e.writes = new Map();
    let rec = e.writes.get(taskId);
    if (!rec) {
      rec = {};
      e.writes.set(taskId, rec);
    }
    let regular: PendingWriteRecord[] | undefined;
    for (const [channel, value] of writes) {
      const w: PendingWriteRecord = { taskId, channel, value };
      if (!isSpecial(channel)) (regular ??= []).push(w);
      else if (!rec.special) rec.special = [w];
      else {
        const at = rec.special.findIndex((x) => x.channel === channel);
        if (at < 0) rec.special.push(w);
        else rec.special[at] = w;
      }
    }
    if (regular && !rec.regular) rec.regular = regular;
  }

  async putBatch(ops: readonly BatchOp[]): Promise<void> {
    for (const op of ops) {
      if (op.kind === "put") await this.put(op.checkpoint, op.metadata);
      else await this.putWrites(op.config, op.writes, op.taskId);
    }
  }

  async deleteThread(threadId: string): Promise<void> {
    this.threadsById.delete(threadId);
    this.planner.forget(threadId);
  }

  async copyThread(from: string, to: string): Promise<void> {
    if (this.threadsById.has(to)) throw new CheckpointError(`thread ${to} already exists`);
    const src = this.threadsById.get(from);
    if (!src) return;
    const dst = new Map<string, Timeline>();
    for (const [ns, tl] of src) {
      const entries = tl.entries.map((e): Entry => ({
        seq: ++this.seq,
        checkpoint: { ...e.checkpoint, threadId: to },
        refs: e.refs,
        metadata: e.metadata,
        writes: new Map([...e.writes].map(([k, w]) => [k, { ...(w.regular ? { regular: [...w.regular] } : {}), ...(w.special ? { special: [...w.special] } : {}) }])),
      }));
      dst.set(ns, { entries, byId: new Map(entries.map((e) => [e.checkpoint.id, e])), blobs: new Map(tl.blobs) });
    }
    this.threadsById.set(to, dst);
  }

  async prune(options: PruneOptions = {}): Promise<number> {
    const keep = Math.max(0, options.keepLast ?? 1);
    let removed = 0;
    for (const [threadId, nss] of this.threadsById) {
      if (options.threads && !options.threads.includes(threadId)) continue;
      for (const [ns, tl] of nss) {
        const drop = tl.entries.length - keep;
        if (drop <= 0) continue;
        for (const e of tl.entries.splice(0, drop)) tl.byId.delete(e.checkpoint.id);
        removed += drop;
        collectBlobs(ns, tl);
      }
      this.planner.forget(threadId);
    }
    return removed;
  }

  /**
   * The values of checkpoint `e`: by reference when it is the latest this store put in the
   * timeline, else rebuilt from its blobs (appended lists as new frozen lists).
   *
   * @throws CheckpointError when a blob is missing (the timeline was pruned meanwhile).
   */
  private values(tl: Timeline, e: Entry): Record<string, unknown> {
    const c = e.checkpoint;
    const last = this.planner.lastValues(c.threadId, c.namespace, c.id);
    if (last) return last;
    const out: Record<string, unknown> = {};
    try {
      for (const channel of Object.keys(e.refs)) {
        const v = rebuildValueOf((at) => tl.blobs.get(`${at}\u0000${channel}`), e.refs[channel], channel, decode);
        out[channel] = Array.isArray(v) && !Object.isFrozen(v) ? Object.freeze(v) : v;
      }
    } catch (err) {
      throw new CheckpointError(`in-memory checkpointer, thread ${c.threadId}: ${(err as Error).message}`, {}, { cause: err });
    }
    return out;
  }

  private tuple(tl: Timeline, e: Entry): CheckpointTuple {
    const c = e.checkpoint;
    const pendingWrites: PendingWriteRecord[] = [];
    if (e.writes !== NO_WRITES) {
      for (const w of e.writes.values()) {
        if (w.regular) pendingWrites.push(...w.regular);
        if (w.special) pendingWrites.push(...w.special);
      }
    }
    // Values are read on first access: listing history never rebuilds them (a shared lazy accessor: `lazy-values.ts`).
    const checkpoint: Checkpoint = defineLazyValues({ ...c }, () => this.values(tl, e));
    // One literal per shape (a conditional spread makes V8 copy generically): listing a long thread makes one per checkpoint.
    const config = { threadId: c.threadId, namespace: c.namespace, checkpointId: c.id };
    return c.parentId !== undefined
      ? { config, checkpoint, metadata: e.metadata, parentConfig: { threadId: c.threadId, namespace: c.namespace, checkpointId: c.parentId }, pendingWrites }
      : { config, checkpoint, metadata: e.metadata, pendingWrites };
  }

  async threads(options: ThreadsOptions = {}): Promise<ThreadSummary[]> {
    const out: (ThreadSummary & { seq: number })[] = [];
    const only = options.threadId;
    const one = only === undefined ? undefined : this.threadsById.get(only);
    for (const [threadId, nss] of only === undefined ? this.threadsById : one ? [[only, one] as const] : []) {
      const tl = nss.get("");
      const last = tl?.entries[tl.entries.length - 1];
      if (!tl || !last) continue;
      out.push({ threadId, graph: last.checkpoint.graph, checkpoints: tl.entries.length, step: last.checkpoint.step, updatedAt: last.checkpoint.ts, latestId: last.checkpoint.id, ...outcomeOf(this.tuple(tl, last)), seq: last.seq });
    }
    return out.sort((a, b) => b.seq - a.seq).map(({ seq: _seq, ...t }) => t);
  }
}

/** Every field of a checkpoint but its values, as one literal (an object rest copy costs ~1 µs per superstep in Node 20); unset optional fields read as undefined either way. */
function withoutValues(c: Checkpoint): StoredCheckpoint {
  return {
    v: c.v,
    id: c.id,
    parentId: c.parentId,
    threadId: c.threadId,
    namespace: c.namespace,
    graph: c.graph,
    blueprintHash: c.blueprintHash,
    runId: c.runId,
    step: c.step,
    ts: c.ts,
    versions: c.versions,
    seen: c.seen,
    next: c.next,
    detached: c.detached,
    planner: c.planner,
    interrupts: c.interrupts,
    input: c.input,
    errors: c.errors,
    result: c.result,
    spend: c.spend,
    asks: c.asks,
  };
}

/** Deletes the blobs of a timeline no remaining checkpoint reaches (directly or as the base of an append chain). */
function collectBlobs(ns: string, tl: Timeline): void {
  const base = new Map<string, string | null>();
  for (const [key, b] of tl.blobs) base.set(`${ns}\u0000${key}`, b.base);
  const live = liveBlobs(
    tl.entries.map((e) => ({ ns, refs: e.refs })),
    base,
  );
  for (const key of [...tl.blobs.keys()]) if (!live.has(`${ns}\u0000${key}`)) tl.blobs.delete(key);
}
