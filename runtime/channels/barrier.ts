/**
 * Arrival channels for join semantics: `barrier N` counts writes (the value is the
 * number of arrivals so far); `named_barrier` records the names written (a set, in
 * arrival order).
 */
import type { ChannelReducer } from "./reducer.js";

export const barrier: ChannelReducer = {
  initial: () => 0,
  apply: (current, writes) => (typeof current === "number" ? current : 0) + writes.length,
};

export const namedBarrier: ChannelReducer = {
  initial: () => [],
  apply(current, writes) {
    if (!writes.length) return current;
    const out = Array.isArray(current) ? [...current] : [];
    // A Set beside the list, not `out.includes` per write: 100,000 branches each naming
    // itself made that quadratic, minutes at one barrier (red team 13A).
    const seen = new Set<unknown>(out);
    for (const w of writes) {
      const name = String(w.value);
      if (!seen.has(name)) {
        seen.add(name);
        out.push(name);
      }
    }
    return out;
  },
};
