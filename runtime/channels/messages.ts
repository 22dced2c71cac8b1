/**
 * `messages`: merges chat messages by `id` — a message whose id is present replaces it
 * in place, a new one is appended (LangGraph's `add_messages`). A write is one message
 * or a list. A message without an id is new and gets an unused id.
 *
 * Cost: a conversation grows by a few messages per superstep, so the reducer avoids
 * re-indexing it every time. Lists this reducer returns share one id → position map
 * with the list they came from (positions of existing messages never move, so one map
 * serves the whole lineage); an entry is a hint, confirmed against the list at hand, and
 * a list that was forked (an older list of the lineage written again) falls back to a
 * scan. In a run, the map of the last list returned is kept in the channel's scratch
 * (`ReduceContext.scratch`) rather than in the weak map. The result is frozen (new messages deeply), so the state's deep freeze stops at it.
 */
import { InvalidUpdateError } from "../errors.js";
import { deepFreeze } from "../freeze.js";
import { recordAppend } from "./lineage.js";
import type { ChannelReducer } from "./reducer.js";

type Msg = { id?: unknown } & Record<string, unknown>;

/** Lists this reducer made (or indexed) → their lineage's shared id index. */
const lineage = new WeakMap<readonly Msg[], Map<string, number>>();

/** Position of `id` in `list`, using `index` as a hint. */
function positionOf(list: readonly Msg[], index: Map<string, number>, id: string): number | undefined {
  const hint = index.get(id);
  if (hint === undefined) return undefined; // the lineage never held it, so `list` does not
  if (hint < list.length && list[hint]?.id === id) return hint;
  for (let i = 0; i < list.length; i++) if (list[i]?.id === id) return i; // a fork: positions may differ
  return undefined;
}

function indexOf(list: readonly Msg[]): Map<string, number> {
  let index = lineage.get(list);
  if (!index) {
    index = new Map();
    for (let i = 0; i < list.length; i++) {
      const id = list[i]?.id;
      if (typeof id === "string") index.set(id, i);
    }
    lineage.set(list, index);
  }
  return index;
}

export const messages: ChannelReducer = {
  initial: (f) => (Array.isArray(f.default) ? f.default : []),
  apply(current, writes, ctx) {
    if (writes.length === 0) return current;
    const base = (Array.isArray(current) ? current : []) as readonly Msg[];
    // In a run, the last step's result and its index are in the channel's scratch (no weak-map lookup).
    const scratch = ctx.scratch;
    const memo = scratch?.memo as { list: readonly Msg[]; index: Map<string, number> } | undefined;
    const index = memo !== undefined && memo.list === base ? memo.index : indexOf(base);
    // Spread, not slice(): V8 (Node 20) copies a frozen array with slice() ~50x slower.
    const out = [...base];
    let replaced = false;
    for (const w of writes) {
      for (const m of Array.isArray(w.value) ? w.value : [w.value]) {
        if (!m || typeof m !== "object") {
          throw new InvalidUpdateError(`channel \`${ctx.field.name}\` (messages) accepts message objects; node \`${w.node}\` wrote ${JSON.stringify(m)}`, ctx.field.name, { graph: ctx.graph, node: w.node, taskId: w.taskId, step: ctx.step });
        }
        // An own `__proto__` key (JSON.parse keeps one) would set the stored copy's prototype below.
        if (Object.hasOwn(m, "__proto__")) {
          throw new InvalidUpdateError(`channel \`${ctx.field.name}\` (messages): node \`${w.node}\` wrote a message with a \`__proto__\` key, which is not allowed`, ctx.field.name, { graph: ctx.graph, node: w.node, taskId: w.taskId, step: ctx.step });
        }
        const msg = m as Msg;
        let id = typeof msg.id === "string" ? msg.id : undefined;
        if (id === undefined) {
          // A message without an id is always new: pick an id no message has.
          let n = out.length;
          while (positionOf(out, index, `msg-${n}`) !== undefined) n++;
          id = `msg-${n}`;
        }
        // Object.assign, not `{ ...msg, id }` (a key added after a spread is slow in Node 20's V8).
        // (`id` assigned after the copy: the key order of a second source, without one per message.)
        const copy = Object.assign({}, msg);
        copy.id = id;
        const stored = deepFreeze(copy);
        const at = positionOf(out, index, id);
        if (at !== undefined) {
          out[at] = stored;
          if (at < base.length) replaced = true;
        } else {
          index.set(id, out.length);
          out.push(stored);
        }
      }
    }
    Object.freeze(out);
    if (scratch) {
      if (memo) (memo.list = out), (memo.index = index);
      else scratch.memo = { list: out, index };
    } else lineage.set(out, index);
    if (!replaced && (scratch?.recordAppends ?? true)) recordAppend(out, base);
    return out;
  },
};
