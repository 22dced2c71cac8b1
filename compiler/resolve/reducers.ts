/**
 * Reducer words (`language.md` §2.2) and their canonical names (§6 aliases).
 */
import type { ReducerName } from "../blueprint.js";

/** Null-prototype: it is indexed by source words (`channel x constructor` must find nothing). */
const CANONICAL: Readonly<Record<string, ReducerName>> = Object.assign(Object.create(null) as Record<string, ReducerName>, {
  overwrite: "overwrite",
  last_value: "overwrite",
  last_write: "overwrite",
  append: "append",
  messages: "messages",
  merge: "merge",
  sum: "sum",
  min: "min",
  max: "max",
  union: "union",
  topic: "topic",
  ephemeral: "ephemeral",
  untracked: "untracked",
  barrier: "barrier",
  named_barrier: "named_barrier",
  aggregate: "aggregate",
  reducer: "aggregate",
} satisfies Record<string, ReducerName>);

/** Every built-in reducer spelling. */
export const BUILTIN_REDUCERS: ReadonlySet<string> = new Set(Object.keys(CANONICAL));

/** Canonical name of a built-in reducer spelling, or undefined. */
export function canonicalReducer(word: string): ReducerName | undefined {
  return CANONICAL[word];
}
