/**
 * Versioned channel storage shared by the SQLite and Postgres checkpointers (after
 * LangGraph's checkpoint blobs, `checkpoint_blobs` keyed by channel and version, and
 * going beyond them for append-like channels).
 *
 * - A checkpoint row keeps, per channel, a reference (`refs[channel]`) to the checkpoint
 *   whose blob holds the value; a channel whose version did not change keeps its old
 *   reference, so a superstep writes one blob per channel it changed.
 * - A list that grew by appending (`append`, `messages`, `topic`: the new list starts
 *   with the previous one, item for item) is stored as an appended tail on top of a base
 *   blob (`kind: "append"`), rebuilt on read. The links form a skip list: link `L` of a
 *   chain stores the items appended since link `L - 64^j`, where 64^j is the largest power
 *   of 64 (at most 64^4) dividing `L`. Every item is stored about log64(n) + 1 times and a
 *   read follows at most 63 links per level — a 10,000-step run appending one item per
 *   step stores O(n log n) bytes, not the O(n²) of a whole list per checkpoint.
 * - The checkpoint row's JSON leaves out what the backends keep in columns (id, parent,
 *   step, graph, blueprint hash, time) and empty lists; metadata leaves out `source` and
 *   `step` (columns too). Rows written before (values inline, every field in the JSON)
 *   are read as they are.
 */
import { appendedFrom } from "../channels/lineage.js";
import { deepFreeze } from "../freeze.js";
import { defineLazyValues } from "./lazy-values.js";
import type { Checkpoint, CheckpointMetadata } from "./types.js";

/** Branching of the append skip list. */
export const FANOUT = 64;
/** Highest level of the append skip list (a span of 64^4 ≈ 16.7 M links). */
export const MAX_LEVEL = 4;

/**
 * A blob to insert: the value of `channel` at checkpoint `checkpointId`. `V` is how the
 * value is encoded: JSON text for the SQL backends, the value itself for the in-memory one.
 */
export interface BlobRow<V = string> {
  readonly channel: string;
  /** `full`: the whole value; `append`: the items appended since the blob of checkpoint `base`. */
  readonly kind: "full" | "append";
  readonly base: string | null;
  /** The encoded value (JSON text: null for an undefined value). */
  readonly value: V | null;
}

/** A stored blob as read back. */
export interface StoredBlob<V = string> {
  readonly kind: string;
  readonly base: string | null;
  readonly value: V | null;
}

/** JSON text of a value (null for undefined): the SQL backends' blob encoding. */
const jsonEncode = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));
/** The value of JSON text (undefined for null). */
const jsonDecode = (v: string | null): unknown => (v === null ? undefined : (JSON.parse(v) as unknown));

/** What the last checkpoint put in a (thread, namespace) stored, per channel, to diff the next one against. */
interface Stored {
  /** Checkpoint id whose blob holds the channel's value. */
  readonly ref: string;
  readonly version: number | undefined;
  /** The value as stored (kept by reference: runtime values are not mutated). */
  readonly value: unknown;
  /** Append links since the last whole blob (0: this blob is whole). */
  readonly link: number;
  /** Per level `j`: the latest link that is a multiple of 64^j — its blob and the list's length there. */
  readonly marks: readonly { readonly ref: string; readonly length: number }[];
}

/**
 * Decides which blobs a checkpoint needs, against what this process last stored for the
 * thread and namespace (a cache: after a restart the first checkpoint stores every
 * channel whole, and chains start again from there). `encode` turns a value (or an
 * appended tail) into what the backend stores; it receives undefined for an unset value.
 */
export class BlobPlannerOf<V> {
  constructor(private readonly encode: (value: unknown) => V | null) {}

  private readonly last = new Map<string, LastStored>();
  /** The cache key of the last thread and namespace planned (a chain plans the same one every superstep). */
  private lastKey: { threadId: string; namespace: string; key: string } | undefined;

  private keyOf(threadId: string, namespace: string): string {
    const k = this.lastKey;
    if (k !== undefined && k.threadId === threadId && k.namespace === namespace) return k.key;
    const key = `${threadId}\u0000${namespace}`;
    this.lastKey = { threadId, namespace, key };
    return key;
  }

