/**
 * `messages`: merges chat messages by `id` — a message whose id is present replaces it
 * in place, a new one is appended (LangGraph's `add_messages`). A write is one message
 * or a list. A message without an id is new and gets an unused id.
 */
import { produce } from "immer";
import { InvalidUpdateError } from "../errors.js";
import type { ChannelReducer } from "./reducer.js";

type Msg = { id?: unknown } & Record<string, unknown>;

export const messages: ChannelReducer = {
  initial: (f) => (Array.isArray(f.default) ? f.default : []),
  apply(current, writes, ctx) {
    if (writes.length === 0) return current;
    const base = (Array.isArray(current) ? current : []) as Msg[];
    return produce(base, (draft) => {
      const index = new Map<string, number>();
      draft.forEach((m, i) => typeof m?.id === "string" && index.set(m.id, i));
      for (const w of writes) {
        for (const m of Array.isArray(w.value) ? w.value : [w.value]) {
          if (!m || typeof m !== "object") {
            throw new InvalidUpdateError(`channel \`${ctx.field.name}\` (messages) accepts message objects; node \`${w.node}\` wrote ${JSON.stringify(m)}`, ctx.field.name, { graph: ctx.graph, node: w.node, taskId: w.taskId, step: ctx.step });
          }
          const msg = m as Msg;
          let id = typeof msg.id === "string" ? msg.id : undefined;
          if (id === undefined) {
            // A message without an id is always new: pick an id no message has.
            let n = draft.length;
            while (index.has(`msg-${n}`)) n++;
            id = `msg-${n}`;
          }
          const at = index.get(id);
          if (at !== undefined) draft[at] = { ...msg, id };
          else {
            index.set(id, draft.length);
            draft.push({ ...msg, id });
          }
        }
      }
    });
  },
};
