/** `union`: set-append preserving first-seen order; equality by canonical JSON. */
import { canonicalJson } from "../../compiler/index.js";
import type { ChannelReducer } from "./reducer.js";

export const union: ChannelReducer = {
  initial: (f) => (Array.isArray(f.default) ? f.default : []),
  apply(current, writes) {
    if (writes.length === 0) return current;
    const out = Array.isArray(current) ? [...current] : [];
    const seen = new Set(out.map((v) => canonicalJson(v)));
    for (const w of writes) {
      for (const v of Array.isArray(w.value) ? w.value : [w.value]) {
        const key = canonicalJson(v);
        if (!seen.has(key)) {
          seen.add(key);
          out.push(v);
        }
      }
    }
    return out;
  },
};
