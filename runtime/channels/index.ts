/** Reducers by canonical name (`language.md` §2.2). */
import type { ReducerName } from "../../compiler/index.js";
import { aggregate } from "./aggregate.js";
import { append } from "./append.js";
import { barrier, namedBarrier } from "./barrier.js";
import { merge } from "./merge.js";
import { messages } from "./messages.js";
import { max, min, sum } from "./numeric.js";
import { overwrite } from "./overwrite.js";
import type { ChannelReducer } from "./reducer.js";
import { ephemeral, topic, untracked } from "./transient.js";
import { union } from "./union.js";

export const REDUCERS: Readonly<Record<ReducerName, ChannelReducer>> = {
  overwrite,
  append,
  messages,
  merge,
  sum,
  min,
  max,
  union,
  topic,
  ephemeral,
  untracked,
  barrier,
  named_barrier: namedBarrier,
  aggregate,
};

export type { ChannelReducer, ChannelScratch, ReduceContext, Write } from "./reducer.js";
