/**
 * Channels and the superstep barrier's "apply" (`runtime.md` §1 step 5): writes are
 * grouped per channel in deterministic order, validated against the field's type (zod),
 * folded by the channel's reducer, and the result is a new deeply frozen snapshot; the
 * previous snapshot is never mutated.
 */
import type { z } from "zod";
import { constraintText, type Blueprint, type FieldSpec } from "../compiler/index.js";
import { overwriteOf, type Registry } from "../registry/index.js";
import { REDUCERS, type ChannelReducer, type ChannelScratch, type Write } from "./channels/index.js";
import { InvalidUpdateError } from "./errors.js";
import { deepFreeze } from "./freeze.js";
import { describeIssues, hasConstraint, typeSchema, writeCheck, writeSchema } from "./schema.js";

export { deepFreeze };

export type State = Readonly<Record<string, unknown>>;

/** A write waiting for the barrier. */
export interface PendingWrite {
  readonly channel: string;
  readonly value: unknown;
  readonly taskId: string;
  readonly node: string;
}

export interface Channel {
  readonly field: FieldSpec;
  readonly reducer: ChannelReducer;
  readonly schema: z.ZodType | undefined;
  /** Accepts common valid writes without `schema` (`writeCheck`); what it refuses, `schema` decides. */
  readonly check?: (value: unknown) => boolean;
  /**
   * For a field whose type has a range or pattern (`number(0..1)`, `string(/re/)`): the
   * whole field's schema, checked on the reducer's result too (a `sum` can leave its range).
   */
  readonly resultSchema?: z.ZodType;
}

/**
 * What one run keeps per channel across its supersteps (`ChannelScratch`): made once per
 * run (`runChannels`), passed to every `ChannelTable.apply` of the run.
 */
export interface RunChannels {
  readonly scratch: Map<string, ChannelScratch>;
  /** The run has a checkpointer: reducers record appends for it. */
  readonly recordAppends: boolean;
}

/** Scratch for a run's channels; `recordAppends` when the run saves checkpoints. */
export function runChannels(recordAppends: boolean): RunChannels {
  return { scratch: new Map(), recordAppends };
}

/** The channels of one blueprint, built once per compiled graph. */
export class ChannelTable {
  readonly channels = new Map<string, Channel>();
  /** `channels`' values in order (iterated every superstep without an entry array per channel). */
  private readonly list: readonly Channel[];
  /** Some channel resets when not written (`transient`). */
  private readonly transient: boolean;
  /** The conversation channel: a field of type `messages` (preferring one named `messages`). */
  readonly messagesChannel: string | undefined;

  constructor(readonly blueprint: Blueprint) {
    for (const f of blueprint.state) {
      const resultSchema = hasConstraint(f.type, blueprint.schemas) ? typeSchema(f.type, blueprint.schemas).nullable() : undefined;
      const schema = writeSchema(f, blueprint.schemas);
      const check = schema ? writeCheck(f) : undefined;
      this.channels.set(f.name, { field: f, reducer: REDUCERS[f.reducer.name] ?? REDUCERS.overwrite, schema, ...(check ? { check } : {}), ...(resultSchema ? { resultSchema } : {}) });
    }
    this.list = [...this.channels.values()];
    this.transient = this.list.some((c) => c.reducer.transient);
    const msgs = blueprint.state.filter((f) => f.type.type === "messages" || f.reducer.name === "messages");
    this.messagesChannel = (msgs.find((f) => f.name === "messages") ?? msgs[0])?.name;
  }

  initial(): State {
    const s: Record<string, unknown> = {};
    for (const [name, c] of this.channels) s[name] = c.reducer.initial(c.field);
    return deepFreeze(s);
  }

  /** Full-value schemas of fields, made on the first overwrite of each. */
  private replacementSchemas?: Map<string, z.ZodTypeAny>;

