/** `merge`: shallow-merges object writes into the current object, in order. */
import { InvalidUpdateError } from "../errors.js";
import type { ChannelReducer } from "./reducer.js";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export const merge: ChannelReducer = {
  initial: (f) => (isObject(f.default) ? f.default : {}),
  apply(current, writes, ctx) {
    if (writes.length === 0) return current;
    let out: Record<string, unknown> = isObject(current) ? current : {};
    for (const w of writes) {
      if (!isObject(w.value)) {
        throw new InvalidUpdateError(`channel \`${ctx.field.name}\` (merge) accepts objects; node \`${w.node}\` wrote ${JSON.stringify(w.value)}`, ctx.field.name, { graph: ctx.graph, node: w.node, taskId: w.taskId, step: ctx.step });
      }
      out = { ...out, ...w.value };
    }
    return out;
  },
};