  /**
   * The references of `c`'s channels and the blobs to insert with it. Call `commit` with
   * the returned `commit` token once the transaction holding them committed (a failed
   * transaction leaves the cache as it was). The returned `refs` may be the object an
   * earlier checkpoint of the chain got (when no channel changed): never mutate it.
   */
  plan(c: Checkpoint): { refs: Record<string, string>; blobs: BlobRow<V>[]; commit: () => void } {
    const key = this.keyOf(c.threadId, c.namespace);
    const cached = c.parentId !== undefined ? this.last.get(key) : undefined;
    const before = cached && cached.id === c.parentId ? cached.stored : undefined;
    const values = c.values;
    const channels = Object.keys(values);
    // Most supersteps of a chain change nothing stored (or only untracked channels): the
    // parent's refs and cache entry serve again, with no map or refs object made.
    if (before !== undefined && before.size === channels.length && unchanged(before, channels, values, c.versions)) {
      return { refs: cached!.refs, blobs: [], commit: commitTo(this.last, key, { id: c.id, stored: before, refs: cached!.refs }) };
    }
    const stored = new Map<string, Stored>();
    const refs: Record<string, string> = Object.create(null) as Record<string, string>;
    const blobs: BlobRow<V>[] = [];
    for (const channel of channels) {
      const value = values[channel];
      const version = c.versions[channel];
      const prev = before?.get(channel);
      // Unchanged: the same version, or the same immutable value (runtime snapshots are frozen).
      if (prev && ((version !== undefined && prev.version === version) || (prev.value === value && immutable(value)))) {
        stored.set(channel, prev);
        refs[channel] = prev.ref;
        continue;
      }
      if (prev && isAppended(prev.value, value)) {
        const length = (value as unknown[]).length;
        const link = prev.link + 1;
        const level = appendLevel(link);
        const base = prev.marks[level];
        blobs.push({ channel, kind: "append", base: base.ref, value: this.encode((value as unknown[]).slice(base.length)) });
        const marks = prev.marks.slice();
        for (let j = 0; j <= level; j++) marks[j] = { ref: c.id, length };
        stored.set(channel, { ref: c.id, version, value, link, marks });
      } else {
        blobs.push({ channel, kind: "full", base: null, value: this.encode(value) });
        const mark = { ref: c.id, length: Array.isArray(value) ? value.length : 0 };
        stored.set(channel, { ref: c.id, version, value, link: 0, marks: Array.from({ length: MAX_LEVEL + 1 }, () => mark) });
      }
      refs[channel] = c.id;
    }
    return { refs, blobs, commit: commitTo(this.last, key, { id: c.id, stored, refs }) };
  }

  /** Forgets what was stored for a thread (all namespaces), or for every thread. */
  forget(threadId?: string): void {
    if (threadId === undefined) this.last.clear();
    else for (const key of [...this.last.keys()]) if (key.startsWith(`${threadId}\u0000`)) this.last.delete(key);
  }

  /**
   * The values of checkpoint `id` of the thread and namespace when it is the last one this
   * planner stored there (kept by reference: no rebuild), else undefined.
   */
  lastValues(threadId: string, namespace: string, id: string): Record<string, unknown> | undefined {
    const cached = this.last.get(`${threadId}\u0000${namespace}`);
    if (!cached || cached.id !== id) return undefined;
    const out: Record<string, unknown> = {};
    for (const [channel, s] of cached.stored) out[channel] = s.value;
    return out;
  }
}

/** What a planner last stored in a (thread, namespace): the checkpoint, its channels, and the refs it got. */
interface LastStored {
  readonly id: string;
  readonly stored: Map<string, Stored>;
  readonly refs: Record<string, string>;
}

/** The `commit` of a plan (made by a function: an arrow in a literal gets a name defined on it under tsx's keepNames). */
function commitTo(last: Map<string, LastStored>, key: string, entry: LastStored): () => void {
  return () => void last.set(key, entry);
}

/** True when every channel keeps its stored value: the same version, or the same immutable value (as `plan` decides per channel). */
function unchanged(before: ReadonlyMap<string, Stored>, channels: readonly string[], values: Readonly<Record<string, unknown>>, versions: Readonly<Record<string, number>>): boolean {
  for (const channel of channels) {
    const prev = before.get(channel);
    if (!prev) return false;
    const version = versions[channel];
    const value = values[channel];
    if (!((version !== undefined && prev.version === version) || (prev.value === value && immutable(value)))) return false;
  }
  return true;
}

