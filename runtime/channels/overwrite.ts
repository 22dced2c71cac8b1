/**
 * `overwrite` (alias `last_value`, `last_write`): the last write wins. Writes from two
 * different tasks in one superstep raise InvalidConcurrentUpdateError (LangGraph's
 * LastValue); several writes of one task keep the last.
 */
import { InvalidConcurrentUpdateError } from "../errors.js";
import type { ChannelReducer } from "./reducer.js";

export const overwrite: ChannelReducer = {
  initial: (f) => f.default ?? null,
  apply(current, writes, ctx) {
    if (writes.length === 0) return current;
    const tasks = [...new Set(writes.map((w) => w.taskId))];
    if (tasks.length > 1) {
      // A Set, not `filter(indexOf)`: a fan-out of 40,000 tasks writing one field made that
      // quadratic — most of a 40 s run, and hours at the 100,000 packets a step allows (red team 13A).
      throw new InvalidConcurrentUpdateError(ctx.field.name, [...new Set(writes.map((w) => `${w.node} (${w.taskId})`))], { graph: ctx.graph, step: ctx.step });
    }
    return writes[writes.length - 1].value;
  },
};
