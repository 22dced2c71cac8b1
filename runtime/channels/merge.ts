/** `merge`: shallow-merges object writes into the current object, in order. */
import { InvalidUpdateError } from "../errors.js";
import type { ChannelReducer } from "./reducer.js";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export const merge: ChannelReducer = {
  initial: (f) => (isObject(f.default) ? f.default : {}),
  apply(current, writes, ctx) {
    if (writes.length === 0) return current;
    for (const w of writes) {
      if (!isObject(w.value)) {
        throw new InvalidUpdateError(`channel \`${ctx.field.name}\` (merge) accepts objects; node \`${w.node}\` wrote ${JSON.stringify(w.value)}`, ctx.field.name, { graph: ctx.graph, node: w.node, taskId: w.taskId, step: ctx.step });
      }
    }
    if (writes.length === 1) return { ...(isObject(current) ? current : {}), ...(writes[0]!.value as Record<string, unknown>) };
    // One copy, then each write's keys defined on it in order (as spreads would): a spread per
    // write copied the whole result again for each, quadratic when a wide fan-out's branches
    // each add keys of their own (red team 13A). Defined, not assigned: an own `__proto__` key stays data.
    const out: Record<string, unknown> = { ...(isObject(current) ? current : {}) };
    for (const w of writes) {
      for (const [k, v] of Object.entries(w.value as Record<string, unknown>)) Object.defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
    }
    return out;
  },
};
