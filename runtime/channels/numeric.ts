/** `sum`, `min`, `max`: fold numeric writes into the current number. */
import { InvalidUpdateError } from "../errors.js";
import type { ChannelReducer, ReduceContext, Write } from "./reducer.js";

function numbers(writes: readonly Write[], ctx: ReduceContext): number[] {
  return writes.map((w) => {
    if (typeof w.value !== "number" || !Number.isFinite(w.value)) {
      throw new InvalidUpdateError(`channel \`${ctx.field.name}\` (${ctx.field.reducer.name}) accepts numbers; node \`${w.node}\` wrote ${JSON.stringify(w.value)}`, ctx.field.name, { graph: ctx.graph, node: w.node, taskId: w.taskId, step: ctx.step });
    }
    return w.value;
  });
}

export const sum: ChannelReducer = {
  initial: (f) => (typeof f.default === "number" ? f.default : 0),
  apply: (current, writes, ctx) => (writes.length ? numbers(writes, ctx).reduce((a, b) => a + b, typeof current === "number" ? current : 0) : current),
};

export const min: ChannelReducer = {
  initial: (f) => (typeof f.default === "number" ? f.default : null),
  apply: (current, writes, ctx) => (writes.length ? Math.min(...numbers(writes, ctx), ...(typeof current === "number" ? [current] : [])) : current),
};

export const max: ChannelReducer = {
  initial: (f) => (typeof f.default === "number" ? f.default : null),
  apply: (current, writes, ctx) => (writes.length ? Math.max(...numbers(writes, ctx), ...(typeof current === "number" ? [current] : [])) : current),
};
