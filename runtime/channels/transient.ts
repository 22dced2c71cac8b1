/**
 * Channels whose value lives for one superstep (after LangGraph's Topic and
 * EphemeralValue): `topic` holds the list of values written in the last superstep,
 * `ephemeral` the last value written; both reset when a superstep does not write them.
 * `untracked` behaves like overwrite but is kept out of checkpoints.
 */
import { overwrite } from "./overwrite.js";
import type { ChannelReducer } from "./reducer.js";

export const topic: ChannelReducer = {
  initial: () => [],
  transient: true,
  apply: (current, writes) => (writes.length ? writes.flatMap((w) => (Array.isArray(w.value) ? w.value : [w.value])) : current),
};

export const ephemeral: ChannelReducer = {
  initial: () => null,
  transient: true,
  apply: (current, writes) => (writes.length ? writes[writes.length - 1].value : current),
};

export const untracked: ChannelReducer = { ...overwrite, untracked: true };
