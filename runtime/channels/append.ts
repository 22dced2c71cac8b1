/** `append`: each write adds one item, or every item of a list (`language.md` §2.2). */
import type { ChannelReducer } from "./reducer.js";

export const append: ChannelReducer = {
  initial: (f) => (Array.isArray(f.default) ? f.default : []),
  apply(current, writes) {
    if (writes.length === 0) return current;
    const out = Array.isArray(current) ? [...current] : [];
    for (const w of writes) {
      if (Array.isArray(w.value)) out.push(...w.value);
      else out.push(w.value);
    }
    return out;
  },
};