/** The planner of the SQL backends: blobs are JSON text. */
export class BlobPlanner extends BlobPlannerOf<string> {
  constructor() {
    super(jsonEncode);
  }
}

/**
 * The value of a channel from the blob of checkpoint `ref`, following append links down
 * to a whole blob; `get` reads one blob (undefined when missing).
 *
 * @throws Error naming the channel and checkpoint when a blob is missing or a chain is
 *   longer than any this code writes (a damaged store); callers wrap it.
 */
export function rebuildValue(get: (checkpointId: string) => StoredBlob | undefined, ref: string, channel: string): unknown {
  return rebuildValueOf(get, ref, channel, jsonDecode);
}

/** `rebuildValue` for blobs encoded otherwise: `decode` turns a stored value back (null: unset). */
export function rebuildValueOf<V>(get: (checkpointId: string) => StoredBlob<V> | undefined, ref: string, channel: string, decode: (value: V | null) => unknown): unknown {
  const tails: unknown[][] = [];
  let at: string | null = ref;
  // A schema-2 SQLite chain has at most 64 links; a skip-list one at most 63 per level.
  for (let hops = 0; at !== null; hops++) {
    const b = get(at);
    if (!b || hops > FANOUT * (MAX_LEVEL + 1)) throw new Error(`the value of channel \`${channel}\` (checkpoint ${at}) is ${b ? "a broken chain" : "missing"}`);
    if (b.kind === "append") {
      tails.push((decode(b.value) ?? []) as unknown[]);
      at = b.base;
      continue;
    }
    const whole = decode(b.value);
    if (!tails.length) return whole;
    const out = [...(whole as unknown[])];
    for (let i = tails.length - 1; i >= 0; i--) for (const x of tails[i]) out.push(x);
    return out;
  }
  return undefined;
}

/**
 * Blobs (`ns\0checkpoint\0channel`) reached from the checkpoints' refs, directly or as
 * the base of an append chain; the rest can be deleted.
 */
export function liveBlobs(rows: Iterable<{ readonly ns: string; readonly refs: Readonly<Record<string, string>> }>, base: ReadonlyMap<string, string | null>): Set<string> {
  const live = new Set<string>();
  for (const r of rows) {
    for (const channel of Object.keys(r.refs)) {
      let at: string | null | undefined = r.refs[channel];
      while (at) {
        const key = `${r.ns}\u0000${at}\u0000${channel}`;
        if (live.has(key)) break;
        live.add(key);
        at = base.get(key);
      }
    }
  }
  return live;
}

/** The columns a backend stores beside the JSON (`checkpoints` table). */
export interface CheckpointColumns {
  readonly thread_id: string;
  readonly ns: string;
  readonly id: string;
  readonly parent_id: string | null;
  readonly step: number;
  readonly source: string;
  readonly graph: string;
  readonly hash: string;
  readonly created_at: number;
  readonly checkpoint: string;
  readonly metadata: string;
}

/** The checkpoint's JSON column: fields the columns do not hold, empty lists left out, values as `refs`. */
export function checkpointJson(c: Checkpoint, refs: Readonly<Record<string, string>>): string {
  // One literal (JSON.stringify leaves out undefined fields), no `delete`: this runs every superstep.
  return JSON.stringify({
    v: c.v,
    runId: c.runId,
    versions: c.versions,
    seen: c.seen,
    next: c.next.length ? c.next : undefined,
    detached: c.detached.length ? c.detached : undefined,
    planner: c.planner,
    interrupts: c.interrupts.length ? c.interrupts : undefined,
    input: isEmptyObject(c.input) ? undefined : c.input,
    errors: c.errors.length ? c.errors : undefined,
    result: c.result,
    spend: c.spend,
    asks: c.asks,
    refs,
  });
}

/** The metadata's JSON column: without `source` (a column) and without `step` when it equals the checkpoint's. */
export function metadataJson(m: CheckpointMetadata, step: number): string {
  const { source: _source, step: mstep, ...rest } = m;
  return mstep === step ? JSON.stringify(rest) : JSON.stringify({ step: mstep, ...rest });
}

/** Metadata from its row; rows written before keep `source` and `step` in the JSON. */
export function readMetadata(row: Pick<CheckpointColumns, "metadata" | "source" | "step">): CheckpointMetadata {
  const m = JSON.parse(row.metadata) as Partial<CheckpointMetadata>;
  return (m.source !== undefined ? m : { source: row.source, step: row.step, ...m }) as CheckpointMetadata;
}

