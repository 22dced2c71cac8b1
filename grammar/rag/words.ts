/**
 * The word lists of the `.rag` language (`language.md` §1–3), free of Chevrotain so that
 * the hand-written fast path (fast-parse.ts) can use them without loading the parser
 * library. tokens.ts, parser-base.ts, parser-graph.ts and parser-node.ts re-export them.
 */

/** Reserved words: never names (`START`, `END`, `true`, `false`, `null`). */
export const RESERVED_WORDS: ReadonlySet<string> = new Set(["START", "END", "true", "false", "null"]);

/**
 * Contextual keywords, in the order of `language.md` §2–3. A keyword token is created
 * for each (tokens.ts); wherever a name is expected, a keyword is accepted.
 */
export const KEYWORD_WORDS = [
  // top level
  "graph", "agent", "schema",
  // graph items
  "start", "state", "channel", "input", "output", "defaults", "metadata", "tags", "allow", "node",
  "join", "interrupt", "checkpoint", "before", "after",
  // node items
  "kind", "model", "system", "prompt", "tools", "script", "tool", "route", "writes", "set", "next",
  "routes", "send", "sends", "command", "sources", "options", "blocking", "optional", "retry",
  "timeout", "max_steps", "cache", "validate", "on_error", "steering", "models", "agents", "graphs",
  "defer", "persistent",
  // authoring constructs (issue 15 §2): per-tool approval, budgets, typed resume, send concurrency
  "approve", "budget", "resume", "concurrency", "attach",
  // inside items
  "when", "else", "for", "in", "if", "wait", "goto", "update", "parent", "human", "delivery",
  // expression operators
  "and", "or", "not",
] as const;
export type KeywordWord = (typeof KEYWORD_WORDS)[number];

export const DURATION_UNITS: ReadonlySet<string> = new Set(["ms", "s", "m", "h"]);
/** Count suffixes directly after a number: `50k` = 50,000, `2M` = 2,000,000. */
export const COUNT_SUFFIXES: ReadonlySet<string> = new Set(["k", "M"]);

/** Reducer words (`language.md` §2.2 plus the reference alias `last_write`). */
export const REDUCER_WORDS: ReadonlySet<string> = new Set([
  "overwrite", "last_value", "last_write", "append", "messages", "merge", "sum", "min", "max", "union",
  "topic", "ephemeral", "untracked", "barrier", "named_barrier", "aggregate", "reducer",
]);

/** Base type words (`language.md` §2.2). */
export const TYPE_WORDS: ReadonlySet<string> = new Set(["string", "number", "integer", "boolean", "any", "messages", "list", "map"]);

/** Keywords that start a graph item (§2.1). */
export const GRAPH_ITEM_WORDS: ReadonlySet<string> = new Set(["start", "state", "channel", "input", "output", "defaults", "metadata", "tags", "allow", "node", "join", "interrupt", "checkpoint", "budget"]);

/** Keywords that start a node item (§2.3). */
export const NODE_ITEM_WORDS: ReadonlySet<string> = new Set([
  "kind", "model", "agent", "graph", "script", "tool", "route", "system", "prompt", "tools", "sources", "options", "validate",
  "tags", "input", "output", "writes", "set", "next", "routes", "send", "sends", "join", "command", "blocking", "optional",
  "retry", "metadata", "cache", "timeout", "max_steps", "on_error", "checkpoint", "steering", "models", "agents", "graphs",
  "defer", "persistent", "approve", "budget", "resume", "attach",
]);