  /** An overwrite's value must be a whole value of the field's type (not a reducer input). */
  private checkReplacement(ch: Channel, value: unknown, w: PendingWrite, step: number): void {
    const name = ch.field.name;
    let schema = this.replacementSchemas?.get(name);
    if (!schema) (this.replacementSchemas ??= new Map()).set(name, (schema = typeSchema(ch.field.type, this.blueprint.schemas).nullable()));
    const r = schema.safeParse(value);
    if (!r.success) {
      const why = describeIssues(r.error);
      throw new InvalidUpdateError(`graph \`${this.blueprint.id}\`, node \`${w.node}\`, field \`${name}\`: an overwrite must be a whole value, expected ${describeType(ch.field)}, got ${preview(value)}${why ? ` (${why})` : ""}`, name, { graph: this.blueprint.id, node: w.node, taskId: w.taskId, step });
    }
  }

  /**
   * Applies `writes` (already in deterministic order) and returns the new snapshot and
   * the channels that changed.
   *
   * `run`: the applying run's per-channel scratch (successive supersteps of one run).
   *
   * A write whose value is an overwrite (`overwrite(v)`, `{ __overwrite__: v }`) replaces the
   * field with `v`, bypassing its reducer; the field's other writes of the step are discarded.
   *
   * @throws InvalidUpdateError for an unknown channel, a write of the wrong type, two
   *   overwrites of one field in a step, or
   *   InvalidConcurrentUpdateError for two tasks writing one overwrite channel.
   */
  apply(state: State, writes: readonly PendingWrite[], registry: Registry, step: number, run?: RunChannels): { state: State; changed: readonly string[] } {
    const graph = this.blueprint.id;
    // Made on the first write (a superstep of writeless tasks makes none).
    let byChannel: Map<string, Write[]> | undefined;
    // Writes that replace a field (`overwrite(v)`, LangGraph's Overwrite): one per field per step.
    let replaced: Map<string, PendingWrite & { readonly replacement: unknown }> | undefined;
    for (const w of writes) {
      const ch = this.channels.get(w.channel);
      if (!ch) {
        throw new InvalidUpdateError(`node \`${w.node}\` wrote \`${w.channel}\`, which is not a state field of graph \`${graph}\` (fields: ${[...this.channels.keys()].join(", ") || "none"})`, w.channel, { graph, node: w.node, taskId: w.taskId, step });
      }
      if (typeof w.value === "object" && w.value !== null) {
        const o = overwriteOf(w.value);
        if (o[0]) {
          const prior = replaced?.get(w.channel);
          if (prior) throw new InvalidUpdateError(`graph \`${graph}\`, field \`${w.channel}\`: nodes \`${prior.node}\` and \`${w.node}\` both overwrote it in one step (at most one overwrite per field per step)`, w.channel, { graph, node: w.node, taskId: w.taskId, step });
          this.checkReplacement(ch, o[1], w, step);
          (replaced ??= new Map()).set(w.channel, Object.assign({}, w, { replacement: o[1] }));
          continue;
        }
      }
      if (ch.schema && !ch.check?.(w.value)) {
        const r = ch.schema.safeParse(w.value);
        if (!r.success) {
          const why = describeIssues(r.error);
          throw new InvalidUpdateError(`graph \`${graph}\`, node \`${w.node}\`, field \`${w.channel}\`: expected ${describeType(ch.field)}, got ${preview(w.value)}${why ? ` (${why})` : ""}`, w.channel, { graph, node: w.node, taskId: w.taskId, step });
        }
      }
      const list = byChannel?.get(w.channel);
      const entry: Write = { value: w.value, taskId: w.taskId, node: w.node };
      if (list) list.push(entry);
      else (byChannel ??= new Map()).set(w.channel, [entry]);
    }
    // Made on the first change: a checkpoint's metadata holds it, and most supersteps of a chain change nothing.
    let changed: string[] | undefined;
    let next: Record<string, unknown> | undefined;
    // Nothing written and no channel that resets: the snapshot stays (the loop below would change nothing).
    if (!byChannel && !replaced && !this.transient) return { state, changed: NO_CHANGES };
    for (const ch of this.list) {
      const name = ch.field.name;
      const over = replaced?.get(name);
      if (over) {
        // The field takes the overwrite's value; its other writes of this step are discarded (as LangGraph's Overwrite).
        if (over.replacement !== state[name]) {
          next ??= { ...state };
          next[name] = deepFreeze(over.replacement);
          (changed ??= []).push(name);
        }
        continue;
      }
      const ws = byChannel?.get(name);
      if (ws) {
        let scratch: ChannelScratch | undefined;
        if (run) {
          scratch = run.scratch.get(name);
          if (!scratch) run.scratch.set(name, (scratch = { memo: undefined, recordAppends: run.recordAppends }));
        }
        const value = ch.reducer.apply(state[name], ws, scratch ? { field: ch.field, registry, graph, step, scratch } : { field: ch.field, registry, graph, step });
        if (ch.resultSchema && value !== state[name]) {
          const r = ch.resultSchema.safeParse(value);
          if (!r.success) {
            const nodes = [...new Set(ws.map((w) => w.node))];
            throw new InvalidUpdateError(`graph \`${graph}\`, node${nodes.length > 1 ? "s" : ""} ${nodes.map((x) => `\`${x}\``).join(", ")}, field \`${name}\`: the ${ch.field.reducer.name} reducer's result ${preview(value)} is not ${describeType(ch.field)}${((why) => (why ? ` (${why})` : ""))(describeIssues(r.error))}`, name, { graph, node: nodes[0], taskId: ws[0].taskId, step });
          }
        }
        if (value !== state[name]) {
          next ??= { ...state };
          next[name] = deepFreeze(value);
          (changed ??= []).push(name);
        }
      } else if (ch.reducer.transient) {
        const init = ch.reducer.initial(ch.field);
        if (!isEmpty(state[name], init)) {
          next ??= { ...state };
          next[name] = deepFreeze(init);
          (changed ??= []).push(name);
        }
      }
    }
    return { state: next ? Object.freeze(next) : state, changed: changed ?? NO_CHANGES };
  }

  /**
   * State from checkpointed values: every channel starts from its initial value, then
   * takes the stored value when there is one (untracked channels and channels the
   * blueprint no longer declares are ignored). The result is deeply frozen.
   */
  restore(values: Readonly<Record<string, unknown>>): State {
    const s: Record<string, unknown> = {};
    for (const [name, c] of this.channels) s[name] = !c.reducer.untracked && Object.prototype.hasOwnProperty.call(values, name) ? values[name] : c.reducer.initial(c.field);
    return deepFreeze(s);
  }

  /** State without untracked channels (what checkpoints store). */
  tracked(state: State): State {
    let out: Record<string, unknown> | undefined;
    for (const [name, ch] of this.channels) {
      if (ch.reducer.untracked) {
        out ??= { ...state };
        delete out[name];
      }
    }
    return out ?? state;
  }
}

/** What `apply` reports when no channel changed (shared and frozen: the step's checkpoint metadata holds it). */
const NO_CHANGES: readonly string[] = Object.freeze([]);

function isEmpty(v: unknown, init: unknown): boolean {
  if (Array.isArray(v) && Array.isArray(init)) return v.length === init.length && v.length === 0;
  return v === init;
}

function describeType(f: FieldSpec): string {
  const t = f.type;
  const base = t.type === "list" ? `list<${t.items.type}${constraintText(t.items)}>` : t.type === "map" ? `map<${t.values.type}${constraintText(t.values)}>` : t.type === "enum" ? t.values.map((v) => JSON.stringify(v)).join(" | ") : t.type === "ref" ? t.name : t.type + constraintText(t);
  return (f.reducer.name === "append" ? `an item or list for ${base}` : base) + (t.optional ? "?" : "");
}

function preview(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  const s = JSON.stringify(v) ?? String(v);
  const kind = v === null ? "null" : Array.isArray(v) ? "list" : typeof v;
  return `${kind} ${s.length > 60 ? s.slice(0, 57) + "…" : s}`;
}