/**
 * `readMetadata` for the rows of one listing, newest first: a row whose JSON text is the
 * previous row's (a loop's checkpoints differ in `step`, a column) shares its parse, so a
 * 10,000-step history parses one metadata, not 10,000. Each row's metadata is its own
 * object; what it shares with its neighbours (`origin`, `changed`, `ran`, …) is frozen.
 */
export function metadataReader(): (row: Pick<CheckpointColumns, "metadata" | "source" | "step">) => CheckpointMetadata {
  let text: string | undefined;
  let parsed: Partial<CheckpointMetadata> = {};
  return (row) => {
    if (row.metadata !== text) {
      parsed = JSON.parse(row.metadata) as Partial<CheckpointMetadata>;
      text = row.metadata;
    } else deepFreeze(parsed); // shared from now on (at once for a frozen one)
    return (parsed.source !== undefined ? parsed : { source: row.source, step: row.step, ...parsed }) as CheckpointMetadata;
  };
}

/**
 * A checkpoint from its row. `values` is called on first access of `checkpoint.values`
 * with the row's `refs` (rows with inline values never call it), so listing history
 * never loads a value. Every checkpoint read has one object shape.
 */
export function readCheckpoint(row: CheckpointColumns, values: (refs: Readonly<Record<string, string>>) => Record<string, unknown>): Checkpoint {
  const p = JSON.parse(row.checkpoint) as Partial<Checkpoint> & { refs?: Record<string, string> };
  const refs = p.refs;
  const inline = refs ? undefined : ((p.values ?? {}) as Record<string, unknown>);
  // Built in one order, `values` a shared lazy accessor (`lazy-values.ts`): every checkpoint read has one hidden class.
  const c = {
    v: 1 as const,
    id: row.id,
    parentId: row.parent_id ?? undefined,
    threadId: row.thread_id,
    namespace: row.ns,
    graph: row.graph,
    blueprintHash: row.hash,
    runId: p.runId ?? "",
    step: Number(row.step),
    ts: Number(row.created_at),
  };
  const out = defineLazyValues(c, inline ? () => inline : () => values(refs!)) as unknown as { -readonly [K in keyof Checkpoint]: Checkpoint[K] };
  out.versions = p.versions ?? {};
  out.seen = p.seen ?? {};
  out.next = p.next ?? [];
  out.detached = p.detached ?? [];
  out.planner = p.planner ?? { nextFanout: 1, fanouts: {}, arrivals: {} };
  out.interrupts = p.interrupts ?? [];
  out.input = p.input ?? {};
  out.errors = p.errors ?? [];
  out.result = p.result;
  if (p.spend !== undefined) out.spend = p.spend;
  if (p.asks !== undefined) out.asks = p.asks;
  return out;
}

/** The refs of a stored checkpoint JSON (undefined for rows with inline values). */
export function refsOf(checkpointJsonText: string): Record<string, string> | undefined {
  return (JSON.parse(checkpointJsonText) as { refs?: Record<string, string> }).refs;
}

/**
 * The level `j` of append link `L` (L ≥ 1): the largest `j` ≤ 4 with 64^j dividing `L`.
 * Link `L` stores the items appended since link `L - 64^j`.
 */
export function appendLevel(link: number): number {
  let j = 0;
  let span = FANOUT;
  while (j < MAX_LEVEL && link % span === 0) {
    j++;
    span *= FANOUT;
  }
  return j;
}

/**
 * True when both are lists and `next` starts with every item of `prev` (the same values,
 * compared by reference: reducers append without copying items), `prev` being frozen and
 * not empty.
 */
function isAppended(prev: unknown, next: unknown): boolean {
  if (!Array.isArray(prev) || !Array.isArray(next) || !Object.isFrozen(prev) || next.length < prev.length || prev.length === 0) return false;
  // The append reducers record what they appended to: no item-by-item comparison (O(n) per step).
  if (appendedFrom(next, prev)) return true;
  for (let i = 0; i < prev.length; i++) if (prev[i] !== next[i]) return false;
  return true;
}

function isEmptyObject(v: unknown): boolean {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  for (const _ in v) return false;
  return true;
}

/** A primitive, or a frozen object (whose identity then stands for its content). */
function immutable(v: unknown): boolean {
  return v === null || typeof v !== "object" || Object.isFrozen(v);
}
