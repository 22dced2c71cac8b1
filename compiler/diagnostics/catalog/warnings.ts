/** Warnings that do not fit another area. */
import type { CatalogEntry } from "./entry.js";

export const WARNINGS: readonly CatalogEntry[] = [
  { code: "W-rag-unknown-node-kind", title: "not a built-in node kind", meaning: "Without a registry's kind list, a `kind` that is no built-in kind may still be a custom kind; check the spelling.", example: "graph g { start a node a { kind agnet } }" },
  { code: "W-rag-unknown-reducer", title: "not a built-in reducer", meaning: "Without a registry's reducer list, a reducer that is not built in may still be registered; check the spelling.", example: "graph g { start a channel x apend node a {} }" },
  { code: "W-rag-unknown-field", title: "update of an undeclared field", meaning: "A reference `command { update {…} }` key names no declared state field.", example: "graph g { start a node a { command { update { status \"x\" } } } }" },
  { code: "W-rag-unknown-key", title: "unknown setting", meaning: "A `retry` or `cache` block holds a key that is ignored.", example: "graph g { start a node a { retry { attempts 3 } } }" },
];
