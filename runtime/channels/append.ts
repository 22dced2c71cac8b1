/**
 * `append`: each write adds one item, or every item of a list (`language.md` §2.2). The
 * result is frozen (the new items deeply), so the state's deep freeze stops at it, and
 * recorded as an append to the old list (`lineage.ts`: checkpointers store the tail only).
 */
import { deepFreeze } from "../freeze.js";
import { recordAppend } from "./lineage.js";
import type { ChannelReducer } from "./reducer.js";

export const append: ChannelReducer = {
  initial: (f) => (Array.isArray(f.default) ? f.default : []),
  apply(current, writes, ctx) {
    if (writes.length === 0) return current;
    const base = Array.isArray(current) ? (current as readonly unknown[]) : undefined;
    const out = base ? [...base] : [];
    for (const w of writes) {
      if (Array.isArray(w.value)) for (const x of w.value as unknown[]) out.push(deepFreeze(x));
      else out.push(deepFreeze(w.value));
    }
    // Old items are frozen already when `current` is (state snapshots are); else freeze them too.
    if (base && !Object.isFrozen(base)) for (let i = 0; i < base.length; i++) deepFreeze(out[i]);
    if (base && (ctx.scratch?.recordAppends ?? true)) recordAppend(out, base);
    return Object.freeze(out);
  },
};
