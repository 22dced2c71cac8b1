/**
 * `aggregate "fn"` / `reducer "fn"`: folds each write into the value with a registered
 * reducer function, `fn(current, write)`, in write order.
 */
import { BindError } from "../errors.js";
import type { ChannelReducer } from "./reducer.js";

export const aggregate: ChannelReducer = {
  initial: (f) => f.default ?? null,
  apply(current, writes, ctx) {
    if (!writes.length) return current;
    const name = ctx.field.reducer.fn ?? "";
    const fn = ctx.registry.reducers.get(name);
    if (!fn) throw new BindError(`reducer function \`${name}\` of channel \`${ctx.field.name}\` is not registered`, [`reducers.${name}`], { graph: ctx.graph, step: ctx.step });
    return writes.reduce((acc, w) => fn(acc, w.value), current);
  },
};
